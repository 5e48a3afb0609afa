"""Work in a forked child while the build goes on: what it makes goes through the build cache,
and what it used dies with it (a large merge leaves the parent's heap as it was)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

log = logging.getLogger("app")


def forked(work: Callable[[], None]) -> Callable[[], bool]:
    """Start `work` in a child (a fork of this process) and return a function that waits for it
    and tells whether it succeeded. Without fork, the work runs here, now."""
    if not hasattr(os, "fork"):
        work()
        return lambda: True
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
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
