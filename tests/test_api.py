"""The JSON API: documents match their models and the content; schemathesis checks the OpenAPI."""

from __future__ import annotations

import json

import pytest
import schemathesis
from conftest import parse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from app.build import api_docs as api
from app.build.search import MAX_QUERY
from app.build.site import Site
from app.markdown.tokens import citations_by_section
from app.serve import routes
from app.serve.app import create_app

ROUTES = [r for r in routes.api.routes if isinstance(r, APIRoute) and r.include_in_schema]
# Negative cases (invalid input) only where there is input: path or query parameters.
OPERATIONS = sorted(
    (method, route.path, mode)
    for route in ROUTES
    for method in route.methods
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE
    or route.dependant.path_params
    or route.dependant.query_params
)


@pytest.fixture(scope="module")
def api_schema(settings, site: Site):  # type: ignore[no-untyped-def]
    """The API's own OpenAPI document, loaded by schemathesis from the app (over ASGI)."""
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(settings, site))


@pytest.mark.parametrize(("method", "path", "mode"), OPERATIONS)
def test_api_conforms_to_its_openapi_document(
    api_schema,
    method: str,
    path: str,  # type: ignore[no-untyped-def]
    mode: GenerationMode,
) -> None:
    """Generated requests: no 5xx; status codes, content types and bodies match the schema.

    (schemathesis' own pytest plugin does not run under pytest 9, so Hypothesis drives the
    operation's strategy directly, which is what the plugin does.)
    """
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate()
        assert response.status_code < 500

    check()


def get(client: TestClient, path: str) -> dict:  # type: ignore[type-arg]
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.headers["content-type"] == "application/json"
    data: dict = response.json()  # type: ignore[type-arg]
    return data


def test_openapi_document_is_served_and_lists_every_operation(client: TestClient) -> None:
    doc = get(client, "/api/v1/openapi.json")
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {
        "/api/v1/pages.json",
        "/api/v1/pages/{lang}/{key}.json",
        "/api/v1/sources.json",
        "/api/v1/sources/{source_id}.json",
        "/api/v1/references.json",
        "/api/v1/facts.json",
        "/api/v1/search",
    }
    # no docs UI: FastAPI's would load its scripts from a CDN
    for path in ("/docs", "/redoc", "/api/v1/docs", "/openapi.json"):
        assert client.get(path).status_code == 404


def test_pages_list_every_page_in_every_language(client: TestClient, site: Site) -> None:
    listing = api.PageList.model_validate(get(client, "/api/v1/pages.json"))
    assert {(p.lang, p.slug) for p in listing.pages} == set(site.rendered)
    for summary in listing.pages:
        assert summary.url == site.settings.site_url + (
            f"/{summary.lang}/{summary.slug}/" if summary.slug else f"/{summary.lang}/"
        )
        assert summary.translations[summary.lang] == summary.api
        assert summary.version == site.rendered[(summary.lang, summary.slug)].version
        detail = api.PageDetail.model_validate(get(client, summary.api))
        result = site.rendered[(summary.lang, summary.slug)]
        assert [(s.id, s.title, s.level) for s in detail.sections] == [
            (s.id, s.title, s.level) for s in result.sections
        ]
        cited = {
            (k.kind, k.target, k.excerpt, section)
            for k, section in citations_by_section(result.page.tokens)
            if k.kind != "site"
        }  # `[@site]` marks a statement about this site: no source
        got = set()
        for c in detail.citations:
            if c.kind == "excerpt":
                got.add(("excerpt", c.source, c.excerpt, c.section))
            elif c.kind == "reference":
                got.add(("ref", c.reference, "", c.section))
            else:
                got.add(("quote", c.fact, "", c.section))
        assert got == cited, summary.api
        for section in detail.sections:
            page = parse(client.get(summary.url.removeprefix(site.settings.site_url)).text)
            assert section.url.endswith(f"#{section.id}")
            assert page.css_first(f'[id="{section.id}"]') is not None


