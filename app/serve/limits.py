"""A cap on the connections one client address may hold, counted in memory, never logged.

An HTTP/1.1 connection is told apart by the client's (address, port). The app sees a connection
only once it sends a complete request; granian closes a connection that is idle, or slow to send
its request head, for longer than its header timeout (app/serve/servers.py). So the ports an
address sent a request from within the last `window` seconds (that timeout, plus a margin)
bound the connections it holds. A new connection over `limit` gets a 429 and is closed
(`Connection: close`); the connections it already has keep working.

Connections that never finish a request head are not seen here: granian's header timeout closes
them, and its connection limit bounds them. Behind a proxy every connection comes from the
proxy, so its addresses (FORWARDED_ALLOW_IPS) are exempt: the proxy is where per-client limits
go then (README, "Slow clients").

Memory: one entry per connection seen within the window; entries older than that are dropped
every `window` seconds. Addresses are kept only here, never in a log line or a response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

RawHeaders = list[tuple[bytes, bytes]]
EXEMPT: dict[Any, float] = {}  # the marker for an exempt address (never written to)
TOO_MANY = (
    "Too many connections from your address. Please try again in a few seconds.\n"
    "Demasiadas conexiones desde su dirección. Vuelva a intentarlo en unos segundos.\n"
).encode()


class Addresses(Protocol):
    def __contains__(self, host: str | None, /) -> bool: ...


class AddressCap:
    """At most `limit` connections per client address seen within `window` seconds."""

    def __init__(self, limit: int, window: float, exempt: Addresses, clock: Callable[[], float]):
        self.limit, self.window, self.exempt, self.clock = limit, window, exempt, clock
        self.seen: dict[str, dict[Any, float]] = {}  # address -> {port: time of last request}
        self.next_sweep = clock() + window

    def admit(self, client: tuple[str, Any] | None, now: float) -> bool:
        """Record a request from `client` (address, port) at `now`; False: refuse it."""
        if client is None:  # not a TCP client (a Unix socket): nothing to count
            return True
        host, port = client
        ports = self.seen.get(host)
        if ports is EXEMPT:
            return True
        if ports is not None and port in ports:  # another request on a connection it holds
            ports[port] = now
            return True
        return self._new_connection(host, port, now)

    def _new_connection(self, host: str, port: Any, now: float) -> bool:
        if now >= self.next_sweep:
            self.sweep(now)
        ports = self.seen.get(host)
        if ports is None:
            if host in self.exempt:
                self.seen[host] = EXEMPT
                return True
            ports = self.seen[host] = {}
        if len(ports) >= self.limit:
            for old in [p for p, at in ports.items() if now - at > self.window]:
                del ports[old]  # closed by now: idle longer than the server allows
            if len(ports) >= self.limit:
                return False
        ports[port] = now
        return True

    def sweep(self, now: float) -> None:
        """Forget connections idle longer than the window, and addresses left with none."""
        self.next_sweep = now + self.window
        for host in list(self.seen):
            ports = self.seen[host]
            for old in [p for p, at in ports.items() if now - at > self.window]:
                del ports[old]
            if not ports:  # exempt ones too: looked up again on their next request
                del self.seen[host]

    def connections(self) -> int:
        """Connections currently counted (for tests and figures; no address is given out)."""
        return sum(len(p) for p in self.seen.values())


def refusal(
    extra: RawHeaders, retry_after: int, head: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The 429 sent to a connection over the cap, as two ASGI messages; it closes the
    connection. `extra`: the security headers."""
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"cache-control", b"no-store"),
        (b"retry-after", str(retry_after).encode()),
        (b"connection", b"close"),
        (b"content-length", str(len(TOO_MANY)).encode()),
        *extra,
    ]
    start = {"type": "http.response.start", "status": 429, "headers": headers}
    return start, {"type": "http.response.body", "body": b"" if head else TOO_MANY}
