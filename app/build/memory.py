"""The build's memory: the cycle collector paused (or the build frozen) while the site is made,
and the heap it freed given back to the system."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused(freeze: bool) -> Iterator[None]:
    """Python's cycle collector off while the build makes its objects: each full collection
    walks every object made so far (about a third of a warm 1,000-page start, measured); the
    build's few cycles are left to later collections. With `freeze` (a server, before it forks
    its workers), what the build made is moved out of every later collection before the
    collector is on again (else its first collection walks all of it: 0.1 s at 1,000 pages)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was:
            gc.enable()


def trim() -> None:
    """Give the heap the build freed (cache files read, arrays merged) back to the system: glibc
    keeps it otherwise, and a server would hold it for its whole life (about 40 MB at 1,000
    pages). No collection first: the build leaves a handful of cycles, and walking every object
    to find them took 0.25 s of a 1,000-page start (the server freezes what the site holds,
    app/serve/app.py `preload`)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)
