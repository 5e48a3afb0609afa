"""The JSON API under /api/v1: documents rendered once at build time, plus search.

Every GET document without a query (pages, sources, references, facts, the OpenAPI document) is
serialised from its pydantic model at startup into the site's pre-built responses, so the static
export holds the same bytes. Each excerpt is a W3C Web Annotation target with a TextQuoteSelector
and a TextPositionSelector (code-point offsets into the source's `text`).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from . import urls
from .citations import CiteKey
from .content import Content, Page, Source
from .prebuilt import Prebuilt
from .render import RenderedPage, citations_by_section
from .search import MAX_QUERY, QueryError

if TYPE_CHECKING:
    from .site import Site, _Builder

PREFIX = "/api/v1"
JSON = "application/json"
VERSION = "1.0.0"
LANG_RE = r"^[a-z]{2}$"
ID_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Lang = Annotated[str, Path(pattern=LANG_RE, description="Language (ISO 639-1), like 'en'.")]
Key = Annotated[str, Path(pattern=ID_RE, description="Lowercase ASCII letters, digits, hyphens.")]


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
    matched: Literal["all", "any", ""] = Field(
        description="'all': every word; 'any': no entry had all words, these have some."
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
        for key, section in dict.fromkeys(citations_by_section(page))
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
    content: Content, rendered: Mapping[tuple[str, str], RenderedPage], site_url: str
) -> dict[str, Model]:
    """Every parameter-free GET document of the API, by path."""
    docs: dict[str, Model] = {}
    ordered = [rendered[(p.lang, p.slug)] for lang in content.langs for p in content.pages_in(lang)]
    docs[f"{PREFIX}/pages.json"] = PageList(pages=[_summary(content, r, site_url) for r in ordered])
    for result in ordered:
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


@functools.cache  # depends only on the code, so once per process
def openapi_document() -> bytes:
    schema = get_openapi(
        title="LA enforcement explainer API",
        version=VERSION,
        summary="Pages, sources with their excerpts, references, facts and search, as JSON.",
        description=(
            "Read-only. Documents are the same in the static export. Excerpts are W3C "
            "Web Annotation targets (TextQuoteSelector and TextPositionSelector, offsets "
            "in Unicode code points of the source's `text`)."
        ),
        routes=router.routes,
    )
    return json.dumps(schema, ensure_ascii=False, sort_keys=True).encode("utf-8")


def build(builder: _Builder, rendered: Mapping[tuple[str, str], RenderedPage]) -> None:
    """Add every parameter-free API document and the OpenAPI document to the pre-built responses."""
    for path, model in documents(builder.content, rendered, builder.settings.site_url).items():
        builder.responses[path] = Prebuilt.build(as_json(model), JSON)
    builder.responses[f"{PREFIX}/openapi.json"] = Prebuilt.build(openapi_document(), JSON)


# --------------------------------------------------------------------------- routes


def problem(status: int, detail: str = "", headers: Mapping[str, str] | None = None) -> Response:
    """An API error as JSON (the site's other errors are HTML pages)."""
    titles = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 500: "Server error"}
    body = Problem(status=status, title=titles.get(status, "Error"), detail=detail)
    return Response(
        as_json(body),
        status_code=status,
        media_type="application/problem+json",
        headers={"cache-control": "no-store", **(headers or {})},
    )


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {
        "model": Problem,
        "description": "No such document.",
        "content": {"application/problem+json": {}},
    }
}
BAD: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Problem,
        "description": "Invalid parameters.",
        "content": {"application/problem+json": {}},
    }
}

router = APIRouter(prefix=PREFIX, tags=["v1"])


def _prebuilt(request: Request) -> Response:
    from .web import serve

    site: Site = request.app.state.site
    item = site.responses.get(request.url.path)
    if item is None:
        return problem(404, "There is no document at this address.")
    return serve(item, request)


@router.get("/pages.json", response_model=PageList, summary="Every page in every language")
def list_pages(request: Request) -> Response:
    return _prebuilt(request)


@router.get(
    "/pages/{lang}/{key}.json",
    response_model=PageDetail,
    responses={**BAD, **NOT_FOUND},
    summary="One page with its sections and citations",
)
def get_page(lang: Lang, key: Key, request: Request) -> Response:
    return _prebuilt(request)


@router.get("/sources.json", response_model=SourceList, summary="Every source article")
def list_sources(request: Request) -> Response:
    return _prebuilt(request)


@router.get(
    "/sources/{source_id}.json",
    response_model=SourceDetail,
    responses={**BAD, **NOT_FOUND},
    summary="One source: metadata, full text and excerpts as annotation targets",
)
def get_source(source_id: Key, request: Request) -> Response:
    return _prebuilt(request)


@router.get("/references.json", response_model=ReferenceList, summary="Verified references")
def list_references(request: Request) -> Response:
    return _prebuilt(request)


@router.get("/facts.json", response_model=FactList, summary="Verified facts")
def list_facts(request: Request) -> Response:
    return _prebuilt(request)


@router.get(
    "/search",
    response_model=SearchResults,
    responses={**BAD, **NOT_FOUND},
    summary="Search the sections of every page in one language",
)
async def search(  # async: a short CPU-bound look-up, cheaper on the event loop than a thread
    request: Request,
    q: Annotated[str, Query(max_length=MAX_QUERY, description="The words to search for.")] = "",
    lang: Annotated[
        str, Query(pattern=LANG_RE, description="Language of the pages to search.")
    ] = "en",
) -> Response:
    site: Site = request.app.state.site
    if lang not in site.langs or site.search is None:
        return problem(404, f"No pages in language '{lang}'.")
    try:
        found = site.search.index.search(lang, q)
    except QueryError:
        return problem(400, f"The query is over {MAX_QUERY} characters.")
    body = SearchResults(
        query=found.query,
        lang=lang,
        matched=found.matched,  # type: ignore[arg-type]
        total=found.total,
        suggestion=found.suggestion,
        results=[
            SearchHit(
                page=h.page_title,
                section=h.section_title,
                kind=h.kind,  # type: ignore[arg-type]
                url=urls.absolute(site.settings.site_url, h.url),
                snippet=h.snippet_text,
                snippet_html=str(h.snippet),
                claims=list(h.claims),
            )
            for h in found.hits
        ],
    )
    return Response(
        as_json(body), media_type=JSON, headers={"cache-control": "public, max-age=300"}
    )
