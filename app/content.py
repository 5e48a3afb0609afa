"""The loaded, validated content: plain frozen records, no rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from .models import (
    Conflict,
    Fact,
    GlossaryEntry,
    Group,
    PageMeta,
    Reference,
    SourceMeta,
    TimelineEvent,
)


@dataclass(frozen=True)
class Excerpt:
    """A verbatim excerpt located in its source: a W3C TextQuote + TextPosition selector."""

    id: str
    exact: str
    prefix: str
    suffix: str
    start: int  # code-point offset in the source body
    end: int
    translation: dict[str, str]


@dataclass(frozen=True)
class Source:
    id: str
    path: Path
    meta: SourceMeta
    body: str
    excerpts: dict[str, Excerpt]
    declared: frozenset[str] = frozenset()  # every excerpt id in the file, located or not


@dataclass(frozen=True)
class Page:
    lang: str
    slug: str  # "" for the overview (index.md)
    path: Path
    meta: PageMeta
    body: str
    tokens: list[Token]
    env: dict[str, Any]  # per-document parser state (glossary links), reused at render time

    @property
    def key(self) -> str:
        return self.meta.key


@dataclass(frozen=True)
class Content:
    root: Path
    sources: dict[str, Source]
    references: dict[str, Reference]
    facts: dict[str, Fact]
    conflicts: dict[str, Conflict]
    pages: dict[tuple[str, str], Page]
    timeline: tuple[TimelineEvent, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    groups: tuple[Group, ...] = ()
    quote_translations: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def langs(self) -> list[str]:
        return sorted({lang for lang, _ in self.pages})

    def pages_in(self, lang: str) -> list[Page]:
        return sorted(
            (p for (page_lang, _), p in self.pages.items() if page_lang == lang),
            key=lambda p: (p.meta.nav, p.slug),
        )

    def twin(self, page: Page, lang: str) -> Page | None:
        for candidate in self.pages_in(lang):
            if candidate.key == page.key:
                return candidate
        return None
