"""Read every content file, validate it, and report all problems in one pass."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ..markdown.citations import CiteKey, find_keys, parse_key
from ..markdown.glossary_links import Term, compile_terms
from . import freshness, frontmatter
from .errors import ContentError, Problems
from .excerpts import load_sources
from .keycheck import KeyCheck
from .pagecheck import check_tokens
from .parity import check_parity
from .records import Content, Page
from .schema import (
    ID_RE,
    LANGS,
    SUMMARY_MAX,
    GlossaryEntry,
    Group,
    PageMeta,
    Research,
    TimelineEvent,
)
from .synonyms import FILE, Groups, validate_synonyms
from .yamlfile import YamlSyntaxError, line_for, parse_with_lines

# A page's front matter, already validated: (meta, body line, where the body starts in the text).
Head = tuple[PageMeta, int, int]


def load_content(
    root: Path, parse: bool = True, known: Mapping[str, Head] | None = None
) -> Content:
    """Load and validate `root` (the content folder); raise ContentError listing every problem.

    With `parse=False` the page bodies are neither parsed nor checked (nor twins compared): the
    build checks them page by page (`check_pages`), in parallel or from its cache, and calls this
    again with `parse=True` for the full report when one fails. `known` maps a page file's sha256
    to its front matter as validated before (the build cache's), which is then not parsed again.
    """
    problems = Problems(root)
    research = _load_research(root / "research" / "context.yaml", problems)
    research_date = freshness.load_research_date(root / "research", problems)
    references = {r.id: r for r in research.references} if research else {}
    facts = {f.id: f for f in research.facts} if research else {}
    conflicts = {c.id: c for c in research.conflicts} if research else {}
    sources = load_sources(root / "sources", conflicts, problems, facts)
    lookup = KeyCheck(sources, references, facts)

    timeline = _load_list(root / "timeline.yaml", TimelineEvent, problems, lookup, optional=True)
    glossary = _load_list(root / "glossary.yaml", GlossaryEntry, problems, lookup, optional=True)
    groups = _load_list(root / "whos-who.yaml", Group, problems, lookup, optional=True)
    quote_translations = _load_translations(root / "research", facts, problems)

    heads = _load_heads(root / "pages", problems, research_date, known or {})
    pages = _load_pages(heads, glossary, lookup, problems, parse)
    if parse:
        check_parity(root / "pages", pages, sources, quote_translations, problems)
    synonyms = _load_synonyms(root / FILE, {lang for lang, _ in pages}, problems)
    if problems:
        raise ContentError(problems.items)
    return Content(
        root=root,
        sources=sources,
        references=references,
        facts=facts,
        conflicts=conflicts,
        pages=pages,
        timeline=tuple(timeline),
        glossary=tuple(glossary),
        groups=tuple(groups),
        quote_translations=quote_translations,
        research_checked=research_date,
        search_synonyms=synonyms,
    )


def check_pages(content: Content, keys: Iterable[tuple[str, str]]) -> bool:
    """Parse and check these pages (with their twins, for parity): True when all are valid.

    The problems themselves come from `load_content(root)`, which the build runs when this
    says False, so a report lists every problem in the same order however the build ran.
    """
    problems = Problems(content.root)
    lookup = KeyCheck(content.sources, content.references, content.facts)
    chosen = {}
    for key in keys:
        page = content.pages[key]
        for twin in content.twins(page).values():
            chosen[(twin.lang, twin.slug)] = twin
    for page in chosen.values():
        check_tokens(page.path, page.body_line, page.tokens, lookup, problems)
    check_parity(
        content.root / "pages", chosen, content.sources, content.quote_translations, problems
    )
    return not problems


def _load_synonyms(path: Path, langs: set[str], problems: Problems) -> Groups:
    if not path.exists():
        return {}
    data, lines = _read_yaml(path, problems)
    return validate_synonyms(path, data, lines, langs, problems)


# --------------------------------------------------------------------------- research


def _load_research(path: Path, problems: Problems) -> Research | None:
    data, lines = _read_yaml(path, problems)
    if data is None:
        return None
    research = frontmatter.validate(Research, data, lines, path, problems)
    if research is None:
        return None
    ref_ids = {r.id for r in research.references}
    for index, fact in enumerate(research.facts):
        for ref in (*fact.references, *filter(None, [fact.quote_reference])):
            if ref not in ref_ids:
                problems.add(
                    path,
                    f"fact '{fact.id}' names unknown reference '{ref}'.",
                    line=line_for(lines, ("facts", index)),
                    hint="add the reference to 'references' or fix the id.",
                )
    return research


def _read_yaml(path: Path, problems: Problems) -> tuple[Any, dict[Any, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, f"cannot read the file ({exc}).", hint="restore the file as UTF-8.")
        return None, {}
    try:
        return parse_with_lines(text)
    except YamlSyntaxError as exc:
        problems.add(path, f"malformed YAML: {exc}.", line=exc.line, hint="check the YAML syntax.")
        return None, {}


def _load_translations(
    folder: Path, facts: dict[str, Any], problems: Problems
) -> dict[str, dict[str, str]]:
    """Read `translations.<lang>.yaml` ({fact-id: quote}) into {fact-id: {lang: quote}}."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("translations.*.yaml")):
        lang = path.name.split(".")[1]
        data, lines = _read_yaml(path, problems)
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.add(path, "must map fact ids to translated quotes.", line=1)
            continue
        for fact_id, text in data.items():
            fact = facts.get(fact_id)
            if fact is None or fact.quote is None:
                problems.add(
                    path,
                    f"'{fact_id}' is not a research fact with a quote.",
                    line=line_for(lines, (str(fact_id),)),
                    hint="use the id of a fact that has a 'quote' field in context.yaml.",
                )
            elif not isinstance(text, str) or not text.strip():
                problems.add(path, f"'{fact_id}' needs a translation text.", line=1)
            else:
                out.setdefault(fact_id, {})[lang] = text
    return out


# --------------------------------------------------------------------------- data files


def _load_list(
    path: Path, model: Any, problems: Problems, lookup: KeyCheck, optional: bool = False
) -> list[Any]:
    if optional and not path.exists():
        return []
    data, lines = _read_yaml(path, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(path, "must be a YAML list ('- ' items).", line=1)
        return []
    items = []
    for index, raw in enumerate(data):
        item = frontmatter.validate(model, raw, lines, path, problems, prefix=(index,))
        if item is None:
            continue
        line = line_for(lines, (index,))
        for key in _data_keys(item):
            found = lookup.problem(key)
            if found:
                problems.add(path, found[0], line=line, hint=found[1], field=f"{index}")
        items.append(item)
    ids = [getattr(i, "id", None) for i in items]
    for dup in {i for i in ids if i and ids.count(i) > 1}:
        problems.add(path, f"duplicate id '{dup}'.", hint="give each entry its own id.")
    return items


def _data_keys(item: Any) -> Iterator[CiteKey]:
    if isinstance(item, TimelineEvent):
        yield from (parse_key("@" + k) for k in item.cite)
        texts = [item.event.en, item.event.es or ""]
    elif isinstance(item, GlossaryEntry):
        texts = [item.en.definition, item.es.definition if item.es else ""]
    else:
        texts = [t for m in item.members for t in (m.role.en, m.role.es or "")]
    for text in texts:
        yield from find_keys(text)


# --------------------------------------------------------------------------- pages


class _Head(NamedTuple):
    path: Path
    lang: str
    slug: str
    digest: str
    body: str
    meta: PageMeta
    body_line: int
    key_line: int | None  # None when known (a report is then made again, from the files)


def _load_heads(
    folder: Path, problems: Problems, research_date: dt.date | None, known: Mapping[str, Head]
) -> list[_Head]:
    """Every page file's front matter."""
    heads = []
    for path in sorted(folder.glob("*/*.md")):
        lang = path.parent.name
        if lang not in LANGS:
            problems.add(
                path,
                f"unknown language folder '{lang}'.",
                hint=f"put pages in one of: {', '.join(LANGS)}.",
            )
            continue
        slug = "" if path.stem == "index" else path.stem
        if slug and not ID_RE.match(slug):
            problems.add(path, "the file name must be a lowercase slug like 'special-order-40.md'.")
            continue
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        text = _text(raw)
        found = known.get(digest)
        if found is not None:
            meta, body_line, body_start = found
            heads.append(_Head(path, lang, slug, digest, text[body_start:], meta, body_line, None))
            continue
        head = _page_head(path, text, slug, problems, research_date)
        if head is not None:
            doc, meta = head
            key_line = line_for(doc.lines, ("key",))
            heads.append(_Head(path, lang, slug, digest, doc.body, meta, doc.body_line, key_line))
    return heads


def _text(raw: bytes) -> str:
    """A file's text as `Path.read_text` gives it (universal newlines)."""
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _load_pages(
    heads: list[_Head],
    glossary: list[GlossaryEntry],
    lookup: KeyCheck,
    problems: Problems,
    parse: bool,
) -> dict[tuple[str, str], Page]:
    """The pages from their front matter; with `parse`, their bodies parsed and checked."""
    glossary_urls = {
        head.lang: f"/{head.lang}/{head.slug}/" for head in heads if head.meta.key == "glossary"
    }
    terms_by_lang: dict[str, tuple[Term, ...]] = {}
    pages: dict[tuple[str, str], Page] = {}
    keys: dict[tuple[str, str], Path] = {}
    for path, lang, slug, digest, body, meta, body_line, key_line in heads:
        if (lang, meta.key) in keys:
            problems.add(
                path,
                f"key '{meta.key}' is also used by {keys[(lang, meta.key)].name}.",
                line=key_line,
                field="key",
                hint="each page in a language needs its own key.",
            )
            continue
        keys[(lang, meta.key)] = path
        links = None
        if meta.key != "glossary" and lang in glossary_urls:
            if lang not in terms_by_lang:
                terms = [
                    (e.id, (e.es if lang == "es" and e.es else e.en).match)
                    for e in glossary
                    if lang == "en" or e.es
                ]
                terms_by_lang[lang] = tuple(compile_terms(terms))
            links = (glossary_urls[lang], terms_by_lang[lang])
        page = Page(lang, slug, path, meta, body, links, body_line, digest)
        if parse:
            check_tokens(path, body_line, page.tokens, lookup, problems)
        pages[(lang, slug)] = page
    return pages


def _page_head(
    path: Path, text: str, slug: str, problems: Problems, research_date: dt.date | None
) -> tuple[frontmatter.Document, PageMeta] | None:
    doc = frontmatter.split(path, text, problems)
    if doc is None:
        return None
    meta = frontmatter.validate(PageMeta, doc.data, doc.lines, path, problems)
    if meta is None:
        return None
    freshness.check_page(path, doc.lines, meta, research_date, problems)
    if len(meta.summary) > SUMMARY_MAX:
        problems.add(
            path,
            f"is {len(meta.summary)} characters; the limit is {SUMMARY_MAX}.",
            line=line_for(doc.lines, ("summary",)),
            field="summary",
            hint="shorten the summary; it is the page's description in search and shares.",
        )
    if (slug == "") != (meta.key == "overview"):
        problems.add(
            path,
            "only index.md may (and must) have key 'overview'.",
            line=line_for(doc.lines, ("key",)),
            field="key",
            hint="rename the file or change its key.",
        )
    return doc, meta
