"""The gates' own checks catch what they are for: each is run on a small page made to fail it.

A gate that passes the site proves little unless it fails a page with the fault; these pages
(set with `page.set_content`, no server) show that each check in checks.js and the privacy
recorder see the faults, and that the inline-target exemption is as narrow as documented.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from .survey import AXE_OPTIONS, FOCUSABLE, Traffic, check

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    yield page
    context.close()


def html(body: str, style: str = "") -> str:
    return (
        f"<!doctype html><html lang=en><head><title>t</title><style>{style}</style></head>"
        f"<body>{body}</body></html>"
    )


def test_focus_check_flags_an_element_whose_focus_is_invisible(page: Page) -> None:
    page.set_content(
        html(
            '<a id=ok href="#a">styled</a> <a id=bad href="#b">unstyled</a>',
            "a:focus { outline: none } #ok:focus-visible { outline: 3px solid red }",
        )
    )
    page.keyboard.press("Tab")
    found = check(page, "focusStyles", FOCUSABLE)
    assert found["checked"] == 2
    assert [p.split(":")[0] for p in found["problems"]] == ['a#bad[href="#b"] "unstyled"']


def test_target_check_flags_small_targets_and_exempts_only_links_in_sentences(page: Page) -> None:
    page.set_content(
        html(
            '<p>Read <a id=inline href="#x">the law</a> first.</p>'
            '<ul><li><a id=alone href="#y">alone in a list item</a></li></ul>'
            '<p><a id=block href="#z" class=ib>inline-block in a sentence</a> here.</p>'
            "<button id=small>x</button>",
            ".ib { display: inline-block } button { font-size: 8px; padding: 0 }",
        )
    )
    found = check(page, "targetSizes", FOCUSABLE)
    flagged = {p.split("[")[0].split(" ")[0] for p in found["problems"]}
    assert found["checked"] == 4
    assert flagged == {"a#alone", "a#block.ib", "button#small"}


def test_reflow_check_names_what_sticks_out(page: Page) -> None:
    page.set_viewport_size({"width": 320, "height": 600})
    page.set_content(html("<p>fits</p>"))
    assert check(page, "sideways") == []
    page.set_content(html("<pre id=wide>" + "x" * 200 + "</pre>"))
    found = check(page, "sideways")
    assert found[0].startswith("scrollWidth") and any("pre#wide" in f for f in found)


def test_overlap_check_flags_text_blocks_on_top_of_each_other(page: Page) -> None:
    page.set_content(html("<p>one</p><p>two</p><div><p>three</p></div>"))
    assert check(page, "overlaps")["problems"] == []
    page.set_content(
        html("<p id=a>one</p><p id=b>two</p>", "#b { margin-top: -1.5em } p { margin: 0 }")
    )
    assert check(page, "overlaps")["problems"][0].startswith('p#a "one" overlaps p#b "two"')


def test_print_check_flags_printed_navigation_and_hidden_addresses(page: Page) -> None:
    body = (
        '<header><a href="/">home</a></header><nav><a href="/x">x</a></nav>'
        '<main><a id=shown href="https://a.example/">A</a> <a href="https://b.example/">'
        "https://b.example/</a></main>"
    )
    page.set_content(html(body))
    page.emulate_media(media="print")
    found = check(page, "print")
    assert len(found["problems"]) == 4  # the nav, two links outside main, one address not shown
    page.set_content(
        html(
            body,
            "@media print { nav, header { display: none } "
            'main a[href^="http"]::after { content: " (" attr(href) ")" } }',
        )
    )
    found = check(page, "print")
    assert found == {"navs": 1, "links": 2, "problems": []}


def test_no_javascript_snapshot_drops_only_script_added_buttons(page: Page) -> None:
    mark = "data-test-script-added"  # what MARK_SCRIPT_ADDED puts on script-added elements
    page.set_content(
        html(
            "<main><p>text</p><button type=submit>Search</button>"
            f"<button {mark}>Copy</button><div id=wrap {mark}><button>Share</button></div>"
            f"<p {mark}>added by script</p></main>"
        )
    )
    assert check(page, "dropScriptButtons") == 2
    assert check(page, "snapshot")["text"] == ["text", "Search", "added by script"]
    assert page.query_selector("#wrap") is None  # left empty, so taken out too


def test_axe_options_find_contrast_failures_in_dark_scheme_only(page: Page) -> None:
    page.set_content(
        html(
            "<main><h1>Title</h1><p>Some text to read.</p></main>",
            "body { background: #fff; color: #111 } "
            "@media (prefers-color-scheme: dark) { body { background: #222; color: #333 } }",
        )
    )
    axe = Axe()
    page.emulate_media(color_scheme="light")
    assert axe.run(page, options=AXE_OPTIONS).response["violations"] == []
    page.emulate_media(color_scheme="dark")
    ids = [v["id"] for v in axe.run(page, options=AXE_OPTIONS).response["violations"]]
    assert "color-contrast" in ids


def test_privacy_recorder_flags_off_site_requests(page: Page) -> None:
    traffic = Traffic("http://127.0.0.1:1")
    traffic.watch(page.context)
    traffic.path = "/made-up/"
    page.set_content(html('<img alt="" src="https://tracker.example/pixel.gif">'))
    page.wait_for_timeout(100)
    assert traffic.off_site == ["/made-up/: GET https://tracker.example/pixel.gif"]
