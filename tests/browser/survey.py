"""Visit every page once per browser set-up and record what each gate needs.

Loading a page is the slow part, so each set-up (a context: JavaScript or not, a viewport, a colour
scheme) loads every page once and runs all the checks that set-up serves. The gate tests then
assert on these records, each gate failing on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response

from .helpers import Pages, Server

CHECKS = (Path(__file__).parent / "checks.js").read_text(encoding="utf-8")
# axe-core's tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": AXE_TAGS},
    "resultTypes": ["violations"],
}
FOCUSABLE = (
    "a[href], area[href], button, input:not([type=hidden]), select, textarea, summary, "
    'iframe, [contenteditable=""], [contenteditable="true"], [tabindex]:not([tabindex="-1"])'
)
LOCAL_SCHEMES = ("data:", "blob:", "about:")  # never leave the machine
# What a reader presses: the buttons scripts add (copy link, share) are type=button.
SCRIPT_BUTTONS = "main button[type=button]"
MAX_CLICKS = 3
# What Chromium logs for a document that answers 404, which the 404 page is meant to do.
OWN_404 = "Failed to load resource: the server responded with a status of 404 (Not Found)"

# Marks every element a script adds once the parser is done. Deferred scripts run after the
# document becomes "interactive", so the observer is in place before any of the site's scripts.
MARK_SCRIPT_ADDED = """
(() => {
  const watch = () => new MutationObserver((records) => {
    for (const record of records)
      for (const node of record.addedNodes)
        if (node.nodeType === 1) node.setAttribute('data-test-script-added', '');
  }).observe(document.documentElement, {childList: true, subtree: true});
  if (document.readyState === 'loading') {
    document.addEventListener('readystatechange', watch, {once: true});
  } else {
    watch();
  }
})();
"""


def check(page: Page, name: str, *args: Any) -> Any:
    """Run one of checks.js's functions in the page."""
    return page.evaluate(f"(args) => ({CHECKS}).{name}(...args)", list(args))


@dataclass
class Traffic:
    """Everything the browser asked for and was told while the survey ran."""

    base: str
    path: str = ""
    off_site: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    set_cookie: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> None:
        context.on("request", self.on_request)
        context.on("response", lambda response: self.responses.append(response))
        context.on("console", self.on_console)
        context.on(
            "weberror",
            lambda web_error: self.console.append(f"{self.path}: uncaught {web_error.error}"),
        )

    def on_request(self, request: Request) -> None:
        url = request.url
        if not (url.startswith(self.base + "/") or url.startswith(LOCAL_SCHEMES)):
            self.off_site.append(f"{self.path}: {request.method} {url}")

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            self.console.append(f"{self.path}: console {message.type}: {message.text}")

    def page_done(self, not_found: bool) -> None:
        """Check the page's responses for cookies while they can still be read."""
        self.set_cookie += [
            f"{self.path}: Set-Cookie from {r.url}"
            for r in self.responses
            if r.header_value("set-cookie") is not None
        ]
        self.responses.clear()
        if not_found:
            self.console[:] = [
                c for c in self.console if c != f"{self.path}: console error: {OWN_404}"
            ]


@dataclass
class Survey:
    """Per page, what each check found; `errors` holds pages that could not be surveyed."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    traffic: Traffic | None = None
    cookies: list[dict[str, Any]] = field(default_factory=list)

    def each(self, key: str) -> list[tuple[str, Any]]:
        return [(path, record[key]) for path, record in self.records.items() if key in record]


def visit(page: Page, path: str, pages: Pages) -> None:
    response = page.goto(path, wait_until="load")
    status = pages.status(path)
    if response is None or response.status != status:
        got = response.status if response else "no response"
        raise AssertionError(f"{path}: status {got}, expected {status}")


def survey(context: BrowserContext, server: Server, pages: Pages, steps: Any) -> Survey:
    """Load every page in `context` and run `steps(page, path)`, which returns the page's record."""
    result = Survey(traffic=Traffic(server.base))
    assert result.traffic is not None
    result.traffic.watch(context)
    page = context.new_page()
    for path in pages.all:
        result.traffic.path = path
        try:
            visit(page, path, pages)
            result.records[path] = steps(page, path)
        except Exception as exc:  # one broken page must not hide the others' results
            result.errors.append(f"{path}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
        result.traffic.page_done(pages.status(path) == 404)
    page.close()
    result.cookies = context.cookies()
    return result


def main_steps(axe: Axe) -> Any:
    """Desktop width, JavaScript on: keyboard, focus, targets, axe light and dark, use, text."""

    def steps(page: Page, path: str) -> dict[str, Any]:
        record: dict[str, Any] = {}
        page.emulate_media(color_scheme="light")
        page.keyboard.press("Tab")
        record["first_tab"] = check(page, "focusedAfterFirstTab")
        page.keyboard.press("Enter")
        record["skip_to_main"] = check(page, "focusIsOnMain")
        record["focus"] = check(page, "focusStyles", FOCUSABLE)
        record["targets"] = check(page, "targetSizes", FOCUSABLE)
        record["axe"] = {"light": axe.run(page, options=AXE_OPTIONS).response["violations"]}
        page.emulate_media(color_scheme="dark")
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        # axe-core is in the page now; run it again rather than inject its 500 kB a second time.
        dark = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)
        record["axe"]["dark"] = AxeResults(dark).response["violations"]
        page.emulate_media(color_scheme="light")
        # Use the page as a reader does: scroll to the end and back, press its script buttons.
        height = page.evaluate("document.scrollingElement.scrollHeight")
        for _ in range(0, height, 2000):
            page.mouse.wheel(0, 2000)
        page.evaluate("window.scrollTo(0, 0)")
        buttons = page.locator(SCRIPT_BUTTONS)
        record["clicked"] = min(buttons.count(), MAX_CLICKS)
        for index in range(record["clicked"]):
            buttons.nth(index).click()
        page.wait_for_timeout(50)  # let clipboard promises and any late request settle
        record["document_cookie"] = page.evaluate("document.cookie")
        record["buttons"] = page.evaluate("document.querySelectorAll('button').length")
        record["script_buttons"] = check(page, "dropScriptButtons")
        record["snapshot"] = check(page, "snapshot")
        return record

    return steps


def narrow_steps(page: Page, path: str) -> dict[str, Any]:
    """320 CSS px wide (a phone, or 1280 px at 400 % zoom): reflow and target size."""
    return {"sideways": check(page, "sideways"), "targets": check(page, "targetSizes", FOCUSABLE)}


def zoom_steps(page: Page, path: str) -> dict[str, Any]:
    """A 1280x720 window at 200 % zoom (640x360 CSS px, 2 device px each): overlap; then print."""
    record = {"overlaps": check(page, "overlaps")}
    page.emulate_media(media="print")
    record["print"] = check(page, "print")
    page.emulate_media(media="screen")
    return record


def plain_steps(page: Page, path: str) -> dict[str, Any]:
    """JavaScript off: what the page shows."""
    return {
        "snapshot": check(page, "snapshot"),
        "buttons": page.evaluate("document.querySelectorAll('button').length"),
    }
