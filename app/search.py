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

from . import urls
from .render import RenderedPage
from .searchtext import Analyzer, Concept, Synonyms, concepts, fold, fts_expression, nearest

if TYPE_CHECKING:
    from .site import Site, _Builder

MAX_QUERY = 200  # characters; longer queries get a 400 page
MAX_TERMS = 24
LIMIT = 20
# bm25 weights: title, heading, question, body, quoted, words (prefixes: match, no score)
WEIGHTS = (8.0, 6.0, 6.0, 1.0, 0.5, 0.0)
SNIPPET = 24  # words in a snippet
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
    question: bool = False  # the heading is a reader's question (an FAQ entry)
    claims: tuple[str, ...] = ()  # source articles whose claims it quotes, with no other source
    quoted: str = ""  # words quoted in another language (indexed, never used for snippets)


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


# --------------------------------------------------------------------------- section text


@dataclass
class _Part:
    text: list[str]
    quoted: list[str]  # text marked with another language (lang="en" quotes on a Spanish page)
    title: list[str]  # a glossary term's own words (headings give their title elsewhere)
    sources: set[str]  # source articles whose excerpts it quotes
    established: bool = False  # cites a research reference or a primary quote


@dataclass(frozen=True)
class SectionRecord:
    """What the index needs of one section: the seam between page rendering and search."""

    id: str  # "" for the text before the first heading
    text: str
    quoted: str = ""
    title: str = ""  # set for glossary terms, which are not headings
    claims: tuple[str, ...] = ()  # quoted source articles, when nothing else is cited


