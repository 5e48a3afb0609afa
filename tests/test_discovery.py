"""Sitemap, robots.txt and Atom feeds, read with the parsers real consumers use."""

from __future__ import annotations

import datetime as dt
import shutil
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import feedparser
import pytest
from conftest import FIXTURE_CONTENT, parse
from fastapi.testclient import TestClient
from lxml import etree
from spanish_twins import add_spanish, edit

from app import urls
from app.build.site import Site
from app.serve.app import build as build_served
from app.serve.app import create_app
from app.settings import Settings

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
SITE_URL = "https://example.test"


def path_of(url: str) -> str:
    assert url.startswith(SITE_URL + "/"), url
    return urlsplit(url).path


def sitemap(client: TestClient) -> dict[str, tuple[str, dict[str, str]]]:
    """loc -> (lastmod, {hreflang: href}) from /sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{NS['sm']}}}urlset"
    out = {}
    for url in root.findall("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        links = {
            link.get("hreflang"): link.get("href")
            for link in url.findall("xhtml:link[@rel='alternate']", NS)
        }
        assert loc not in out, f"{loc} listed twice"
        out[loc] = (url.findtext("sm:lastmod", namespaces=NS), links)
    return out


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, TestClient]:
    """The small site in English and Spanish, with a correction on the topic page."""
    content = tmp_path_factory.mktemp("discovery") / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    add_spanish(content)
    edit(
        content / "pages" / "en" / "topic.md",
        "changes:\n",
        "changes:\n  - date: 2026-12-03\n    note: Corrected the date of the second vote.\n",
    )
    edit(content / "pages" / "en" / "topic.md", "updated: 2026-11-22", "updated: 2026-12-03")
    settings = Settings(content_dir=content, site_url=SITE_URL)
    site = build_served(settings)
    return site, TestClient(create_app(settings, site), follow_redirects=False)


# --------------------------------------------------------------------------- sitemap


@pytest.mark.parametrize("which", ["real", "bilingual"])
def test_sitemap_lists_every_page_section_and_source_in_every_language(
    which: str, client: TestClient, site: Site, bilingual: tuple[Site, TestClient]
) -> None:
    if which == "bilingual":
        site, client = bilingual
    listed = sitemap(client)
    expected = set()
    for (lang, slug), result in site.rendered.items():
        expected.add(urls.page(lang, slug))
        for section in result.sections:
            path = urls.section(lang, slug, section.id)
            if path in site.responses:  # section pages, where the site has them
                expected.add(path)
        lastmod = listed[SITE_URL + urls.page(lang, slug)][0]
        assert lastmod == result.page.meta.updated.isoformat()
    for lang in site.langs:
        expected.add(urls.sources(lang))
        expected |= {urls.source(lang, source_id) for source_id in site.content.sources}
    assert {path_of(loc) for loc in listed} == expected


@pytest.mark.parametrize("which", ["real", "bilingual"])
def test_sitemap_alternates_match_each_page_and_resolve(
    which: str, client: TestClient, bilingual: tuple[Site, TestClient]
) -> None:
    if which == "bilingual":
        _site, client = bilingual
    for loc, (_lastmod, links) in sitemap(client).items():
        response = client.get(path_of(loc))
        assert response.status_code == 200, loc
        doc = parse(response.text)
        assert doc.css_first('link[rel="canonical"]').attributes["href"] == loc
        lang = doc.css_first("html").attributes["lang"]
        assert links[lang] == loc  # itself included
        assert "x-default" in links
        on_page = {
            n.attributes["hreflang"]: n.attributes["href"]
            for n in doc.css('link[rel="alternate"][hreflang]')
        }
        assert links == on_page, loc
        for href in links.values():
            assert client.get(path_of(href)).status_code == 200


def test_bilingual_sitemap_pairs_twins_by_key(bilingual: tuple[Site, TestClient]) -> None:
    _site, client = bilingual
    listed = sitemap(client)
    _lastmod, links = listed[SITE_URL + "/es/tema/"]
    assert links == {
        "en": SITE_URL + "/en/topic/",
        "es": SITE_URL + "/es/tema/",
        "x-default": SITE_URL + "/en/topic/",
    }
    assert listed[SITE_URL + "/en/topic/"][0] == "2026-12-03"


# --------------------------------------------------------------------------- robots.txt


def test_robots_txt_points_to_the_sitemap_and_keeps_search_out(client: TestClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    robots = RobotFileParser()
    robots.parse(response.text.splitlines())
    assert robots.site_maps() == [SITE_URL + "/sitemap.xml"]
    assert robots.can_fetch("*", SITE_URL + "/en/")
    assert robots.can_fetch("*", SITE_URL + "/en/special-order-40/")
    assert robots.can_fetch("*", SITE_URL + "/api/v1/pages.json")
    assert not robots.can_fetch("*", SITE_URL + "/en/search?q=dea")
    assert robots.can_fetch("*", SITE_URL + "/en/search")  # the bare search page is a landing page
    assert not robots.can_fetch("*", SITE_URL + "/api/v1/search?q=dea")


# --------------------------------------------------------------------------- Atom feeds


def read_feed(client: TestClient, lang: str) -> feedparser.FeedParserDict:
    response = client.get(f"/{lang}/feed.xml")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_feed_has_every_change_newest_first(bilingual: tuple[Site, TestClient]) -> None:
    site, client = bilingual
    for lang in site.langs:
        feed = read_feed(client, lang)
        assert feed.feed.language == lang
        assert feed.feed.link == SITE_URL + urls.page(lang, "")
        pages = site.content.pages_in(lang)
        expected = sorted(
            ((c.date, p.slug, c.note) for p in pages for c in p.meta.changes),
            key=lambda c: c[0],
            reverse=True,
        )
        got = []
        for entry in feed.entries:
            day = dt.date(*entry.updated_parsed[:3])
            slug = path_of(entry.link).strip("/").partition("/")[2]
            got.append((day, slug, entry.summary))
            assert client.get(path_of(entry.link)).status_code == 200
        assert [g[0] for g in got] == [e[0] for e in expected]  # newest first
        assert sorted(got) == sorted(expected)  # every change, once
        assert len({e.id for e in feed.entries}) == len(feed.entries)
    english = read_feed(client, "en")
    first = english.entries[0]
    assert first.link == SITE_URL + "/en/topic/"
    assert first.summary == "Corrected the date of the second vote."
    assert english.feed.updated_parsed[:3] == (2026, 12, 3)


def test_feed_is_the_same_on_every_build(bilingual: tuple[Site, TestClient]) -> None:
    """Workers behind a load balancer must agree on the feed's bytes (and so its ETag)."""
    site, _client = bilingual
    again = build_served(site.settings)
    for path in ["/sitemap.xml", "/robots.txt", *(f"/{lang}/feed.xml" for lang in site.langs)]:
        assert again.responses[path].identity.etag == site.responses[path].identity.etag, path


def test_pages_link_to_their_language_feed(bilingual: tuple[Site, TestClient]) -> None:
    _site, client = bilingual
    for path, lang in (("/en/topic/", "en"), ("/es/tema/", "es")):
        doc = parse(client.get(path).text)
        link = doc.css_first('link[rel="alternate"][type="application/atom+xml"]')
        assert link.attributes["href"] == f"/{lang}/feed.xml"


def test_real_feed_parses(client: TestClient, site: Site) -> None:
    feed = read_feed(client, "en")
    changes = sum(len(p.meta.changes) for p in site.content.pages_in("en"))
    assert len(feed.entries) == changes
