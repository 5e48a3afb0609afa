"""Work in a forked child while the build goes on: what it makes goes through the build cache,
and what it used dies with it (a large merge leaves the parent's heap as it was). Work nobody
waits for runs `detached`; a file such work will write is locked from before the fork until it
is written, so whoever needs the file next waits for it (`wait_written`) instead of missing it."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("app")
WAIT_S = 5.0  # at most, for a file being written (a bundle of 1,000 pages: about 0.5 s)


def forked(work: Callable[[], object]) -> Callable[[], bool]:
    """Start `work` in a child (a fork of this process) and return a function that waits for it
    and tells whether it succeeded (raised nothing, and returned anything but False). Without
    fork, or with other threads running (`make dev`'s watcher, a test's server: a lock one of
    them holds would never be released in the child), the work runs here, now."""
    if not can_fork():
        done = work() is not False
        return lambda: done
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError as exc:  # no memory or processes left for a child: the work runs here
        log.warning("build: cannot fork (%s); the work runs here", exc)
        done = work() is not False
        return lambda: done
    if pid == 0:  # the child: never returns into the parent's code
        code = 1
        try:
            code = 1 if work() is False else 0
        except BaseException:
            log.exception("build: work in a child process failed")
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)

    def wait() -> bool:
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status) == 0

    return wait


def can_fork() -> bool:
    """A child can be forked here now (fork exists, and no other thread runs)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def detached(work: Callable[[], None]) -> bool:
    """Run `work` in a grandchild of this process: its parent exits at once (reaped here), so
    it is nobody's to wait for. Not with other threads running (a lock one of them holds would
    never be released in the child), nor without fork."""
    if not can_fork():
        return False
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # the child: starts the grandchild, and exits
        try:
            if os.fork() == 0:
                try:
                    work()
                except BaseException:
                    log.exception("build: work in a detached process failed")
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return True


def lock_path(file: Path) -> Path:
    return file.with_name(f".writing-{file.stem}.lock")


def being_written(file: Path) -> bool:
    """A process is writing `file` now (it holds the lock beside it, `lock_for`)."""
    try:
        handle = os.open(lock_path(file), os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(handle)  # (and with it a shared lock taken)
    return False


def wait_written(file: Path) -> None:
    """Until the writer of `file` lets go of its lock (it finished, or died), at most WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    while being_written(file) and time.monotonic() < deadline:
        time.sleep(0.005)


def lock_for(file: Path) -> int | None:
    """The lock a process that will write `file` holds until it is written (`unlock`): taken
    before the fork, so that it is held from the first moment; None when it cannot be taken.
    The forking process closes its copy once it forked (the writer's keeps it held)."""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(lock_path(file), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another process writes the same file
        os.close(handle)
        return None
    return handle


def unlock(file: Path, handle: int | None) -> None:
    """`file` is written (or will not be): its lock (`handle`, ours) goes, and with it any
    waiting. Without a handle, nothing: the lock is another process's."""
    if handle is None:
        return
    with contextlib.suppress(OSError):
        lock_path(file).unlink()
    with contextlib.suppress(OSError):
        fcntl.flock(handle, fcntl.LOCK_UN)
