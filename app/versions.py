"""Permanent versions of each page, served from the archive (app/archive.py), with Memento.

For every page: `/{lang}/{slug}/v/{version}/` (each recorded version exactly as published, with a
banner; noindex), `/history/`, `/diff/{old}-{new}/` (a word-level diff of consecutive versions),
`/timemap/` (RFC 7089, application/link-format) and `/feed.xml` (Atom: the page's versions).
Startup only lists the archive (file names); every one of these is built from the files on its
first request. The current page gets a `Link` header naming its TimeMap and acts as its own
TimeGate: with `Accept-Datetime` it redirects to the version in force then (app/web.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from . import archive, urls
from .prebuilt import Prebuilt
from .render import RenderedPage

if TYPE_CHECKING:
    from .site import _Builder

LINK_FORMAT = "application/link-format"
ATOM = "application/atom+xml; charset=utf-8"
ATOM_NS = "http://www.w3.org/2005/Atom"


def http_date(moment: dt.datetime) -> str:
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


@dataclass(frozen=True)
class Gate:
    """A current page as TimeGate: its versions' moments and paths, oldest first."""

    mementos: tuple[tuple[dt.datetime, str], ...]
    original: str  # absolute URL of the current page
    timemap: str  # absolute URL


def choose(gate: Gate, accept_datetime: str) -> str | None:
    """The path of the version in force at `accept_datetime`; None if the header is invalid."""
    try:
        wanted = parsedate_to_datetime(accept_datetime)
    except (TypeError, ValueError, IndexError):
        return None
    if wanted is None:
        return None
    if wanted.tzinfo is None:
        wanted = wanted.replace(tzinfo=dt.UTC)
    chosen = gate.mementos[0][1]  # before the first version: the first (RFC 7089 4.5.3)
    for moment, path in gate.mementos:
        if moment <= wanted:
            chosen = path
    return chosen


# --------------------------------------------------------------------------- text and diff


