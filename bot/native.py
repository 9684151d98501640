"""Which modules the build compiles with mypyc, and a guard that never lets a stale build run.

``setup.py`` compiles ``COMPILED`` (the reading hot path) into C extensions beside their sources and
records each source's hash in ``bot/native-build.txt``. Python imports an extension before a ``.py`` of
the same name, so after an edit the old extension would silently run instead of the edited code. On
``import bot``, :func:`guard` compares the hashes: if any compiled source changed (or is gone, or is new), every
compiled module is loaded from its source instead (they call each other natively, so it is all or none),
with one warning saying how to compile again. Standard library only: ``setup.py`` imports this module.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

# Globs relative to the project root: the modules every item goes through (see docs/architecture.md).
COMPILED = (
    "bot/language/*.py",
    "bot/catalogue/matcher.py",
    "bot/catalogue/normalize.py",
    "bot/catalogue/provisional.py",
    "bot/sources.py",
)
GROUP = "bot.native"  # mypyc's shared library becomes bot/native__mypyc.*.so
MANIFEST = Path(__file__).with_name("native-build.txt")
_PROJECT = Path(__file__).resolve().parent.parent

log = logging.getLogger(__name__)


def compiled_sources(root: Path = _PROJECT) -> list[Path]:
    """The source files the build compiles, sorted."""
    return sorted(path for pattern in COMPILED for path in root.glob(pattern))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _module_name(relative: str) -> str:
    name = relative.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def write_manifest(root: Path = _PROJECT) -> None:
    """Record what the build compiles: ``<module> <sha256> <path>`` per line."""
    lines = []
    for path in compiled_sources(root):
        relative = path.relative_to(root).as_posix()
        lines.append(f"{_module_name(relative)} {_digest(path)} {relative}")
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _manifest() -> list[tuple[str, str, Path]]:
    """(module, hash at build time, source) of every compiled module; empty when nothing is compiled."""
    try:
        text = MANIFEST.read_text(encoding="utf-8")
    except OSError:
        return []
    entries = []
    for line in text.splitlines():
        module, digest, relative = line.split(" ", 2)
        entries.append((module, digest, _PROJECT / relative))
    return entries


def stale_sources() -> list[Path]:
    """Compiled sources changed, removed or added since the build (none when nothing is compiled).

    An added one counts: a compiled package cannot import a new module of its folder from source."""
    manifest = _manifest()
    if not manifest:
        return []
    built = {source for _module, _digest, source in manifest}
    changed = [source for _module, digest, source in manifest if not source.exists() or _digest(source) != digest]
    return changed + [source for source in compiled_sources() if source not in built]


def status() -> str:
    """How the reading code runs, in words (``mercato --version``, ``make bench``)."""
    manifest = _manifest()
    if not manifest:
        return "pure Python (not compiled)"
    if isinstance(sys.meta_path[0], _SourcesFirst):
        return "pure Python (sources changed since the build: `make setup` compiles them again)"
    spec = importlib.util.find_spec(manifest[0][0])  # what Python would import for the first compiled module
    if spec is None or not str(spec.origin).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        return "pure Python (not compiled)"
    return "compiled with mypyc"


class _SourcesFirst(importlib.abc.MetaPathFinder):
    """Loads the named modules from their ``.py`` sources, never from an extension beside them."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        source = self.sources.get(fullname)
        if source is None or not source.exists():
            return None
        search = [str(source.parent)] if source.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(fullname, source, submodule_search_locations=search)


def guard() -> None:
    """Run every compiled module from source if any of them changed since the build (``import bot`` calls this)."""
    stale = stale_sources()
    if not stale:
        return
    sys.meta_path.insert(0, _SourcesFirst({module: source for module, _digest, source in _manifest()}))
    log.warning("%s changed since it was compiled: running the reading code as Python (slower) until "
                "`make setup` compiles it again", stale[0].relative_to(_PROJECT).as_posix())
