"""Site search: SQLite FTS5, in memory, over every section of every page, built once at startup.

Entries come from the rendered HTML (so components and quotes are searchable) split at the page's
`sections()`. The reader's words are always quoted before they reach FTS5, so operators such as
`NEAR`, `OR`, `*`, `-`, quotes and parentheses are searched as plain text.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .. import urls
from .context import BuildContext, Output
from .searchrows import Analyzed, Entry, analyze, clean_text, item_row
from .searchtext import Analyzer, Concept, Synonyms, concepts, fold, fts_expression, nearest
from .snippets import HIT_CLOSE, HIT_OPEN, highlight, snippet

MAX_QUERY = 200  # characters; longer queries get a 400 page
MAX_TERMS = 24
LIMIT = 20
# bm25 weights: title, heading, question, body, quoted, words (prefixes: match, no score)
WEIGHTS = (8.0, 6.0, 6.0, 1.0, 0.5, 0.0)


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
    matched: str  # "all" (every word) | "any" (some words, shown when no section has them all) | ""
    suggestion: str = ""  # for no results: the query with unknown words replaced by known ones


class QueryError(ValueError):
    """The reader's query cannot be searched (too long)."""


# --------------------------------------------------------------------------- queries


def clean_query(raw: str) -> str:
    """The reader's words with control characters turned into spaces; raises if too long."""
    if len(raw) > MAX_QUERY:
        raise QueryError(f"over {MAX_QUERY} characters")
    return " ".join("".join(ch if ch.isprintable() else " " for ch in raw).split())


def fts_query(q: str, lang: str = "en", synonyms: Iterable[Iterable[str]] = ()) -> str | None:
    """The FTS5 expression for the reader's words: every term quoted, the last one a prefix."""
    analyzer = Analyzer(lang)
    return fts_expression(concepts(analyzer, Synonyms(analyzer, synonyms), q, MAX_TERMS))


def _marked(text: str) -> Markup:
    """Escape the text, then turn the private-use markers into <mark> elements."""
    escaped = str(escape(text))
    return Markup(escaped.replace(HIT_OPEN, "<mark>").replace(HIT_CLOSE, "</mark>"))


@dataclass(frozen=True)
class _Row:
    entry: Entry
    stems: frozenset[str]
    joined: str  # " stem stem ... " of every column, for phrase checks
    words: str  # " word word ... " (folded, not stemmed), for the last word's prefix


class _Language:
    """One language's analyzer, synonyms and vocabulary (for "did you mean")."""

    def __init__(self, lang: str, groups: Iterable[Iterable[str]]):
        self.lang = lang
        self.analyzer = Analyzer(lang)
        self.synonyms = Synonyms(self.analyzer, groups)
        self.stop_stems = frozenset(self.analyzer.stem(w) for w in self.analyzer.stop)
        self.vocabulary: Counter[str] | None = None  # counted when first needed


SCHEMA = (
    # Contentless (content=''): the index keeps no copy of the columns; items holds the text.
    "CREATE VIRTUAL TABLE entries USING fts5(title, heading, question, body, quoted, words, "
    "content='', tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TABLE items (id INTEGER PRIMARY KEY, lang TEXT, page_title TEXT, section_title TEXT, "
    "url TEXT, text TEXT, kind TEXT, question INTEGER, claims TEXT, stems TEXT, words TEXT)",
)


