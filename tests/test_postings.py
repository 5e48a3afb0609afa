"""The search index's arrays (app/build/postings.py) against a plain reference, and their cache.

The reference is the dictionary index the site used before the arrays: each mention adds its
column's BM25F factor to the (term, entry) pair. The arrays must hold the same pairs with the same
pseudo-frequencies, and the same word counts for "did you mean", for every term of the real site.
"""

from __future__ import annotations

import logging
import math
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from app.build.postings import COLUMNS, STEMS, WORDS, Segment, Tables, factors
from app.build.search import Index
from app.build.searchrows import Analyzed, Entry, analyze
from app.build.searchtext import Analyzer
from app.serve.app import build
from app.settings import ROOT, Settings

B, WEIGHTS = 0.75, (8.0, 6.0, 6.0, 1.0, 0.5)


@pytest.fixture(scope="module")
def entries(site) -> tuple[Entry, ...]:  # type: ignore[no-untyped-def]
    return site.search.index.entries


def reference(rows: list[Analyzed]) -> dict[tuple[str, int, str], dict[int, float]]:
    """(language, kind, term) -> {entry: pseudo-frequency}, the dictionary way."""
    average: dict[tuple[str, int], float] = {}
    for lang in {r.entry.lang for r in rows}:
        for c in range(COLUMNS):
            lengths = [len(r.columns[c][1]) for r in rows if r.entry.lang == lang]
            lengths = [n for n in lengths if n]
            average[(lang, c)] = max(sum(lengths) / max(len(lengths), 1), 1.0)
    out: dict[tuple[str, int, str], dict[int, float]] = defaultdict(dict)
    for key, row in enumerate(rows):
        lang = row.entry.lang
        for c, (words, stems) in enumerate(row.columns):
            factor = WEIGHTS[c] / (1 - B + B * len(stems) / average[(lang, c)])
            for kind, terms in ((STEMS, stems), (WORDS, words)):
                for term in terms:
                    posting = out[(lang, kind, term)]
                    posting[key] = posting.get(key, 0.0) + factor
    return out


def test_the_merged_arrays_hold_every_posting_of_the_reference(entries: tuple[Entry, ...]) -> None:
    analyzers = {lang: Analyzer(lang) for lang in {e.lang for e in entries}}
    rows = [analyze(e, analyzers[e.lang]) for e in entries]
    # split into page-sized segments, as the build makes them
    by_page: dict[str, list[Analyzed]] = defaultdict(list)
    for row in rows:
        by_page[row.entry.url.split("#")[0]].append(row)
    segments = [Segment.of(group) for group in by_page.values()]
    ordered = [row for group in by_page.values() for row in group]
    tables = Tables.build(segments)
    expected = reference(ordered)
    assert len(expected) > 5000
    seen = 0
    for number, lang in enumerate(tables.langs):
        for kind, table in ((STEMS, tables.stems), (WORDS, tables.words)):
            for term in table.ids:
                keys, values = table.postings(number, term)
                want = expected.get((lang, kind, term), {})
                assert keys == sorted(want), (lang, kind, term)
                for key, value in zip(keys, values, strict=True):
                    assert math.isclose(value, want[key], rel_tol=1e-9), (lang, term, key)
                seen += bool(keys)
    assert seen == len(expected)  # no (language, term) missing from the arrays
    for number, lang in enumerate(tables.langs):
        counts: dict[str, int] = defaultdict(int)
        for row in ordered:
            if row.entry.lang == lang:
                for words, _ in row.columns:
                    for word in words:
                        counts[word] += 1
        assert tables.words.known(number) == counts


def test_factors_are_per_language_averages_over_entries_that_have_the_column() -> None:
    lengths = np.array([[2, 0, 0, 10, 0], [4, 3, 0, 30, 0], [1, 1, 0, 5, 0]])
    langs = np.array([0, 0, 1])
    weights = factors(lengths, langs)
    assert math.isclose(weights[0, 0], 8.0 / (1 - B + B * 2 / 3.0))  # (2 + 4) / 2
    assert math.isclose(weights[1, 3], 1.0 / (1 - B + B * 30 / 20.0))
    assert math.isclose(weights[2, 3], 1.0)  # alone in its language: its own average


def test_a_segment_and_the_tables_come_back_the_same_from_bytes(
    entries: tuple[Entry, ...],
) -> None:
    analyzer = {lang: Analyzer(lang) for lang in ("en", "es")}
    rows = [analyze(e, analyzer[e.lang]) for e in entries]
    segment = Segment.of(rows)
    again = Segment.from_bytes(segment.to_bytes())
    assert again.entries == segment.entries and again.joined == segment.joined
    assert again.terms == segment.terms
    assert (again.lengths == segment.lengths).all()
    assert all((a == b).all() for a, b in zip(again.postings, segment.postings, strict=True))
    index = Index([segment])
    tables, found = Tables.from_bytes(index.tables.to_bytes(index.entries))
    loaded = Index(found, None, tables)
    for lang, q in (("en", "sanctuary ordinance"), ("es", "policía"), ("en", "ice raid")):
        assert loaded.search(lang, q) == index.search(lang, q)
    with pytest.raises(ValueError):
        Segment.from_bytes(segment.to_bytes()[:-3])
    with pytest.raises(TypeError):  # tables made before come with their entries, not segments
        Index([segment], None, tables)


