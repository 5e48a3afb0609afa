"""Citing a source article as found (app/source_cite.py): the cite box on its page, the links to
it from every excerpt, and the page's own head metadata and card."""

from __future__ import annotations

import json

from conftest import parse

from app import urls
from app.build.site import Site


def test_article_cite_box_has_no_author_no_date_and_the_copys_address(client, site: Site) -> None:
    for lang in site.langs:
        for source in site.content.sources.values():
            doc = parse(client.get(urls.source(lang, source.id)).text)
            box = doc.css_first("section.cite-box")
            assert box is not None and box.css_first("h2#cite-article") is not None
            styles = {dd.attributes["class"]: dd for dd in box.css("dd.citation")}
            apa = styles["citation citation-apa"].text()
            address = source.meta.url or source.meta.copies[0].url
            assert apa.startswith(source.meta.title)  # the title in the author's place
            assert apa.count(source.meta.title) == 1  # and only there
            assert ("(n.d.)" if lang == "en" else "(s.\xa0f.)") in apa
            for dd in styles.values():
                assert address in dd.text()
                assert dd.text().lower().count(source.meta.title.lower()) == 1  # MLA recases
            assert source.meta.notes_in(lang).title_basis in box.text()


def test_every_excerpt_figure_links_to_its_articles_cite_box(client, site: Site) -> None:
    checked = 0
    for lang, slug in site.rendered:
        doc = parse(client.get(urls.page(lang, slug)).text)
        for figure in doc.css("figure.excerpt"):
            quote = figure.css_first("blockquote")
            source_page = str(quote.attributes["cite"]).split("#")[0]
            if "/sources/" not in source_page:
                continue  # a primary-document quote from the research file
            link = figure.css_first("figcaption a.cite-article")
            assert link is not None
            href = str(link.attributes["href"])
            assert href == f"{source_page}#cite-article"
            target = parse(client.get(source_page).text)
            assert target.css_first("#cite-article") is not None
            checked += 1
    assert checked > 10


def test_source_page_has_a_card_and_json_ld(client, site: Site) -> None:
    for lang in site.langs:
        source = next(iter(site.content.sources.values()))
        doc = parse(client.get(urls.source(lang, source.id)).text)
        image = doc.css_first('meta[property="og:image"]').attributes["content"]
        card = client.get(str(image).removeprefix("https://example.test"))
        assert card.status_code == 200 and card.headers["content-type"] == "image/png"
        ld = json.loads(doc.css_first('script[type="application/ld+json"]').text())
        assert ld["inLanguage"] == lang and "version" not in ld
        assert ld["isPartOf"]["name"] == site.settings.site_name[lang]
        assert source.meta.title in ld["name"] and ld["name"] != source.meta.title
        assert ld["citation"][0]["name"] == source.meta.title
        og_site = doc.css_first('meta[property="og:site_name"]').attributes["content"]
        assert og_site == site.settings.site_name[lang]
