"""Pure-ASGI middleware: security headers on every response, and a log line without addresses."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("app.access")

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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 0}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers:
                    headers[name] = value
                del headers["set-cookie"]
                state["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            log.info(
                "%s %s %s %.1fms",
                scope.get("method", "-"),
                scope.get("path", "-")[:200].encode("unicode_escape").decode("ascii"),
                state["status"],
                (time.perf_counter() - started) * 1000,
            )
