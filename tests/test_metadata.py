"""Head metadata, read the way consumers read it: extruct for Open Graph and JSON-LD (as link
previews and search engines do), and the meta tags Zotero's translators look for."""

from __future__ import annotations

import datetime as dt
import json

import extruct
import pytest
import zotero_reader
from conftest import parse

from app import urls
from app.build.site import Site
from app.markdown.tokens import sections
from app.render import metadata

SITE = "https://example.test"
PAGES = ["/en/", "/en/sanctuary-ordinance/", "/en/faq/"]


def section_paths(site: Site) -> list[str]:
    page = site.content.pages[("en", "sanctuary-ordinance")]
    return [urls.section("en", page.slug, s.id) for s in sections(page.tokens)[:3]]


def extract(client, path: str) -> tuple[dict[str, str], list[dict], str]:
    html = client.get(path).text
    data = extruct.extract(
        html, base_url=SITE + path, syntaxes=["opengraph", "json-ld"], uniform=False
    )
    assert len(data["opengraph"]) == 1
    og: dict[str, str] = {}
    for key, value in data["opengraph"][0]["properties"]:
        og.setdefault(key, value)
    return og, data["json-ld"], html


def metas(html: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in parse(html).css("meta[name]"):
        out.setdefault(node.attributes["name"], []).append(node.attributes["content"])
    return out


@pytest.mark.parametrize("path", PAGES)
def test_open_graph_on_pages(client, site: Site, path: str) -> None:
    og, _ld, html = extract(client, path)
    doc = parse(html)
    assert og["og:type"] == "article"
    assert og["og:url"] == SITE + path
    assert og["og:url"] == doc.css_first('link[rel="canonical"]').attributes["href"]
    assert og["og:title"] == doc.css_first("h1").text(strip=True)
    assert og["og:description"] == doc.css_first('meta[name="description"]').attributes["content"]
    assert og["og:site_name"] == site.settings.site_name["en"]
    assert og["og:locale"] == "en_US"
    assert og["og:image"].startswith(SITE + "/cards/en/")
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
    assert og["og:image:alt"]
    assert og["article:modified_time"]
    assert metas(html)["twitter:card"] == ["summary_large_image"]


def test_section_previews_as_the_section(client, site: Site) -> None:
    page_og, _, _ = extract(client, "/en/sanctuary-ordinance/")
    for path in section_paths(site):
        og, ld, html = extract(client, path)
        assert og["og:url"] == SITE + path
        assert og["og:title"] == parse(html).css_first("title").text().split(" · ")[0]
        assert og["og:title"] != page_og["og:title"]
        assert og["og:image"] != page_og["og:image"]
        assert og["og:description"] != page_og["og:description"]
        article = ld[0]
        assert article["url"] == SITE + path
        assert article["isPartOf"]["url"] == SITE + "/en/sanctuary-ordinance/"
        assert article["isPartOf"]["isPartOf"]["@type"] == "WebSite"


@pytest.mark.parametrize("path", PAGES)
def test_json_ld_article(client, site: Site, path: str) -> None:
    _og, ld, _html = extract(client, path)
    assert len(ld) == 1
    article = ld[0]
    assert article["@context"] == "https://schema.org"
    assert article["@type"] in ("Article", "WebPage")
    slug = path.strip("/").partition("/")[2]
    page = site.content.pages[("en", slug)]
    assert article["dateModified"] == page.meta.updated.isoformat()
    assert article["inLanguage"] == "en"
    assert article["isPartOf"]["@type"] == "WebSite"
    assert article["version"] == site.rendered[("en", slug)].version
    assert article["image"]["width"] == 1200


def test_json_ld_lists_the_cited_sources(client, site: Site) -> None:
    _og, ld, html = extract(client, "/en/sanctuary-ordinance/")
    cited = {work["url"] for work in ld[0]["citation"]}
    # every reference marker's note links to a work that is among the JSON-LD citations
    doc = parse(html)
    refs = set()
    for marker in doc.css(".body a.ref"):
        note = doc.css_first(f'li[id="{marker.attributes["href"].removeprefix("#")}"]')
        refs |= {a.attributes["href"] for a in note.css("a[href^='http']")}
    assert refs and refs <= cited


def test_json_ld_is_safe_inside_script(client) -> None:
    html = client.get("/en/").text
    block = parse(html).css_first('script[type="application/ld+json"]').text()
    assert "</" not in block
    json.loads(block)  # the escaped form is still valid JSON


@pytest.mark.parametrize("kind", ["page", "section"])
def test_zotero_and_dublin_core_tags(client, site: Site, kind: str) -> None:
    path = "/en/sanctuary-ordinance/" if kind == "page" else section_paths(site)[0]
    found = metas(client.get(path).text)
    page = site.content.pages[("en", "sanctuary-ordinance")]
    assert found["z:itemType"] == ["webpage"]
    assert "citation_author" not in found and "DC.creator" not in found
    assert "DC.type" not in found and "DC.description" not in found
    assert found["citation_language"] == ["en"]
    assert found["citation_public_url"] == [SITE + path]
    assert found["citation_online_date"] == [page.meta.updated.isoformat()]
    assert found["citation_publication_date"]
    assert found["citation_title"][0].endswith(page.meta.title)
    assert found["DC.title"] == found["citation_title"]
    assert found["DC.language"] == ["en"]
    assert found["DC.publisher"] == [site.settings.site_name["en"]]
    assert found["DC.date"] == [page.meta.updated.isoformat()]


def test_locale_alternates_name_the_other_languages(client, site: Site) -> None:
    for (lang, slug), page in site.content.pages.items():
        og, _ld, _html = extract(client, urls.page(lang, slug))
        twins = {
            other
            for other in site.langs
            if other != lang and site.content.twin(page, other) is not None
        }
        html = client.get(urls.page(lang, slug)).text
        alternates = {
            n.attributes["content"] for n in parse(html).css('meta[property="og:locale:alternate"]')
        }
        assert alternates == {f"{other}_US" for other in twins}
        assert og["og:locale"] == f"{lang}_US"


def test_json_ld_escapes_a_title_that_would_close_its_script() -> None:
    hostile = 'Ends </script><script>alert("x")</script> & more'
    meta = metadata.HeadMeta(
        title=hostile,
        description="d",
        url="https://example.test/en/x/",
        lang="en",
        site_name="Site",
        site_url="https://example.test/",
        image="https://example.test/card.png",
        image_alt="alt",
        published=dt.date(2026, 1, 1),
        modified=dt.date(2026, 1, 2),
        version="abc",
        locale="en_US",
    )
    html = f'<script type="application/ld+json">{meta.json_ld}</script>'
    doc = parse(html)
    assert len(doc.css("script")) == 1  # the title did not end the block
    assert json.loads(doc.css_first("script").text())["headline"] == hostile


@pytest.mark.parametrize(
    "path",
    [
        "/en/sanctuary-ordinance/",
        "/es/",
        "/en/",
        "/en/sources/article-000/",
        "/es/sources/article-001/",
    ],
)
def test_zotero_embedded_metadata_import(client, site: Site, path: str) -> None:
    """Read the page as Zotero's Embedded Metadata translator does (tests/zotero_reader.py)."""
    item = zotero_reader.read(client.get(path).text)
    lang = path.split("/")[1]
    site_name = site.settings.site_name[lang]
    assert item.itemType == "webpage"
    assert item.creators == []  # never the site's name split into a person
    assert item.websiteType is None  # no DC.type
    assert item.publicationTitle == site_name
    assert item.language == lang
    assert item.url == SITE + path
    assert item.date is not None and dt.date.fromisoformat(item.date)  # ISO 8601
    assert item.abstractNote
    assert item.abstractNote not in (item.extra or "")  # Extra does not repeat the abstract
    fields = zotero_reader.extra_fields(item.extra)
    if "/sources/" in path:
        source = site.content.sources[path.rstrip("/").rsplit("/", 1)[1]]
        assert item.date == source.meta.checked.isoformat()
        assert item.title and source.meta.title in item.title and item.title != source.meta.title
    else:
        slug = path.strip("/").partition("/")[2]
        page = site.content.pages[(lang, slug)]
        assert fields["version"] == site.rendered[(lang, slug)].version
        assert item.date == page.meta.updated.isoformat()
        assert item.title == page.meta.title


def test_zotero_reader_sees_the_problems_it_checks_for() -> None:
    """The reader itself: old-style tags give the person, the type and the repeated abstract."""
    html = (
        '<html lang="en"><head><meta name="citation_title" content="T">'
        '<meta name="citation_author" content="LA Enforcement Explained">'
        '<meta name="z:itemType" content="webpage"><link rel="schema.DC" '
        'href="http://purl.org/dc/elements/1.1/"><meta name="DC.type" content="Text">'
        '<meta name="DC.description" content="Abstract"><meta property="og:description" '
        'content="Abstract"></head><body></body></html>'
    )
    item = zotero_reader.read(html)
    assert item.creators == [
        {"firstName": "LA Enforcement", "lastName": "Explained", "creatorType": "author"}
    ]
    assert item.websiteType == "Text"
    assert item.extra == "Abstract" == item.abstractNote
