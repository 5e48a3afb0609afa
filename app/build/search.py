"""Site search: SQLite FTS5, in memory, over every section of every page, built once at startup.

Entries come from the rendered HTML (so components and quotes are searchable) split at the page's
`sections()`. The reader's words are always quoted before they reach FTS5, so operators such as
`NEAR`, `OR`, `*`, `-`, quotes and parentheses are searched as plain text.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .. import urls
from ..render.pages import RenderedPage, Renderer
from ..render.plaintext import section_texts
from .context import BuildContext, Output

MAX_QUERY = 200  # characters; longer queries get a 400 page
MAX_TERMS = 24
LIMIT = 20
WEIGHTS = (10.0, 5.0, 1.0)  # bm25 weights: page title, section heading, body text
HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"  # private-use markers, escaped text goes between them


@dataclass(frozen=True)
class Entry:
    """One searchable unit: a section of a page (or a page's introduction, or a source text)."""

    lang: str
    page_title: str
    section_title: str  # "" for a page's introduction or a source
    url: str
    text: str
    kind: str = "section"  # "section" | "source"


@dataclass(frozen=True)
class Hit:
    page_title: str
    section_title: str
    url: str
    kind: str
    raw_snippet: str  # plain text with HIT_OPEN/HIT_CLOSE around the matched words
    raw_title: str
    raw_section: str

    @property
    def snippet(self) -> Markup:
        return _marked(self.raw_snippet)

    @property
    def title_html(self) -> Markup:
        return _marked(self.raw_title)

    @property
    def section_html(self) -> Markup:
        return _marked(self.raw_section)

    @property
    def snippet_text(self) -> str:
        return self.raw_snippet.replace(HIT_OPEN, "").replace(HIT_CLOSE, "")


@dataclass(frozen=True)
class Results:
    query: str
    hits: tuple[Hit, ...]
    total: int
    matched: str  # "all" (every word) | "any" (some words, shown when no section has them all) | ""


class QueryError(ValueError):
    """The reader's query cannot be searched (too long)."""


# --------------------------------------------------------------------------- section text


def _clean(text: str) -> str:
    for marker in (HIT_OPEN, HIT_CLOSE, "\x00"):
        text = text.replace(marker, " ")
    return " ".join(text.split())


def page_entries(result: RenderedPage, renderer: Renderer) -> Iterator[Entry]:
    page, lang = result.page, result.page.lang
    texts = section_texts(result.page, renderer)
    intro = texts.get("", "")
    if intro:
        yield Entry(
            lang,
            page.meta.title,
            "",
            urls.page(lang, page.slug),
            _clean(page.meta.summary + " " + intro),
        )
    for section in result.sections:
        yield Entry(
            lang,
            page.meta.title,
            section.title,
            urls.page(lang, page.slug) + "#" + section.id,
            texts.get(section.id, ""),
        )


# --------------------------------------------------------------------------- queries


def clean_query(raw: str) -> str:
    """The reader's words with control characters turned into spaces; raises if too long."""
    if len(raw) > MAX_QUERY:
        raise QueryError(f"over {MAX_QUERY} characters")
    return " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())


def fts_query(q: str, any_word: bool = False) -> str | None:
    """An FTS5 query that searches the reader's words as text, the last word as a prefix."""
    words = [w for w in q.split() if any(ch.isalnum() for ch in w)][:MAX_TERMS]
    if not words:
        return None
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return (" OR " if any_word else " ").join(quoted)


def _marked(text: str) -> Markup:
    """Escape FTS5 output, then turn the private-use markers into <mark> elements."""
    escaped = str(escape(text))
    return Markup(escaped.replace(HIT_OPEN, "<mark>").replace(HIT_CLOSE, "</mark>"))


class Index:
    """The FTS5 table; one connection shared by the threads of a process, behind a lock."""

    def __init__(self, entries: Iterable[Entry]):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        self.db.execute(
            "CREATE VIRTUAL TABLE entries USING fts5(title, heading, body, lang UNINDEXED, "
            "url UNINDEXED, kind UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
        )
        rows = [(e.page_title, e.section_title, e.text, e.lang, e.url, e.kind) for e in entries]
        self.db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", rows)
        self.db.commit()
        self.size = len(rows)

    def search(self, lang: str, q: str, limit: int = LIMIT) -> Results:
        q = clean_query(q)
        for matched in ("all", "any"):
            match = fts_query(q, any_word=matched == "any")
            if match is None:
                return Results(q, (), 0, "")
            hits, total = self._run(lang, match, limit)
            if hits or len(q.split()) < 2:
                return Results(q, hits, total, matched if hits else "")
        return Results(q, (), 0, "")

    def _run(self, lang: str, match: str, limit: int) -> tuple[tuple[Hit, ...], int]:
        o, c = HIT_OPEN, HIT_CLOSE
        sql = (
            "SELECT title, heading, url, kind, highlight(entries, 0, ?, ?), "
            "highlight(entries, 1, ?, ?), snippet(entries, 2, ?, ?, '…', 24) "
            "FROM entries WHERE entries MATCH ? AND lang = ? "
            "ORDER BY bm25(entries, ?, ?, ?) LIMIT ?"
        )
        with self.lock:
            rows = self.db.execute(sql, (o, c, o, c, o, c, match, lang, *WEIGHTS, limit)).fetchall()
            total = self.db.execute(
                "SELECT count(*) FROM entries WHERE entries MATCH ? AND lang = ?", (match, lang)
            ).fetchone()[0]
        hits = tuple(
            Hit(title, heading, url, kind, snippet, t, h)
            for title, heading, url, kind, t, h, snippet in rows
        )
        return hits, int(total)


# --------------------------------------------------------------------------- the search page


@dataclass(frozen=True)
class Search:
    """The index plus what the search page needs to render per request, per language."""

    index: Index
    env: Mapping[str, jinja2.Environment]
    gettext: Mapping[str, Callable[[str], str]]
    context: Mapping[str, dict[str, Any]]  # per language: the builder's common page context

    def render(self, lang: str, raw: str, exported: bool = False) -> tuple[int, bytes]:
        """The search page for `raw` (the q parameter): status and HTML."""
        gettext = self.gettext[lang]
        context = dict(self.context[lang])
        results, error, status = None, "", 200
        try:
            q = clean_query(raw)
            if q and not exported:
                results = self.index.search(lang, q)
        except QueryError:
            q, status = raw[:MAX_QUERY], 400
            error = gettext("Your search is too long. Use at most %(max)s characters.") % {
                "max": MAX_QUERY
            }
        context.update(q=q, results=results, error=error, exported=exported, max_query=MAX_QUERY)
        if q and not exported:
            context["title"] = gettext("Search: %(q)s") % {"q": q}
        html = self.env[lang].get_template("search.html").render(**context)
        return status, html.encode("utf-8")


SERVICE = "search"


def stage(ctx: BuildContext, out: Output) -> None:
    out.provide(SERVICE, build(ctx))


def build(ctx: BuildContext) -> Search:
    """Index every section of every rendered page and every source, in every language."""
    entries: list[Entry] = []
    for result in ctx.rendered.values():
        entries.extend(page_entries(result, ctx.renderers[result.page.lang]))
    context: dict[str, dict[str, Any]] = {}
    for lang in ctx.langs:
        _ = ctx.gettext(lang)
        for source in ctx.content.sources.values():
            entries.append(
                Entry(
                    lang,
                    source.meta.title,
                    "",
                    urls.source(lang, source.id),
                    _clean(source.body),
                    "source",
                )
            )
        twins = {other: urls.search(other) for other in ctx.langs}
        base = ctx.page_context(lang, urls.search(lang), twins)
        base.update(
            title=_("Search"),
            description=_("Search every page and source of this site."),
            glossary_url=ctx.url_for_key(lang, "glossary"),
        )
        context[lang] = base
    return Search(Index(entries), ctx.jinja, ctx.gettexts, context)
