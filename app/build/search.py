"""Site search: an in-memory index over every section of every page, built once at startup.

Entries come from the rendered HTML (so components and quotes are searchable) split at the page's
`sections()`. The index maps Snowball stems (and folded words, for the last word's prefix) to
entries, and ranks them with BM25F (`ranking.py`). There is no query language: the reader's words
are only ever words, so `NEAR`, `OR`, `*`, `-`, quotes and parentheses are searched as text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .. import urls
from . import searchcache
from .context import BuildContext, Output
from .forked import can_fork, forked
from .postings import Segment, Tables
from .ranking import Postings, Scored, order, score
from .searchrows import Analyzed, Entry, analyze
from .searchtext import Analyzer, Concept, Synonyms, concepts, fold
from .snippets import HIT_CLOSE, HIT_OPEN, Marks, highlight, snippet
from .suggest import Vocabulary

log = logging.getLogger("app")
MAX_QUERY = 200  # characters; longer queries get a 400 page
MAX_TERMS = 24
LIMIT = 20


@dataclass(frozen=True)
class Hit:
    page_title: str
    section_title: str
    url: str
    kind: str
    raw_snippet: str  # plain text with HIT_OPEN/HIT_CLOSE around the matched words
    raw_title: str
    raw_section: str
    claims: tuple[str, ...] = ()

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
    # "all": every result has every word; "most": some results lack a word that carries less than
    # half of the query's weight; "any": no section has every word; "" for no search
    matched: str
    suggestion: str = ""  # for no results: the query with unknown words replaced by known ones


class QueryError(ValueError):
    """The reader's query cannot be searched (too long)."""


# --------------------------------------------------------------------------- queries


def clean_query(raw: str) -> str:
    """The reader's words with control characters turned into spaces; raises if too long."""
    if len(raw) > MAX_QUERY:
        raise QueryError(f"over {MAX_QUERY} characters")
    return " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())


def _marked(text: str) -> Markup:
    """Escape the text, then turn the private-use markers into <mark> elements."""
    escaped = str(escape(text))
    return Markup(escaped.replace(HIT_OPEN, "<mark>").replace(HIT_CLOSE, "</mark>"))


@dataclass(frozen=True)
class _Row:
    entry: Entry
    weak: bool  # only quotes a source article's claims, or is a source
    page: str  # the page's URL, without the section


class _Language:
    """One language's analyzer, synonyms and vocabulary (for "did you mean")."""

    def __init__(self, lang: str, groups: Iterable[Iterable[str]]):
        self.analyzer = Analyzer(lang)
        self.synonyms = Synonyms(self.analyzer, groups)
        self.counts: dict[str, int] = {}
        self.stop_stems = frozenset(self.analyzer.stem(w) for w in self.analyzer.stop)
        self._vocabulary: Vocabulary | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        """The indexed words and the synonyms' words; made once every entry is counted."""
        if self._vocabulary is None:
            counts = dict(self.counts)
            for term in self.synonyms.terms:
                counts.setdefault(term, 1)
            self._vocabulary = Vocabulary(counts)
        return self._vocabulary


Item = Entry | Analyzed | Segment


