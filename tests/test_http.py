"""HTTP semantics on every kind of response: 405 with Allow, HEAD wherever GET works, 304 on a
matching ETag, 404 pages that help, 400 for malformed input, and never a 5xx."""

from __future__ import annotations

import json

import pytest
from conftest import parse
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rawasgi import call_many, request, scope_for

from app.build.site import Site
from app.serve.app import create_app
from app.settings import Settings

OTHER_METHODS = ("POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND")


@pytest.fixture(scope="module")
def app(settings: Settings, site: Site) -> FastAPI:
    return create_app(settings, site)


def kinds(site: Site) -> dict[str, str]:
    """One path of each kind of response the site has: pages, sources, static files, API..."""
    out: dict[str, str] = {}
    for path in sorted(site.responses):
        kind = path.split("/")[1] if path.count("/") > 1 else path
        if kind in site.langs:
            kind = "html" if site.responses[path].media_type.startswith("text/html") else path[4:]
        out.setdefault(kind, path)
    return out


def dynamic_gets(site: Site) -> list[str]:
    """Paths that GET answers (2xx or 3xx) without a pre-built response."""
    out = ["/", "/en", "/EN/", f"{kinds(site)['html']}".rstrip("/")]
    if site.search is not None:
        out += ["/en/search?q=police", "/en/search", "/en/search/?q=police"]
        out += ["/api/v1/search?q=police&lang=en"]
    return out


def test_kinds_cover_the_site(site: Site) -> None:
    assert {"html", "static", "/healthz", "/favicon.ico"} <= set(kinds(site))


def test_other_methods_get_405_with_allow_on_every_kind(app: FastAPI, site: Site) -> None:
    paths = [*kinds(site).values(), "/", "/en/no-such-page/"]
    if site.search is not None:
        paths.append("/en/search?q=police")
    scopes = [scope_for(m, p.encode()) for p in paths for m in OTHER_METHODS]
    for scope, reply in zip(scopes, call_many(app, scopes), strict=True):
        where = (scope["method"], scope["path"])
        assert reply.status == 405, where
        assert reply.header("allow") == "GET, HEAD", where
        assert reply.header("content-type") is not None, where


def test_405_page_is_the_prebuilt_error_page(client: TestClient) -> None:
    response = client.request("DELETE", "/en/")
    assert response.status_code == 405
    doc = parse(response.text)
    assert doc.css_first("html").attributes["lang"] == "en"
    assert doc.css_first("h1") is not None and doc.css_first("main") is not None


def test_head_wherever_get_works(app: FastAPI, site: Site) -> None:
    paths = [*site.responses, *dynamic_gets(site)]
    gets = call_many(app, [scope_for("GET", p.encode()) for p in paths])
    heads = call_many(app, [scope_for("HEAD", p.encode()) for p in paths])
    for path, get, head in zip(paths, gets, heads, strict=True):
        assert get.status < 400, path
        assert head.status == get.status, path
        assert head.body == b"", path
        strip = {b"date"}
        assert [h for h in head.raw_headers if h[0] not in strip] == [
            h for h in get.raw_headers if h[0] not in strip
        ], path
        if get.status == 200:
            assert head.header("content-length") == str(len(get.body)), path


def test_304_on_a_matching_etag_for_every_prebuilt_response(app: FastAPI, site: Site) -> None:
    paths = list(site.responses)
    firsts = call_many(
        app, [scope_for("GET", p.encode(), [(b"accept-encoding", b"gzip, br")]) for p in paths]
    )
    scopes = [
        scope_for(
            method,
            p.encode(),
            [(b"accept-encoding", b"gzip, br"), (b"if-none-match", first.header("etag").encode())],
        )
        for p, first in zip(paths, firsts, strict=True)
        for method in ("GET", "HEAD")
    ]
    for scope, reply in zip(scopes, call_many(app, scopes), strict=True):
        assert reply.status == 304, scope["path"]
        assert reply.body == b""
        assert reply.header("etag") is not None
        assert reply.header("content-length") is None
    # a stale or foreign ETag gets the full response
    stale = request(app, "GET", paths[0], {"if-none-match": '"0000"'})
    assert stale.status == 200 and stale.body


def test_etags_are_strong_and_differ_per_encoding(client: TestClient, site: Site) -> None:
    for path in list(kinds(site).values()):
        plain = client.get(path, headers={"accept-encoding": "identity"})
        assert plain.headers["etag"].startswith('"'), path
        item = site.responses[path]
        if item.variants:
            gz = client.get(path, headers={"accept-encoding": "gzip"})
            assert gz.headers["content-encoding"] == "gzip"
            assert gz.headers["etag"] != plain.headers["etag"]
            assert "Accept-Encoding" in {v.strip() for v in gz.headers["vary"].split(",")}


def test_html_revalidates_and_static_is_immutable(site: Site) -> None:
    for path, item in site.responses.items():
        if path.startswith("/static/"):
            assert item.cache_control == "public, max-age=31536000, immutable", path
        elif item.media_type.startswith("text/html"):
            assert item.cache_control == "no-cache", path


@pytest.mark.parametrize(
    "path",
    [
        "/en/no-such-page/",
        "/en/sources/no-such-source/",
        "/xx/",
        "/en/faq/no-such-section/",
        "/static/site.css",
    ],
)
def test_404_pages_help(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    doc = parse(response.text)
    assert doc.css_first("h1").text().strip()
    links = {a.attributes.get("href") for a in doc.css("main a")}
    assert "/en/" in links  # a way home
    assert doc.css_first("nav") is not None  # and the site's contents


def test_api_404_is_json(client: TestClient) -> None:
    response = client.get("/api/v1/pages/en/no-such-page.json")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert json.loads(response.text)["status"] == 404


def test_over_long_search_is_a_400_page(client: TestClient, site: Site) -> None:
    if site.search is None:
        pytest.skip("search is not built in this tree")
    response = client.get("/en/search", params={"q": "x" * 8192})
    assert response.status_code == 400
    doc = parse(response.text)
    assert doc.css_first("h1").text().strip()
    api = client.get("/api/v1/search", params={"q": "x" * 8192, "lang": "en"})
    assert api.status_code == 400
    assert json.loads(api.text)["status"] == 400


def test_invalid_utf8_in_the_query_is_not_an_error(app: FastAPI, site: Site) -> None:
    """Raw bytes a browser would have percent-encoded: pages ignore them, redirects keep them
    (encoded), search reads them as replacement characters."""
    page = kinds(site)["html"]
    reply = request(app, "GET", page.encode() + b"?utm=\xff\xfe")
    assert reply.status == 200
    moved = request(app, "GET", page.rstrip("/").encode() + b"?a=\xffb")
    assert moved.status == 301
    assert moved.header("location") == f"{page}?a=%FFb"
    if site.search is not None:
        for target in (b"/en/search?q=\xff", b"/en/search/?q=\xff", b"/api/v1/search?q=\xc3"):
            assert request(app, "GET", target).status < 500, target
