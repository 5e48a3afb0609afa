"""The source records: bodies are the articles byte for byte, and every excerpt is verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import parse

from app import urls
from app.build.site import Site

SHARED = Path(__file__).resolve().parents[2] / "shared" / "sources"


def test_every_excerpt_is_verbatim_and_unique(site: Site) -> None:
    assert sum(len(s.excerpts) for s in site.content.sources.values()) >= 12
    for source in site.content.sources.values():
        for excerpt in source.excerpts.values():
            assert source.body[excerpt.start : excerpt.end] == excerpt.exact
            located = [
                i
                for i in range(len(source.body))
                if source.body.startswith(excerpt.exact, i)
                and source.body[:i].endswith(excerpt.prefix)
            ]
            assert located == [excerpt.start], (source.id, excerpt.id)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared/ folder is not beside this checkout")
def test_bodies_match_the_received_articles_byte_for_byte(site: Site) -> None:
    for source in site.content.sources.values():
        original = SHARED / str(source.meta.original_file)
        assert source.body.encode("utf-8") == original.read_bytes(), source.id


def test_unknown_metadata_is_null_not_guessed(site: Site) -> None:
    for source in site.content.sources.values():
        assert source.meta.publisher is None
        assert source.meta.author is None
        assert source.meta.published is None
        assert source.meta.url is None


def test_source_page_and_api_show_each_excerpt_status(client, site) -> None:
    from conftest import parse

    labels = {
        "supported": "supported by established sources",
        "unconfirmed": "not confirmed by established sources",
        "contradicted": "contradicted by established sources",
    }
    for source in site.content.sources.values():
        doc = parse(client.get(f"/en/sources/{source.id}/").text)
        items = doc.css("ol.excerpt-index > li")
        assert len(items) == len(source.excerpts)
        for item, excerpt in zip(items, source.excerpts.values(), strict=True):
            status = item.css_first(".excerpt-status")
            assert f"status-{excerpt.status}" in status.attributes["class"].split()
            assert labels[excerpt.status] in status.text()
        data = client.get(f"/api/v1/sources/{source.id}.json").json()
        assert {e["id"]: (e["status"], e["basis"]) for e in data["excerpts"]} == {
            e.id: (e.status, list(e.basis)) for e in source.excerpts.values()
        }


def test_spanish_source_pages_give_the_site_s_notes_in_spanish(client, site: Site) -> None:
    for source in site.content.sources.values():
        notes = source.meta.translations["es"]
        doc = parse(client.get(urls.source("es", source.id)).text)
        shown = doc.css_first("section[aria-labelledby=reliability]").text()
        assert notes.reliability in " ".join(shown.split())
        assert source.meta.reliability not in " ".join(shown.split())
        meta = " ".join(doc.css_first("dl.source-meta").text().split())
        assert notes.title_basis in meta and source.meta.title_basis not in meta
        for note in notes.copy_notes:
            assert note in meta
        listed = parse(client.get(urls.sources("es")).text).css_first("ul.source-list").text()
        assert notes.reliability in " ".join(listed.split())
