"""The cap on connections per client address (app/serve/limits.py): counted per (address, port),
forgotten once the server would have closed them, never logged, and exempt for proxies."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from rawasgi import call, scope_for

from app.build.site import Site
from app.serve.app import address_cap, create_app
from app.serve.limits import AddressCap
from app.serve.middleware import BASE_HEADERS
from app.serve.servers import HEADER_TIMEOUT_MS
from app.settings import Settings

READER = "203.0.113.50"
OTHER = "198.51.100.60"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cap(limit: int = 3, window: float = 6.0, exempt: tuple[str, ...] = ()) -> AddressCap:
    return AddressCap(limit, window, set(exempt), Clock())


def test_one_address_gets_at_most_limit_connections() -> None:
    c = cap(limit=3)
    assert [c.admit((READER, port), 1000.0) for port in (1, 2, 3)] == [True, True, True]
    assert c.admit((READER, 4), 1000.5) is False  # a fourth connection
    assert c.admit((READER, 2), 1001.0) is True  # the ones it holds keep working
    assert c.admit((OTHER, 4), 1001.0) is True  # another address is not affected
    assert c.connections() == 4


def test_connections_idle_past_the_window_are_forgotten() -> None:
    c = cap(limit=2, window=6.0)
    assert c.admit((READER, 1), 1000.0) and c.admit((READER, 2), 1003.0)
    assert c.admit((READER, 3), 1005.0) is False
    # at 1006.5 the server has closed port 1 (idle > window); port 2 is still counted
    assert c.admit((READER, 3), 1006.5) is True
    assert c.admit((READER, 4), 1006.5) is False
    c.admit((READER, 3), 1006.5)  # keep-alive requests refresh a connection
    assert c.admit((READER, 5), 1009.5) is True  # port 2 idle since 1003.0: forgotten


def test_memory_holds_only_recent_connections() -> None:
    c = cap(limit=1000, window=6.0)
    for n in range(5000):
        c.admit((f"192.0.2.{n % 250}", n), 1000.0 + n / 1000)  # 5,000 connections over 5 s
    assert c.connections() == 5000
    c.admit(("192.0.2.1", 99999), 1020.0)  # long after: the sweep drops everything stale
    assert c.connections() == 1 and list(c.seen) == ["192.0.2.1"]


def test_exempt_addresses_are_never_capped() -> None:
    c = cap(limit=1, exempt=("10.0.0.2",))
    assert all(c.admit(("10.0.0.2", port), 1000.0) for port in range(50))
    assert c.connections() == 0  # nothing is kept for them
    assert c.admit((READER, 1), 1000.0) and not c.admit((READER, 2), 1000.0)


def test_the_settings_exempt_trusted_proxies_and_time_the_window_to_the_server() -> None:
    settings = dataclasses.replace(Settings(), forwarded_allow_ips="10.0.0.0/8, 192.0.2.1")
    c = address_cap(settings)
    assert c is not None and c.limit == settings.connections_per_address == 128
    assert c.window == HEADER_TIMEOUT_MS / 1000 + 1  # idle connections are closed by then
    assert "10.1.2.3" in c.exempt and "192.0.2.1" in c.exempt and READER not in c.exempt
    assert address_cap(dataclasses.replace(settings, connections_per_address=0)) is None


@pytest.fixture(scope="module")
def capped(site: Site) -> object:
    settings = dataclasses.replace(
        Settings(), connections_per_address=2, forwarded_allow_ips="10.0.0.1"
    )
    return create_app(settings, site)


def test_the_app_refuses_a_connection_over_the_cap_with_a_429_that_closes_it(
    capped: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.access")
    client = "203.0.113.77"
    first = call(capped, scope_for("GET", b"/en/", client=(client, 40001)))
    routed = call(capped, scope_for("GET", b"/en/no-such-page/", client=(client, 40002)))
    assert (first.status, routed.status) == (200, 404)  # both kinds of request are counted
    over = call(capped, scope_for("GET", b"/en/", client=(client, 40003)))
    assert over.status == 429
    assert over.header("connection") == "close" and over.header("retry-after") == "6"
    assert over.header("cache-control") == "no-store"
    assert int(over.header("content-length") or 0) == len(over.body) > 0
    for name, value in BASE_HEADERS:
        assert over.header(name) == value
    head = call(capped, scope_for("HEAD", b"/en/", client=(client, 40004)))
    assert head.status == 429 and head.body == b""
    again = call(capped, scope_for("GET", b"/en/", client=(client, 40001)))
    assert again.status == 200  # a connection it holds keeps working
    other = call(capped, scope_for("GET", b"/en/", client=("203.0.113.78", 40003)))
    assert other.status == 200
    capped.state.access_log.flush()  # type: ignore[attr-defined]
    lines = [
        line
        for r in caplog.records
        if r.name == "app.access"
        for line in r.getMessage().split("\n")
    ]
    assert [line.split()[3:6] for line in lines if " 429 " in line] == [
        ["GET", "/en/", "429"],
        ["HEAD", "/en/", "429"],
    ]
    assert not any(client in line or "203.0.113.78" in line for line in lines)
