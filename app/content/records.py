"""The loaded, validated content: plain frozen records, no rendering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from markdown_it.token import Token

from ..markdown import parser
from ..markdown.glossary_links import GlossaryLinks, Term
from .schema import (
    Conflict,
    Fact,
    GlossaryEntry,
    Group,
    PageMeta,
    Reference,
    SourceMeta,
    TimelineEvent,
)

REPORT_KINDS = (
    "news",
    "court",
)  # reports of events; primary documents and reference works back them


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
    status: str = "unconfirmed"  # supported | unconfirmed | contradicted
    basis: tuple[str, ...] = ()  # research-file conflict or fact ids


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
    """One page. Its tokens are parsed when first asked for and can be dropped again
    (`forget_tokens`): a built site keeps each page's results, not its token tree."""

    lang: str
    slug: str  # "" for the overview (index.md)
    path: Path
    meta: PageMeta
    body: str
    glossary: tuple[str, tuple[Term, ...]] | None = None  # (glossary URL, terms) to link
    body_line: int = 1  # the file line where the body starts, for problems in the body
    digest: str = ""  # sha256 of the file's bytes (the build cache's key)

    @property
    def key(self) -> str:
        return self.meta.key

    @property
    def env(self) -> dict[str, Any]:
        """Fresh per-document parser state (glossary links: each term linked once a page)."""
        if self.glossary is None:
            return {}
        href, terms = self.glossary
        return {"glossary": GlossaryLinks(href=href, terms=terms)}

    @cached_property
    def tokens(self) -> list[Token]:
        return parser().parse(self.body, self.env)

    def forget_tokens(self) -> None:
        self.__dict__.pop("tokens", None)


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
    research_checked: dt.date | None = None  # the research file's date of checking
    search_synonyms: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)

    @property
    def langs(self) -> list[str]:
        return list(self._langs)

    @cached_property
    def _langs(self) -> tuple[str, ...]:
        return tuple(sorted({lang for lang, _ in self.pages}))

    @property
    def default_lang(self) -> str:
        """English where the site has it (the x-default and fallback language), else the first."""
        langs = self.langs
        return "en" if "en" in langs or not langs else langs[0]

    @cached_property
    def _by_lang(self) -> dict[str, list[Page]]:
        """Each language's pages: the menu's pages in menu order, then the rest by slug."""
        out: dict[str, list[Page]] = {}
        for (lang, _), page in self.pages.items():
            out.setdefault(lang, []).append(page)
        for pages in out.values():
            pages.sort(key=lambda p: (p.meta.nav is None, p.meta.nav or 0, p.slug))
        return out

    @cached_property
    def sole_source_refs(self) -> frozenset[str]:
        """References that are the only report (REPORT_KINDS) behind a medium-confidence fact."""
        found = set()
        for fact in self.facts.values():
            if fact.confidence != "medium":
                continue
            reports = [r for r in fact.references if self.references[r].kind in REPORT_KINDS]
            if len(reports) == 1:
                found.add(reports[0])
        return frozenset(found)

    @cached_property
    def _by_key(self) -> dict[tuple[str, str], Page]:
        return {(page.key, lang): page for (lang, _), page in self.pages.items()}

    def pages_in(self, lang: str) -> list[Page]:
        return list(self._by_lang.get(lang, ()))

    def menu(self, lang: str) -> list[Page]:
        """The pages in the site menu (those with a `nav` position), in its order."""
        return list(self._menus.get(lang, ()))

    @cached_property
    def _menus(self) -> dict[str, tuple[Page, ...]]:  # every page's nav: once, not per page
        return {
            lang: tuple(p for p in pages if p.meta.nav is not None)
            for lang, pages in self._by_lang.items()
        }

    def twin(self, page: Page, lang: str) -> Page | None:
        return self._by_key.get((page.key, lang))

    def by_key(self, key: str, lang: str) -> Page | None:
        return self._by_key.get((key, lang))

    def twins(self, page: Page) -> dict[str, Page]:
        """Language -> the page in that language (this one included), in language order."""
        out = {}
        for lang in self.langs:
            twin = self._by_key.get((page.key, lang))
            if twin is not None:
                out[lang] = twin
        return out
