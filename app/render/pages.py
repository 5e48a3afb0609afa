"""Render content to HTML fragments, once, at startup."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it.token import Token
from markupsafe import Markup, escape

from .. import urls
from ..content.records import Content, Page
from ..i18n import long_date
from ..markdown import parser
from ..markdown.answers import fold_answers
from ..markdown.citations import COMPONENT_RE, CitationContext, CiteKey, Note, QuoteView
from ..markdown.tokens import Section, sections
from . import components
from .notes import render_notes

Gettext = Callable[[str], str]


@dataclass(frozen=True)
class RenderedPage:
    page: Page
    html: Markup  # the article; empty in a built site, whose page responses hold it
    sections: tuple[Section, ...]
    cited: tuple[CiteKey, ...]
    version: str
    notes: tuple[Note, ...] = ()
    notes_html: Markup = field(default_factory=Markup)  # the "Sources" list its markers link to


class Renderer:
    """Turns content into HTML for one language; knows how to show quotes and references."""

    def __init__(
        self,
        content: Content,
        lang: str,
        gettext: Gettext,
        contact_email: str | None = None,
        publisher: str | None = None,
    ):
        self.content, self.lang, self.gettext = content, lang, gettext
        self.contact_email = contact_email
        self.publisher = publisher
        self._active: CitationContext | None = None  # the page being rendered, for components
        self._component_data: bytes | None = None
        self._quotes: dict[CiteKey, QuoteView] = {}

    # -- citation look-ups ---------------------------------------------------------------

    def quote(self, key: CiteKey) -> QuoteView:
        """What a figure shows of a quote: made once a key (pages cite the same quotes)."""
        found = self._quotes.get(key)
        if found is None:
            found = self._quotes[key] = self._quote(key)
        return found

    def _quote(self, key: CiteKey) -> QuoteView:
        _ = self.gettext
        if key.kind == "excerpt":
            source = self.content.sources[key.target]
            excerpt = source.excerpts[key.excerpt]
            where = urls.source(self.lang, source.id, excerpt.id)
            # A short caption: the article's full title is in its note and on its page.
            caption = Markup("<cite>{name}</cite>.").format(name=self.source_name(source.id))
            translation = (
                excerpt.translation.get(self.lang) if self.lang != source.meta.language else None
            )
            claim = Markup('{label} <span class="status">({status})</span>').format(
                label=_("The article claims"), status=self.status_label(excerpt.status)
            )
            return QuoteView(
                excerpt.exact,
                source.meta.language,
                where,
                caption,
                translation,
                claim=claim,
                status=excerpt.status,
                original_label=_("Original text in English"),
                link_label=_("Read quote {n} in context"),
                cite_article=(
                    urls.source_cite(self.lang, source.id),
                    _("Cite the article of quote {n}"),
                ),
            )
        fact = self.content.facts[key.target]
        ref = self.content.references[str(fact.quote_reference)]
        caption = Markup("{label}: {publisher}, <cite>{title}</cite>, {date}.").format(
            label=_("Quoted from"),
            publisher=ref.publisher,
            title=ref.title,
            date=self.ref_date(ref.published),
        )
        translation = self.content.quote_translations.get(fact.id, {}).get(self.lang)
        return QuoteView(
            str(fact.quote),
            "en",
            ref.url,
            caption,
            translation if self.lang != "en" else None,
            original_label=_("Original text in English"),
            link_label=_("Open the source of quote {n}"),
        )

    def source_name(self, source_id: str) -> str:
        """How the pages name a source article: "Article 000" for `article-000`."""
        match = re.fullmatch(r"article-(\d+)", source_id)
        if match is None:
            return self.content.sources[source_id].meta.title
        return self.gettext("Article {number}").format(number=match.group(1))

    def status_label(self, status: str) -> str:
        _ = self.gettext
        labels = {
            "supported": _("supported by established sources"),
            "unconfirmed": _("not confirmed by established sources"),
            "contradicted": _("contradicted by established sources"),
        }
        return labels[status]

    def ref_date(self, value: dt.date | None) -> str:
        return long_date(value, self.lang) if value else self.gettext("no date shown")

    def context(self, figures: bool = True, slug: str | None = None) -> CitationContext:
        lang = self.lang
        section_url = (
            (lambda section: urls.section(lang, slug, section))
            if slug is not None
            else (lambda section: f"#{section}")
        )
        return CitationContext(
            lang=self.lang,
            quote=self.quote,
            gettext=self.gettext,
            component=self.component,
            section_url=section_url,
            figures=figures,
        )

    # -- markdown ------------------------------------------------------------------------

    def inline(self, text: str) -> Markup:
        """A data-file string (glossary definition, timeline event): inline Markdown.

        Inside a page (a component), it numbers its citations in the page's notes; quotes in
        data files become notes, not figures.
        """
        ctx = self._active or self.context(figures=False)
        figures, ctx.figures = ctx.figures, False
        try:
            return Markup(parser().renderInline(text, {"citations": ctx}))
        finally:
            ctx.figures = figures

    def render_tokens(self, page: Page, tokens: Sequence[Token]) -> tuple[Markup, CitationContext]:
        """Render a page's tokens (or a section's) with its own numbering and notes."""
        env = dict(page.env)
        env["citations"] = ctx = self.context(slug=page.slug)
        self._active = ctx
        try:
            html = Markup(parser().renderer.render(tokens, parser().options, env))
        finally:
            self._active = None
        return html, ctx

    def page(self, page: Page) -> RenderedPage:
        tokens: Sequence[Token] = page.tokens
        if page.meta.fold_answers:
            _ = self.gettext
            tokens = fold_answers(tokens, _("Read the full answer"), _("Hide the full answer"))
        html, ctx = self.render_tokens(page, tokens)
        cited = tuple(dict.fromkeys(ctx.cited))
        notes = tuple(ctx.notes())
        version = self.version(page, cited)
        notes_html = render_notes(self, notes)
        return RenderedPage(page, html, sections(page.tokens), cited, version, notes, notes_html)

    def version(self, page: Page, cited: tuple[CiteKey, ...]) -> str:
        """A short id that changes when the page text or any quote it shows changes."""
        digest = hashlib.sha256(page.body.encode())
        if any(m in components.DATA_COMPONENTS for m in COMPONENT_RE.findall(page.body)):
            digest.update(self.component_data())  # it shows the timeline, glossary or who's who
        for key in cited:
            if key.kind == "excerpt":
                digest.update(self.content.sources[key.target].excerpts[key.excerpt].exact.encode())
            elif key.kind == "quote":
                digest.update(str(self.content.facts[key.target].quote).encode())
        return digest.hexdigest()[:8]

    # -- components ----------------------------------------------------------------------

    def component_data(self) -> bytes:
        """The data files components show, as one byte string: a page's version changes with it."""
        if self._component_data is None:
            c = self.content
            records = (*c.timeline, *c.glossary, *c.groups)
            self._component_data = b"\n".join(r.model_dump_json().encode() for r in records)
        return self._component_data

    def component(self, name: str) -> Markup:
        return components.render(name, self)

    def text(self, localized: Any) -> str:
        value = getattr(localized, self.lang, None)
        return str(value if value else localized.en)

    def text_of(self, entry: Any) -> Any:
        """An entry's block in this language (GlossaryEntry.en / .es), English as fallback."""
        return getattr(entry, self.lang, None) or entry.en


@dataclass(frozen=True)
class TocEntry:
    section: Section
    children: tuple[Section, ...] = ()


def toc_entries(found: Sequence[Section]) -> list[TocEntry]:
    """ "On this page": every h2 section, each with its h3s (the FAQ lists every question).

    A page with three sections or fewer gets none.
    """
    if len(found) <= 3:
        return []
    out: list[TocEntry] = []
    for section in found:
        if section.level == 2 or not out:
            out.append(TocEntry(section))
        else:
            last = out[-1]
            out[-1] = TocEntry(last.section, (*last.children, section))
    return out


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