class Index:
    """Postings per language over five columns of each entry (page title, heading, FAQ question,
    body, quoted words in another language), as Snowball stems of folded words, and the folded
    words themselves for the last word's prefix (numpy arrays: app/build/postings.py). Built
    once, then only read, so threads share it without a lock. Snippets and highlights are made
    here from the original text. A page's entries come counted by its build (a `Segment`, also
    cached); entries given one by one (the sources, tests) are analyzed here.
    """

    def __init__(
        self,
        entries: Iterable[Item],
        synonyms: Mapping[str, Iterable[Iterable[str]]] | None = None,
        tables: Tables | None = None,  # made before, for `entries` (as Entry objects)
    ):
        self.languages: dict[str, _Language] = {}
        self.synonym_groups = dict(synonyms or {})
        if tables is None:
            segments = self._segments(entries)
            tables = Tables.build(segments)
            self.entries = tuple(e for segment in segments for e in segment.entries)
        else:  # read from the build cache with its entries
            self.entries = tuple(entries)  # type: ignore[arg-type]
            if not all(isinstance(e, Entry) for e in self.entries):
                raise TypeError("an index made before is given its entries, not segments")
        self.tables = tables
        self.rows = [
            _Row(e, bool(e.claims) or e.kind == "source", e.url.split("#")[0]) for e in self.entries
        ]
        self.postings: dict[str, Postings] = {}
        for number, lang in enumerate(tables.langs):
            size = tables.size(number)
            self.postings[lang] = Postings(tables.stems, tables.words, number, size, tables.texts)
            self._language(lang).counts = tables.words.known(number)
        for language in self.languages.values():
            language.vocabulary  # noqa: B018 -- made now, at startup, not on a reader's query

    def _segments(self, items: Iterable[Item]) -> list[Segment]:
        """The items as segments: a run of single entries becomes one."""
        out: list[Segment] = []
        run: list[Analyzed] = []
        for item in items:
            if isinstance(item, Segment):
                if run:
                    out.append(Segment.of(run))
                    run = []
                out.append(item)
                continue
            if isinstance(item, Entry):  # not analyzed by a page's build (a source, or a test)
                item = analyze(item, self._language(item.lang).analyzer)
            run.append(item)
        if run:
            out.append(Segment.of(run))
        return out

    def _language(self, lang: str) -> _Language:
        if lang not in self.languages:
            self.languages[lang] = _Language(lang, self.synonym_groups.get(lang, ()))
        return self.languages[lang]

    def search(self, lang: str, q: str, limit: int = LIMIT) -> Results:
        q = clean_query(q)
        language = self._language(lang)
        wanted = concepts(language.analyzer, language.synonyms, q, MAX_TERMS)
        if not wanted:
            return Results(q, (), 0, "")
        ranked, matched = self._ranked(lang, wanted)
        if not ranked:
            return Results(q, (), 0, "", self._suggest(language, q))
        hits = self._hits(language, wanted, ranked[:limit])
        return Results(q, hits, len(ranked), matched)

    def _ranked(self, lang: str, wanted: list[Concept]) -> tuple[list[_Row], str]:
        """Matching rows, best first (BM25F, `ranking.py`), and whether they have every concept."""
        postings = self.postings.get(lang)
        if postings is None:
            return [], ""
        rows = self.rows
        scored = [
            Scored(s.key, s.score, s.mask, s.share, rows[s.key].weak, rows[s.key].page)
            for s in score(postings, wanted)
        ]
        ranked, matched = order(scored)
        return [rows[s.key] for s in ranked], matched

    def _hits(
        self, language: _Language, wanted: list[Concept], rows: list[_Row]
    ) -> tuple[Hit, ...]:
        # a phrase is marked where it stands whole, without its grammar words ("de", "la")
        alternatives = [p for c in wanted for p in c.alternatives]
        marks = Marks(
            {p[0] for p in alternatives if len(p) == 1},
            tuple(c.prefix for c in wanted if c.prefix),
            tuple(p for p in alternatives if len(p) > 1),
            language.stop_stems,
        )
        return tuple(self._hit(language, marks, row) for row in rows)

    def _hit(self, language: _Language, marks: Marks, row: _Row) -> Hit:
        e, analyzer = row.entry, language.analyzer
        title = highlight(analyzer, e.page_title, marks)
        heading = highlight(analyzer, e.section_title, marks)
        words = snippet(analyzer, e.text, marks)
        return Hit(e.page_title, e.section_title, e.url, e.kind, words, title, heading, e.claims)

    def _suggest(self, language: _Language, q: str) -> str:
        """The query with each unknown word replaced by the nearest indexed word or synonym."""
        vocabulary = language.vocabulary
        changed, out = False, []
        for word in q.split():
            folded = fold(word)
            if folded in language.analyzer.stop or not folded.isalnum():
                out.append(word)
                continue
            better = vocabulary.nearest(folded)
            changed |= better is not None
            out.append(better or word)
        return " ".join(out) if changed else ""


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
PENDING = "search index, being made"  # a service only while a child makes (or keeps) the index
MADE = "search index, made here"  # a service only until `stage` serves it
LATER = "cache files to write later"  # the index made here (app/build/site.py `Site.later`)


