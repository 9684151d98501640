"""Build hook (everything else is in pyproject.toml): compiles the reading hot path with mypyc.

Reading items (matching, rumours, citations) is the poll's main CPU cost. The modules in
``bot.native.COMPILED`` are strictly typed (mypy --strict), so mypyc compiles them as they are into C
extensions that sit beside the sources and read ~1.5x faster, with the same output
(``python -m bench.snapshot`` checks that). Nothing else changes: the sources stay the code.

Without mypyc or a C compiler, or with ``MERCATO_COMPILE=0``, Mercato installs as pure Python. The build
writes ``bot/native-build.txt`` (each compiled source's hash); if a source changes afterwards,
``bot.native`` runs all of them as Python until the next build, so an edit is never shadowed by a stale
extension (``make`` rebuilds on its own).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # bot.native: the compiled list and the manifest format (stdlib only)

from bot import native  # noqa: E402


class OptionalBuildExt(build_ext):  # type: ignore[misc]
    """Build the extensions if this machine can; otherwise remove every partial result and go on."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # no compiler, missing headers: pure Python is slower, not wrong
            sys.stderr.write(f"mercato: compiling the reading code failed ({exc}); installing it as pure Python\n")
            for ext in self.extensions:
                for path in (Path(self.get_ext_fullpath(ext.name)), ROOT / self.get_ext_filename(ext.name)):
                    path.unlink(missing_ok=True)
            native.MANIFEST.unlink(missing_ok=True)
            # build_py ran first and copied it for the wheel: a manifest must never claim a build that failed
            (Path(self.build_lib) / "bot" / native.MANIFEST.name).unlink(missing_ok=True)


def extensions() -> list[Any]:
    """The mypyc extensions, or none (pure Python) when compiling is off or impossible."""
    if os.environ.get("MERCATO_COMPILE", "1") == "0":
        return []  # the tree is left as it is: extensions already built stay guarded by their manifest
    native.MANIFEST.unlink(missing_ok=True)
    try:
        from mypyc.build import mypycify
    except ImportError:
        sys.stderr.write("mercato: mypyc is not installed; installing the reading code as pure Python\n")
        return []
    sources = [str(path.relative_to(ROOT)) for path in native.compiled_sources(ROOT)]
    try:
        modules = mypycify(sources, opt_level="3", group_name=native.GROUP)
    except (Exception, SystemExit) as exc:  # mypyc reports type errors itself (above), then exits
        sys.stderr.write(f"mercato: mypyc could not compile the reading code ({exc}); installing it as pure Python\n")
        return []
    native.write_manifest(ROOT)
    return list(modules)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
