"""Measures for issue 13's reading floors: in-page checks (reading.js), keyboard stops, accessible
names from Chromium's own accessibility tree, printed pages, reader view and reading level."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import textstat
from playwright.sync_api import Page
from selectolax.lexbor import LexborHTMLParser

from .helpers import ROOT, node_tool

MEASURES = (Path(__file__).parent / "reading.js").read_text(encoding="utf-8")
READABILITY = Path(__file__).parent / "readability.cjs"
HEADINGS = "main h2[id], main h3[id], main h4[id]"


def measure(page: Page, name: str, *args: Any) -> Any:
    """Run one of reading.js's functions in the page."""
    return page.evaluate(f"(args) => ({MEASURES}).{name}(...args)", list(args))


def reading_score(text: str, lang: str) -> float:
    """Flesch-Kincaid grade for English, Szigriszt-Pazos (INFLESZ) for Spanish (textstat 0.7.8)."""
    textstat.set_lang("es" if lang == "es" else "en_US")
    try:
        if lang == "es":
            return float(textstat.szigriszt_pazos(text))
        return float(textstat.flesch_kincaid_grade(text))
    finally:
        textstat.set_lang("en_US")


def heading_names(page: Page) -> list[dict[str, str]]:
    """Each section heading's id, role and accessible name, as Chromium computes them."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": HEADINGS})
        out = []
        for node_id in found["nodeIds"]:
            attrs = cdp.send("DOM.getAttributes", {"nodeId": node_id})["attributes"]
            ident = dict(zip(attrs[::2], attrs[1::2], strict=True)).get("id", "")
            tree = cdp.send(
                "Accessibility.getPartialAXTree", {"nodeId": node_id, "fetchRelatives": False}
            )
            ax = next((n for n in tree["nodes"] if not n.get("ignored")), tree["nodes"][0])
            out.append(
                {
                    "id": ident,
                    "role": ax.get("role", {}).get("value", ""),
                    "name": ax.get("name", {}).get("value", ""),
                }
            )
        return out
    finally:
        cdp.detach()


def keyboard_stops(page: Page, limit: int = 400) -> list[str]:
    """Press Tab from the top of the page until focus comes back round; each stop, described."""
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    stops: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body || el === document.documentElement) return null;
              if (el.hasAttribute('data-test-stop')) return null;
              el.setAttribute('data-test-stop', '');
              const text = (el.innerText || el.getAttribute('aria-label') || '').trim();
              return el.tagName.toLowerCase() + ' ' + (el.getAttribute('href') || '') + ' '
                + text.replace(/\\s+/g, ' ').slice(0, 40);
            }"""
        )
        if stop is None:
            break
        stops.append(stop)
    else:
        raise AssertionError(f"focus never came back round in {limit} Tab presses")
    return stops


def printed_pages(page: Page) -> int:
    """US Letter pages the page prints on, with the browser's default margins (about 0.4 in)."""
    page.emulate_media(media="print")
    try:
        pdf = page.pdf(
            format="Letter",
            margin={"top": "0.4in", "bottom": "0.4in", "left": "0.4in", "right": "0.4in"},
        )
    finally:
        page.emulate_media(media="screen")
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def reader_view(documents: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Run @mozilla/readability (tools/node_modules) on each {url, html}: what reader view keeps."""
    node_tool("@mozilla", "readability", "package.json")
    node_tool("jsdom", "package.json")
    done = subprocess.run(
        ["node", str(READABILITY)],
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        env={**os.environ, "NODE_PATH": str(ROOT / "tools" / "node_modules")},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"readability.cjs failed: {done.stderr[-2000:]}"
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def norm(text: str) -> str:
    return " ".join(text.split())


def page_parts(html: str) -> dict[str, list[str]]:
    """What reader view must keep of a page: the paragraphs, quotes and notes of its main part,
    and what it must drop: the text of heading self-links (found as reading.js finds them)."""
    doc = LexborHTMLParser(html)
    main = doc.css_first("main")
    assert main is not None, "no <main>"
    skip = main.css("nav, .share, [role=group]")

    def outside(node: Any) -> bool:
        return not any(_contains(s, node) for s in skip)

    body = main.css_first(".body") or main
    paragraphs = [
        norm(p.text())
        for p in body.css("p")
        if outside(p) and re.search(r"\w{2}", p.text()) and not p.css("p")[1:]
    ]
    quotes = [norm(q.text()) for q in main.css("blockquote") if outside(q)]
    # Notes: every item of each notes list (an <ol> holding a reference marker's target).
    notes = []
    lists: dict[int, Any] = {}
    for link in main.css("a.ref[data-reference]"):
        href = link.attributes.get("href") or ""
        if href.startswith("#") and len(href) > 1:
            note = main.css_first(f'[id="{href[1:]}"]')
            while note is not None and note.tag != "ol":
                note = note.parent
            if note is not None:
                lists[note.mem_id] = note
    for ol in lists.values():
        notes += [norm(li.text()) for li in ol.iter() if li.tag == "li"]
    self_text = []
    for heading in main.css("h2[id], h3[id], h4[id]"):
        ident = heading.attributes.get("id") or ""
        links = [*heading.css("a[href]")]
        sibling = heading.next
        while sibling is not None and sibling.tag == "-text":
            sibling = sibling.next
        if sibling is not None and sibling.tag == "a":
            links.append(sibling)
        for a in links:
            href = a.attributes.get("href") or ""
            if href.endswith("#" + ident) or href.rstrip("/").endswith("/" + ident):
                text = norm(a.text())
                if re.search(r"\w", text):
                    self_text.append(text)
    return {
        "paragraphs": list(dict.fromkeys(paragraphs)),
        "quotes": list(dict.fromkeys(quotes)),
        "notes": list(dict.fromkeys(notes)),
        "self_links": list(dict.fromkeys(self_text)),
    }


def _contains(outer: Any, inner: Any) -> bool:
    node = inner
    while node is not None:
        if node.mem_id == outer.mem_id:
            return True
        node = node.parent
    return False


def reader_kept(content: str | None, parts: dict[str, list[str]]) -> dict[str, list[str]]:
    """What of `parts` reader view's `content` lost (or, for self-links, kept)."""
    if content is None:
        return {"lost": ["reader view found no article at all"], "self_links": []}
    doc = LexborHTMLParser(content)
    text = norm(doc.body.text() if doc.body else "")
    kept_quotes = {norm(q.text()) for q in doc.css("blockquote")}
    lost = [f"paragraph: {p[:70]}" for p in parts["paragraphs"] if p not in text]
    lost += [f"quote: {q[:70]}" for q in parts["quotes"] if q not in kept_quotes]
    lost += [f"note: {n[:70]}" for n in parts["notes"] if n not in text]
    self_kept = [s for s in parts["self_links"] if s in text]
    return {"lost": lost, "self_links": self_kept}
