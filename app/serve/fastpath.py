"""A pure-ASGI look-up in front of the whole app for pre-rendered paths.

A GET or HEAD for a path in `site.responses` is answered from headers prepared at startup, with the
same status, headers and body that `web.serve()` gives through the router and the middleware
(tests/test_fastpath.py compares them): the security headers are appended once, at startup, as
`SecurityHeaders` appends them, and the request is logged the same way. Everything else, and
anything unusual (a root path, another method), goes on to the app unchanged.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from ..build.prebuilt import Prebuilt, Variant
from ..httputil import etag_matches, not_modified_headers
from .limits import EXEMPT, AddressCap, refusal
from .middleware import AccessLog

RawHeaders = list[tuple[bytes, bytes]]
Message = dict[str, object]
EMPTY_BODY: Message = {"type": "http.response.body", "body": b""}
MEMO = 64  # Accept-Encoding values remembered per set of variants; a full memo is cleared


@dataclass(frozen=True)
class _Prepared:
    """One variant of one response: its raw ASGI headers for 200 and for 304, and the very
    messages sent (built once; a server only reads them)."""

    body: bytes
    etag: str
    ok: RawHeaders
    not_modified: RawHeaders
    start_ok: Message
    start_not_modified: Message
    body_ok: Message


@dataclass(frozen=True)
class _Entry:
    """Every variant of one path, and which one each Accept-Encoding value gets."""

    item: Prebuilt
    variants: dict[str | None, _Prepared]
    chosen: dict[bytes | None, _Prepared]  # Accept-Encoding (None: absent) -> variant


def _raw(headers: Sequence[tuple[str, str]]) -> RawHeaders:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def _prepare(item: Prebuilt, variant: Variant, extra: RawHeaders) -> _Prepared:
    headers = [(k.lower(), v) for k, v in item.headers(variant)]
    keep = not_modified_headers(headers)
    ok = _raw([*headers, ("content-length", str(len(variant.body)))]) + extra
    not_modified = _raw(keep) + extra
    return _Prepared(
        variant.body,
        variant.etag,
        ok,
        not_modified,
        {"type": "http.response.start", "status": 200, "headers": ok},
        {"type": "http.response.start", "status": 304, "headers": not_modified},
        {"type": "http.response.body", "body": variant.body},
    )


class FastPath:
    """Serve pre-rendered GET and HEAD responses without the app; pass everything else on.

    `headers` are appended to every response served here, after its own (the security headers);
    `access` gets one line per request served here. With a `cap`, every HTTP request is counted
    first, here in front of everything, and a new connection over it is refused (a 429).

    Per request the work is: the count, a dict look-up of the path, one pass over the request
    headers, a look-up of the Accept-Encoding value (the negotiation itself runs once per
    distinct value), and two sends of messages built at startup.
    """

    def __init__(
        self,
        app: ASGIApp,
        responses: Mapping[str, Prebuilt],
        headers: RawHeaders | None = None,
        access: AccessLog | None = None,
        cap: AddressCap | None = None,
    ):
        self.app = app
        self.cap = cap
        # What is built already: a Responses adds each deferred response once it is built.
        self.items: Mapping[str, Prebuilt] = getattr(responses, "built", responses)
        self.access = access
        self.extra = list(headers or [])
        self.entries: dict[str, _Entry] = {}
        # Each path's messages are prepared on its first request (once: a dict then holds them),
        # not here: preparing all of a 1,000-page site's took 0.18 s of its start.

    @property
    def prepared(self) -> dict[tuple[str, str | None], _Prepared]:
        """Every prepared variant by (path, encoding), each path prepared if it was not yet."""
        for path, item in list(self.items.items()):
            if path not in self.entries:
                self._entry(path, item)
        return {(p, e): v for p, entry in self.entries.items() for e, v in entry.variants.items()}

    def _entry(self, path: str, item: Prebuilt) -> _Entry:
        variants = {
            v.encoding: _prepare(item, v, self.extra)
            for v in (item.identity, *item.variants.values())
        }
        entry = self.entries[path] = _Entry(item, variants, {})
        return entry

    def _choose(self, entry: _Entry, accept_encoding: bytes | None) -> _Prepared:
        """The variant for this Accept-Encoding value, negotiated once and then remembered."""
        if len(entry.chosen) >= MEMO:
            entry.chosen.clear()
        header = "" if accept_encoding is None else accept_encoding.decode("latin-1")
        prepared = entry.variants[entry.item.choose(header).encoding]
        entry.chosen[accept_encoding] = prepared
        return prepared

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        cap = self.cap
        if cap is not None and (client := scope.get("client")) is not None:
            # AddressCap.admit, with its commonest case inline: a connection it holds already
            ports = cap.seen.get(client[0])
            if ports is not EXEMPT:
                if ports is not None and client[1] in ports:
                    ports[client[1]] = started
                elif not cap.admit(client, started):
                    await self._refuse(scope, send, started)
                    return
        if scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path = scope["path"]
        entry = self.entries.get(path) if method in ("GET", "HEAD") else None
        if entry is None:
            # Built responses only: a deferred one's first request goes through the app, whose
            # route builds it in a worker thread (not on the event loop), logs it, and shows its
            # 500 page should the build fail; from then on it is in `items` and answered here.
            item = self.items.get(path) if method in ("GET", "HEAD") else None
            if item is None:
                await self.app(scope, receive, send)
                return
            entry = self._entry(path, item)
        status = 0
        accept_encoding: bytes | None = None
        if_none_match: bytes | None = None
        seen_encoding = False
        for name, value in scope["headers"]:  # the first of each, as Starlette's Headers.get
            if name == b"accept-encoding":
                if not seen_encoding:
                    accept_encoding, seen_encoding = value, True
            elif name == b"if-none-match":
                if if_none_match is None:
                    if_none_match = value
            elif name == b"accept-datetime":  # a TimeGate request: the router redirects it
                await self.app(scope, receive, send)
                return
        prepared = entry.chosen.get(accept_encoding) or self._choose(entry, accept_encoding)
        try:
            if if_none_match and etag_matches(if_none_match.decode("latin-1"), prepared.etag):
                status = 304
                await send(prepared.start_not_modified)
                await send(EMPTY_BODY)
            else:
                status = 200
                await send(prepared.start_ok)
                await send(EMPTY_BODY if method == "HEAD" else prepared.body_ok)
        finally:
            if self.access is not None:  # AccessLog.add, inline
                milliseconds = (time.perf_counter() - started) * 1000
                self.access.append((time.time(), method, path, status, milliseconds))

    async def _refuse(self, scope: Scope, send: Send, started: float) -> None:
        assert self.cap is not None
        method = scope.get("method", "-")
        start, body = refusal(self.extra, math.ceil(self.cap.window), method == "HEAD")
        try:
            await send(start)
            await send(body)
        finally:
            if self.access is not None:
                path = scope.get("path", "-")
                self.access.add(method, path, 429, (time.perf_counter() - started) * 1000)
