"""Reproducible installs and the licence: the lockfiles match pyproject.toml's pins, every package is hashed,
and building Mercato's metadata raises no setuptools warning."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
_ENTRY = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(requirements: list[str]) -> dict[str, str]:
    found = {}
    for requirement in requirements:
        name, _, version = requirement.split(";")[0].split("#")[0].strip().partition("==")
        assert version, f"{requirement!r} is not pinned with =="
        found[normal(name)] = version.strip()
    return found


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} from a `uv pip compile --generate-hashes` file."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ENTRY.match(line)
        if match:
            current = normal(match.group(1))
            entries[current] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
    return entries


def test_the_lockfiles_hold_every_pin_of_pyproject_with_hashes() -> None:
    """Runtime pins (and the build backend) are in both lockfiles, dev pins in the dev one only; all hashed."""
    runtime = pins(PYPROJECT["project"]["dependencies"])
    dev = pins(PYPROJECT["project"]["optional-dependencies"]["dev"])
    build = pins(PYPROJECT["dependency-groups"]["build"])
    assert pins(PYPROJECT["build-system"]["requires"]) == build
    lock, dev_lock = locked(REPO / "requirements.txt"), locked(REPO / "requirements-dev.txt")
    for name, version in {**runtime, **build}.items():
        assert lock.get(name, ("missing",))[0] == version, name
    for name, version in {**runtime, **build, **dev}.items():
        assert dev_lock.get(name, ("missing",))[0] == version, name
    assert not (set(dev) - set(build)) & set(lock)  # the image installs no test tools (mypy builds: setup.py)
    assert all(hashes > 0 for _, hashes in [*lock.values(), *dev_lock.values()])
    assert len(dev_lock) > len(runtime) + len(dev)  # the transitive dependencies are locked too


def test_make_ci_and_docker_install_from_the_lockfiles() -> None:
    """The set-up stamp, and the image, install with --require-hashes from the lockfile, then Mercato alone."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install -q --disable-pip-version-check --require-hashes -r $(DEV_LOCK)" in makefile
    assert "DEV_LOCK := requirements-dev.txt" in makefile and "$(STAMP): pyproject.toml setup.py $(DEV_LOCK)" in makefile
    assert "RUN pip install --require-hashes -r requirements.txt" in dockerfile
    assert "pip install --no-deps --no-build-isolation ." in dockerfile
    assert "make lint" in (REPO / ".ci" / "run").read_text(encoding="utf-8")  # CI goes through make


def test_mit_licence_and_no_setuptools_warning(tmp_path: Path) -> None:
    """LICENSE is the MIT text; with warnings as errors setuptools builds metadata saying MIT the SPDX way
    (the old `license = {text = "MIT"}` form fails here: it is deprecated)."""
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert PYPROJECT["project"]["license"] == "MIT"
    code = f"import setuptools.build_meta as b; b.prepare_metadata_for_build_wheel({str(tmp_path)!r})"
    # MERCATO_COMPILE=0: metadata needs no compiling, and setup.py must not touch the tree's build while
    # other tests read it (bot/native.py)
    proc = subprocess.run([sys.executable, "-W", "error", "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "MERCATO_COMPILE": "0"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    built = next(tmp_path.glob("*.dist-info/METADATA")).read_text(encoding="utf-8")
    assert "License-Expression: MIT" in built and "License-File: LICENSE" in built
