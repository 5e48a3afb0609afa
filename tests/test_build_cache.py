"""The cold build in a process pool, and the build cache: the same bytes however the site is built.

Every test builds the site more than once and compares every pre-built response (body, ETag and
headers of each variant), every error page, sample deferred responses and search results.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pytest
from conftest import parse

from app.build import pagebuild, pageset, search, searchcache
from app.build.cache import BuildCache
from app.build.site import Site, prebuild
from app.content.errors import ContentError
from app.serve.app import build
from app.settings import ROOT, Settings
from bench.synthetic import make_site

QUERIES = ("ice", "sanctuary ordinance", "policía", "deportado", "xyzzy")


def fingerprint(site: Site, deferred: int = 12) -> dict[str, str]:
    """A hash of every pre-built response, error page, some deferred ones and some searches."""
    out: dict[str, str] = {}
    paths = [p for p in site.responses if not site.responses.is_deferred(p)]
    sampled = [p for p in site.responses if site.responses.is_deferred(p)][:deferred]
    for path in [*paths, *sampled]:
        item = site.responses[path]
        digest = hashlib.sha256()
        for variant in (item.identity, *item.variants.values()):
            digest.update(
                variant.body + variant.etag.encode() + repr(item.headers(variant)).encode()
            )
        out[path] = digest.hexdigest()
    for key, page in site.errors.items():
        out[f"error {key}"] = hashlib.sha256(page.identity.body).hexdigest()
    search = site.search
    assert search is not None
    for lang in site.langs:
        for q in QUERIES:
            out[f"search {lang} {q}"] = hashlib.sha256(search.render(lang, q)[1]).hexdigest()
    return out


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def settings(content: Path, cache: Path | None, **extra: object) -> Settings:
    return Settings(content_dir=content, cache_dir=cache, site_url="https://example.test", **extra)  # type: ignore[arg-type]


def test_a_pool_build_is_byte_identical_to_a_serial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = make_site(tmp_path / "synthetic", 40)
    serial = fingerprint(build(settings(content, None, build_workers=1)))
    pools = _pool_spy(monkeypatch)
    pooled = fingerprint(build(settings(content, None, build_workers=2)))
    assert pools == [2]  # the pages were built by two forked workers
    assert serial == pooled
    assert len(serial) > 100


def test_a_warm_start_reads_every_page_from_the_cache_and_serves_the_same_bytes(
    content: Path, tmp_path: Path
) -> None:
    cold = build(settings(content, None))
    first = build(settings(content, tmp_path / "cache"))
    warm = build(settings(content, tmp_path / "cache"))
    assert first.report.from_cache == 0
    assert warm.report.from_cache == warm.report.pages == len(cold.rendered)
    assert fingerprint(cold) == fingerprint(first) == fingerprint(warm)


def test_one_changed_page_rebuilds_that_page_and_its_twin_only(
    content: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    before = build(settings(content, cache))
    page = content / "pages/en/sanctuary-ordinance.md"
    text = page.read_text()
    marker = "Sanctuary cities are"
    assert marker not in text
    head, body = text.split("\n---\n", 1)
    page.write_text(f"{head}\n---\n{marker} a test paragraph here.\n\n{body}")
    after = build(settings(content, cache))
    assert after.report.from_cache == before.report.pages - 2  # the page and its Spanish twin
    html = after.responses["/en/sanctuary-ordinance/"].identity.body.decode()
    assert any(marker in p.text() for p in parse(html).css("main p"))
    assert fingerprint(after) == fingerprint(build(settings(content, None)))


def test_a_changed_template_rebuilds_every_page(content: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    cache = tmp_path / "cache"
    build(settings(content, cache, templates_dir=templates))
    base = templates / "base.html"
    base.write_text(base.read_text().replace("</body>", '<p id="changed">x</p></body>'))
    after = build(settings(content, cache, templates_dir=templates))
    assert after.report.from_cache == 0
    html = after.responses["/en/"].identity.body.decode()
    assert parse(html).css_first("#changed") is not None


def test_a_corrupt_cache_entry_is_detected_and_rebuilt_never_served(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    expected = fingerprint(build(settings(content, cache)))
    entries = sorted((cache / "pages").glob("*.bin"))
    flipped, truncated = entries[0], entries[1]
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x40  # one bit, inside a response body or the header
    flipped.write_bytes(bytes(data))
    truncated.write_bytes(truncated.read_bytes()[:100])
    with caplog.at_level(logging.WARNING, logger="app"):
        warm = build(settings(content, cache))
    assert warm.report.from_cache == warm.report.pages - 2
    assert sum("not valid" in r.getMessage() for r in caplog.records) == 2
    assert fingerprint(warm) == expected
    again = build(settings(content, cache))  # the two entries were written again
    assert again.report.from_cache == again.report.pages


def test_an_invalid_page_is_reported_in_full_with_a_warm_cache(
    content: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    build(settings(content, cache))
    page = content / "pages/en/faq.md"
    page.write_text(page.read_text().replace("{#", "{#Bad_", 1))
    with pytest.raises(ContentError) as raised:
        build(settings(content, cache))
    problems = raised.value.problems
    assert any(p.file.endswith("faq.md") and "not allowed" in p.message for p in problems)


def _pool_spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Pools of any size for a small site; the sizes of the pools started."""
    monkeypatch.setattr(pagebuild, "MIN_PARALLEL", 2)
    pools: list[int] = []

    class Pool(pagebuild.ProcessPoolExecutor):
        def __init__(self, workers: int, **kwargs: object) -> None:
            pools.append(workers)
            super().__init__(workers, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pagebuild, "ProcessPoolExecutor", Pool)
    return pools


