"""The bundle (app/build/bundle.py): the cache files a build read, in one file, read in a thread.

A start that reads its files from the bundle serves exactly what one that reads them one by one
does; a corrupt bundle is noticed and the files are read instead; nothing of it stays in memory.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from test_build_cache import fingerprint, settings

from app.build import bundle, forked
from app.serve.app import build
from app.settings import ROOT


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def _bundled(content: Path, cache: Path) -> tuple[dict[str, str], Path]:
    first = build(settings(content, cache))
    assert first.build_key
    kinds = {kind for kind, _ in first.cache_files}
    assert {"heads", "pages", "search"} <= kinds  # every page's entry and the index
    bundle.write(cache, first.build_key, first.cache_files)
    return fingerprint(first), bundle.path(cache, first.build_key)


def test_a_start_from_the_bundle_reads_no_page_file_and_serves_the_same(
    content: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    expected, file = _bundled(content, cache)
    for kind in ("pages", "search", "heads"):  # only the bundle holds them now
        shutil.rmtree(cache / kind)
    prefetch = bundle.Prefetch(file)
    warm = build(settings(content, cache), bundle=prefetch)
    assert warm.report.from_cache == warm.report.pages
    assert warm.report.bundled >= warm.report.pages  # and the index, the heads, the lists
    assert f"; {warm.report.bundled} files from the bundle)" in warm.report.line()
    assert fingerprint(warm) == expected
    assert prefetch.entries() is None  # handed over once: the prefetch holds nothing after


def test_a_corrupt_bundle_is_noticed_and_the_files_are_read(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    expected, file = _bundled(content, cache)
    data = bytearray(file.read_bytes())
    data[len(data) // 2] ^= 0x01
    file.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="app"):
        warm = build(settings(content, cache), bundle=bundle.Prefetch(file))
    assert any("is not valid; reading the files" in r.getMessage() for r in caplog.records)
    assert warm.report.from_cache == warm.report.pages  # from the files
    assert fingerprint(warm) == expected
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(file.read_bytes()[:1000])
    assert bundle.Prefetch(truncated).entries() is None
    assert bundle.Prefetch(tmp_path / "missing.bin").entries() is None


def test_an_entry_taken_from_the_bundle_is_the_file_it_copies(tmp_path: Path) -> None:
    for kind, key, data in (("pages", "a", b"one"), ("search", "b", b"two" * 1000)):
        (tmp_path / kind).mkdir()
        (tmp_path / kind / f"{key}.bin").write_bytes(data)
    bundle.write(tmp_path, "k", [("pages", "a"), ("search", "b"), ("pages", "gone")])
    entries = bundle.Prefetch(bundle.path(tmp_path, "k")).entries()
    assert entries is not None
    assert {k: bytes(v) for k, v in entries.items()} == {
        ("pages", "a"): b"one",
        ("search", "b"): b"two" * 1000,
    }


def _alone(script: str, arg: Path) -> subprocess.CompletedProcess[str]:
    """`script` in a process of one thread, as the server is when it forks (this one has
    others, so it would not fork)."""
    return subprocess.run(
        [sys.executable, "-c", script, str(arg)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )


DETACHED = """
import sys, time
from pathlib import Path
from app.build import bundle, forked
done = Path(sys.argv[1])
def work():
    time.sleep(0.5)
    done.write_text("yes")
started = time.perf_counter()
print(bundle.detached(work), time.perf_counter() - started < 0.4)
"""


def test_the_bundle_is_written_by_a_process_nobody_waits_for(tmp_path: Path) -> None:
    """In a process of one thread, as the server is when it writes it (this one has others)."""
    done = tmp_path / "done"
    result = _alone(DETACHED, done)
    assert result.stdout.split() == ["True", "True"]  # returned before the work finished
    deadline = time.perf_counter() + 10
    while not done.exists() and time.perf_counter() < deadline:
        time.sleep(0.05)
    assert done.read_text() == "yes"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # another thread might hold a lock the child would need: not forked
        assert not bundle.detached(lambda: None)
        assert not bundle.keep(tmp_path, "key", [])
    finally:
        stop.set()
        other.join()


def test_a_start_with_a_page_changed_reads_the_rest_from_the_last_bundle(
    content: Path, tmp_path: Path
) -> None:
    """Entries are keyed by content: the last bundle holds every unchanged page's."""
    cache = tmp_path / "cache"
    _bundled(content, cache)
    assert bundle.latest(cache) and bundle.path(cache, bundle.latest(cache)).is_file()
    shutil.rmtree(cache / "pages")  # only the bundle holds the unchanged pages now
    page = content / "pages/en/sanctuary-ordinance.md"
    page.write_text(page.read_text() + "\nOne more line.\n")
    expected = fingerprint(build(settings(content, None)))
    changed = build(
        settings(content, cache), bundle=bundle.Prefetch(bundle.path(cache, bundle.latest(cache)))
    )
    assert changed.report.from_cache == changed.report.pages - 2  # the page and its twin
    assert fingerprint(changed) == expected
    (cache / "bundle" / bundle.LATEST).write_text("not a key")
    assert bundle.latest(cache) == ""


