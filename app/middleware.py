"""Pure-ASGI middleware: security headers on every response, and a log line without addresses."""

from __future__ import annotations

import logging
import re
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("app.access")
RAW_BYTE = re.compile(rb"[\x80-\xff]")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)
BASE_HEADERS = (
    ("content-security-policy", CSP),
    ("referrer-policy", "no-referrer"),
    ("x-content-type-options", "nosniff"),
    ("permissions-policy", PERMISSIONS),
    ("cross-origin-opener-policy", "same-origin"),
    ("x-frame-options", "DENY"),
)


class SecurityHeaders:
    """Adds the site's security headers to every HTTP response and strips any cookie."""

    def __init__(self, app: ASGIApp, hsts: bool = False):
        self.app = app
        self.headers = BASE_HEADERS + (
            (("strict-transport-security", "max-age=31536000; includeSubDomains"),) if hsts else ()
        )
        self.raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers]
        self.replaced = {k for k, _ in self.raw} | {b"set-cookie"}  # no cookies, ever

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "-")
        query = scope.get("query_string", b"")
        if not query.isascii():  # raw bytes a browser would percent-encode; keeps the query UTF-8
            scope = {**scope, "query_string": RAW_BYTE.sub(lambda m: b"%%%02X" % m[0][0], query)}
        if method == "HEAD":  # HEAD wherever GET works: route it as GET, send no body
            scope = {**scope, "method": "GET"}
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                kept = [h for h in message.get("headers", ()) if h[0].lower() not in self.replaced]
                message = {**message, "headers": kept + self.raw}
            elif method == "HEAD" and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            log.info(
                "%s %s %s %.1fms",
                method[:16].encode("unicode_escape").decode("ascii"),
                scope.get("path", "-")[:200].encode("unicode_escape").decode("ascii"),
                status,
                (time.perf_counter() - started) * 1000,
            )
