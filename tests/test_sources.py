"""The source records: bodies are the articles byte for byte, and every excerpt is verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

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
