"""The build cache under `build/cache/`: each page's build, and each page file's front matter.

An entry is one file: a magic line, the sha256 of the rest, then a JSON header (with the key it
was written for) and the bytes of its responses. Reading checks all three; a file that fails any
check (corrupt, truncated, written for another key, or from another format) is a miss, logged,
and is rebuilt and written over. Nothing is unpickled. Keys are content hashes
(app/build/cachekey.py), so a stale entry is never looked up: a change makes a new key.
"""

from __future__ import annotations

import functools
import logging
import os
import struct
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..content.loader import Head
from ..content.records import Page
from ..content.schema import PageMeta
from ..markdown.citations import CiteKey, Note
from ..markdown.tokens import Section, SectionSlice
from ..render.pages import RenderedPage
from .cachefile import Corrupt
from .cachefile import pack as _pack
from .cachefile import unpack as _unpack
from .pageparts import PageBuild
from .postings import Segment
from .prebuilt import Prebuilt, Variant

log = logging.getLogger("app")
KEEP_DAYS = 1  # entries no build has used for this long are removed


class BuildCache:
    def __init__(self, root: Path, bundle: Mapping[tuple[str, str], memoryview] | None = None):
        self.root = root
        self._root = os.fspath(root)
        self.bundle = bundle or {}  # files read, and checked, in one (app/build/bundle.py)
        self.files: dict[tuple[str, str], None] = {}  # (kind, key) read or written, in order
        self.used: set[str] = set()  # paths, as strings (a Path each costs more than reading)
        self.bundled = 0  # files read from the bundle
        self.prune_due = False  # this build wrote pages: entries no build uses may be left
        self.heads_read = False
        self.stored_heads: dict[str, Any] = {}  # front matter as read, by the file's digest
        self.hits: set[str] = set()  # page keys found
        # one object per distinct citation key across pages (a large site cites the same few
        # hundred excerpts and references tens of thousands of times)
        self.citekeys: dict[tuple[str, str, str], CiteKey] = {}

    # -- files ---------------------------------------------------------------------------

    def _path(self, kind: str, key: str) -> str:
        return f"{self._root}/{kind}/{key}.bin"

    def _read(self, kind: str, key: str) -> tuple[dict[str, Any], memoryview] | None:
        path = self._path(kind, key)
        bundled = self.bundle.get((kind, key))
        try:
            data = _read_file(path) if bundled is None else bundled
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("build cache: cannot read %s (%s); rebuilding it", path, exc)
            return None
        try:
            header, blobs = _unpack(data, checked=bundled is not None)
            if header.get("key") != key or header.get("kind") != kind:
                raise Corrupt("written for another key")
        except (Corrupt, ValueError, UnicodeDecodeError, struct.error) as exc:
            log.warning("build cache: %s is not valid (%s); rebuilding it", path, exc)
            return None
        self.used.add(path)
        self.files[(kind, key)] = None
        self.bundled += bundled is not None
        return header, blobs

    def _write(self, kind: str, key: str, header: dict[str, Any], blobs: bytes) -> None:
        path = self._path(kind, key)
        header = {**header, "key": key, "kind": kind}
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_pack(header, blobs))
            os.replace(temporary, path)  # readers see the old file or the new one, never half
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.used.add(path)
        self.files[(kind, key)] = None

    def prune(self) -> None:
        """Remove entries that this build did not use and no build used for KEEP_DAYS."""
        cutoff = time.time() - KEEP_DAYS * 86400
        kept = self.used | self.pinned()
        for path in self.root.glob("*/*.bin"):
            try:
                if str(path) not in kept and path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                continue

    def pinned(self) -> set[str]:
        """The entries each pin names (`pins/<name>.bin`, lines of `kind/key`: the latest search
        index, which the next build may make its own from), and the pins."""
        out: set[str] = set()
        for pin in self.root.glob("pins/*.bin"):
            found = self._read("pins", pin.stem)
            for line in bytes(found[1]).decode("utf-8", "replace").split() if found else ():
                kind, _, key = line.partition("/")
                out.add(self._path(kind, key))
        return out

    def has(self, kind: str, key: str) -> bool:
        """An entry is there (not read, so not checked: reading it may still find it corrupt)."""
        return (kind, key) in self.bundle or os.path.isfile(self._path(kind, key))

    def get_bytes(self, kind: str, key: str) -> bytes | None:
        found = self._read(kind, key)
        return bytes(found[1]) if found is not None else None

    def put_bytes(self, kind: str, key: str, data: bytes) -> None:
        self._write(kind, key, {}, data)

    def responses(self, kind: str, key: str) -> dict[str, Prebuilt] | None:
        found = self._read(kind, key)
        if found is None:
            return None
        try:
            blobs = _Blobs(found[1])
            out = {str(path): _unprebuilt(item, blobs) for path, item in found[0]["responses"]}
            if blobs.offset != len(blobs.data):
                raise Corrupt("trailing bytes")
            return out
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("build cache: %s entry not valid (%s); rebuilding", kind, exc)
            return None

    def put_responses(self, kind: str, key: str, responses: dict[str, Prebuilt]) -> None:
        blobs = bytearray()
        header = {"responses": [[path, _prebuilt(item, blobs)] for path, item in responses.items()]}
        self._write(kind, key, header, bytes(blobs))

    def has_mark(self, kind: str, key: str) -> bool:
        return self._read(kind, key) is not None

    def mark(self, kind: str, key: str, **fields: str) -> None:
        self._write(kind, key, fields, b"")

    # -- front matter --------------------------------------------------------------------

    def heads(self, environment: str) -> dict[str, Head]:
        found = self._read("heads", environment)
        if found is None:
            return {}
        try:
            stored = found[0]["heads"]
            heads = {
                digest: (PageMeta.model_validate_json(meta), line, start)
                for digest, (meta, line, start) in stored.items()
            }
            self.heads_read = True
            self.stored_heads = stored  # written again as they are (a page's file not re-read)
            return heads
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("build cache: front matter not valid (%s); reading the files", exc)
            return {}

    def put_heads(self, environment: str, pages: list[Page]) -> None:
        stored = self.stored_heads
        heads = {
            p.digest: stored.get(p.digest)
            or [p.meta.model_dump_json(), p.body_line, _body_start(p)]
            for p in pages
        }
        self._write("heads", environment, {"heads": heads}, b"")

    # -- page builds ---------------------------------------------------------------------

    def page(self, key: str, page: Page) -> PageBuild | None:
        found = self._read("pages", key)
        if found is None:
            return None
        try:
            segment = functools.partial(self.segment, key)
            built = _decode(found[0], found[1], page, segment, self.citekeys)
            self.hits.add(key)
            self.used.add(self._path("segments", key))  # read only to make the index again
            return built
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            log.warning("build cache: page entry %s not valid (%s); rebuilding", key[:12], exc)
            return None

    def put_page(self, key: str, built: PageBuild) -> None:
        blobs = bytearray()
        header = _encode(built, blobs)
        self._write("pages", key, header, bytes(blobs))
        segment = built.search()
        if segment is not None:
            self.put_bytes("segments", key, segment.to_bytes())

    def holds_page(self, key: str) -> bool:
        """Both files of a page's build are there (not read: whoever reads them checks them, and
        rebuilds a corrupt one); kept by this build's pruning."""
        paths = [self._path("pages", key), self._path("segments", key)]
        if not all(os.path.isfile(p) for p in paths):
            return False
        self.used.update(paths)
        return True

    def segment(self, key: str) -> Segment | None:
        """A page's search entries, counted (kept apart from the page: a start whose index is
        in the cache never reads them); None when missing or not valid."""
        data = self.get_bytes("segments", key)
        if data is None:
            return None
        try:
            return Segment.from_bytes(data)
        except (ValueError, TypeError, KeyError) as exc:
            log.warning("build cache: search entries %s not valid (%s); remaking", key[:12], exc)
            return None


