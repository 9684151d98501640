"""The seeds' catalogue and its matcher, kept pickled between runs of a command that starts often.

`mercato match` reads an article (or a batch) in a new process each time. Building the catalogue from the
seeds and the matcher's automaton takes about 0.17 s of its start; unpickling them takes 0.06 s. The
file also keeps the language packs' prefilter literals (``bot.language.prefilter``): working them out
parses every pattern a second time, a third of loading a pack (0.03 s for English and Italian).

The file's name is a digest of everything that goes into them: every file of the seeds folder, every
module of ``bot/`` (the pickled classes and the code that built them), the Python version and whether
the reading code runs compiled. Any change gives another name, so a stale file is never read; older
files go when a new one is written. A file that does not load is built again, and a folder that cannot
be written costs only the build. A pickle runs code when loaded: only a regular file owned by this user
and writable by nobody else is read, from a folder created private to the user.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

from bot import native
from bot.catalogue.matcher import Matcher
from bot.catalogue.model import Catalogue
from bot.catalogue.seeds import load_catalogue
from bot.language.pack import load_languages
from bot.language.prefilter import known_literals, learn_literals

__all__ = ["load_reader"]

log = logging.getLogger(__name__)

_FORMAT = b"mercato reader cache 2"
_PREFIX = "reader-"
_CODE = Path(__file__).resolve().parent.parent  # bot/


def load_reader(seeds_dir: Path, cache_dir: Path | None) -> tuple[Catalogue, Matcher]:
    """The catalogue of ``seeds_dir`` and its matcher: from ``cache_dir`` when it holds them, else built
    (and stored there for the next run). ``cache_dir`` None: always built. Raises ConfigError like
    ``load_catalogue`` when the seeds are invalid."""
    if cache_dir is None:
        return _build(seeds_dir)
    try:
        path = cache_dir / f"{_PREFIX}{_digest(seeds_dir)}.pickle"
    except OSError as exc:  # a seed file that cannot be read: the build says which, in its own words
        log.debug("reader cache: cannot digest the inputs (%s)", exc)
        return _build(seeds_dir)
    loaded = _load(path)
    if loaded is not None:
        return loaded
    catalogue, matcher = _build(seeds_dir)
    load_languages(seeds_dir)  # so that the file holds every pack's literals
    _store(path, catalogue, matcher)
    return catalogue, matcher


def _build(seeds_dir: Path) -> tuple[Catalogue, Matcher]:
    catalogue = load_catalogue(seeds_dir)
    return catalogue, Matcher(catalogue)


def _digest(seeds_dir: Path) -> str:
    digest = hashlib.sha256(_FORMAT)
    digest.update(f"{sys.version}\n{native.status()}\n".encode())
    for root, pattern in ((seeds_dir, "*"), (_CODE, "*.py")):
        for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _load(path: Path) -> tuple[Catalogue, Matcher] | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None  # not cached yet (the usual miss)
    try:
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not _private(info):
                log.warning("reader cache: ignoring %s: it is not a private file of this user", path)
                return None
            catalogue, matcher, literals = pickle.load(file)
    except Exception as exc:  # a damaged or foreign file, whatever it raises: build again
        log.debug("reader cache: %s does not load (%s); building again", path, exc)
        return None
    if not isinstance(catalogue, Catalogue) or not isinstance(matcher, Matcher) or not isinstance(literals, dict):
        return None
    learn_literals(literals)
    return catalogue, matcher


def _private(info: os.stat_result) -> bool:
    owner_ok = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
    return stat.S_ISREG(info.st_mode) and owner_ok and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _store(path: Path, catalogue: Catalogue, matcher: Matcher) -> None:
    """Write the file whole or not at all (a temporary file renamed), then remove the older ones."""
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{_PREFIX}", delete=False) as file:
            temporary = Path(file.name)
            try:
                pickle.dump((catalogue, matcher, known_literals()), file, protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        os.replace(temporary, path)
        for old in folder.glob(f"{_PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError) as exc:
        log.debug("reader cache: cannot write %s (%s); next run builds again", path, exc)
