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
import functools
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, replace
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from .. import urls
from ..render.diffs import text_blocks, word_diff
from ..render.pages import RenderedPage
from . import archive
from .context import BuildContext, Output, html_response
from .prebuilt import Prebuilt

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


# --------------------------------------------------------------------------- build


SERVICE = "timegates"


def stage(ctx: BuildContext, out: Output) -> None:
    """Defer every version page, history, diff, TimeMap and feed; provide the TimeGates."""
    out.provide(SERVICE, build(ctx, out))


def build(ctx: BuildContext, out: Output) -> dict[str, Gate]:
    gates: dict[str, Gate] = {}
    rendered = ctx.rendered
    sampled = False
    site_url = ctx.settings.site_url
    for lang, slug in rendered:
        entries = archive.listing(ctx.settings.archive_dir, lang, slug)
        if not entries:
            continue
        current = urls.page(lang, slug)
        paths = [urls.version(lang, slug, e.version) for e in entries]
        planned = [*paths, urls.history(lang, slug), urls.timemap(lang, slug)]
        if any(out.serves(p) for p in planned):
            continue  # a section id takes one of these paths: app/sections.py logs that case
        for index, entry in enumerate(entries):
            out.defer(paths[index], functools.partial(_version_page, ctx, entries, index))
            if index:
                old = entries[index - 1]
                out.defer(
                    urls.diff(lang, slug, old.version, entry.version),
                    functools.partial(_diff_page, ctx, old, entry),
                )
        out.defer(urls.history(lang, slug), functools.partial(_history, ctx, entries))
        out.defer(urls.timemap(lang, slug), functools.partial(_timemap, ctx, entries))
        if not out.serves(urls.page_feed(lang, slug)):  # the overview's is the language's
            out.defer(urls.page_feed(lang, slug), functools.partial(_feed, ctx, entries))
        gate = Gate(
            tuple((e.moment, p) for e, p in zip(entries, paths, strict=True)),
            urls.absolute(site_url, current),
            urls.absolute(site_url, urls.timemap(lang, slug)),
        )
        gates[current] = gate
        item = out.responses.get(current)
        if item is not None:  # the current page names its TimeMap and TimeGate, and varies
            links = (
                f'<{gate.original}>; rel="original timegate", '
                f'<{gate.timemap}>; rel="timemap"; type="{LINK_FORMAT}"'
            )
            headers = (*item.extra_headers, ("link", links), ("vary", "Accept-Datetime"))
            out.responses[current] = replace(item, extra_headers=headers)
        if not sampled:  # the newest version (no older file to read) and a TimeMap
            out.samples += [paths[-1], urls.timemap(lang, slug)]
            sampled = True
    return gates


def page_context(ctx: BuildContext, result: RenderedPage) -> dict[str, Any]:
    """For the current page's template: its feed link and the permanent link to this version."""
    page = result.page
    return {
        "page_feed": urls.page_feed(page.lang, page.slug),
        "permalink": urls.absolute(
            ctx.settings.site_url, urls.version(page.lang, page.slug, result.version)
        ),
        "history_url": urls.history(page.lang, page.slug),
    }


def _memento_links(ctx: BuildContext, entries: Sequence[archive.Entry], index: int) -> str:
    site_url = ctx.settings.site_url
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


def _base(ctx: BuildContext, entry: archive.Entry, path: str) -> dict[str, Any]:
    context = ctx.page_context(entry.lang, path, {entry.lang: path})
    context.update(
        page_url=urls.page(entry.lang, entry.slug),
        history_url=urls.history(entry.lang, entry.slug),
    )
    return context


def _version_page(ctx: BuildContext, entries: Sequence[archive.Entry], index: int) -> Prebuilt:
    entry = entries[index]
    lang, slug = entry.lang, entry.slug
    path = urls.version(lang, slug, entry.version)
    nxt = entries[index + 1] if index + 1 < len(entries) else None
    context = _base(ctx, entry, path)
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
        permalink=urls.absolute(ctx.settings.site_url, path),
    )
    headers = (
        ("memento-datetime", http_date(entry.moment)),
        ("link", _memento_links(ctx, entries, index)),
        ("x-robots-tag", "noindex"),
    )
    html = ctx.render(lang, "version.html", **context)
    return Prebuilt.build(html, "text/html; charset=utf-8", extra_headers=headers)


def _diff_page(ctx: BuildContext, old: archive.Entry, new: archive.Entry) -> Prebuilt:
    _ = ctx.gettext(new.lang)
    path = urls.diff(new.lang, new.slug, old.version, new.version)
    context = _base(ctx, new, path)
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
    html = ctx.render(new.lang, "diff.html", **context)
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


def _history(ctx: BuildContext, entries: Sequence[archive.Entry]) -> Prebuilt:
    _ = ctx.gettext(entries[0].lang)
    latest = entries[-1]
    path = urls.history(latest.lang, latest.slug)
    context = _base(ctx, latest, path)
    context.update(
        title=_("History of {title}").format(title=latest.data["title"]),
        description=_("Every published version of this page, with its date and what changed."),
        rows=_rows(entries),
        timemap_url=urls.timemap(latest.lang, latest.slug),
        feed_url_page=urls.page_feed(latest.lang, latest.slug),
    )
    return html_response(ctx.render(latest.lang, "history.html", **context))


def _timemap(ctx: BuildContext, entries: Sequence[archive.Entry]) -> Prebuilt:
    site_url = ctx.settings.site_url
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


def _feed(ctx: BuildContext, entries: Sequence[archive.Entry]) -> Prebuilt:
    """Atom (RFC 4287), written directly: feedgen drops the rel of an entry's second link."""
    site_url = ctx.settings.site_url
    latest = entries[-1]
    lang, slug = latest.lang, latest.slug
    _ = ctx.gettext(lang)
    feed_url = urls.absolute(site_url, urls.page_feed(lang, slug))
    site_name = ctx.site_name(lang)
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