def _read_file(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _body_start(page: Page) -> int:
    text = page.path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return len(text) - len(page.body)


# --------------------------------------------------------------------------- the file format


def _blob(data: bytes, blobs: bytearray) -> int:
    blobs.extend(data)
    return len(data)


def _prebuilt(item: Prebuilt, blobs: bytearray) -> dict[str, Any]:
    def variant(v: Variant) -> list[Any]:
        blobs.extend(v.body)
        return [v.etag, v.encoding, len(v.body)]

    return {
        "media_type": item.media_type,
        "cache_control": item.cache_control,
        "extra_headers": [list(h) for h in item.extra_headers],
        "identity": variant(item.identity),
        "variants": {name: variant(v) for name, v in item.variants.items()},
    }


def _encode(built: PageBuild, blobs: bytearray) -> dict[str, Any]:
    r = built.rendered
    keys: dict[CiteKey, int] = {}  # each distinct citation key once; the rest refer to it

    def key(k: CiteKey) -> int:
        return keys.setdefault(k, len(keys))

    return {
        "sections": [[s.id, s.title, s.level] for s in r.sections],
        "cited": [key(k) for k in r.cited],
        "version": r.version,
        "notes": [[n.number, key(n.key), list(n.markers), n.figure] for n in r.notes],
        "slices": [[s.start, s.body, s.end] for s in built.slices],
        "citations": [[key(k), section] for k, section in built.citations],
        "keys": [[k.kind, k.target, k.excerpt] for k in keys],
        "response": _prebuilt(built.response, blobs),
        "api": _prebuilt(built.api, blobs),
    }


class _Blobs:
    def __init__(self, data: bytes | memoryview):
        self.data, self.offset = memoryview(data), 0

    def take(self, size: int) -> bytes:
        if self.offset + size > len(self.data):
            raise Corrupt("truncated")
        out = bytes(self.data[self.offset : self.offset + size])
        self.offset += size
        return out


def _unprebuilt(d: dict[str, Any], blobs: _Blobs) -> Prebuilt:
    def variant(v: list[Any]) -> Variant:
        etag, encoding, size = v
        return Variant(blobs.take(int(size)), str(etag), encoding)

    identity = variant(d["identity"])
    variants = {str(name): variant(v) for name, v in d["variants"].items()}
    headers = tuple((str(k), str(v)) for k, v in d["extra_headers"])
    return Prebuilt(str(d["media_type"]), identity, variants, str(d["cache_control"]), headers)


def _decode(
    d: dict[str, Any],
    data: memoryview,
    page: Page,
    search: Callable[[], Segment | None],
    known: dict[tuple[str, str, str], CiteKey],
) -> PageBuild:
    keys = []
    for kind, target, excerpt in d["keys"]:
        triple = (str(kind), str(target), str(excerpt))
        found = known.get(triple)
        if found is None:
            found = known[triple] = CiteKey(*triple)
        keys.append(found)
    sections = tuple(Section(str(i), str(t), int(level)) for i, t, level in d["sections"])
    rendered = RenderedPage(
        page=page,
        html=Markup(""),  # in the page's response (RenderedPage.html)
        sections=sections,
        cited=tuple(keys[k] for k in d["cited"]),
        version=str(d["version"]),
        notes=tuple(Note(int(n), keys[k], tuple(m), bool(f)) for n, k, m, f in d["notes"]),
    )
    blobs = _Blobs(data)
    response, api = _unprebuilt(d["response"], blobs), _unprebuilt(d["api"], blobs)
    if blobs.offset != len(blobs.data):
        raise Corrupt("trailing bytes")
    if len(d["slices"]) != len(sections):
        raise Corrupt("slices and sections differ")
    return PageBuild(
        rendered=rendered,
        slices=tuple(
            SectionSlice(section, start, body, end)
            for section, (start, body, end) in zip(sections, d["slices"], strict=True)
        ),
        citations=tuple((keys[k], section) for k, section in d["citations"]),
        response=response,
        api=api,
        search=search,
    )