def test_excerpts_are_web_annotation_targets(client: TestClient, site: Site) -> None:
    listing = api.SourceList.model_validate(get(client, "/api/v1/sources.json"))
    assert {s.id for s in listing.sources} == set(site.content.sources)
    checked = 0
    for summary in listing.sources:
        raw = get(client, summary.api)
        detail = api.SourceDetail.model_validate(raw)
        assert detail.text == site.content.sources[summary.id].body
        assert [e.id for e in detail.excerpts] == list(site.content.sources[summary.id].excerpts)
        for excerpt, data in zip(detail.excerpts, raw["excerpts"], strict=True):
            quote, position = excerpt.target.selector
            assert isinstance(quote, api.TextQuoteSelector)
            assert isinstance(position, api.TextPositionSelector)
            assert [s["type"] for s in data["target"]["selector"]] == [
                "TextQuoteSelector",
                "TextPositionSelector",
            ]
            assert excerpt.target.source == site.settings.site_url + summary.api
            # the selectors agree with each other on the document's text, in code points
            text = detail.text
            assert text[position.start : position.end] == quote.exact == excerpt.exact
            assert text[: position.start].endswith(quote.prefix)
            assert text[position.end :].startswith(quote.suffix)
            assert quote.prefix or quote.suffix
            assert text.count(quote.prefix + quote.exact + quote.suffix) == 1
            checked += 1
    assert checked >= 2


def test_code_point_offsets_survive_json(client: TestClient) -> None:
    """Offsets count code points, as the W3C selector does, not UTF-16 units or bytes."""
    raw = json.loads(client.get("/api/v1/sources/article-000.json").content.decode("utf-8"))
    for excerpt in raw["excerpts"]:
        position = excerpt["target"]["selector"][1]
        assert raw["text"][position["start"] : position["end"]] == excerpt["exact"]


def test_references_and_facts(client: TestClient, site: Site) -> None:
    refs = api.ReferenceList.model_validate(get(client, "/api/v1/references.json"))
    assert {r.id: r.url for r in refs.references} == {
        r.id: r.url for r in site.content.references.values()
    }
    facts = api.FactList.model_validate(get(client, "/api/v1/facts.json"))
    assert {f.id for f in facts.facts} == set(site.content.facts)
    known = {r.id for r in refs.references}
    for fact in facts.facts:
        assert set(fact.references) <= known


def test_search_api(client: TestClient) -> None:
    found = api.SearchResults.model_validate(get(client, "/api/v1/search?q=sanctuary&lang=en"))
    assert found.results and found.matched == "all"  # one word: every result has it
    assert found.total >= len(found.results)
    for hit in found.results:
        doc = parse(f"<p>{hit.snippet_html}</p>")
        assert doc.css_first("p").text() == hit.snippet
        assert hit.url.startswith("https://example.test/en/")
    # operators are text; a hostile query is a plain search
    hostile = client.get("/api/v1/search", params={"q": 'NEAR( "dea" OR *', "lang": "en"})
    assert hostile.status_code == 200


def test_api_errors_are_json_problems(client: TestClient) -> None:
    for path, status in (
        ("/api/v1/pages/en/no-such-page.json", 404),
        ("/api/v1/pages/xx/faq.json", 404),
        ("/api/v1/sources/nope.json", 404),
        ("/api/v1/nothing-here", 404),
        ("/api/v1/search?q=dea&lang=xx", 404),
        (f"/api/v1/search?q={'a' * (MAX_QUERY + 1)}&lang=en", 400),
    ):
        response = client.get(path)
        assert response.status_code == status, path
        assert response.headers["content-type"] == "application/problem+json"
        problem = api.Problem.model_validate(response.json())
        assert problem.status == status
    posted = client.post("/api/v1/pages.json")
    assert posted.status_code == 405
    assert posted.headers["allow"] == "GET, HEAD"
    assert api.Problem.model_validate(posted.json()).status == 405


def test_documents_are_prebuilt_and_support_http_caching(client: TestClient, site: Site) -> None:
    for path in ("/api/v1/pages.json", "/api/v1/sources/article-000.json", "/api/v1/openapi.json"):
        assert path in site.responses
        first = client.get(path)
        again = client.get(path, headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 304
        head = client.head(path)
        assert head.status_code == 200 and head.content == b""
