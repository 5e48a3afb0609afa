"""A pure-ASGI look-up in front of the router for pre-rendered paths.

A GET or HEAD for a path in `site.responses` is answered from headers prepared at startup, with the
same status, headers and body that `web.serve()` gives through the router (tests/test_fastpath.py
compares them). Everything else, and anything unusual (a root path, another method), goes on to the
router unchanged. The security-header middleware sits outside this, so both paths get its headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from .prebuilt import Prebuilt, Variant, etag_matches

RawHeaders = list[tuple[bytes, bytes]]
NOT_MODIFIED_KEEP = ("etag", "cache-control", "vary")  # as in web.serve()


@dataclass(frozen=True)
class _Prepared:
    """One variant of one response, with its raw ASGI headers for 200 and for 304."""

    body: bytes
    etag: str
    ok: RawHeaders
    not_modified: RawHeaders


def _prepare(item: Prebuilt, variant: Variant) -> _Prepared:
    headers = [(k.lower(), v) for k, v in item.headers(variant)]
    keep = [(k, v) for k, v in headers if k in NOT_MODIFIED_KEEP]
    ok = [*headers, ("content-length", str(len(variant.body)))]
    return _Prepared(
        variant.body,
        variant.etag,
        [(k.encode("latin-1"), v.encode("latin-1")) for k, v in ok],
        [(k.encode("latin-1"), v.encode("latin-1")) for k, v in keep],
    )


class FastPath:
    """Serve pre-rendered GET and HEAD responses without the router; pass everything else on."""

    def __init__(self, app: ASGIApp, responses: Mapping[str, Prebuilt]):
        self.app = app
        self.items = dict(responses)
        self.prepared = {
            (path, variant.encoding): _prepare(item, variant)
            for path, item in self.items.items()
            for variant in (item.identity, *item.variants.values())
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        item = self.items.get(path)
        if item is None:
            await self.app(scope, receive, send)
            return
        accept_encoding: str | None = None
        if_none_match: str | None = None
        for name, value in scope["headers"]:  # the first of each, as Starlette's Headers.get
            if name == b"accept-encoding" and accept_encoding is None:
                accept_encoding = value.decode("latin-1")
            elif name == b"if-none-match" and if_none_match is None:
                if_none_match = value.decode("latin-1")
        prepared = self.prepared[(path, item.choose(accept_encoding or "").encoding)]
        if etag_matches(if_none_match or "", prepared.etag):
            await send(
                {"type": "http.response.start", "status": 304, "headers": prepared.not_modified}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": prepared.ok})
        body = b"" if scope["method"] == "HEAD" else prepared.body
        await send({"type": "http.response.body", "body": body})