def test_the_pruning_can_be_left_to_the_server(content: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build(settings(content, cache))
    old = cache / "pages" / "unused.bin"
    old.write_bytes(b"x")
    os.utime(old, (0, 0))  # unused for longer than the cache keeps anything
    page = content / "pages/en/about.md"
    page.write_text(page.read_text() + "\nOne more line.\n")
    left = build(settings(content, cache), leave_pruning=True)
    assert old.exists() and left.prune is not None
    left.prune()
    assert not old.exists()
    page.write_text(page.read_text() + "\nAnd one more.\n")
    old.write_bytes(b"x")
    os.utime(old, (0, 0))
    assert build(settings(content, cache)).prune is None  # pruned in the build
    assert not old.exists()


def test_a_start_reads_the_last_bundle_while_its_own_is_still_being_written(
    tmp_path: Path,
) -> None:
    from app.__main__ import _prefetch
    from app.build.cachekey import LastBuild

    for key in ("a" * 64, "b" * 64):
        (tmp_path / "pages").mkdir(exist_ok=True)
        (tmp_path / "pages" / f"{key}.bin").write_bytes(key.encode())
    bundle.write(tmp_path, "a" * 64, [("pages", "a" * 64)])  # the latest written
    own = LastBuild(tmp_path, "env", "stamp", True, "b" * 64)  # not written yet
    found = _prefetch(own)
    assert found is not None and found.file == bundle.path(tmp_path, "a" * 64)
    bundle.write(tmp_path, "b" * 64, [("pages", "b" * 64)])
    found = _prefetch(LastBuild(tmp_path, "env", "stamp", True, "a" * 64))
    assert found is not None and found.file == bundle.path(tmp_path, "a" * 64)  # its own
    changed = LastBuild(tmp_path, "env", "other", False)
    found = _prefetch(changed)
    assert found is not None and found.file == bundle.path(tmp_path, "b" * 64)  # the latest
    assert found.entries() == {("pages", "b" * 64): memoryview(b"b" * 64)}


def test_a_start_right_after_one_that_writes_the_bundle_waits_for_it(tmp_path: Path) -> None:
    """The writer holds a lock from before its fork until the bundle is in place: a start that
    comes while it writes maps the finished bundle, not nothing; then the pruning follows."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.bin").write_bytes(b"one")
    target = bundle.path(tmp_path, "c" * 64)
    writing = threading.Event()
    real_write = bundle.write

    def slow_write(root: Path, key: str, files: list[tuple[str, str]]) -> None:
        writing.set()
        time.sleep(0.3)  # a thousand pages' bundle takes about this long
        real_write(root, key, files)

    held = forked.lock_for(target)  # as `keep` takes it, before the writer starts
    assert held is not None and bundle.being_written(target) and not target.exists()
    worker = threading.Thread(
        target=lambda: (
            slow_write(tmp_path, "c" * 64, [("pages", "a")]),
            forked.unlock(target, held),
        ),
    )
    worker.start()
    assert writing.wait(5)
    started = time.perf_counter()
    entries = bundle.Prefetch(target).entries()  # the next start's, while it is being written
    worker.join()
    os.close(held)
    assert entries == {("pages", "a"): memoryview(b"one")}
    assert time.perf_counter() - started >= 0.2  # it waited for the writer
    assert not bundle.being_written(target) and not forked.lock_path(target).exists()
    result = _alone(KEEP_THEN_START, tmp_path)
    assert result.stdout.split() == ["True", "True", "True", "yes", "False"]


KEEP_THEN_START = """
import sys, time
from pathlib import Path
from app.build import bundle
root = Path(sys.argv[1])
(root / "pages" / "b.bin").write_bytes(b"two")
real = bundle.write
def slow(*args):
    time.sleep(0.3)  # a thousand pages' bundle takes about this long
    real(*args)
bundle.write = slow
kept = bundle.keep(root, "d" * 64, [("pages", "b")], lambda: (root / "pruned").write_text("yes"))
found = bundle.Prefetch(bundle.path(root, "d" * 64)).entries()  # the next start, right after
print(kept, found == {("pages", "b"): memoryview(b"two")}, bundle.latest(root) == "d" * 64)
deadline = time.perf_counter() + 10
while not (root / "pruned").exists() and time.perf_counter() < deadline:
    time.sleep(0.02)
print((root / "pruned").read_text())  # after the bundle, in the same detached process
print(bundle.keep(root, "d" * 64, [("pages", "b")], None))  # there already: nothing to do
"""


def test_what_the_build_left_to_write_is_written_before_the_bundle_that_holds_it(
    tmp_path: Path,
) -> None:
    """After a start with a page changed, the index it made from an earlier one is written by
    the process that writes the bundle, first: the bundle holds it, and a start right after
    waits for both (the lock is taken before the fork)."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.bin").write_bytes(b"one")
    result = _alone(FIRST_THEN_BUNDLE, tmp_path)
    assert result.stdout.split() == ["True", "True"]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # not forked beside another thread: done here, now, the jobs first
        done: list[str] = []
        kept = bundle.keep(
            tmp_path,
            "e" * 64,
            [],
            lambda: done.append("pruned"),
            [lambda: done.append("index"), lambda: 1 / 0],
        )
        assert not kept and done == ["index", "pruned"]  # a job that fails is logged, no more
    finally:
        stop.set()
        other.join()


FIRST_THEN_BUNDLE = """
import sys, time
from pathlib import Path
from app.build import bundle
root = Path(sys.argv[1])
def index():
    time.sleep(0.3)  # a thousand pages' index takes about this long to write
    (root / "search").mkdir()
    (root / "search" / "k.bin").write_bytes(b"the index")
files = [("pages", "a"), ("search", "k")]
kept = bundle.keep(root, "d" * 64, files, None, [index])
found = bundle.Prefetch(bundle.path(root, "d" * 64)).entries()  # the next start, right after
expected = {("pages", "a"): memoryview(b"one"), ("search", "k"): memoryview(b"the index")}
print(kept, found == expected)
"""