class Index:
    """The FTS5 table over stems; one connection shared by the threads of a process, behind a lock.

    Every column holds Snowball stems of folded words; `words` holds the folded words themselves,
    for the last word's prefix. Snippets and highlights are made here from the original text,
    which the `items` table holds by the same row id: the index keeps nothing in Python objects
    but the rows searches have found. `database` is the whole database as `serialize()` gave it
    for the same entries (the build cache's).
    """

    def __init__(
        self,
        entries: Iterable[Entry | Analyzed],
        synonyms: Mapping[str, Iterable[Iterable[str]]] | None = None,
        database: bytes | None = None,
    ):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        self.languages: dict[str, _Language] = {}
        self.synonym_groups = dict(synonyms or {})
        self._rows: dict[int, _Row] = {}  # rows that searches have found
        if database is not None:
            self.db.deserialize(database)
        else:
            for statement in SCHEMA:
                self.db.execute(statement)
            rows = [self._analyzed(item) for item in entries]
            self.db.executemany(
                "INSERT INTO entries (rowid, title, heading, question, body, quoted, words) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((n, *row.columns, row.words) for n, row in enumerate(rows, start=1)),
            )
            self.db.executemany(
                "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((n, *item_row(row)) for n, row in enumerate(rows, start=1)),
            )
            self.db.commit()
        self.size = self.db.execute("SELECT count(*) FROM items").fetchone()[0]

    def _analyzed(self, item: Entry | Analyzed) -> Analyzed:
        if isinstance(item, Analyzed):  # analyzed by the page's build
            return item
        return analyze(item, self._language(item.lang).analyzer)

    def serialize(self) -> bytes:
        with self.lock:
            return self.db.serialize()

    def _language(self, lang: str) -> _Language:
        if lang not in self.languages:
            self.languages[lang] = _Language(lang, self.synonym_groups.get(lang, ()))
        return self.languages[lang]

    def _vocabulary(self, language: _Language) -> Counter[str]:
        """Every indexed word of the language with its count (about 0.2 s at 1,000 pages, on
        the first search with no results)."""
        if language.vocabulary is None:
            counted: Counter[str] = Counter()
            with self.lock:
                found = self.db.execute(
                    "SELECT words FROM items WHERE lang = ? ORDER BY id", (language.lang,)
                ).fetchall()
            for (words,) in found:
                counted.update(words.split())
            language.vocabulary = counted
        return language.vocabulary

    def search(self, lang: str, q: str, limit: int = LIMIT) -> Results:
        q = clean_query(q)
        language = self._language(lang)
        wanted = concepts(language.analyzer, language.synonyms, q, MAX_TERMS)
        match = fts_expression(wanted)
        if match is None:
            return Results(q, (), 0, "")
        ranked = self._ranked(lang, match, wanted)
        if not ranked:
            return Results(q, (), 0, "", self._suggest(language, q))
        best = ranked[0][0]
        if best == len(wanted):
            ranked = [r for r in ranked if r[0] == best]
        hits = tuple(self._hit(language, wanted, row) for _, _, _, row in ranked[:limit])
        return Results(q, hits, len(ranked), "all" if best == len(wanted) else "any")

    def _ranked(
        self, lang: str, match: str, wanted: list[Concept]
    ) -> list[tuple[int, bool, float, _Row]]:
        """Matching rows, best first: most concepts found, then established sources before
        sections that only quote an article's claims, then bm25 with the column weights."""
        sql = (
            "SELECT entries.rowid, bm25(entries, ?, ?, ?, ?, ?, ?) FROM entries "
            "JOIN items ON items.id = entries.rowid WHERE entries MATCH ? AND items.lang = ? "
            "ORDER BY entries.rowid"
        )
        with self.lock:
            found = self.db.execute(sql, (*WEIGHTS, match, lang)).fetchall()
            self._fetch([rowid for rowid, _ in found if rowid not in self._rows])
        ranked = []
        for rowid, score in found:
            row = self._rows[rowid]
            count = sum(_has(row, concept) for concept in wanted)
            if count:
                weak = bool(row.entry.claims) or row.entry.kind == "source"
                ranked.append((count, weak, float(score), row))
        ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
        return ranked

    def _fetch(self, rowids: list[int]) -> None:
        """Make the rows of these ids from the items table (the caller holds the lock)."""
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found = self.db.execute(f"SELECT * FROM items WHERE id IN ({marks})", chunk)
            for (
                rowid,
                lang,
                title,
                heading,
                url,
                text,
                kind,
                question,
                claims,
                stems,
                words,
            ) in found:
                claimed = tuple(claims.split("\x1f")) if claims else ()
                entry = Entry(lang, title, heading, url, text, kind, bool(question), claimed)
                flat = stems.split()
                joined = " " + " ".join(flat) + " "
                self._rows[rowid] = _Row(entry, frozenset(flat), joined, " " + words)

    def _hit(self, language: _Language, wanted: list[Concept], row: _Row) -> Hit:
        # words of a phrase are marked, but not its grammar words ("de", "la" of a synonym phrase)
        stop = language.stop_stems
        stems = {
            s for c in wanted for p in c.alternatives for s in p if len(p) == 1 or s not in stop
        }
        prefixes = tuple(c.prefix for c in wanted if c.prefix)
        e, analyzer = row.entry, language.analyzer
        title = highlight(analyzer, e.page_title, stems, prefixes)
        heading = highlight(analyzer, e.section_title, stems, prefixes)
        words = snippet(analyzer, e.text, stems, prefixes)
        return Hit(e.page_title, e.section_title, e.url, e.kind, words, title, heading, e.claims)

    def _suggest(self, language: _Language, q: str) -> str:
        """The query with each unknown word replaced by the nearest indexed word or synonym."""
        vocabulary = dict(self._vocabulary(language))
        for term in language.synonyms.terms:
            vocabulary.setdefault(term, 1)
        changed, out = False, []
        for word in q.split():
            folded = fold(word)
            if folded in language.analyzer.stop or not folded.isalnum():
                out.append(word)
                continue
            better = nearest(folded, vocabulary)
            changed |= better is not None
            out.append(better or word)
        return " ".join(out) if changed else ""


def _has(row: _Row, concept: Concept) -> bool:
    if concept.prefix and (" " + concept.prefix) in row.words:
        return True
    for phrase in concept.alternatives:
        if len(phrase) == 1 and phrase[0] in row.stems:
            return True
        if len(phrase) > 1 and " " + " ".join(phrase) + " " in row.joined:
            return True
    return False


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
    found = ctx.store.get_bytes("search", ctx.build_key) if ctx.store and ctx.build_key else None
    entries: list[Entry | Analyzed] = []
    for key in ctx.rendered if found is None else ():
        entries.extend(ctx.built[key].search())  # analyzed with the page (app/build/pagebuild.py)
    context: dict[str, dict[str, Any]] = {}
    for lang in ctx.langs:
        _ = ctx.gettext(lang)
        for source in ctx.content.sources.values():
            body = clean_text(source.body)
            if source.meta.language != lang:  # the page's language for snippets, if translated
                shown = " ".join(e.translation.get(lang, "") for e in source.excerpts.values())
                text, quoted = clean_text(shown), body
            else:
                text, quoted = body, ""
            entries.append(  # (read only to make the index: not when it comes from the cache)
                Entry(
                    lang,
                    source.meta.title,
                    "",
                    urls.source(lang, source.id),
                    text,
                    "source",
                    claims=(source.id,),
                    quoted=quoted,
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
    index = Index(entries, ctx.content.search_synonyms, database=found)
    if ctx.store is not None and ctx.build_key and found is None:
        ctx.store.put_bytes("search", ctx.build_key, index.serialize())
    return Search(index, ctx.jinja, ctx.gettexts, context)
