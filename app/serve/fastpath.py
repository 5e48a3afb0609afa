"""A pure-ASGI look-up in front of the whole app for pre-rendered paths.

A GET or HEAD for a path in `site.responses` is answered from headers prepared at startup, with the
same status, headers and body that `web.serve()` gives through the router and the middleware
(tests/test_fastpath.py compares them): the security headers are appended once, at startup, as
`SecurityHeaders` appends them, and the request is logged the same way. Everything else, and
anything unusual (a root path, another method), goes on to the app unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from ..build.prebuilt import Prebuilt, Variant
from ..httputil import etag_matches, not_modified_headers
from .middleware import AccessLog

RawHeaders = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class _Prepared:
    """One variant of one response, with its raw ASGI headers for 200 and for 304."""

    body: bytes
    etag: str
    ok: RawHeaders
    not_modified: RawHeaders


def _raw(headers: Sequence[tuple[str, str]]) -> RawHeaders:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def _prepare(item: Prebuilt, variant: Variant, extra: RawHeaders) -> _Prepared:
    headers = [(k.lower(), v) for k, v in item.headers(variant)]
    keep = not_modified_headers(headers)
    ok = [*headers, ("content-length", str(len(variant.body)))]
    return _Prepared(variant.body, variant.etag, _raw(ok) + extra, _raw(keep) + extra)


class FastPath:
    """Serve pre-rendered GET and HEAD responses without the app; pass everything else on.

    `headers` are appended to every response served here, after its own (the security headers);
    `access` gets one line per request served here.
    """

    def __init__(
        self,
        app: ASGIApp,
        responses: Mapping[str, Prebuilt],
        headers: RawHeaders | None = None,
        access: AccessLog | None = None,
    ):
        self.app = app
        # What is built already: a Responses adds each deferred response once it is built.
        self.items: Mapping[str, Prebuilt] = getattr(responses, "built", responses)
        self.access = access
        self.extra = list(headers or [])
        self.prepared = {
            (path, variant.encoding): _prepare(item, variant, self.extra)
            for path, item in self.items.items()
            for variant in (item.identity, *item.variants.values())
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        path = scope["path"]
        # Built responses only: a deferred one's first request goes through the app, whose route
        # builds it in a worker thread (not on the event loop), logs it, and shows its 500 page
        # should the build fail; from then on it is in `items` and answered here.
        item = self.items.get(path) if method in ("GET", "HEAD") else None
        if item is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        accept_encoding: str | None = None
        if_none_match: str | None = None
        for name, value in scope["headers"]:  # the first of each, as Starlette's Headers.get
            if name == b"accept-encoding" and accept_encoding is None:
                accept_encoding = value.decode("latin-1")
            elif name == b"if-none-match" and if_none_match is None:
                if_none_match = value.decode("latin-1")
            elif name == b"accept-datetime":  # a TimeGate request: the router redirects it
                await self.app(scope, receive, send)
                return
        variant = item.choose(accept_encoding or "")
        prepared = self.prepared.get((path, variant.encoding))
        if prepared is None:
            prepared = self.prepared[(path, variant.encoding)] = _prepare(item, variant, self.extra)
        try:
            if etag_matches(if_none_match or "", prepared.etag):
                status = 304
                await send(
                    {"type": "http.response.start", "status": 304, "headers": prepared.not_modified}
                )
                await send({"type": "http.response.body", "body": b""})
            else:
                status = 200
                await send({"type": "http.response.start", "status": 200, "headers": prepared.ok})
                body = b"" if method == "HEAD" else prepared.body
                await send({"type": "http.response.body", "body": body})
        finally:
            if self.access is not None:
                self.access.add(method, path, status, (time.perf_counter() - started) * 1000)