def early(ctx: BuildContext, out: Output) -> None:
    """Right after a pool put every page's build in the cache (app/build/pageset.py), while
    they are read back here: when the index is neither in the cache nor to be made from an
    earlier one, a forked child makes it from the stored segments (`start_stage` then starts
    none; if one is missing, the child fails and `stage` makes the index here)."""
    store, key = ctx.store, ctx.build_key
    if store is None or not key or store.has("search", key) or not can_fork():
        return  # here, it would only keep the pages waiting: `start_stage` makes it
    if searchcache.earlier(ctx, stored=True) is None:
        out.provide(PENDING, forked(lambda: _from_stored(ctx)))


def _from_stored(ctx: BuildContext) -> bool:
    try:
        searchcache.make(ctx, stored=True)
    except LookupError:  # a segment lost: `stage` makes the index from the pages' builds
        return False
    return True


def start_stage(ctx: BuildContext, out: Output) -> None:
    """Early, when the index is not in the build cache: made here from an earlier build's index
    if few pages changed (app/build/reindex.py), and written later (by the process that writes
    the bundle, after the server starts); else a forked child makes it from every page's
    entries and writes it, while the other stages run here, and `stage` waits for it and reads
    it."""
    store, key = ctx.store, ctx.build_key
    if store is None or not key or store.has("search", key) or PENDING in out.services:
        return
    found = searchcache.earlier(ctx)
    made = searchcache.remake(ctx, found) if found is not None else None
    if made is not None:
        tables, entries, base = made
        out.provide(MADE, (tables, entries))  # written later, by whoever writes the bundle
        out.provide(LATER, (lambda: searchcache.keep(ctx, tables, entries, base),))
        return
    out.provide(PENDING, forked(lambda: searchcache.make(ctx)))


def stage(ctx: BuildContext, out: Output) -> None:
    made = out.services.pop(MADE, None)
    wait = out.services.pop(PENDING, None)
    if callable(wait) and not wait():
        log.warning("build: the search index was not made or kept by a child (see above)")
    if isinstance(made, tuple):  # in memory already: not read back
        out.provide(SERVICE, build(ctx, Index(made[1], ctx.content.search_synonyms, made[0])))
        return
    out.provide(SERVICE, build(ctx))


def build(ctx: BuildContext, index: Index | None = None) -> Search:
    """Index every section of every rendered page and every source, in every language."""
    context: dict[str, dict[str, Any]] = {}
    for lang in ctx.langs:
        _ = ctx.gettext(lang)
        twins = {other: urls.search(other) for other in ctx.langs}
        base = ctx.page_context(lang, urls.search(lang), twins)
        base.update(
            title=_("Search"),
            description=_("Search every page and source of this site."),
            glossary_url=ctx.url_for_key(lang, "glossary"),
        )
        context[lang] = base
    found = index if index is not None else _index(ctx)
    return Search(found, ctx.jinja, ctx.gettexts, context)


def _index(ctx: BuildContext) -> Index:
    """The index, from the build cache when this exact build made it before (its key covers
    every page's key, so the sources, settings and code too)."""
    synonyms, store, key = ctx.content.search_synonyms, ctx.store, ctx.build_key
    if store is None or not key:
        return Index([make() for _, make in searchcache.units(ctx)], synonyms)
    data = store.get_bytes("search", key)
    if data is not None:
        try:
            tables, found = Tables.from_bytes(data)
            return Index(found, synonyms, tables)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("build cache: search index not valid (%s); rebuilding it", exc)
    # Served as a warm start reads it: made afresh from the bytes, so what the merge left behind
    # (each page's vocabulary, its arrays) is freed whole and goes back to the system; kept,
    # it held about 60 MB more at 1,000 pages.
    tables, found = Tables.from_bytes(searchcache.make(ctx))
    return Index(found, synonyms, tables)