def test_a_pool_prebuild_writes_the_entries_a_serial_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m app build`: the pool's workers write the cache entries themselves."""
    content = make_site(tmp_path / "synthetic", 40)
    assert prebuild(settings(content, tmp_path / "serial", build_workers=1)) is not None
    pools = _pool_spy(monkeypatch)
    assert prebuild(settings(content, tmp_path / "pooled", build_workers=2)) is not None
    assert pools == [2]

    def entries(cache: Path) -> dict[str, bytes]:  # each page's build and its search segment
        return {
            f"{p.parent.name}/{p.name}": p.read_bytes()
            for kind in ("pages", "segments")
            for p in (cache / kind).glob("*.bin")
        }

    serial, pooled = entries(tmp_path / "serial"), entries(tmp_path / "pooled")
    assert len(serial) == 2 * 40  # every page (in both languages), and its segment
    assert serial == pooled
    warm = build(settings(content, tmp_path / "pooled"))
    assert warm.report.from_cache == warm.report.pages == 40
    assert fingerprint(warm) == fingerprint(build(settings(content, None)))


def test_a_pool_build_with_a_cache_has_its_workers_write_the_entries_and_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold start in the server: nothing built is sent back from a worker; what they wrote
    is read (and checked) here, and serves the bytes a build without a cache does."""
    content = make_site(tmp_path / "synthetic", 40)
    expected = fingerprint(build(settings(content, None)))
    pools = _pool_spy(monkeypatch)
    sent_back: list[int] = []
    monkeypatch.setattr(pagebuild, "_build_batch", lambda keys: sent_back.append(len(keys)))
    stored: list[int] = []
    real = pageset.store_pages

    def spy(ctx, chosen, *args, **kwargs):  # type: ignore[no-untyped-def]
        stored.append(len(chosen))
        return real(ctx, chosen, *args, **kwargs)

    monkeypatch.setattr(pageset, "store_pages", spy)
    cold = build(settings(content, tmp_path / "cache", build_workers=2))
    assert pools == [2] and stored == [40] and sent_back == []
    assert cold.report.from_cache == 0  # built now (and read back from what the workers wrote)
    assert len(list((tmp_path / "cache" / "pages").glob("*.bin"))) == 40
    assert fingerprint(cold) == expected


def test_a_cold_pool_build_makes_its_index_from_the_stored_segments_before_reading_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's child starts once the pool has put every page in the cache, before any page
    is read back here: it reads the segments the workers wrote, and the index is the one a
    build without a cache makes. A segment gone makes the child fail: the index is made here."""
    content = make_site(tmp_path / "synthetic", 40)
    expected = fingerprint(build(settings(content, None)))
    _pool_spy(monkeypatch)
    events: list[str] = []
    real_make, real_cached = searchcache.make, pageset._cached

    def make(ctx, stored=False):  # type: ignore[no-untyped-def]
        events.append(f"make stored={stored}")
        return real_make(ctx, stored)

    def cached(cache, content, keys, read):  # type: ignore[no-untyped-def]
        events.append(f"read {len(keys)}")
        return real_cached(cache, content, keys, read)

    def forked(work):  # type: ignore[no-untyped-def]
        done = work()  # here, so that what it did is seen (a fork's would not be)
        return lambda: done is not False

    monkeypatch.setattr(search, "can_fork", lambda: True)  # as the server, before it serves
    monkeypatch.setattr(searchcache, "make", make)
    monkeypatch.setattr(pageset, "_cached", cached)
    monkeypatch.setattr(search, "forked", forked)
    cold = build(settings(content, tmp_path / "cache", build_workers=2))
    assert events == ["read 40", "make stored=True", "read 40"]  # none found; the index; built
    assert fingerprint(cold) == expected
    events.clear()
    real_segment = BuildCache.segment
    lost = sorted((tmp_path / "cache" / "segments").glob("*.bin"))[0].stem

    def segment(self, key):  # type: ignore[no-untyped-def]
        return None if key == lost else real_segment(self, key)

    monkeypatch.setattr(BuildCache, "segment", segment)
    shutil.rmtree(tmp_path / "cache" / "pages")
    for kind in ("search", "pins"):  # no index, and none to make it from
        shutil.rmtree(tmp_path / "cache" / kind)
    again = build(settings(content, tmp_path / "cache", build_workers=2))
    assert events == ["read 40", "make stored=True", "read 40", "make stored=False"]
    assert fingerprint(again) == expected


def test_a_few_changed_pages_are_built_by_a_child_while_the_rest_are_read(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One page changed (and so its twin): a forked child builds the two and writes their
    entries while the others are read here; then theirs are read. An invalid page makes the
    child fail quietly, and the build here reports every problem."""
    cache = tmp_path / "cache"
    build(settings(content, cache))
    page = content / "pages/en/sanctuary-ordinance.md"
    page.write_text(page.read_text().replace("\n---\n", "\n---\nA new first line.\n\n", 1))
    expected = fingerprint(build(settings(content, None)))
    events: list[str] = []
    real_cached = pageset._cached

    def cached(cache, content, keys, read):  # type: ignore[no-untyped-def]
        events.append(f"read {len(keys)}")
        return real_cached(cache, content, keys, read)

    def forked(work):  # type: ignore[no-untyped-def]
        events.append("child")
        done = work()  # here, so that the order is seen
        events.append(f"child done {done}")
        return lambda: done is not False

    monkeypatch.setattr(pageset, "_cached", cached)
    monkeypatch.setattr(pageset, "forked", forked)
    monkeypatch.setattr(pagebuild, "build_page", _counting(pagebuild.build_page, events))
    after = build(settings(content, cache))
    pages = after.report.pages
    assert events[:3] == ["child", "built", "built"]
    assert events[3:] == ["child done True", f"read {pages - 2}", "read 2"]
    assert after.report.from_cache == pages - 2  # the two built now are not counted as read
    assert fingerprint(after) == expected
    events.clear()
    page.write_text(page.read_text().replace("{#", "{#Bad_", 1))
    with pytest.raises(ContentError) as raised:
        build(settings(content, cache))
    assert events[:2] == ["child", "child done False"]  # checked, not built, and nothing logged
    problems = raised.value.problems
    assert any(p.file.endswith("sanctuary-ordinance.md") for p in problems)


def _counting(real, events):  # type: ignore[no-untyped-def]
    def build_page(ctx, page):  # type: ignore[no-untyped-def]
        events.append("built")
        return real(ctx, page)

    return build_page


def test_an_invalid_page_stops_a_pool_prebuild_with_the_full_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = make_site(tmp_path / "synthetic", 40)
    page = sorted((content / "pages/en").glob("*.md"))[-1]
    page.write_text(page.read_text().replace("{#", "{#Bad_", 1))
    pools = _pool_spy(monkeypatch)
    cache = tmp_path / "cache"
    with pytest.raises(ContentError) as raised:
        prebuild(settings(content, cache, build_workers=2))
    assert pools == [2]
    problems = raised.value.problems
    assert any(p.file.endswith(f"en/{page.name}") and "not allowed" in p.message for p in problems)
    assert not (cache / "built").exists()  # nothing marks this content as built


def test_a_prebuild_after_one_change_builds_that_page_and_reads_no_other_entry(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checking step of `python -m app serve` only fills the cache: pages already there are
    not read (the server reads and checks them, and rebuilds a corrupt one)."""
    cache = tmp_path / "cache"
    assert prebuild(settings(content, cache)) is not None
    page = content / "pages/en/sanctuary-ordinance.md"
    page.write_text(page.read_text().replace("\n---\n", "\n---\nA new first line.\n\n", 1))
    (victim,) = [p for p in sorted((cache / "pages").glob("*.bin"))[:1]]
    victim.write_bytes(b"corrupt")  # not read by the prebuild: the server finds it
    read: list[str] = []
    monkeypatch.setattr(BuildCache, "page", lambda self, key, page: read.append(key))
    built: list[int] = []
    real = pageset.store_pages

    def spy(ctx, chosen, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(len(chosen))
        return real(ctx, chosen, *args, **kwargs)

    monkeypatch.setattr(pageset, "store_pages", spy)
    assert prebuild(settings(content, cache)) is not None
    assert read == []  # no entry was read
    assert built == [2]  # the page and its Spanish twin (checked with it)
    monkeypatch.undo()
    after = build(settings(content, cache))
    assert after.report.from_cache == after.report.pages - 1  # the corrupt one, rebuilt here


def test_only_a_build_that_wrote_pages_prunes_the_cache(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    build(settings(content, cache))
    pruned: list[bool] = []
    monkeypatch.setattr(BuildCache, "prune", lambda self: pruned.append(True))
    build(settings(content, cache))
    assert pruned == []  # nothing new: no walk over every file
    page = content / "pages/en/about.md"
    page.write_text(page.read_text() + "\nOne more line.\n")
    build(settings(content, cache))
    assert pruned == [True]