class _SectionText(HTMLParser):
    """Collects the visible text of rendered page HTML, split at h2/h3 headings with ids (and at
    glossary terms), keeping apart the words quoted in another language."""

    def __init__(self, lang: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.parts: dict[str, _Part] = {"": _Part([], [], [], set())}
        self.current = ""
        self.skip = 0  # depth inside an element whose text is not content
        self.foreign: list[int] = []  # depths of open elements in another language
        self.depth = 0
        self.term = 0  # depth inside a glossary <dt>

    def _open(self, key: str) -> None:
        self.current = key
        self.parts.setdefault(key, _Part([], [], [], set()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            if tag == "br" and not self.skip:
                self.parts[self.current].text.append(" ")
            return
        self.depth += 1
        if self.skip:
            self.skip += 1
            return
        found = dict(attrs)
        classes = set((found.get("class") or "").split())
        part = self.parts[self.current]
        if tag == "a" and "ref" in classes:
            part.established = True
        if tag == "blockquote":
            cite = found.get("cite") or ""
            source = cite.split("/sources/", 1)[1].split("/", 1)[0] if "/sources/" in cite else ""
            if source:
                part.sources.add(source)
            else:
                part.established = True
        lang = found.get("lang")
        if lang and self.lang and lang != self.lang:
            self.foreign.append(self.depth)
        if tag in ("h2", "h3") and found.get("id"):
            self._open(str(found["id"]))
            self.skip = 1  # the heading's own words are the section title
        elif tag == "dt" and found.get("id"):
            self._open(str(found["id"]))
            self.term = self.depth
        elif tag in SKIP_TAGS or classes & SKIP_CLASSES:
            self.skip = 1
        elif tag in ("p", "li", "dt", "dd", "td", "th", "blockquote", "div", "tr"):
            part.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.foreign and self.foreign[-1] == self.depth:
            self.foreign.pop()
        if self.term == self.depth:
            self.term = 0
        self.depth -= 1
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        part = self.parts[self.current]
        if self.term:
            part.title.append(data)
        elif self.foreign:
            part.quoted.append(data)
        else:
            part.text.append(data)


def section_records(html: str, lang: str = "") -> dict[str, SectionRecord]:
    """Section id -> its record. Text in another language than `lang` goes to `quoted`."""
    parser = _SectionText(lang)
    parser.feed(html)
    parser.close()
    return {
        key: SectionRecord(
            key,
            _clean("".join(part.text)),
            _clean(" ".join(part.quoted)),
            _clean("".join(part.title)),
            () if part.established else tuple(sorted(part.sources)),
        )
        for key, part in parser.parts.items()
    }


def section_texts(html: str) -> dict[str, str]:
    """Section id ("" for the text before the first heading) -> its plain text."""
    return {key: record.text for key, record in section_records(html).items()}


def _clean(text: str) -> str:
    for marker in (HIT_OPEN, HIT_CLOSE, "\x00"):
        text = text.replace(marker, " ")
    return " ".join(text.split())


def entry(
    lang: str, page_title: str, url: str, heading: str, record: SectionRecord, question: bool
) -> Entry:
    """The one place a section becomes an index entry (page, section id, heading, text, flags)."""
    return Entry(
        lang,
        page_title,
        heading,
        url,
        record.text,
        question=question,
        claims=record.claims,
        quoted=record.quoted,
    )


def page_entries(result: RenderedPage) -> Iterator[Entry]:
    page, lang = result.page, result.page.lang
    base = urls.page(lang, page.slug)
    records = section_records(str(result.html), lang)
    intro = records.get("", SectionRecord("", ""))
    if intro.text or intro.quoted:
        text = _clean(page.meta.summary + " " + intro.text)
        yield entry(lang, page.meta.title, base, "", SectionRecord("", text, intro.quoted), False)
    headed = {s.id for s in result.sections}
    for section in result.sections:
        record = records.get(section.id, SectionRecord(section.id, ""))
        question = section.title.rstrip().endswith("?")
        yield entry(lang, page.meta.title, base + "#" + section.id, section.title, record, question)
    for key, record in records.items():  # glossary terms: a <dt id> is a section of its own
        if key and key not in headed and record.title:
            yield entry(lang, page.meta.title, base + "#" + key, record.title, record, False)


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
        self.analyzer = Analyzer(lang)
        self.synonyms = Synonyms(self.analyzer, groups)
        self.vocabulary: dict[str, int] = {}
        self.stop_stems = frozenset(self.analyzer.stem(w) for w in self.analyzer.stop)

    def learn(self, words: list[str]) -> None:
        for word in words:
            self.vocabulary[word] = self.vocabulary.get(word, 0) + 1


class Index:
    """The FTS5 table over stems; one connection shared by the threads of a process, behind a lock.

    Every column holds Snowball stems of folded words; `words` holds the folded words themselves,
    for the last word's prefix. Snippets and highlights are made here from the original text.
    """

    def __init__(
        self,
        entries: Iterable[Entry],
        synonyms: Mapping[str, Iterable[Iterable[str]]] | None = None,
    ):
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        self.db.execute(
            "CREATE VIRTUAL TABLE entries USING fts5(title, heading, question, body, quoted, "
            "words, lang UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
        )
        self.languages: dict[str, _Language] = {}
        self.synonym_groups = dict(synonyms or {})
        self.rows: list[_Row] = []
        values = []
        for e in entries:
            language = self._language(e.lang)
            analyzer = language.analyzer
            columns = [e.page_title, e.section_title, e.section_title if e.question else ""]
            columns += [e.text, e.quoted]
            words = [analyzer.words(c) for c in columns]
            stems = [[analyzer.stem(w) for w in ws] for ws in words]
            every = [w for ws in words for w in ws]
            language.learn(every)
            flat = [s for ss in stems for s in ss]
            self.rows.append(
                _Row(e, frozenset(flat), " " + " ".join(flat) + " ", " " + " ".join(every))
            )
            values.append((*(" ".join(ss) for ss in stems), " ".join(every), e.lang))
        self.db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", values)
        self.db.commit()
        self.size = len(values)

    def _language(self, lang: str) -> _Language:
        if lang not in self.languages:
            self.languages[lang] = _Language(lang, self.synonym_groups.get(lang, ()))
        return self.languages[lang]

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
            "SELECT rowid, bm25(entries, ?, ?, ?, ?, ?, ?) FROM entries "
            "WHERE entries MATCH ? AND lang = ?"
        )
        with self.lock:
            found = self.db.execute(sql, (*WEIGHTS, match, lang)).fetchall()
        ranked = []
        for rowid, score in found:
            row = self.rows[rowid - 1]
            count = sum(_has(row, concept) for concept in wanted)
            if count:
                weak = bool(row.entry.claims) or row.entry.kind == "source"
                ranked.append((count, weak, float(score), row))
        ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
        return ranked

    def _hit(self, language: _Language, wanted: list[Concept], row: _Row) -> Hit:
        # words of a phrase are marked, but not its grammar words ("de", "la" of a synonym phrase)
        stop = language.stop_stems
        stems = {
            s for c in wanted for p in c.alternatives for s in p if len(p) == 1 or s not in stop
        }
        prefixes = tuple(c.prefix for c in wanted if c.prefix)
        e, analyzer = row.entry, language.analyzer
        title = _highlight(analyzer, e.page_title, stems, prefixes)
        heading = _highlight(analyzer, e.section_title, stems, prefixes)
        snippet = _snippet(analyzer, e.text, stems, prefixes)
        return Hit(e.page_title, e.section_title, e.url, e.kind, snippet, title, heading, e.claims)

    def _suggest(self, language: _Language, q: str) -> str:
        """The query with each unknown word replaced by the nearest indexed word or synonym."""
        vocabulary = dict(language.vocabulary)
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


@dataclass(frozen=True)
class _Words:
    """An indexed text's words, with where each stem and each folded word occurs."""

    spans: list[tuple[int, int, str, str]]  # (start, end, folded word, stem)
    by_stem: dict[str, list[int]]
    by_word: dict[str, list[int]]


_WORDS: dict[str, _Words] = {}


def _words(analyzer: Analyzer, text: str) -> _Words:
    """Worked out on a text's first result, then kept (index texts repeat; the bound keeps odd
    input from growing it)."""
    key = analyzer.lang + "\x00" + text
    found = _WORDS.get(key)
    if found is None:
        spans = analyzer.spans(text)
        by_stem: dict[str, list[int]] = {}
        by_word: dict[str, list[int]] = {}
        for i, (_, _, folded, stem) in enumerate(spans):
            by_stem.setdefault(stem, []).append(i)
            by_word.setdefault(folded, []).append(i)
        found = _Words(spans, by_stem, by_word)
        if len(_WORDS) < 20_000:
            _WORDS[key] = found
    return found


def _hits(words: _Words, stems: set[str], prefixes: tuple[str, ...]) -> set[int]:
    """Positions of the words that match."""
    out: set[int] = set()
    for stem in stems:
        out.update(words.by_stem.get(stem, ()))
    if prefixes:
        for word, where in words.by_word.items():
            if word.startswith(prefixes):
                out.update(where)
    return out


def _marked_text(
    text: str, spans: list[tuple[int, int, str, str]], hits: set[int], lo: int, hi: int
) -> str:
    out, at = [], spans[lo][0]
    for i in sorted(h for h in hits if lo <= h < hi):
        start, end = spans[i][0], spans[i][1]
        out += [text[at:start], HIT_OPEN, text[start:end], HIT_CLOSE]
        at = end
    out.append(text[at : spans[hi - 1][1]])
    return "".join(out)


def _highlight(analyzer: Analyzer, text: str, stems: set[str], prefixes: tuple[str, ...]) -> str:
    words = _words(analyzer, text)
    if not words.spans:
        return text
    hits = _hits(words, stems, prefixes)
    n = len(words.spans)
    inner = _marked_text(text, words.spans, hits, 0, n)
    return text[: words.spans[0][0]] + inner + text[words.spans[-1][1] :]


def _snippet(analyzer: Analyzer, text: str, stems: set[str], prefixes: tuple[str, ...]) -> str:
    """About SNIPPET words of `text` around the densest run of matched words, marked."""
    words = _words(analyzer, text)
    n = len(words.spans)
    if not n:
        return ""
    hits = sorted(_hits(words, stems, prefixes))
    first, best, j = 0, 0, 0
    for i, start in enumerate(hits):  # the window starting at a hit that holds the most hits
        while j < len(hits) and hits[j] < start + SNIPPET:
            j += 1
        if j - i > best:
            best, first = j - i, start
    first = max(0, min(first - 3, n - SNIPPET))  # a few words of context before the first hit
    last = min(n, first + SNIPPET)
    before = "…" if first > 0 else ""
    after = "…" if last < n else ""
    return before + _marked_text(text, words.spans, set(hits), first, last) + after


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
            body = _clean(source.body)
            if source.meta.language != lang:  # the page's language for snippets, if translated
                shown = " ".join(e.translation.get(lang, "") for e in source.excerpts.values())
                text, quoted = _clean(shown), body
            else:
                text, quoted = body, ""
            entries.append(
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
        twins = {other: urls.search(other) for other in builder.content.langs}
        base = builder._common(lang, urls.search(lang), twins)
        base.update(
            title=_("Search"),
            description=_("Search every page and source of this site."),
            glossary_url=builder._url_for_key(lang, "glossary"),
        )
        context[lang] = base
    gettext = {lang: builder.gettext(lang) for lang in builder.content.langs}
    return Search(Index(entries, builder.content.search_synonyms), builder.jinja, gettext, context)


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
