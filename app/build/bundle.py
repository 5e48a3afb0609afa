"""A bundle: every build cache file a start read, in one file, named by the build's key.

A start with nothing changed knows the build's key before it reads any content file (the mark
of the last build names it; app/build/cachekey.py), so it can map the bundle and check its
CRC-32 in a thread while it imports the rest of the app (mapped, not copied; the CRC runs
without the interpreter lock): a thousand pages' entries and the search index, about 160 MB,
are then at hand, checked, when the build asks for them (app/build/cache.py). The bundle only
holds copies of cache files, each under its own kind and key: an entry found in it is the file
itself. A start that built anything writes the bundle for its own key afterwards, in a process
of its own.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mmap
import os
import struct
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .forked import being_written, detached, lock_for, unlock, wait_written

__all__ = ["being_written", "detached"]  # what a start asks of a bundle, and the tests

log = logging.getLogger("app")
MAGIC = b"la-build-bundle 2\n"  # 2: a CRC-32, mapped
KIND = "bundle"
LATEST = "latest"  # names the bundle written last
Entries = dict[tuple[str, str], memoryview]


def path(root: Path, build_key: str) -> Path:
    return root / KIND / f"{build_key}.bin"


class Prefetch:
    """A bundle being mapped and checked in a thread (`entries` waits for it)."""

    def __init__(self, file: Path):
        self.file = file
        self._data: mmap.mmap | None = None
        self._ok = False
        self._thread = threading.Thread(target=self._read, name="bundle", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        if not self.file.exists():  # being written by the start before this one
            wait_written(self.file)
        try:
            with self.file.open("rb") as handle:  # mapped, not copied: the page cache's own
                data = mmap.mmap(handle.fileno(), 0, prot=mmap.PROT_READ)
        except (OSError, ValueError):  # ValueError: an empty file
            return
        start = len(MAGIC) + 4
        stored = data[len(MAGIC) : start]
        self._ok = data[: len(MAGIC)] == MAGIC and stored == _crc(memoryview(data)[start:])
        self._data = data

    def entries(self) -> Entries | None:
        """The bundle's files by (kind, key); None (logged) when it is missing or not valid."""
        self._thread.join()
        data, self._data = self._data, None  # the caller holds it, for as long as it reads
        if data is None:
            return None
        if not self._ok:
            log.warning("build cache: %s is not valid; reading the files", self.file)
            return None
        try:
            return _index(memoryview(data)[len(MAGIC) + 4 :])
        except (ValueError, TypeError, struct.error) as exc:
            log.warning("build cache: %s is not valid (%s); reading the files", self.file, exc)
            return None


def _crc(body: memoryview | bytes) -> bytes:
    """A CRC-32 of the whole: it finds damage on disk or a short write as sha256 would, at a
    third of its cost (neither keeps out a writer who means harm: who can write the cache can
    write the code)."""
    return struct.pack(">I", zlib.crc32(body))


def _index(body: memoryview) -> Entries:
    (size,) = struct.unpack(">I", body[:4])
    listed = json.loads(bytes(body[4 : 4 + size]))
    out: Entries = {}
    at = 4 + size
    for kind, key, length in listed:
        if at + int(length) > len(body):
            raise ValueError("truncated")
        out[(str(kind), str(key))] = body[at : at + int(length)]
        at += int(length)
    if at != len(body):
        raise ValueError("trailing bytes")
    return out


def write(root: Path, build_key: str, files: Iterable[tuple[str, str]]) -> None:
    """The bundle of `files` (kind, key) for `build_key`; a file gone since is left out."""
    listed, parts = [], []
    for kind, key in dict.fromkeys(files):
        try:
            data = (root / kind / f"{key}.bin").read_bytes()
        except OSError:
            continue
        listed.append([kind, key, len(data)])
        parts.append(data)
    head = json.dumps(listed, separators=(",", ":")).encode()
    body = b"".join([struct.pack(">I", len(head)), head, *parts])
    target = path(root, build_key)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + _crc(body))
            out.write(body)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    pointer = target.parent / f".tmp-{LATEST}-{os.getpid()}"
    pointer.write_text(build_key, "ascii")
    os.replace(pointer, target.parent / LATEST)


def keep(
    root: Path,
    build_key: str,
    files: Iterable[tuple[str, str]],
    then: Callable[[], None] | None = None,
    first: Sequence[Callable[[], object]] = (),
) -> bool:
    """Do `first` (write the cache files the build left to write: the search index it made),
    write the bundle for `build_key` unless it is there, then do `then` (the cache's pruning),
    in a process nobody waits for: it reads and writes about 160 MB for 1,000 pages, and the
    server need not wait. The writer holds a lock, taken here before the fork, that a start
    right after this one waits for (`Prefetch`, in its thread, while it imports the app). False
    when there is nothing to do, or it cannot be done so (no fork, or other threads running):
    then `first` and the pruning are done here, now."""
    target = path(root, build_key)
    due = bool(build_key) and not target.is_file()
    if not due and then is None and not first:
        return False
    chosen = list(files)
    lock = lock_for(target) if due else None

    def work() -> None:
        _do(first)  # before the bundle, which holds what they write
        if due:
            try:
                write(root, build_key, chosen)
            finally:
                unlock(target, lock)
        elif build_key:  # in use: kept by the pruning (which keeps what was used lately)
            with contextlib.suppress(OSError):
                os.utime(target)
        if then is not None:
            then()

    if detached(work):
        if lock is not None:
            os.close(lock)  # here only: the writer's inherited copy keeps the lock held
        return True
    if lock is not None:
        unlock(target, lock)
        os.close(lock)
    _do(first)
    if then is not None:
        then()
    return False


def _do(jobs: Sequence[Callable[[], object]]) -> None:
    for job in jobs:
        try:
            job()
        except Exception:  # the bundle is written without what it failed to write
            log.exception("build cache: writing what the build left to write failed")


def latest(root: Path) -> str:
    """The build key of the bundle written last ("" when there is none): a start with a page
    changed reads what it holds of the entries it needs (they are keyed by content)."""
    try:
        key = (root / KIND / LATEST).read_text("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return key if len(key) == 64 and all(c in "0123456789abcdef" for c in key) else ""
