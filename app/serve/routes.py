"""Every route of the site: the JSON API, search, citation downloads, and the pre-built paths.

Routes are look-ups into the built site (`request.app.state.site`); only search results and
citation downloads (they carry today's access date) are made per request.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from .. import urls
from ..build.api_docs import (
    JSON,
    PREFIX,
    VERSION,
    FactList,
    PageDetail,
    PageList,
    Problem,
    ReferenceList,
    SearchHit,
    SearchResults,
    SourceDetail,
    SourceList,
    as_json,
)
from ..build.context import BuildContext, Output, by_environment, kept
from ..build.prebuilt import Prebuilt
from ..build.search import MAX_QUERY, QueryError
from ..build.site import Site
from ..httputil import etag_matches, not_modified_headers
from ..render.citation_files import WRITERS
from ..render.citing import FORMATS, today

LANG_RE = r"^[a-z]{2}$"
ID_RE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Lang = Annotated[str, Path(pattern=LANG_RE, description="Language (ISO 639-1), like 'en'.")]
Key = Annotated[str, Path(pattern=ID_RE, description="Lowercase ASCII letters, digits, hyphens.")]


def serve(
    item: Prebuilt, request: Request, status: int = 200, extra: dict[str, str] | None = None
) -> Response:
    """Send a pre-built response: the variant the client accepts, 304 on a matching ETag."""
    variant = item.choose(request.headers.get("accept-encoding", ""))
    headers = dict(item.headers(variant))
    headers.update(extra or {})
    if status == 200 and etag_matches(request.headers.get("if-none-match", ""), variant.etag):
        return Response(status_code=304, headers=dict(not_modified_headers(list(headers.items()))))
    headers["content-length"] = str(len(variant.body))
    return Response(variant.body, status_code=status, headers=headers)


def _site(request: Request) -> Site:
    site: Site = request.app.state.site
    return site


# --------------------------------------------------------------------------- the JSON API


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

api = APIRouter(prefix=PREFIX, tags=["v1"])


def _prebuilt(request: Request) -> Response:
    item = _site(request).responses.get(request.url.path)
    if item is None:
        return problem(404, "There is no document at this address.")
    return serve(item, request)


@api.get("/pages.json", response_model=PageList, summary="Every page in every language")
def list_pages(request: Request) -> Response:
    return _prebuilt(request)


@api.get(
    "/pages/{lang}/{key}.json",
    response_model=PageDetail,
    responses={**BAD, **NOT_FOUND},
    summary="One page with its sections and citations",
)
def get_page(lang: Lang, key: Key, request: Request) -> Response:
    return _prebuilt(request)


@api.get("/sources.json", response_model=SourceList, summary="Every source article")
def list_sources(request: Request) -> Response:
    return _prebuilt(request)


@api.get(
    "/sources/{source_id}.json",
    response_model=SourceDetail,
    responses={**BAD, **NOT_FOUND},
    summary="One source: metadata, full text and excerpts as annotation targets",
)
def get_source(source_id: Key, request: Request) -> Response:
    return _prebuilt(request)


@api.get("/references.json", response_model=ReferenceList, summary="Verified references")
def list_references(request: Request) -> Response:
    return _prebuilt(request)


@api.get("/facts.json", response_model=FactList, summary="Verified facts")
def list_facts(request: Request) -> Response:
    return _prebuilt(request)


@api.get(
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
    site = _site(request)
    finder = site.search
    if lang not in site.langs or finder is None:
        return problem(404, f"No pages in language '{lang}'.")
    try:
        found = finder.index.search(lang, q)
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
        routes=api.routes,
    )
    return json.dumps(schema, ensure_ascii=False, sort_keys=True).encode("utf-8")


@kept("openapi", by_environment)  # the code, FastAPI's version (in LIBRARIES), the settings
def openapi_stage(ctx: BuildContext, out: Output) -> None:
    """A build stage of the serving layer's: the OpenAPI document is FastAPI's description."""
    out.add(f"{PREFIX}/openapi.json", Prebuilt.build(openapi_document(), JSON))


SERVING_STAGES = (openapi_stage,)


# --------------------------------------------------------------------------- pages


pages = APIRouter(include_in_schema=False)


@pages.get("/{lang}/search")
async def search_page(lang: str, request: Request) -> Response:
    site = _site(request)
    finder = site.search
    if lang not in site.langs or finder is None:
        raise HTTPException(404)
    values = request.query_params.getlist("q")
    status, html = finder.render(lang, values[0] if values else "")
    headers = {
        "cache-control": "no-store" if status != 200 else "public, max-age=300",
        "content-length": str(len(html)),
    }
    return Response(
        html, status_code=status, media_type="text/html; charset=utf-8", headers=headers
    )


@pages.get("/{lang}/search/")
def search_slash(lang: str, request: Request) -> Response:
    """The static export serves its search page at /{lang}/search/; send those links home."""
    if lang not in _site(request).langs:
        raise HTTPException(404)
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(urls.search(lang) + query, status_code=301)


def _download(request: Request, lang: str, slug: str, fmt: str) -> Response:
    sections = request.query_params.getlist("section")
    if fmt not in WRITERS or len(sections) > 1:
        raise HTTPException(404)
    item = _site(request).citable(lang, slug, sections[0] if sections else None)
    if item is None:
        raise HTTPException(404)
    body = WRITERS[fmt](item, today()).encode("utf-8")
    headers = {
        "content-disposition": f'attachment; filename="{item.filename}.{fmt}"',
        "cache-control": "no-store",  # the access date changes every day
        "content-length": str(len(body)),
    }
    return Response(body, media_type=FORMATS[fmt][0], headers=headers)


@pages.get("/{lang}/cite.{fmt}")
def overview_download(request: Request, lang: str, fmt: str) -> Response:
    return _download(request, lang, "", fmt)


@pages.get("/{lang}/{slug}/cite.{fmt}")
def page_download(request: Request, lang: str, slug: str, fmt: str) -> Response:
    return _download(request, lang, slug, fmt)
