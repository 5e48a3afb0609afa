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
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import jinja2
from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from .. import urls
from ..render.pages import RenderedPage

if TYPE_CHECKING:
    from .site import Site, _Builder

MAX_QUERY = 200  # characters; longer queries get a 400 page
MAX_TERMS = 24
LIMIT = 20
WEIGHTS = (10.0, 5.0, 1.0)  # bm25 weights: page title, section heading, body text
HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"  # private-use markers, escaped text goes between them
SKIP_CLASSES = {"anchor", "cite-refs", "cite", "quote-number", "copy-link", "visually-hidden"}
SKIP_TAGS = {"figcaption", "script", "style", "template"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


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


class _SectionText(HTMLParser):
    """Collects the visible text of rendered page HTML, split at h2/h3 headings with ids."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: dict[str, list[str]] = {"": []}
        self.current = ""
        self.skip = 0  # depth inside an element whose text is not content
        self.heading = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            if tag == "br" and not self.skip:
                self.parts[self.current].append(" ")
            return
        if self.skip:
            self.skip += 1
            return
        found = dict(attrs)
        classes = set((found.get("class") or "").split())
        if tag in ("h2", "h3") and found.get("id"):
            self.current = str(found["id"])
            self.parts.setdefault(self.current, [])
            self.skip = 1  # the heading's own words are the section title
        elif tag in SKIP_TAGS or classes & SKIP_CLASSES:
            self.skip = 1
        elif tag in ("p", "li", "dt", "dd", "td", "th", "blockquote", "div", "tr"):
            self.parts[self.current].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts[self.current].append(data)


def section_texts(html: str) -> dict[str, str]:
    """Section id ("" for the text before the first heading) -> its plain text."""
    parser = _SectionText()
    parser.feed(html)
    parser.close()
    return {key: _clean("".join(parts)) for key, parts in parser.parts.items()}


def _clean(text: str) -> str:
    for marker in (HIT_OPEN, HIT_CLOSE, "\x00"):
        text = text.replace(marker, " ")
    return " ".join(text.split())


def page_entries(result: RenderedPage) -> Iterator[Entry]:
    page, lang = result.page, result.page.lang
    texts = section_texts(str(result.html))
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


def build(builder: _Builder, rendered: Mapping[tuple[str, str], RenderedPage]) -> Search:
    """Index every section of every rendered page and every source, in every language."""
    entries: list[Entry] = []
    for result in rendered.values():
        entries.extend(page_entries(result))
    context: dict[str, dict[str, Any]] = {}
    for lang in builder.content.langs:
        _ = builder.gettext(lang)
        for source in builder.content.sources.values():
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
        twins = {other: urls.search(other) for other in builder.content.langs}
        base = builder._common(lang, urls.search(lang), twins)
        base.update(
            title=_("Search"),
            description=_("Search every page and source of this site."),
            glossary_url=builder._url_for_key(lang, "glossary"),
        )
        context[lang] = base
    gettext = {lang: builder.gettext(lang) for lang in builder.content.langs}
    return Search(Index(entries), builder.jinja, gettext, context)


# --------------------------------------------------------------------------- route


router = APIRouter(include_in_schema=False)


@router.api_route("/{lang}/search", methods=["GET", "HEAD"])
async def search_page(lang: str, request: Request) -> Response:
    site: Site = request.app.state.site
    if lang not in site.langs or site.search is None:
        raise HTTPException(404)
    values = request.query_params.getlist("q")
    status, html = site.search.render(lang, values[0] if values else "")
    headers = {
        "cache-control": "no-store" if status != 200 else "public, max-age=300",
        "content-length": str(len(html)),
    }
    body = b"" if request.method == "HEAD" else html
    return Response(
        body, status_code=status, media_type="text/html; charset=utf-8", headers=headers
    )


@router.api_route("/{lang}/search/", methods=["GET", "HEAD"])
def search_slash(lang: str, request: Request) -> Response:
    """The static export serves its search page at /{lang}/search/; send those links home."""
    site: Site = request.app.state.site
    if lang not in site.langs:
        raise HTTPException(404)
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(urls.search(lang) + query, status_code=301)