def _settings(content: Path, cache: Path) -> Settings:
    return Settings(content_dir=content, cache_dir=cache, site_url="https://example.test")


def _results(index: Index) -> list[object]:
    queries = (("en", "sanctuary"), ("es", "policía"), ("en", "special order 40"), ("es", "migra"))
    return [index.search(lang, q) for lang, q in queries]


def test_a_lost_or_corrupt_index_or_page_entries_are_made_again_never_served(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = tmp_path / "cache"
    first = build(_settings(content, cache))
    assert first.search is not None
    expected = _results(first.search.index)
    (index_file,) = (cache / "search").glob("*.bin")
    data = bytearray(index_file.read_bytes())
    data[-10] ^= 0x01
    index_file.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="app"):
        again = build(_settings(content, cache))
    assert any("not valid" in r.getMessage() for r in caplog.records)
    assert again.search is not None and _results(again.search.index) == expected
    # the index and every page's counted entries gone: counted again from the pages
    shutil.rmtree(cache / "search")
    shutil.rmtree(cache / "segments")
    third = build(_settings(content, cache))
    assert third.report.from_cache == third.report.pages
    assert third.search is not None and _results(third.search.index) == expected


def test_work_for_a_child_runs_in_a_fork_alone_and_here_beside_other_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import threading

    from app.build import forked as module
    from app.build.forked import forked

    def work() -> None:
        (tmp_path / f"{os.getpid()}").write_text("done")

    # as in `python -m app serve` before its server starts (earlier tests leave threads)
    monkeypatch.setattr(module.threading, "active_count", lambda: 1)
    assert forked(work)()  # no other thread: a child did it
    (child,) = [p.name for p in tmp_path.iterdir()]
    assert child != str(os.getpid())
    monkeypatch.undo()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert forked(work)()
    finally:
        stop.set()
        other.join()
    assert (tmp_path / str(os.getpid())).read_text() == "done"  # done here, not in a fork

    def fails() -> None:
        raise RuntimeError("no")

    monkeypatch.setattr(module.threading, "active_count", lambda: 1)
    assert forked(fails)() is False
    assert forked(lambda: False)() is False  # a quiet failure: nothing to log
    assert forked(lambda: None)() is True
    monkeypatch.setattr(module.threading, "active_count", lambda: 2)
    assert forked(lambda: False)() is False  # the same, done here


def test_a_cold_build_makes_its_index_in_a_child_as_the_server_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """`python -m app serve` builds with no other thread running, so the index is made in a
    forked child and read back from the cache: the same results as a build without a cache."""
    import os

    from app.build import forked as module
    from app.build.cache import BuildCache

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    writers: list[int] = []
    real = BuildCache.put_bytes

    def put_bytes(self: BuildCache, kind: str, key: str, data: bytes) -> None:
        if kind == "search":
            (tmp_path / f"search-by-{os.getpid()}").write_text(key)
        real(self, kind, key, data)

    monkeypatch.setattr(BuildCache, "put_bytes", put_bytes)
    monkeypatch.setattr(module.threading, "active_count", lambda: 1)
    with caplog.at_level(logging.WARNING, logger="app"):
        site = build(_settings(content, tmp_path / "cache"))
    writers = [int(p.name.split("-")[-1]) for p in tmp_path.glob("search-by-*")]
    assert writers and os.getpid() not in writers  # written by the child, read back here
    assert not [r for r in caplog.records if "child" in r.getMessage()]
    plain = build(Settings(content_dir=content, cache_dir=None, site_url="https://example.test"))
    assert site.search is not None and plain.search is not None
    assert _results(site.search.index) == _results(plain.search.index)


def test_a_stage_that_fails_while_a_child_makes_the_index_waits_for_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from app.build import forked as module
    from app.build import search
    from app.build import site as site_module

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    waited: list[bool] = []
    real = module.forked

    def forked(work):  # type: ignore[no-untyped-def]
        wait = real(work)
        return lambda: waited.append(wait()) or waited[-1]

    def broken(ctx, out):  # type: ignore[no-untyped-def]
        raise RuntimeError("a stage failed")

    monkeypatch.setattr(search, "forked", forked)
    monkeypatch.setattr(module.threading, "active_count", lambda: 1)
    at = site_module.STAGES.index(search.start_stage) + 1
    stages = (*site_module.STAGES[:at], broken, *site_module.STAGES[at:])
    monkeypatch.setattr(site_module, "STAGES", stages)
    with pytest.raises(RuntimeError, match="a stage failed"):
        build(_settings(content, tmp_path / "cache"))
    assert waited == [True]  # the child was waited for (reaped), and it had finished its work
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind
