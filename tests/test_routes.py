"""Routes, through the real app on the real content: pages, sources, marks, sections, HTTP."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from conftest import parse

from app.site import Site


def test_overview_and_dea_page_render_with_contract_head(client) -> None:
    for path in ("/en/", "/en/dea-dhs-coordination/"):
        response = client.get(path)
        assert response.status_code == 200
        doc = parse(response.text)
        assert doc.css_first("html").attributes["lang"] == "en"
        assert (
            doc.css_first('link[rel="canonical"]').attributes["href"]
            == "https://example.test" + path
        )
        hreflangs = {n.attributes["hreflang"] for n in doc.css('link[rel="alternate"][hreflang]')}
        assert {"en", "x-default"} <= hreflangs
        assert doc.css_first("main#main") is not None
        assert doc.css_first("a.skip-link").attributes["href"] == "#main"


def test_excerpt_figures_follow_the_contract(client, site: Site) -> None:
    doc = parse(client.get("/en/dea-dhs-coordination/").text)
    figures = doc.css("figure.excerpt")
    assert len(figures) >= 3
    excerpts = {
        (s.id, e.id): e.exact for s in site.content.sources.values() for e in s.excerpts.values()
    }
    seen_source_quote = False
    for figure in figures:
        quote = figure.css_first("blockquote")
        assert figure.css_first("figcaption") is not None
        cite = quote.attributes["cite"]
        if cite.startswith("/en/sources/"):
            seen_source_quote = True
            parts = urlsplit(cite)
            source_id = parts.path.strip("/").split("/")[-1]
            # exactly the excerpt inside the blockquote, nothing else
            assert " ".join(quote.text().split()) == " ".join(
                excerpts[(source_id, parts.fragment)].split()
            )
            assert quote.attributes["lang"] == "en"
            assert not quote.css("a, span, sup")
            link = figure.css_first("figcaption a")
            assert link.attributes["href"] == cite
        # each figure is linked from a numbered marker in the text
        marker = doc.css_first(f'a.cite-marker[href="#{figure.attributes["id"]}"]')
        assert marker is not None
    assert seen_source_quote


def test_reference_citations_are_contract_links(client, site: Site) -> None:
    doc = parse(client.get("/en/dea-dhs-coordination/").text)
    refs = doc.css("a.ref")
    assert refs
    for ref in refs:
        reference = site.content.references[ref.attributes["data-reference"]]
        assert ref.attributes["href"] == reference.url
        assert reference.publisher in ref.text()


def test_every_section_heading_has_id_and_a_named_link(client, site: Site) -> None:
    for lang, slug in site.content.pages:
        path = f"/{lang}/{slug}/" if slug else f"/{lang}/"
        doc = parse(client.get(path).text)
        headings = doc.css("main h2, main h3")
        assert headings, path
        for heading in headings:
            section = heading.attributes.get("id")
            assert section, f"{path}: {heading.text()}"
            anchor = heading.css_first("a.anchor")
            assert anchor.attributes["href"] == f"#{section}"
            assert anchor.css_first(".visually-hidden").text().strip()
        ids = [n.attributes["id"] for n in doc.css("[id]")]
        assert len(ids) == len(set(ids)), f"duplicate ids on {path}"


def test_source_list_and_pages_mark_every_excerpt(client, site: Site) -> None:
    listing = parse(client.get("/en/sources/").text)
    hrefs = {a.attributes["href"] for a in listing.css("main a")}
    for source in site.content.sources.values():
        path = f"/en/sources/{source.id}/"
        assert path in hrefs
        doc = parse(client.get(path).text)
        marks = {m.attributes["id"]: m.text() for m in doc.css(".source-text mark[id]")}
        assert marks == {e.id: e.exact for e in source.excerpts.values()}
        # metadata honestly says what is not recorded
        not_recorded = doc.css(".source-meta .not-recorded")
        assert len(not_recorded) >= 4
        text = "\n".join(p.text() for p in doc.css(".source-text p"))
        assert text == "\n".join(line for line in source.body.split("\n") if line.strip())


def test_source_page_lists_where_each_excerpt_is_cited(client) -> None:
    doc = parse(client.get("/en/sources/article-000/").text)
    item = next(
        li
        for li in doc.css(".excerpt-index li")
        if li.css_first("a").attributes["href"] == "#allen-confirmed"
    )
    cited = [a.attributes["href"] for a in item.css(".cited-by a")]
    assert any(h.startswith("/en/dea-dhs-coordination/#") for h in cited)


def test_etag_and_304(client) -> None:
    first = client.get("/en/dea-dhs-coordination/")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/en/dea-dhs-coordination/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_head_has_headers_and_no_body(client) -> None:
    get = client.get("/en/", headers={"accept-encoding": "identity"})
    head = client.head("/en/", headers={"accept-encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]


def test_compressed_variants(client) -> None:
    plain = client.get("/en/", headers={"accept-encoding": "identity"})
    brotli = client.get("/en/", headers={"accept-encoding": "gzip, br"})
    assert brotli.headers["content-encoding"] == "br"
    # a page is also its own Memento TimeGate (app/versions.py), so it varies by Accept-Datetime
    varies = {v.strip() for v in brotli.headers["vary"].split(",")}
    assert varies == {"Accept-Encoding", "Accept-Datetime"}
    assert brotli.text == plain.text  # the client decodes it
    assert brotli.headers["etag"] != plain.headers["etag"]


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/en", "/en/"),
        ("/en/dea-dhs-coordination", "/en/dea-dhs-coordination/"),
        ("/EN/Sources/", "/en/sources/"),
        ("/en/sources?x=1", "/en/sources/?x=1"),
    ],
)
def test_canonical_redirects(client, path: str, location: str) -> None:
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["location"] == location


def test_root_negotiates_language(client) -> None:
    response = client.get("/", headers={"accept-language": "fr-CA, en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["location"] == "/en/"
    assert "Accept-Language" in response.headers["vary"]


def test_helpful_404(client) -> None:
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    doc = parse(response.text)
    links = {a.attributes["href"] for a in doc.css("main a")}
    assert {"/en/", "/en/sources/"} <= links
    assert doc.css_first("h1").text() == "Page not found"


def test_other_methods_get_405_with_allow(client) -> None:
    response = client.post("/en/")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_healthz_and_favicon(client) -> None:
    assert client.get("/healthz").text == "ok\n"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"


def test_static_assets_are_fingerprinted_and_immutable(client) -> None:
    doc = parse(client.get("/en/").text)
    css = doc.css_first('link[rel="stylesheet"]').attributes["href"]
    assert css.startswith("/static/site.") and css.endswith(".css") and css != "/static/site.css"
    response = client.get(css)
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/site.css").status_code == 404


def test_no_inline_scripts_or_styles(client, site: Site) -> None:
    for path, item in site.responses.items():
        if not item.media_type.startswith("text/html"):
            continue
        doc = parse(item.identity.body.decode())
        assert not doc.css("style"), path
        assert not doc.css("[style]"), path
        for script in doc.css("script"):
            if script.attributes.get("type") == "application/ld+json":
                json.loads(script.text())  # a data block (JSON-LD), never run: CSP allows it
                continue
            assert script.attributes.get("src", "").startswith("/static/"), path
            assert not script.text().strip(), path
