"""Render content to HTML fragments, once, at startup."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from . import source_cite, urls
from .citations import CitationContext, CiteKey, QuoteView, find_keys, parse_key
from .content import Content, Page
from .i18n import long_date
from .markdown import parser

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    level: int


@dataclass(frozen=True)
class RenderedPage:
    page: Page
    html: Markup
    sections: tuple[Section, ...]
    cited: tuple[CiteKey, ...]
    version: str


class Renderer:
    """Turns content into HTML for one language; knows how to show quotes and references."""

    def __init__(
        self, content: Content, lang: str, gettext: Gettext, contact_email: str | None = None
    ):
        self.content, self.lang, self.gettext = content, lang, gettext
        self.contact_email = contact_email

    # -- citation look-ups ---------------------------------------------------------------

    def quote(self, key: CiteKey) -> QuoteView:
        _ = self.gettext
        if key.kind == "excerpt":
            source = self.content.sources[key.target]
            excerpt = source.excerpts[key.excerpt]
            where = urls.source(self.lang, source.id, excerpt.id)
            meta = source.meta
            caption = Markup(
                "{label}: <cite>{title}</cite>. {publisher}; {date}. "
                '<a href="{href}">{context}</a> · <a class="cite-article" href="{cite}">{how}</a>'
            ).format(
                label=_("Source article"),
                title=meta.title,
                publisher=meta.publisher or _("Publisher not recorded"),
                date=long_date(meta.published, self.lang)
                if meta.published
                else _("date not recorded"),
                href=where,
                context=_("Read it in context"),
                cite=source_cite.cite_url(self.lang, source.id),
                how=_("Cite the article"),
            )
            translation = excerpt.translation.get(self.lang) if self.lang != meta.language else None
            return QuoteView(excerpt.exact, meta.language, where, caption, translation)
        fact = self.content.facts[key.target]
        ref = self.content.references[str(fact.quote_reference)]
        caption = Markup(
            '{label}: {publisher}, <cite>{title}</cite>, {date}. <a href="{href}">{open}</a>'
        ).format(
            label=_("Quoted from"),
            publisher=ref.publisher,
            title=ref.title,
            date=self.ref_date(ref.published),
            href=ref.url,
            open=_("Open the source"),
        )
        translation = self.content.quote_translations.get(fact.id, {}).get(self.lang)
        return QuoteView(
            str(fact.quote), "en", ref.url, caption, translation if self.lang != "en" else None
        )

    def ref_date(self, value: dt.date | None) -> str:
        return long_date(value, self.lang) if value else self.gettext("date not shown")

    def reference(self, key: CiteKey) -> Markup:
        ref = self.content.references[key.target]
        return Markup(
            '<a class="ref" data-reference="{id}" href="{url}">{publisher}, {date}</a>'
        ).format(id=ref.id, url=ref.url, publisher=ref.publisher, date=self.ref_date(ref.published))

    def context(self, figures: bool = True) -> CitationContext:
        return CitationContext(
            lang=self.lang,
            quote=self.quote,
            reference=self.reference,
            gettext=self.gettext,
            component=self.component,
            figures=figures,
        )

    # -- markdown ------------------------------------------------------------------------

    def inline(self, text: str) -> Markup:
        """A data-file string (glossary definition, timeline event): inline Markdown."""
        env: dict[str, Any] = {"citations": self.context(figures=False)}
        return Markup(parser().renderInline(text, env))

    def page(self, page: Page) -> RenderedPage:
        env = dict(page.env)
        env["citations"] = ctx = self.context()
        html = Markup(parser().renderer.render(page.tokens, parser().options, env))
        cited = tuple(dict.fromkeys(ctx.cited))
        return RenderedPage(page, html, sections(page), cited, self.version(page, cited))

    def version(self, page: Page, cited: tuple[CiteKey, ...]) -> str:
        """A short id that changes when the page text or any quote it shows changes."""
        digest = hashlib.sha256(page.body.encode())
        for key in cited:
            if key.kind == "excerpt":
                digest.update(self.content.sources[key.target].excerpts[key.excerpt].exact.encode())
            elif key.kind == "quote":
                digest.update(str(self.content.facts[key.target].quote).encode())
        return digest.hexdigest()[:8]

    # -- components ----------------------------------------------------------------------

    def component(self, name: str) -> Markup:
        from . import components  # components render with this renderer

        return components.render(name, self)

    def text(self, localized: Any) -> str:
        value = getattr(localized, self.lang, None)
        return str(value if value else localized.en)

    def text_of(self, entry: Any) -> Any:
        """An entry's block in this language (GlossaryEntry.en / .es), English as fallback."""
        return getattr(entry, self.lang, None) or entry.en


def sections(page: Page) -> tuple[Section, ...]:
    """The page's h2/h3 sections, in order."""
    return tuple(
        Section(str(t.attrGet("id")), page.tokens[i + 1].content.strip(), int(t.tag[1]))
        for i, t in enumerate(page.tokens)
        if t.type == "heading_open" and t.tag in ("h2", "h3") and t.attrGet("id")
    )


def citations_by_section(page: Page) -> Iterator[tuple[CiteKey, str | None]]:
    """Every citation key in a page with the id of the section it appears in."""
    current: str | None = None
    for token in page.tokens:
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            current = str(token.attrGet("id"))
        for child in token.children or ():
            if child.type == "citation":
                for key in child.meta["keys"]:
                    yield key, current


def data_keys(content: Content) -> Iterator[CiteKey]:
    for event in content.timeline:
        yield from (parse_key("@" + k) for k in event.cite)
        yield from find_keys(event.event.en)
    for entry in content.glossary:
        yield from find_keys(entry.en.definition)


def source_paragraphs(body: str, marks: dict[str, tuple[int, int]]) -> list[Markup]:
    """The article as escaped paragraphs (one per non-empty line), excerpts wrapped in <mark>."""
    out: list[Markup] = []
    spans = sorted((start, end, eid) for eid, (start, end) in marks.items())
    offset = 0
    for line in body.split("\n"):
        line_start, line_end = offset, offset + len(line)
        offset = line_end + 1
        if not line.strip():
            continue
        html, cursor = Markup(""), line_start
        for start, end, eid in spans:
            lo, hi = max(start, line_start), min(end, line_end)
            if lo >= hi or lo < cursor:
                continue
            html += escape(body[cursor:lo])
            anchor = Markup(' id="{}"').format(eid) if lo == start else Markup("")
            html += Markup("<mark{}>{}</mark>").format(anchor, body[lo:hi])
            cursor = hi
        html += escape(body[cursor:line_end])
        out.append(html)
    return out
