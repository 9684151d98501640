"""The cyclic garbage collector around the objects that live as long as the process.

Start-up builds a large heap that is never freed: the catalogue (about a million objects), the matcher's
automaton, the language packs. Collecting while it grows walks it again and again for nothing (about a
tenth of `mercato match`'s start-up), and a worker process forked from it would touch every page of it
in its own collections, copying the memory it should share. Python's documented recipe for both
(``gc.freeze``): no collection while building, the built heap frozen before forking.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

__all__ = ["building", "frozen", "leave"]


@contextmanager
def building() -> Iterator[None]:
    """No cyclic collection inside the block (the collector is back as it was after it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def frozen() -> Iterator[None]:
    """The heap as it is now is left out of every collection inside the block, in this process and in the
    processes it forks there; put back after it (so that nothing that became garbage stays)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def leave(status: int) -> NoReturn:
    """End the process with ``status`` now, without freeing that heap object by object (about 0.08 s after
    `mercato match`). Log handlers and the standard streams are flushed first, so nothing written is lost;
    only for a command that has closed everything it opened (no thread, file or child process left)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`) wants no more
            pass
    os._exit(status)