class _Text(HTMLParser):
    """The readable text of a stored article, one string per block (heading, paragraph, item),
    leaving out what only assistive technology or the page's chrome shows (labels, anchors)."""

    BLOCKS = frozenset(
        {"p", "li", "h1", "h2", "h3", "h4", "blockquote", "figcaption", "dt", "dd", "td"}
    )
    VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "wbr", "source", "col", "area"})
    HIDDEN = frozenset({"visually-hidden", "anchor", "share"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.stack: list[bool] = []  # per open element: is its text left out?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.flush()
        if tag in self.VOID:
            if tag == "br":
                self.current.append(" ")
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append(tag in ("script", "style") or bool(classes & self.HIDDEN))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.flush()
        if self.stack and tag not in self.VOID:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.current.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def text_blocks(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


BREAK = "\n"


def _tokens(blocks: Sequence[str]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        out += re.findall(r"\S+|\s+", block)
        out.append(BREAK)
    return out


def word_diff(old: Sequence[str], new: Sequence[str], labels: Mapping[str, str]) -> Markup:
    """Paragraphs with removed words in <del> and added ones in <ins>, each with a label that a
    screen reader reads out (most announce no change for <ins>/<del> themselves)."""
    a, b = _tokens(old), _tokens(new)
    paragraphs: list[str] = []
    line: list[str] = []

    def emit(words: Sequence[str], tag: str | None) -> None:
        nonlocal line
        parts = "".join(words).split(BREAK)
        for index, part in enumerate(parts):
            if index:
                paragraphs.append("".join(line))
                line = []
            if not part.strip() and tag:
                continue
            text = str(escape(part))
            if tag:
                start = f'<span class="visually-hidden">[{labels[tag]}: </span>'
                end = '<span class="visually-hidden">]</span>'
                text = f"<{tag}>{start}{text}{end}</{tag}>"
            line.append(text)

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            emit(a[i1:i2], None)
        else:
            if i2 > i1:
                emit(a[i1:i2], "del")
            if op == "replace":
                emit([" "], None)  # keep the removed and added words apart on screen
            if j2 > j1:
                emit(b[j1:j2], "ins")
    if line:
        paragraphs.append("".join(line))
    return Markup("\n".join(f"<p>{p}</p>" for p in paragraphs if p.strip()))


# --------------------------------------------------------------------------- build


def build(builder: _Builder, rendered: Mapping[tuple[str, str], RenderedPage]) -> dict[str, Gate]:
    """Defer every version page, history, diff, TimeMap and feed; return the TimeGates."""
    gates: dict[str, Gate] = {}
    site_url = builder.settings.site_url
    for lang, slug in rendered:
        entries = archive.listing(builder.settings.archive_dir, lang, slug)
        if not entries:
            continue
        current = urls.page(lang, slug)
        paths = [urls.version(lang, slug, e.version) for e in entries]
        planned = [*paths, urls.history(lang, slug), urls.timemap(lang, slug)]
        if any(builder.serves(p) for p in planned):
            continue  # a section id takes one of these paths: app/sections.py logs that case
        for index, entry in enumerate(entries):
            builder.defer(paths[index], functools.partial(_version_page, builder, entries, index))
            if index:
                old = entries[index - 1]
                builder.defer(
                    urls.diff(lang, slug, old.version, entry.version),
                    functools.partial(_diff_page, builder, old, entry),
                )
        builder.defer(urls.history(lang, slug), functools.partial(_history, builder, entries))
        builder.defer(urls.timemap(lang, slug), functools.partial(_timemap, builder, entries))
        if not builder.serves(urls.page_feed(lang, slug)):  # the overview's is the language's
            builder.defer(urls.page_feed(lang, slug), functools.partial(_feed, builder, entries))
        gate = Gate(
            tuple((e.moment, p) for e, p in zip(entries, paths, strict=True)),
            urls.absolute(site_url, current),
            urls.absolute(site_url, urls.timemap(lang, slug)),
        )
        gates[current] = gate
        item = builder.responses.get(current)
        if item is not None:  # the current page names its TimeMap and TimeGate, and varies
            links = (
                f'<{gate.original}>; rel="original timegate", '
                f'<{gate.timemap}>; rel="timemap"; type="{LINK_FORMAT}"'
            )
            headers = (*item.extra_headers, ("link", links), ("vary", "Accept-Datetime"))
            builder.responses[current] = replace(item, extra_headers=headers)
        if not builder.samples.get("versions"):
            builder.samples["versions"] = [paths[-1], urls.timemap(lang, slug)]  # no old files
    return gates


def page_context(builder: _Builder, result: RenderedPage) -> dict[str, Any]:
    """For the current page's template: its feed link and the permanent link to this version."""
    page = result.page
    return {
        "page_feed": urls.page_feed(page.lang, page.slug),
        "permalink": urls.absolute(
            builder.settings.site_url, urls.version(page.lang, page.slug, result.version)
        ),
        "history_url": urls.history(page.lang, page.slug),
    }


def _memento_links(builder: _Builder, entries: Sequence[archive.Entry], index: int) -> str:
    site_url = builder.settings.site_url
    first = entries[0]
    lang, slug = first.lang, first.slug
    original = urls.absolute(site_url, urls.page(lang, slug))
    links = [
        f'<{original}>; rel="original timegate"',
        f'<{urls.absolute(site_url, urls.timemap(lang, slug))}>; rel="timemap"; '
        f'type="{LINK_FORMAT}"',
    ]
    rels: dict[int, list[str]] = {}
    for position, rel in ((0, "first"), (len(entries) - 1, "last"), (index - 1, "prev")):
        rels.setdefault(position, []).append(rel)
    rels.setdefault(index + 1, []).append("next")
    for position in sorted(rels):
        if position == index or not 0 <= position < len(entries):
            continue  # the memento itself is the response; the others are linked
        entry = entries[position]
        url = urls.absolute(site_url, urls.version(lang, slug, entry.version))
        rel = " ".join(sorted(set(rels[position]))) + " memento"
        links.append(f'<{url}>; rel="{rel}"; datetime="{http_date(entry.moment)}"')
    return ", ".join(links)


def _base(builder: _Builder, entry: archive.Entry, path: str) -> dict[str, Any]:
    context = builder._common(entry.lang, path, {entry.lang: path})
    context.update(
        page_url=urls.page(entry.lang, entry.slug),
        history_url=urls.history(entry.lang, entry.slug),
    )
    return context


def _version_page(builder: _Builder, entries: Sequence[archive.Entry], index: int) -> Prebuilt:
    entry = entries[index]
    lang, slug = entry.lang, entry.slug
    path = urls.version(lang, slug, entry.version)
    nxt = entries[index + 1] if index + 1 < len(entries) else None
    context = _base(builder, entry, path)
    context.update(
        title=entry.data["title"],
        description=entry.data["summary"],
        entry=entry,
        body=entry.html,
        is_latest=nxt is None,
        next_diff=urls.diff(lang, slug, entry.version, nxt.version) if nxt else None,
        prev_diff=(
            urls.diff(lang, slug, entries[index - 1].version, entry.version) if index else None
        ),
        permalink=urls.absolute(builder.settings.site_url, path),
    )
    headers = (
        ("memento-datetime", http_date(entry.moment)),
        ("link", _memento_links(builder, entries, index)),
        ("x-robots-tag", "noindex"),
    )
    html = builder.render(lang, "version.html", **context)
    return Prebuilt.build(html, "text/html; charset=utf-8", extra_headers=headers)


def _diff_page(builder: _Builder, old: archive.Entry, new: archive.Entry) -> Prebuilt:
    _ = builder.gettext(new.lang)
    path = urls.diff(new.lang, new.slug, old.version, new.version)
    context = _base(builder, new, path)
    labels = {"del": _("removed"), "ins": _("added")}
    context.update(
        title=_("Changes to {title}").format(title=new.data["title"]),
        description=_("What changed between two versions of this page, word by word."),
        old=old,
        new=new,
        old_url=urls.version(old.lang, old.slug, old.version),
        new_url=urls.version(new.lang, new.slug, new.version),
        diff=word_diff(
            [old.data["title"], *text_blocks(old.data["html"])],
            [new.data["title"], *text_blocks(new.data["html"])],
            labels,
        ),
    )
    html = builder.render(new.lang, "diff.html", **context)
    return Prebuilt.build(
        html, "text/html; charset=utf-8", extra_headers=(("x-robots-tag", "noindex"),)
    )


def _rows(entries: Sequence[archive.Entry]) -> list[dict[str, Any]]:
    rows = []
    for index, entry in enumerate(entries):
        lang, slug = entry.lang, entry.slug
        rows.append(
            {
                "entry": entry,
                "href": urls.version(lang, slug, entry.version),
                "diff": (
                    urls.diff(lang, slug, entries[index - 1].version, entry.version)
                    if index
                    else None
                ),
            }
        )
    return rows[::-1]  # newest first


def _history(builder: _Builder, entries: Sequence[archive.Entry]) -> Prebuilt:
    _ = builder.gettext(entries[0].lang)
    latest = entries[-1]
    path = urls.history(latest.lang, latest.slug)
    context = _base(builder, latest, path)
    context.update(
        title=_("History of {title}").format(title=latest.data["title"]),
        description=_("Every published version of this page, with its date and what changed."),
        rows=_rows(entries),
        timemap_url=urls.timemap(latest.lang, latest.slug),
        feed_url_page=urls.page_feed(latest.lang, latest.slug),
    )
    return builder.html(builder.render(latest.lang, "history.html", **context))


def _timemap(builder: _Builder, entries: Sequence[archive.Entry]) -> Prebuilt:
    site_url = builder.settings.site_url
    lang, slug = entries[0].lang, entries[0].slug
    original = urls.absolute(site_url, urls.page(lang, slug))
    self_url = urls.absolute(site_url, urls.timemap(lang, slug))
    lines = [
        f'<{original}>; rel="original"',
        f'<{original}>; rel="timegate"',
        f'<{self_url}>; rel="self"; type="{LINK_FORMAT}"; '
        f'from="{http_date(entries[0].moment)}"; until="{http_date(entries[-1].moment)}"',
    ]
    for index, entry in enumerate(entries):
        rel = "memento"
        if index == 0:
            rel = "first " + rel
        if index == len(entries) - 1:
            rel = ("first last " if index == 0 else "last ") + "memento"
        url = urls.absolute(site_url, urls.version(lang, slug, entry.version))
        lines.append(f'<{url}>; rel="{rel}"; datetime="{http_date(entry.moment)}"')
    body = (",\n".join(lines) + "\n").encode("utf-8")
    return Prebuilt.build(body, f"{LINK_FORMAT}; charset=utf-8")


def _feed(builder: _Builder, entries: Sequence[archive.Entry]) -> Prebuilt:
    """Atom (RFC 4287), written directly: feedgen drops the rel of an entry's second link."""
    site_url = builder.settings.site_url
    latest = entries[-1]
    lang, slug = latest.lang, latest.slug
    _ = builder.gettext(lang)
    feed_url = urls.absolute(site_url, urls.page_feed(lang, slug))
    site_name = builder.settings.site_name.get(lang, builder.settings.site_name["en"])
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": lang})
    changes = _("Changes")
    ET.SubElement(root, "id").text = feed_url
    ET.SubElement(root, "title").text = f"{latest.data['title']}: {changes}"
    ET.SubElement(root, "subtitle").text = _("Every published version of this page, newest first.")
    ET.SubElement(root, "updated").text = latest.moment.isoformat()
    ET.SubElement(ET.SubElement(root, "author"), "name").text = site_name
    ET.SubElement(root, "link", {"rel": "self", "href": feed_url, "type": "application/atom+xml"})
    page_url = urls.absolute(site_url, urls.page(lang, slug))
    ET.SubElement(root, "link", {"rel": "alternate", "href": page_url, "type": "text/html"})
    for row in _rows(entries):
        entry: archive.Entry = row["entry"]
        href = urls.absolute(site_url, row["href"])
        item = ET.SubElement(root, "entry")
        ET.SubElement(item, "id").text = href
        ET.SubElement(item, "title").text = f"{entry.data['title']}: {entry.data['note']}"
        ET.SubElement(item, "link", {"rel": "alternate", "href": href, "type": "text/html"})
        if row["diff"]:
            diff = urls.absolute(site_url, row["diff"])
            ET.SubElement(item, "link", {"rel": "related", "href": diff, "type": "text/html"})
        ET.SubElement(item, "published").text = entry.moment.isoformat()
        ET.SubElement(item, "updated").text = entry.moment.isoformat()
        ET.SubElement(item, "summary").text = entry.data["note"]
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Prebuilt.build(body + b"\n", ATOM)
