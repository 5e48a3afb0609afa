"""The one walk over a parsed page's tokens: its sections, their slices, citations and text.

Section pages, handouts, the search index, the API and the validator all read a page's structure
from here, never from rendered HTML. A section runs from its h2/h3 heading (with an explicit id)
to the next heading of the same or a higher rank.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from .citations import CiteKey

SECTION_TAGS = ("h2", "h3")


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    level: int


@dataclass(frozen=True)
class SectionSlice:
    """A section and where its tokens are: `tokens[start:end]`, its body `tokens[body:end]`."""

    section: Section
    start: int  # index of the heading_open token
    body: int  # index just after the heading_close token
    end: int  # exclusive

    @property
    def level(self) -> int:
        return self.section.level


def _closing(tokens: Sequence[Token], start: int) -> int:
    """Index of the token that closes the block opened at `start`."""
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


def slices(tokens: Sequence[Token]) -> list[SectionSlice]:
    """Every h2/h3 section with an id, in order."""
    heads = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in SECTION_TAGS and token.attrGet("id"):
            title = tokens[index + 1].content.strip()
            section = Section(str(token.attrGet("id")), title, int(token.tag[1]))
            heads.append((index, section))
    out = []
    for n, (start, section) in enumerate(heads):
        end = next((i for i, s in heads[n + 1 :] if s.level <= section.level), len(tokens))
        out.append(SectionSlice(section, start, _closing(tokens, start) + 1, end))
    return out


def sections(tokens: Sequence[Token]) -> tuple[Section, ...]:
    return tuple(piece.section for piece in slices(tokens))


def citations_by_section(tokens: Sequence[Token]) -> Iterator[tuple[CiteKey, str | None]]:
    """Every citation key with the id of the section it appears in (None before the first)."""
    current: str | None = None
    for token in tokens:
        if token.type == "heading_open" and token.tag in SECTION_TAGS and token.attrGet("id"):
            current = str(token.attrGet("id"))
        for child in token.children or ():
            if child.type == "citation":
                for key in child.meta["keys"]:
                    yield key, current


def plain_text(inline: Token) -> str:
    """An inline token's words, without citations, on one line."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def first_paragraph(tokens: Sequence[Token], stop_at_heading: bool = False) -> Token | None:
    """The inline token of the first paragraph (before the next heading, if asked)."""
    for index, token in enumerate(tokens[:-1]):
        if stop_at_heading and token.type == "heading_open":
            return None
        if token.type == "paragraph_open" and tokens[index + 1].type == "inline":
            return tokens[index + 1]
    return None
