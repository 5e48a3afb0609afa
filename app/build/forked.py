"""Work in a forked child while the build goes on: what it makes goes through the build cache,
and what it used dies with it (a large merge leaves the parent's heap as it was)."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable

log = logging.getLogger("app")


def forked(work: Callable[[], object]) -> Callable[[], bool]:
    """Start `work` in a child (a fork of this process) and return a function that waits for it
    and tells whether it succeeded. Without fork, or with other threads running (`make dev`'s
    watcher, a test's server: a lock one of them holds would never be released in the child),
    the work runs here, now."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        work()
        return lambda: True
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError as exc:  # no memory or processes left for a child: the work runs here
        log.warning("build: cannot fork (%s); the work runs here", exc)
        work()
        return lambda: True
    if pid == 0:  # the child: never returns into the parent's code
        code = 1
        try:
            work()
            code = 0
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
