"""Responses rendered once at startup: bytes, strong ETags, and compressed variants."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import brotli

from ..httputil import choose_encoding

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/xml",
    "application/atom+xml",
    "image/svg+xml",
    "application/javascript",
)
HTML_CACHE = "no-cache"  # always revalidate with the ETag
IMMUTABLE = "public, max-age=31536000, immutable"
# Quality 11 is ~13 % (about 0.5 KB a page) smaller than 5 on this site, but ~50x slower to
# compress: 7.5 s vs 0.15 s of the real site's startup, a minute for a 100-page site.
BROTLI_QUALITY = 5
# gzip is the fallback (every current browser takes brotli): level 5 rather than 9 is about 2.5 %
# (0.3 KB) larger on a synthetic page, and 0.65 ms a page cheaper in a cold build.
GZIP_LEVEL = 5


@dataclass(frozen=True)
class Variant:
    body: bytes
    etag: str
    encoding: str | None


@dataclass(frozen=True)
class Prebuilt:
    """One response body with its identity, gzip and brotli variants."""

    media_type: str
    identity: Variant
    variants: dict[str, Variant] = field(default_factory=dict)
    cache_control: str = HTML_CACHE
    extra_headers: tuple[tuple[str, str], ...] = ()  # e.g. Memento links (app/build/versions.py)

    @classmethod
    def build(
        cls,
        body: bytes,
        media_type: str,
        cache_control: str = HTML_CACHE,
        extra_headers: tuple[tuple[str, str], ...] = (),
    ) -> Prebuilt:
        tag = hashlib.sha256(body).hexdigest()[:20]
        variants: dict[str, Variant] = {}
        if media_type.startswith(COMPRESSIBLE) and len(body) > 512:
            br = brotli.compress(body, quality=BROTLI_QUALITY)
            gz = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
            variants = {
                "br": Variant(br, f'"{tag}-br"', "br"),
                "gzip": Variant(gz, f'"{tag}-gz"', "gzip"),
            }
        identity = Variant(body, f'"{tag}"', None)
        return cls(media_type, identity, variants, cache_control, extra_headers)

    def choose(self, accept_encoding: str) -> Variant:
        """The smallest variant the client accepts (brotli, then gzip, then identity)."""
        encoding = choose_encoding(self.variants, accept_encoding)
        return self.variants[encoding] if encoding else self.identity

    def headers(self, variant: Variant) -> list[tuple[str, str]]:
        headers = [
            ("content-type", self.media_type),
            ("etag", variant.etag),
            ("cache-control", self.cache_control),
            *((k, v) for k, v in self.extra_headers if k != "vary"),
        ]
        vary = [v for k, v in self.extra_headers if k == "vary"]  # one Vary header, merged
        if self.variants:
            vary.append("Accept-Encoding")
        if vary:
            headers.append(("vary", ", ".join(vary)))
        if variant.encoding:
            headers.append(("content-encoding", variant.encoding))
        return headers


class DeferredBuildError(RuntimeError):
    """A deferred response's builder failed (a bug: content was validated at startup)."""


class Responses(Mapping[str, Prebuilt]):
    """Every response of the site by path: most built at startup, some built on first request.

    Deferred responses (section pages, preview cards, handouts: many per page, and most never
    asked for) are made from the site model by a function fixed at startup, which reads no file
    and parses no markdown; each is built when first asked for (once: builds take a lock), then
    kept. Which paths exist is fixed at startup. Iterating builds every deferred response (the
    export does).
    """

    def __init__(self, built: dict[str, Prebuilt], deferred: dict[str, Callable[[], Prebuilt]]):
        self.built = dict(built)  # grows as deferred responses are built; read by the fast path
        self._deferred = {p: make for p, make in deferred.items() if p not in self.built}
        self._paths = [*self.built, *self._deferred]
        self._lock = threading.Lock()

    def __getitem__(self, path: str) -> Prebuilt:
        item = self.built.get(path)
        if item is not None:
            return item
        make = self._deferred[path]  # KeyError: no such path
        with self._lock:
            item = self.built.get(path)  # another thread may have built it meanwhile
            if item is None:
                try:
                    item = make()
                except Exception as exc:  # never a KeyError, which would read as "no such path"
                    raise DeferredBuildError(f"building {path} failed: {exc!r}") from exc
                self.built[path] = item
        return item

    def get(self, path: str, default: Prebuilt | None = None) -> Prebuilt | None:  # type: ignore[override]
        return self[path] if path in self else default  # noqa: SIM401 (Mapping.get hides KeyError)

    def __contains__(self, path: object) -> bool:
        return path in self.built or path in self._deferred

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def is_deferred(self, path: str) -> bool:
        return path in self._deferred
