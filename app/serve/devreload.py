"""`make dev`: the site rebuilt in this process when content, templates, static files or catalogs
change, through the build cache (only the changed page is built again), then swapped in.

A thread looks at the files' sizes and times every 0.1 s (no dependency; a few thousand
`stat` calls a second at 1,000 pages). Requests keep being answered by the current site while the
next one builds; invalid content logs the list of problems and keeps the last good site. Code
changes (`*.py`) still restart the process: uvicorn's own reloader does that.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from starlette.types import Receive, Scope, Send

from ..content.errors import ContentError
from ..settings import Settings
from .app import SiteApp, create_app

log = logging.getLogger("app")
INTERVAL = 0.1  # seconds between looks


def watched(settings: Settings) -> list[Path]:
    return [settings.content_dir, settings.templates_dir, settings.static_dir, settings.locales_dir]


def snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    out = {}
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                try:
                    info = os.stat(path)
                except OSError:
                    continue
                out[path] = (info.st_mtime_ns, info.st_size)
    return out


class DevReload:
    """An ASGI app that passes every request to the current site's app."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self.folders = watched(self.settings)
        self.seen = snapshot(self.folders)
        self.app: SiteApp = create_app(self.settings)
        self.thread = threading.Thread(target=self._watch, name="dev-reload", daemon=True)
        self.thread.start()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def _watch(self) -> None:
        while True:
            time.sleep(INTERVAL)
            now = snapshot(self.folders)
            if now != self.seen:
                self.seen = now
                self.reload()

    def reload(self) -> None:
        started = time.perf_counter()
        try:
            self.app = create_app(Settings.from_env())
        except ContentError as exc:
            log.error("not reloaded, the last good site is still served:\n%s", exc.report())
            return
        log.info("reloaded in %.2f s", time.perf_counter() - started)


def create() -> Any:
    """The factory `python -m app dev` gives uvicorn."""
    return DevReload()
