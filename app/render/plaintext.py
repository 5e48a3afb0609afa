"""A page's words as plain text, section by section, from its tokens (for the search index).

The text is what a reader sees in the main column: paragraphs, lists, tables, the components
(timeline, glossary, who's who) and the quoted words with their translations. Headings (they are
the section titles), citation markers, captions and links to sections are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

from ..content.records import Page
from ..i18n import long_date
from ..markdown import parser
from ..markdown.citations import CiteKey
from ..markdown.tokens import SECTION_TAGS
from .pages import Renderer


@dataclass(frozen=True)
class SectionRecord:
    """What the search index needs of one section: its words, split by language, and flags."""

    id: str  # "" for the text before the first heading
    text: str
    quoted: str = ""  # words quoted in another language (English quotes on a Spanish page)
    title: str = ""  # set for glossary terms, which are not headings
    claims: tuple[str, ...] = ()  # quoted source articles, when nothing else is cited


@dataclass
class _Part:
    text: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)  # source articles whose excerpts it quotes
    established: bool = False  # cites a research reference or a primary quote


def section_records(page: Page, r: Renderer) -> dict[str, SectionRecord]:
    """Section id ("" for the text before the first heading) -> its record; a glossary on the
    page adds one record per term, under the term's id."""
    parts: dict[str, _Part] = {"": _Part()}
    terms: dict[str, SectionRecord] = {}
    current = ""
    seen: set[CiteKey] = set()  # quotes already shown: a figure appears at its first citation
    in_section_heading = False
    for index, token in enumerate(page.tokens):
        part = parts[current]
        if token.type == "heading_open" and token.tag in SECTION_TAGS and token.attrGet("id"):
            current = str(token.attrGet("id"))
            parts.setdefault(current, _Part())
            in_section_heading = True
        elif token.type == "heading_close":
            in_section_heading = False
        elif token.type == "inline" and not in_section_heading:
            part.text.append(_inline(token.children or ()))
            _flag(part, token.children or ())
        elif token.type in ("code_block", "fence"):
            part.text.append(token.content)
        elif token.type == "component" and token.meta["name"] == "glossary":
            terms.update(_glossary_terms(r))
        elif token.type == "component":
            part.text.append(component_text(token.meta["name"], r))
        elif token.type == "cited_open":  # the block's figures come first, as on the page
            for key in _block_keys(page.tokens, index):
                if key.shows_quote and key not in seen:
                    seen.add(key)
                    _add_quote(part, key, r)
    out = {
        key: SectionRecord(
            key,
            _squash(part.text),
            _squash(part.quoted),
            "",
            () if part.established else tuple(sorted(part.sources)),
        )
        for key, part in parts.items()
    }
    return {**out, **{k: v for k, v in terms.items() if k not in out}}


def section_texts(page: Page, r: Renderer) -> dict[str, str]:
    """Section id -> its words in the page's language (quotes in another language left out)."""
    return {key: record.text for key, record in section_records(page, r).items()}


def _squash(texts: list[str]) -> str:
    return " ".join(" ".join(texts).split())


def _flag(part: _Part, children: Iterable[Token]) -> None:
    for child in children:
        if child.type != "citation":
            continue
        for key in child.meta["keys"]:
            if key.kind in ("ref", "quote"):
                part.established = True
            elif key.kind == "excerpt":
                part.sources.add(key.target)


def _add_quote(part: _Part, key: CiteKey, r: Renderer) -> None:
    """A figure's words: the translation (where shown) in the text, the original by language."""
    view = r.quote(key)
    if view.translation:
        part.text += [r.gettext("Unofficial translation by this site:"), view.translation]
    (part.quoted if view.lang != r.lang else part.text).append(view.text)


def _glossary_terms(r: Renderer) -> dict[str, SectionRecord]:
    out = {}
    for entry in r.content.glossary:
        text = r.text_of(entry)
        out[entry.id] = SectionRecord(entry.id, inline_text(text.definition), title=text.term)
    return out


def _inline(children: Iterable[Token]) -> str:
    out = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak", "citation"):
            out.append(" ")
    return "".join(out)


def _block_keys(tokens: Sequence[Token], start: int) -> Iterator[CiteKey]:
    """The citation keys of the cited block opened at `tokens[start]`, in order."""
    for token in tokens[start + 1 :]:
        if token.type == "cited_close":
            return
        for child in token.children or ():
            if child.type == "citation":
                yield from child.meta["keys"]


def inline_text(text: str) -> str:
    """A data-file string's words (inline Markdown), without its citations."""
    tokens = parser().parseInline(text, {})
    return " ".join(_inline(t.children or ()) for t in tokens)


def component_text(name: str, r: Renderer) -> str:
    """The words a `[[name]]` component shows (app/render/components.py draws them)."""
    content = r.content
    if name in ("timeline", "timeline-compact"):
        compact = name == "timeline-compact"
        events = sorted(
            (e for e in content.timeline if e.compact or not compact), key=lambda e: e.date
        )
        return " ".join(
            f"{long_date(e.date, r.lang)} {inline_text(r.text(e.event))}" for e in events
        )
    if name == "glossary":
        entries = sorted(content.glossary, key=lambda e: r.text_of(e).term.casefold())
        return " ".join(
            f"{r.text_of(e).term} {inline_text(r.text_of(e).definition)}" for e in entries
        )
    if name == "whos-who":
        return " ".join(
            r.text(g.name)
            + " "
            + " ".join(f"{r.text(m.name)} {inline_text(r.text(m.role))}" for m in g.members)
            for g in content.groups
        )
    if name == "contact" and r.contact_email:
        return f"{r.gettext('To report an error, write to:')} {r.contact_email}"
    return ""
