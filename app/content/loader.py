"""Read every content file, validate it, and report all problems in one pass."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from ..markdown import parser
from ..markdown.citations import COMPONENT_RE, CiteKey, find_keys, parse_key
from ..markdown.glossary_links import GlossaryLinks, compile_terms
from . import freshness, frontmatter
from .errors import ContentError, Problems
from .excerpts import load_sources
from .keycheck import KeyCheck
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

COMPONENTS = {"timeline", "timeline-compact", "glossary", "whos-who", "contact", "publisher"}
RESERVED_ID = re.compile(r"^(quote-\d+|main|site-nav|history|page-sources)$")


def load_content(root: Path) -> Content:
    """Load and validate `root` (the content folder); raise ContentError listing every problem."""
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

    pages = _load_pages(root / "pages", glossary, lookup, problems, research_date)
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


def _load_pages(
    folder: Path,
    glossary: list[GlossaryEntry],
    lookup: KeyCheck,
    problems: Problems,
    research_date: dt.date | None,
) -> dict[tuple[str, str], Page]:
    """Two passes: front matter of every page first (to find each language's glossary page),
    then the Markdown bodies."""
    heads: list[tuple[Path, str, str, frontmatter.Document, PageMeta]] = []
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
        head = _page_head(path, slug, problems, research_date)
        if head is not None:
            heads.append((path, lang, slug, *head))
    glossary_urls = {
        lang: f"/{lang}/{slug}/" for _, lang, slug, _, meta in heads if meta.key == "glossary"
    }
    pages: dict[tuple[str, str], Page] = {}
    keys: dict[tuple[str, str], Path] = {}
    for path, lang, slug, doc, meta in heads:
        if (lang, meta.key) in keys:
            problems.add(
                path,
                f"key '{meta.key}' is also used by {keys[(lang, meta.key)].name}.",
                line=line_for(doc.lines, ("key",)),
                field="key",
                hint="each page in a language needs its own key.",
            )
            continue
        keys[(lang, meta.key)] = path
        env: dict[str, Any] = {}
        if meta.key != "glossary" and lang in glossary_urls:
            terms = [
                (e.id, (e.es if lang == "es" and e.es else e.en).match)
                for e in glossary
                if lang == "en" or e.es
            ]
            env["glossary"] = GlossaryLinks(href=glossary_urls[lang], terms=compile_terms(terms))
        tokens = parser().parse(doc.body, env)
        _check_tokens(path, doc.body_line, tokens, lookup, problems)
        pages[(lang, slug)] = Page(lang, slug, path, meta, doc.body, tokens, env, doc.body_line)
    return pages


def _page_head(
    path: Path, slug: str, problems: Problems, research_date: dt.date | None
) -> tuple[frontmatter.Document, PageMeta] | None:
    doc = frontmatter.split(path, path.read_text(encoding="utf-8"), problems)
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


# long: one walk over the tokens, one branch per content problem with its message and fix
def _check_tokens(
    path: Path, body_line: int, tokens: list[Token], lookup: KeyCheck, problems: Problems
) -> None:
    ids: dict[str, int] = {}
    for index, token in enumerate(tokens):
        line = body_line + token.map[0] if token.map else None
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            section = token.attrGet("id")
            title = tokens[index + 1].content.strip()
            if section is None:
                problems.add(
                    path,
                    f"heading '{title}' has no explicit id.",
                    line=line,
                    hint=f"end the heading with an id, e.g. '{{#{_slugify(title)}}}'.",
                )
            elif not ID_RE.match(str(section)) or RESERVED_ID.match(str(section)):
                problems.add(
                    path,
                    f"heading id '{section}' is not allowed.",
                    line=line,
                    hint="use lowercase letters, digits and hyphens; avoid 'quote-N'.",
                )
            elif section in ids:
                problems.add(
                    path,
                    f"duplicate id '{section}' (first used on line {ids[section]}).",
                    line=line,
                    hint="give each heading its own id.",
                )
            else:
                ids[str(section)] = line or 0
        elif token.type == "heading_open" and token.tag == "h1":
            problems.add(
                path,
                "a '#' heading is not allowed in the body.",
                line=line,
                hint="the page title comes from 'title'; use '##' for sections.",
            )
        elif token.type == "component" and token.meta["name"] not in COMPONENTS:
            problems.add(
                path,
                f"unknown component '[[{token.meta['name']}]]'.",
                line=line,
                hint=f"use one of: {', '.join(sorted(COMPONENTS))}.",
            )
        elif token.type == "inline" and line is not None:
            for child in token.children or ():
                if child.type != "citation":
                    continue
                at = line + token.content[: child.meta["offset"]].count("\n")
                for key in child.meta["keys"]:
                    found = lookup.problem(key)
                    if found:
                        problems.add(path, f"citation: {found[0]}", line=at, hint=found[1])
        if token.type == "inline" and line is not None:
            for child in token.children or ():
                if child.type == "text" and "[@" in child.content:
                    problems.add(
                        path,
                        "a citation was not recognised: '[@' is left as text.",
                        line=line,
                        hint="close it with ']' and use only ';' between "
                        "items, like [@ref:a; @ref:b].",
                    )
                elif child.type == "text" and COMPONENT_RE.search(child.content):
                    problems.add(
                        path,
                        "a component must stand alone on its own line.",
                        line=line,
                        hint="put [[name]] on a line by itself.",
                    )


def _slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "section"
