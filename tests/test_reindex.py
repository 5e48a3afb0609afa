"""The search index made again from an earlier build's (app/build/reindex.py) is the index a
from-scratch merge makes, byte for byte: with a page edited, one added, one removed, and on the
real site through the build cache; a corrupt or missing earlier index makes it from scratch."""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from app.build import searchcache
from app.build.cache import BuildCache
from app.build.postings import Segment, Tables
from app.build.reindex import Base, Unit, plan, update
from app.build.searchrows import Analyzed, analyze
from app.build.searchtext import Analyzer
from app.serve.app import build
from app.settings import ROOT, Settings


@pytest.fixture(scope="module")
def pages(site) -> list[tuple[str, Segment]]:  # type: ignore[no-untyped-def]
    """The real site's entries as units: one segment per page (and the sources), by URL."""
    analyzers = {lang: Analyzer(lang) for lang in site.langs}
    groups: dict[str, list[Analyzed]] = defaultdict(list)
    for e in site.search.index.entries:
        groups[e.url.split("#")[0]].append(analyze(e, analyzers[e.lang]))
    return [(url, Segment.of(rows)) for url, rows in groups.items()]


def _edited(segment: Segment, words: str) -> Segment:
    analyzer = Analyzer(segment.entries[0].lang)
    rows = [
        analyze(dataclasses.replace(e, text=words + " " + e.text[: len(e.text) // 2]), analyzer)
        for e in segment.entries
    ]
    return Segment.of(rows)


def _made(units: list[tuple[str, Segment]]) -> tuple[bytes, bytes]:
    """The from-scratch index's bytes, and its base's."""
    segments = [s for _, s in units]
    tables, counts = Tables.counted(segments)
    entries = [e for s in segments for e in s.entries]
    sizes = np.array([len(s.entries) for s in segments], np.int64)
    base = Base(tuple(k for k, _ in units), sizes, counts)
    return tables.to_bytes(entries), base.to_bytes()


def _again(before: tuple[bytes, bytes], units: list[Unit]) -> tuple[bytes, bytes]:
    tables, entries = Tables.from_bytes(before[0])
    made = update(tables, entries, Base.from_bytes(before[1]), units)
    assert made is not None
    tables, entries, base = made
    return tables.to_bytes(entries), base.to_bytes()


def test_an_index_made_again_is_the_from_scratch_merge(pages: list[tuple[str, Segment]]) -> None:
    before = _made(pages)
    assert _again(before, [(k, None) for k, _ in pages]) == before  # nothing changed
    edited = (pages[3][0] + "?edited", _edited(pages[3][1], "zyzzyva quux sanctuary ordinance"))
    added_rows = _edited(pages[-2][1], "brandneuwort xyzzy")  # a Spanish or English copy
    added = ("/added", added_rows)
    after = [*pages[:3], edited, *pages[4:5], *pages[6:9], added, *pages[9:]]  # 5 is removed
    units: list[Unit] = [(k, s if k in (edited[0], added[0]) else None) for k, s in after]
    again = _again(before, units)
    expected = _made(after)
    assert again[0] == expected[0]
    assert again[1] == expected[1]
    # and the tables themselves, array by array (what to_bytes would hide, it does not)
    tables, _ = Tables.from_bytes(again[0])
    scratch = Tables.build([s for _, s in after])
    for mine, theirs in ((tables.stems, scratch.stems), (tables.words, scratch.words)):
        assert list(mine.ids) == list(theirs.ids)
        for name in ("starts", "keys", "values", "totals"):
            assert np.array_equal(getattr(mine, name), getattr(theirs, name)), name
            assert getattr(mine, name).dtype == getattr(theirs, name).dtype, name
    assert np.array_equal(tables.texts.weights, scratch.texts.weights)
    assert "zyzzyva" in tables.words.ids and "brandneuwort" in tables.words.ids


def test_a_page_removed_takes_the_terms_only_it_had(pages: list[tuple[str, Segment]]) -> None:
    unique = ("/unique", _edited(pages[0][1], "onlyherewordzz"))
    before = _made([unique, *pages])
    again = _again(before, [(k, None) for k, _ in pages])
    assert again == _made(pages)
    tables, _ = Tables.from_bytes(again[0])
    assert "onlyherewordzz" not in tables.words.ids


def test_a_unit_moved_or_many_changed_is_made_from_scratch(
    pages: list[tuple[str, Segment]],
) -> None:
    before = _made(pages)
    base = Base.from_bytes(before[1])
    keys = [k for k, _ in pages]
    assert plan(base, keys, 0.1) == []
    assert plan(base, [keys[1], keys[0], *keys[2:]], 0.1) is None  # moved
    assert (
        plan(base, [f"new {k}" for k in keys[: len(keys) // 2]] + keys[len(keys) // 2 :], 0.1)
        is None
    )
    assert plan(base, ["new", *keys[1:]], 0.1) == ["new"]
    tables, entries = Tables.from_bytes(before[0])
    with pytest.raises(ValueError):
        update(tables, entries[:-1], base, [(k, None) for k in keys])


def _settings(content: Path, cache: Path) -> Settings:
    return Settings(content_dir=content, cache_dir=cache, site_url="https://example.test")


def _edit(content: Path) -> None:
    page = content / "pages" / "en" / "sanctuary-ordinance.md"
    head, body = page.read_text(encoding="utf-8").split("\n---\n", 1)
    page.write_text(f"{head}\n---\nA zyzzyva edit, {time.time_ns()}.\n\n{body}", encoding="utf-8")


def _index_files(cache: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (cache / "search").glob("*.bin")}


def _from_scratch(content: Path, cache: Path, key: str) -> bytes:
    """The index this build's key has when made with no earlier index (a copy of the cache);
    its base must be the same too."""
    fresh = cache.parent / "scratch-cache"
    shutil.copytree(cache, fresh)
    for kind in ("search", "searchbase", "pins"):
        shutil.rmtree(fresh / kind, ignore_errors=True)
    build(_settings(content, fresh))
    base = (fresh / "searchbase" / f"{key}.bin").read_bytes()
    assert (cache / "searchbase" / f"{key}.bin").read_bytes() == base
    return (fresh / "search" / f"{key}.bin").read_bytes()


def test_a_start_with_a_page_edited_makes_its_index_from_the_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    build(_settings(content, cache))
    before = set(_index_files(cache))
    _edit(content)
    made: list[str] = []
    real = searchcache.make
    monkeypatch.setattr(searchcache, "make", lambda ctx: made.append("scratch") or real(ctx))
    site = build(_settings(content, cache))
    assert made == []  # not from every page's entries
    (new,) = set(_index_files(cache)) - before
    key = new.removesuffix(".bin")
    assert site.search is not None
    assert site.search.index.search("en", "zyzzyva").total == 1
    monkeypatch.undo()
    assert _index_files(cache)[new] == _from_scratch(content, cache, key)
    pin = BuildCache(cache).get_bytes("pins", "search")
    assert pin == f"search/{key}\nsearchbase/{key}".encode()


@pytest.mark.parametrize("damage", ["corrupt", "missing", "base"])
def test_a_corrupt_or_missing_earlier_index_is_made_from_scratch(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    build(_settings(content, cache))
    ((path),) = (cache / ("searchbase" if damage == "base" else "search")).glob("*.bin")
    if damage == "missing":
        path.unlink()
    else:
        data = bytearray(path.read_bytes())
        data[-10] ^= 0x01
        path.write_bytes(bytes(data))
    _edit(content)
    with caplog.at_level(logging.WARNING, logger="app"):
        site = build(_settings(content, cache))
    if damage != "missing":
        assert any("not valid" in r.getMessage() for r in caplog.records)
    else:
        assert any("gone" in r.getMessage() for r in caplog.records)
    assert site.search is not None and site.search.index.search("en", "zyzzyva").total == 1
    key = BuildCache(cache).get_bytes("pins", "search").decode().split("\n")[0].split("/")[1]  # type: ignore[union-attr]
    assert (cache / "search" / f"{key}.bin").read_bytes() == _from_scratch(content, cache, key)


def test_pruning_keeps_the_pinned_index_and_its_base(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    for kind in ("search", "searchbase"):
        for key in ("old", "latest"):
            cache.put_bytes(kind, key, b"x")
    cache.put_bytes("pins", "search", b"search/latest\nsearchbase/latest")
    long_ago = time.time() - 3 * 86400
    for path in tmp_path.glob("*/*.bin"):
        os.utime(path, (long_ago, long_ago))
    BuildCache(tmp_path).prune()
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/*.bin"))
    assert left == ["pins/search.bin", "search/latest.bin", "searchbase/latest.bin"]
