"""Pure-ASGI middleware: security headers on every response, and a log line without addresses."""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("app.access")
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
    # The server would otherwise name itself (and its version, for some); this names nothing.
    ("server", "la-policy-explainer"),
)
HSTS = ("strict-transport-security", "max-age=31536000; includeSubDomains")


def security_headers(hsts: bool) -> list[tuple[bytes, bytes]]:
    """The headers every response gets, as raw ASGI pairs; HSTS only when served over HTTPS."""
    headers = BASE_HEADERS + ((HSTS,) if hsts else ())
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


class SecondsFormatter(logging.Formatter):
    """The usual `%(asctime)s` format, with the date and time computed once a second."""

    _second, _stamp = -1, ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return self.stamp(record.created)

    def stamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._second = second
            self._stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        return f"{self._stamp},{int((created - second) * 1000):03d}"


def _escaped(text: str) -> str:
    """`text` on one line, whatever was sent: controls, non-ASCII and backslashes escaped."""
    if text.isascii() and text.isprintable() and "\\" not in text:
        return text
    return text.encode("unicode_escape").decode("ascii")


class AccessLog:
    """One line per request: time, method, path, status and duration; never a client address.

    A request only appends a tuple; a thread logs the lines to "app.access" ten times a second,
    as one record of many lines, each with its own time. A log record per request would cost
    about a quarter of the time of serving a pre-built page. Small, frequent batches keep the
    thread's hold on the interpreter short (a once-a-second batch at 24,000 requests/s held it
    for 50-90 ms, and the p99 latency rose from 4 to 25 ms). Lines left at exit are flushed then.
    """

    MEMO = 4096  # escaped "METHOD path status" kept; paths repeat, hostile ones are cleared out

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.pending: deque[tuple[float, str, str, int, float]] = deque()  # thread-safe ends
        self.clock = SecondsFormatter()
        self.lock = threading.Lock()
        self.started = False
        self.names: dict[tuple[str, str, int], str] = {}
        # Queue a line: (time.time(), method, path, status, milliseconds).
        self.append: Callable[[tuple[float, str, str, int, float]], None] = self._first

    def add(self, method: str, path: str, status: int, milliseconds: float) -> None:
        self.append((time.time(), method, path, status, milliseconds))

    def _first(self, line: tuple[float, str, str, int, float]) -> None:
        """`append` until the first line: it starts the thread, then `append` is the queue's
        own (the fast path calls it directly)."""
        self.pending.append(line)
        if not self.started:
            self.started = True
            self.append = self.pending.append
            atexit.register(self.flush)
            threading.Thread(target=self._run, name="access-log", daemon=True).start()

    def flush(self) -> None:
        with self.lock:
            batch = [self.pending.popleft() for _ in range(len(self.pending))]
            if batch and access_log.isEnabledFor(logging.INFO):
                access_log.info("%s", self._lines(batch))

    def _lines(self, batch: list[tuple[float, str, str, int, float]]) -> str:
        """The lines of a batch: `SecondsFormatter`'s time, then "app.access METHOD path status
        N.Nms". What follows the time is kept per method, path and status, since they repeat."""
        names = self.names
        out: list[str] = []
        append, last, clock = out.append, -1, ""
        for at, method, path, status, milliseconds in batch:
            key = (method[:16], path[:200], status)  # what is logged: the memo holds no long path
            name = names.get(key)
            if name is None:
                if len(names) >= self.MEMO:
                    names.clear()
                name = names[key] = f" app.access {_escaped(key[0])} {_escaped(key[1])} {status} "
            second = int(at)
            if second != last:
                last, clock = second, self.clock.stamp(second)[:-4]  # less ",000"
            line = "%s,%03d%s%.1fms" % (clock, int((at - second) * 1000), name, milliseconds)  # noqa: UP031 (faster)
            append(line)
        return "\n".join(out)

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self.flush()


def log_config() -> dict[str, Any]:
    """The logging configuration for either server (granian serves, uvicorn reloads in
    development), applied in every worker process: lines with time and logger name, and the
    access lines as they are (they carry their own). Neither server's own access log is used."""
    stderr = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    quiet = {"level": "WARNING", "handlers": ["site"], "propagate": False}
    server = {"level": "INFO", "handlers": ["site"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "site": {"()": SecondsFormatter, "fmt": "%(asctime)s %(name)s %(message)s"},
            "lines": {"format": "%(message)s"},
        },
        "handlers": {
            "site": {**stderr, "formatter": "site"},
            "lines": {**stderr, "formatter": "lines"},
        },
        "root": {"level": "INFO", "handlers": ["site"]},
        "loggers": {
            "app.access": {"level": "INFO", "handlers": ["lines"], "propagate": False},
            "_granian": server,  # granian's own name for its server log
            "granian.access": quiet,  # off (log_access=False); it would hold client addresses
            "uvicorn": server,
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": quiet,  # off (access_log=False); it would hold client addresses
        },
    }


class SecurityHeaders:
    """Adds the site's security headers to every HTTP response, strips any cookie, and logs
    each request without its address."""

    def __init__(self, app: ASGIApp, hsts: bool = False, access: AccessLog | None = None):
        self.app = app
        self.access = access or AccessLog()
        self.raw = security_headers(hsts)
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
        except Exception:
            status = status or 500  # the outer error handler answers with its 500 page
            raise
        finally:
            self.access.add(
                method, scope.get("path", "-"), status, (time.perf_counter() - started) * 1000
            )
