"""The compiled reading code (setup.py, bot/native.py): what the build compiled, and no stale build ever runs.

These run a fresh interpreter on a copy of the package, so the copy's imports are the ones checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import native

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import sys, bot.language.fold, bot.native; "
    "print(sys.modules['bot.language.fold'].__file__); print(bot.native.status())"
)

compiled = pytest.mark.skipif(
    not native.MANIFEST.exists(), reason="this install is pure Python (no compiler or MERCATO_COMPILE=0)"
)


def _probe(tree: Path) -> list[str]:
    """Import the reading code from ``tree`` in a new interpreter; its lines of output."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=tree, env=env, capture_output=True, text=True,
                          check=True, timeout=60)
    return done.stdout.splitlines() + done.stderr.splitlines()


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "bot", tree / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "seeds", tree / "seeds")
    return tree


@compiled
def test_the_build_compiled_every_listed_module() -> None:
    listed = {line.split(" ")[0] for line in native.MANIFEST.read_text(encoding="utf-8").splitlines()}
    assert "bot.language.reader" in listed and "bot.catalogue.matcher" in listed and "bot.sources" in listed
    assert len(listed) == len(native.compiled_sources())
    assert native.stale_sources() == []
    assert native.status() == "compiled with mypyc"


@compiled
def test_an_unchanged_copy_runs_the_extensions(tmp_path: Path) -> None:
    out = _probe(_copy(tmp_path))
    assert out[0].endswith(".so") and out[1] == "compiled with mypyc", out


@compiled
def test_an_edited_source_runs_as_python_with_one_warning(tmp_path: Path) -> None:
    """An edit to any compiled module: every compiled module is read from its source, never a stale build."""
    tree = _copy(tmp_path)
    source = tree / "bot" / "language" / "clauses.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    out = _probe(tree)
    assert out[0] == str(tree / "bot" / "language" / "fold.py")  # not the edited module only: all of them
    assert out[1].startswith("pure Python (sources changed since the build")
    warnings = [line for line in out if "changed since it was compiled" in line]
    assert len(warnings) == 1 and "bot/language/clauses.py" in warnings[0] and "make setup" in warnings[0]


@compiled
def test_a_new_module_in_a_compiled_folder_runs_everything_as_python(tmp_path: Path) -> None:
    """A module added beside compiled ones is not in the build: the sources run (and the new module imports)."""
    tree = _copy(tmp_path)
    (tree / "bot" / "language" / "added.py").write_text("ANSWER = 42\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    script = "import bot.language.added as a, bot.native; print(a.ANSWER); print(bot.native.status())"
    done = subprocess.run([sys.executable, "-c", script], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "42"
    assert done.stdout.splitlines()[1].startswith("pure Python (sources changed since the build")
    assert "bot/language/added.py changed since it was compiled" in done.stderr


def test_pure_python_when_nothing_was_compiled(tmp_path: Path) -> None:
    tree = _copy(tmp_path)
    for built in [*tree.rglob("*.so"), tree / "bot" / "native-build.txt"]:
        built.unlink(missing_ok=True)
    out = _probe(tree)
    assert out[0] == str(tree / "bot" / "language" / "fold.py")
    assert out[1] == "pure Python (not compiled)"
    assert not any("changed since" in line for line in out)


def test_an_installed_package_reads_the_seeds_that_mercato_seeds_names(tmp_path: Path) -> None:
    """A wheel (the Docker image) has no seeds/ beside the package: MERCATO_SEEDS names them; without it,
    one line says so (this crashed with a traceback at import before)."""
    site = tmp_path / "site-packages"
    shutil.copytree(ROOT / "bot", site / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    article = tmp_path / "article.txt"
    article.write_text("Milan want Drăgușin\n\nAC Milan are keen on Tottenham's Radu Drăgușin.\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "MERCATO_SEEDS"} | {"PYTHONPATH": str(site)}
    bare = subprocess.run([sys.executable, "-m", "bot", "match", str(article)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)
    assert bare.returncode == 2 and "Traceback" not in bare.stderr
    assert len(bare.stderr.strip().splitlines()) == 1 and "Set MERCATO_SEEDS" in bare.stderr
    seeded = subprocess.run([sys.executable, "-m", "bot", "match", str(article)], cwd=tmp_path,
                            env=env | {"MERCATO_SEEDS": str(ROOT / "seeds")}, capture_output=True, text=True,
                            timeout=60)
    assert seeded.returncode == 0, seeded.stderr
    assert "Radu Drăgușin" in seeded.stdout and "AC Milan" in seeded.stdout


def test_a_manifest_without_extensions_is_not_called_compiled(tmp_path: Path) -> None:
    """A build whose compile failed after the manifest was packed (a wheel built without a C compiler)."""
    tree = _copy(tmp_path)
    for built in tree.rglob("*.so"):
        built.unlink()
    (tree / "bot" / "native-build.txt").write_text(native.MANIFEST.read_text(encoding="utf-8")
                                                   if native.MANIFEST.exists() else
                                                   "bot.language.fold 0 bot/language/fold.py\n", encoding="utf-8")
    out = _probe(tree)
    assert out[0] == str(tree / "bot" / "language" / "fold.py")
    assert out[1].startswith("pure Python")
