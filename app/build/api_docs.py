"""The JSON API under /api/v1: documents rendered once at build time, plus search.

Every GET document without a query (pages, sources, references, facts, the OpenAPI document) is
serialised from its pydantic model at startup into the site's pre-built responses, so the static
export holds the same bytes. Each excerpt is a W3C Web Annotation target with a TextQuoteSelector
and a TextPositionSelector (code-point offsets into the source's `text`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .. import urls
from ..content.records import Content, Page, Source
from ..markdown.citations import CiteKey
from ..markdown.tokens import citations_by_section
from ..render.pages import RenderedPage
from .context import BuildContext, Output, by_build, kept
from .prebuilt import Prebuilt

PREFIX = "/api/v1"
JSON = "application/json"
VERSION = "1.0.0"


def page_doc(lang: str, key: str) -> str:
    return f"{PREFIX}/pages/{lang}/{key}.json"


def source_doc(source_id: str) -> str:
    return f"{PREFIX}/sources/{source_id}.json"


# --------------------------------------------------------------------------- response models


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Problem(Model):
    """An error, as an RFC 9457 problem document."""

    status: int
    title: str
    detail: str = ""


class PageSummary(Model):
    lang: str = Field(description="Language of the page (ISO 639-1).")
    key: str = Field(description="Identifies the page across languages.")
    slug: str = Field(description="The page's URL segment; empty for the overview.")
    title: str
    summary: str
    updated: dt.date
    checked: dt.date = Field(
        description="When the page's facts were last checked against the research file."
    )
    review_by: dt.date = Field(description="The date by which the facts are to be checked again.")
    version: str = Field(description="Changes when the page text or a quote it shows changes.")
    url: str = Field(description="The page on the site.")
    api: str = Field(description="This page's JSON document.")
    translations: dict[str, str] = Field(
        description="Language -> the JSON document of the page "
        "in that language (this one included)."
    )


class PageList(Model):
    pages: list[PageSummary]


class Citation(Model):
    kind: Literal["excerpt", "reference", "quote"]
    section: str | None = Field(
        description="Id of the section that cites it; null for the page's introduction."
    )
    source: str | None = Field(default=None, description="Source id (kind 'excerpt').")
    excerpt: str | None = Field(default=None, description="Excerpt id (kind 'excerpt').")
    reference: str | None = Field(
        default=None, description="Reference id ('reference', or the reference a quote is from)."
    )
    fact: str | None = Field(default=None, description="Fact id (kind 'quote').")
    url: str = Field(
        description="Where the cited words are: the excerpt in its source, or the "
        "reference's address."
    )


class SectionOut(Model):
    id: str
    title: str
    level: int
    url: str


class Change(Model):
    date: dt.date
    note: str


class PageDetail(PageSummary):
    sections: list[SectionOut]
    citations: list[Citation]
    changes: list[Change]


class TextQuoteSelector(Model):
    type: Literal["TextQuoteSelector"] = "TextQuoteSelector"
    exact: str
    prefix: str
    suffix: str


class TextPositionSelector(Model):
    type: Literal["TextPositionSelector"] = "TextPositionSelector"
    start: int = Field(ge=0, description="Code-point offset of the first character in `text`.")
    end: int = Field(ge=0, description="Code-point offset just after the last character.")


class Target(Model):
    """A W3C Web Annotation target: the source and two selectors for the excerpt in it."""

    source: str = Field(
        description="The source's JSON document, whose `text` the selectors address."
    )
    selector: list[TextQuoteSelector | TextPositionSelector]


class ExcerptOut(Model):
    id: str
    exact: str
    translation: dict[str, str]
    pages: dict[str, str] = Field(description="Language -> the excerpt on the source's page.")
    target: Target
    status: Literal["supported", "unconfirmed", "contradicted"] = Field(
        description="How established sources bear on the excerpt's claim."
    )
    basis: list[str] = Field(description="The research file's conflict or fact ids behind it.")


class SourceSummary(Model):
    id: str
    title: str
    publisher: str | None
    author: str | None
    published: dt.date | None
    url: str | None = Field(description="The original address, where known.")
    language: str
    checked: dt.date
    pages: dict[str, str] = Field(description="Language -> the source's page on this site.")
    api: str


class SourceList(Model):
    sources: list[SourceSummary]


class CopyOut(Model):
    url: str
    note: str


class SourceDetail(SourceSummary):
    title_basis: str
    copies: list[CopyOut]
    dating: str
    reliability: str
    conflicts: list[str]
    excerpts: list[ExcerptOut]
    text: str = Field(description="The article exactly as received.")


class ReferenceOut(Model):
    id: str
    title: str
    publisher: str
    url: str
    published: dt.date | None
    kind: str
    note: str


class ReferenceList(Model):
    references: list[ReferenceOut]


class FactOut(Model):
    id: str
    topic: str
    statement: str
    date: dt.date | None
    references: list[str]
    confidence: str
    quote: str | None
    quote_reference: str | None


class FactList(Model):
    facts: list[FactOut]


class SearchHit(Model):
    page: str = Field(description="Title of the page (or source).")
    section: str = Field(description="Title of the section; empty for an introduction.")
    kind: Literal["section", "source"]
    url: str
    snippet: str = Field(description="The matching words in context, as plain text.")
    snippet_html: str = Field(description="The snippet as escaped HTML with <mark> highlights.")
    claims: list[str] = Field(
        default_factory=list,
        description="Source articles whose claims this section quotes, with no other source; "
        "such sections rank below sections of established sources.",
    )


class SearchResults(Model):
    query: str
    lang: str
    matched: Literal["all", "most", "any", ""] = Field(
        description="'all': every result has every word; 'most': some results lack a word, but "
        "have most of the query's weight (rarer words weigh more); 'any': no entry had all "
        "words, these have some; '': nothing searched."
    )
    total: int
    suggestion: str = Field(
        default="", description="For no results: the query with unknown words replaced."
    )
    results: list[SearchHit]


# --------------------------------------------------------------------------- documents


def _citation(content: Content, lang: str, key: CiteKey, section: str | None) -> Citation:
    if key.kind == "excerpt":
        return Citation(
            kind="excerpt",
            section=section,
            source=key.target,
            excerpt=key.excerpt,
            url=urls.source(lang, key.target, key.excerpt),
        )
    if key.kind == "ref":
        ref = content.references[key.target]
        return Citation(kind="reference", section=section, reference=ref.id, url=ref.url)
    fact = content.facts[key.target]
    ref = content.references[str(fact.quote_reference)]
    return Citation(kind="quote", section=section, fact=fact.id, reference=ref.id, url=ref.url)


def _summary(content: Content, result: RenderedPage, site_url: str) -> PageSummary:
    page = result.page
    twins = {
        lang: page_doc(lang, page.key)
        for lang in content.langs
        if content.twin(page, lang) is not None
    }
    return PageSummary(
        lang=page.lang,
        key=page.key,
        slug=page.slug,
        title=page.meta.title,
        summary=page.meta.summary,
        updated=page.meta.updated,
        checked=page.meta.checked,
        review_by=page.meta.review_by,
        version=result.version,
        url=urls.absolute(site_url, urls.page(page.lang, page.slug)),
        api=page_doc(page.lang, page.key),
        translations=twins,
    )


def page_detail(content: Content, result: RenderedPage, site_url: str) -> PageDetail:
    page: Page = result.page
    base = urls.absolute(site_url, urls.page(page.lang, page.slug))
    citations = [
        _citation(content, page.lang, key, section)
        for key, section in dict.fromkeys(citations_by_section(page.tokens))
        if key.kind in ("excerpt", "ref", "quote")
    ]
    return PageDetail(
        **_summary(content, result, site_url).model_dump(),
        sections=[
            SectionOut(id=s.id, title=s.title, level=s.level, url=f"{base}#{s.id}")
            for s in result.sections
        ],
        citations=citations,
        changes=[Change(date=c.date, note=c.note) for c in page.meta.changes],
    )


def _source_summary(content: Content, source: Source, site_url: str) -> SourceSummary:
    meta = source.meta
    return SourceSummary(
        id=source.id,
        title=meta.title,
        publisher=meta.publisher,
        author=meta.author,
        published=meta.published,
        url=meta.url,
        language=meta.language,
        checked=meta.checked,
        api=source_doc(source.id),
        pages={
            lang: urls.absolute(site_url, urls.source(lang, source.id)) for lang in content.langs
        },
    )


def source_detail(content: Content, source: Source, site_url: str) -> SourceDetail:
    meta = source.meta
    document = urls.absolute(site_url, source_doc(source.id))
    excerpts = [
        ExcerptOut(
            id=e.id,
            exact=e.exact,
            translation=dict(e.translation),
            status=e.status,  # type: ignore[arg-type]  # the loader checked the value
            basis=list(e.basis),
            pages={
                lang: urls.absolute(site_url, urls.source(lang, source.id, e.id))
                for lang in content.langs
            },
            target=Target(
                source=document,
                selector=[
                    TextQuoteSelector(exact=e.exact, prefix=e.prefix, suffix=e.suffix),
                    TextPositionSelector(start=e.start, end=e.end),
                ],
            ),
        )
        for e in source.excerpts.values()
    ]
    return SourceDetail(
        **_source_summary(content, source, site_url).model_dump(),
        title_basis=meta.title_basis,
        copies=[CopyOut(url=c.url, note=c.note) for c in meta.copies],
        dating=meta.dating,
        reliability=meta.reliability,
        conflicts=list(meta.conflicts),
        excerpts=excerpts,
        text=source.body,
    )


def documents(
    content: Content,
    rendered: Mapping[tuple[str, str], RenderedPage],
    site_url: str,
    details: bool = True,
) -> dict[str, Model]:
    """Every parameter-free GET document of the API, by path (each page's own with `details`)."""
    docs: dict[str, Model] = {}
    ordered = [rendered[(p.lang, p.slug)] for lang in content.langs for p in content.pages_in(lang)]
    docs[f"{PREFIX}/pages.json"] = PageList(pages=[_summary(content, r, site_url) for r in ordered])
    for result in ordered if details else ():
        docs[page_doc(result.page.lang, result.page.key)] = page_detail(content, result, site_url)
    docs[f"{PREFIX}/sources.json"] = SourceList(
        sources=[_source_summary(content, s, site_url) for s in content.sources.values()]
    )
    for source in content.sources.values():
        docs[source_doc(source.id)] = source_detail(content, source, site_url)
    docs[f"{PREFIX}/references.json"] = ReferenceList(
        references=[ReferenceOut(**r.model_dump()) for r in content.references.values()]
    )
    docs[f"{PREFIX}/facts.json"] = FactList(
        facts=[FactOut(**f.model_dump()) for f in content.facts.values()]
    )
    return docs


def as_json(model: BaseModel) -> bytes:
    return model.model_dump_json().encode("utf-8")


@kept("api", by_build)  # the page list names each page's version
def stage(ctx: BuildContext, out: Output) -> None:
    """Every parameter-free API document but each page's own (the OpenAPI document is the
    serving layer's)."""
    models = documents(ctx.content, ctx.rendered, ctx.settings.site_url, details=False)
    for path, model in models.items():
        out.add(path, Prebuilt.build(as_json(model), JSON))


def pages_stage(ctx: BuildContext, out: Output) -> None:
    """Each page's own document, built with the page (app/build/pagebuild.py) and kept in its
    cache entry (not again with the lists)."""
    for lang in ctx.langs:
        for page in ctx.content.pages_in(lang):
            out.add(page_doc(lang, page.key), ctx.built[(lang, page.slug)].api)
