"""Drive an ASGI app with raw messages, as an ASGI server does.

Bytes a test client would normalise or refuse (invalid UTF-8, bad percent-encodings, NUL bytes)
reach the app unchanged, and many requests run fast on one event loop."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_to_bytes

Headers = list[tuple[bytes, bytes]]


@dataclass
class Reply:
    status: int
    raw_headers: Headers
    body: bytes
    messages: list[dict[str, Any]] = field(repr=False)

    def header(self, name: str) -> str | None:
        key = name.lower().encode()
        return next((v.decode("latin-1") for k, v in self.raw_headers if k == key), None)

    def headers_named(self, name: str) -> list[str]:
        key = name.lower().encode()
        return [v.decode("latin-1") for k, v in self.raw_headers if k == key]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def scope_for(
    method: str,
    target: bytes,
    headers: Headers | None = None,
    client: tuple[str, int] = ("203.0.113.7", 51234),
) -> dict[str, Any]:
    """The scope uvicorn builds for a request line `METHOD target`: the path percent-decoded
    (invalid UTF-8 replaced, as uvicorn does), raw_path and query_string as sent."""
    raw_path, _, query = target.partition(b"?")
    path = unquote_to_bytes(raw_path).decode("utf-8", errors="replace")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"127.0.0.1:8000"), *(headers or [])],
        "client": client,
        "server": ("127.0.0.1", 8000),
    }


async def call_async(app: Any, scope: dict[str, Any], body: bytes = b"") -> Reply:
    messages: list[dict[str, Any]] = []
    sent_request = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # the client stays connected
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    payload = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return Reply(start["status"], list(start["headers"]), payload, messages)


def call(app: Any, scope: dict[str, Any], body: bytes = b"") -> Reply:
    return asyncio.run(call_async(app, scope, body))


def call_many(app: Any, scopes: list[dict[str, Any]]) -> list[Reply]:
    """Many requests, one event loop (much faster than a test client for thousands of URLs)."""

    async def run() -> list[Reply]:
        return [await call_async(app, scope) for scope in scopes]

    return asyncio.run(run())


def request(
    app: Any, method: str, target: str | bytes, headers: dict[str, str] | None = None, **kwargs: Any
) -> Reply:
    raw = target.encode("latin-1") if isinstance(target, str) else target
    pairs = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    return call(app, scope_for(method, raw, pairs, **kwargs))
