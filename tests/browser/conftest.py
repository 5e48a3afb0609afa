"""Browser-gate fixtures: the real app over HTTP, one Debian Chromium, and the pages to check.

The server is `python -m app serve` in a subprocess (production settings, content/), stopped by
PID. One browser is launched for the whole package and closed after it (package scope, so other
suites that start Playwright or asyncio later in the run find no event loop of ours running).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from app import urls
from app.build.site import Site

from .helpers import (
    BUILD,
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SEARCH_WORDS,
    Pages,
    Server,
    a_section_page,
    free_port,
    sitemap_paths,
)
from .survey import (
    MARK_SCRIPT_ADDED,
    Survey,
    main_steps,
    narrow_steps,
    plain_steps,
    survey,
    zoom_steps,
)


@pytest.fixture(scope="package")
def server() -> Iterator[Server]:
    """The production app on a free port of 8700-8799, with SITE_URL set to where it listens."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (tools/system-deps.sh)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SITE_URL": base, "HSTS": ""}
    BUILD.mkdir(exist_ok=True)
    log = (BUILD / "browser-server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with {proc.returncode}; see build/browser-server.log")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the app did not answer /healthz within 60 s")
            time.sleep(0.2)
        yield Server(base, port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _contexts(
    browser: Browser, server: Server, timeout_ms: int
) -> Iterator[Callable[..., BrowserContext]]:
    """A factory of browser contexts on the test server, all closed when the fixture ends."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=server.base, **options)
        context.set_default_timeout(timeout_ms)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def new_context(browser: Browser, server: Server) -> Iterator[Callable[..., BrowserContext]]:
    """Make contexts for one test, closed after it: `new_context(java_script_enabled=False)`."""
    yield from _contexts(browser, server, 15_000)


@pytest.fixture(scope="package")
def pages(server: Server, site: Site) -> Pages:
    listed = sitemap_paths(server)
    extra = [
        f"{urls.search(lang)}?{urlencode({'q': SEARCH_WORDS.get(lang, 'police')})}"
        for lang in site.langs
    ]
    extra.append(a_section_page(site))
    extra += [urls.source(lang, next(iter(site.content.sources))) for lang in site.langs]
    missing = []
    for path in extra:
        if httpx.get(server.url(path), timeout=10).status_code != 200:
            missing.append(path)
    not_found = [f"/{lang}/no-such-page-here/" for lang in site.langs]
    for path in not_found:
        assert httpx.get(server.url(path), timeout=10).status_code == 404, path
    wanted = [*listed, *(p for p in extra if p not in missing), *not_found]
    return Pages(all=list(dict.fromkeys(wanted)), missing=missing, not_found=not_found)


# -- one visit per page and browser set-up, shared by the gates ---------------------------------


@pytest.fixture(scope="package")
def browser_context(browser: Browser, server: Server) -> Iterator[Callable[..., BrowserContext]]:
    """Make contexts that live for the package: `browser_context(java_script_enabled=False)`."""
    yield from _contexts(browser, server, 20_000)


@pytest.fixture(scope="package")
def main_survey(
    browser_context: Callable[..., BrowserContext], server: Server, pages: Pages
) -> Survey:
    context = browser_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(MARK_SCRIPT_ADDED)
    # The copy-link button writes to the clipboard; a reader's click grants that.
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base)
    return survey(context, server, pages, main_steps(Axe()))


@pytest.fixture(scope="package")
def narrow_survey(
    browser_context: Callable[..., BrowserContext], server: Server, pages: Pages
) -> Survey:
    context = browser_context(viewport={"width": 320, "height": 640})
    return survey(context, server, pages, narrow_steps)


@pytest.fixture(scope="package")
def zoom_survey(
    browser_context: Callable[..., BrowserContext], server: Server, pages: Pages
) -> Survey:
    context = browser_context(viewport={"width": 640, "height": 360}, device_scale_factor=2)
    return survey(context, server, pages, zoom_steps)


@pytest.fixture(scope="package")
def plain_survey(
    browser_context: Callable[..., BrowserContext], server: Server, pages: Pages
) -> Survey:
    context = browser_context(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    return survey(context, server, pages, plain_steps)
