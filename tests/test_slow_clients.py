"""Slow clients against the production server (`python -m app serve`, granian, one worker):
granian closes a connection slow to send its request head, and an idle keep-alive connection,
after its header timeout; the app's cap on connections per address holds over real sockets and
closes the refused connection. (`bench/slowclients.py` holds 2,000 such connections open.)"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from netutil import free_port, running_server

from app.serve.servers import (
    BACKLOG,
    CONNECTIONS,
    FILES_NEEDED,
    HEADER_TIMEOUT_MS,
    granian_options,
    raise_file_limit,
)

PORTS = range(8800, 8850)
TIMEOUT_S = HEADER_TIMEOUT_MS / 1000
CAP = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    port = free_port(PORTS)
    log = tmp_path_factory.mktemp("slow") / "server.log"
    env = {
        **os.environ,
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CONNECTIONS_PER_ADDRESS": str(CAP),
        "FORWARDED_ALLOW_IPS": "10.255.255.1",  # so that 127.0.0.1 is an ordinary reader here
    }
    with running_server(port, env, log):
        yield port, log


@pytest.fixture(scope="module")
def port(server: tuple[int, Path]) -> int:
    return server[0]


def closed_after(sock: socket.socket, trickle: bytes | None, limit: float) -> float | None:
    """Seconds until the server closes `sock` (sending `trickle` every 0.5 s); None: not by
    `limit`."""
    started = time.monotonic()
    sock.settimeout(0.5)
    while time.monotonic() - started < limit:
        try:
            if trickle:
                sock.sendall(trickle)
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except OSError:  # reset
            return time.monotonic() - started
    return None


def test_the_settings_are_deliberate() -> None:
    options = granian_options("127.0.0.1", 8000, 1)
    assert options["http1_settings"].header_read_timeout == HEADER_TIMEOUT_MS == 5000
    assert options["backpressure"] == CONNECTIONS >= 2 * 2000  # `make bench` holds 2,000 open
    assert options["backlog"] == BACKLOG
    assert options["http"].value == "1"  # HTTP/1.1 only: no h2c streams without a timeout
    assert options["http1_settings"].max_buffer_size == 64 * 1024


def test_the_open_file_limit_is_raised_to_what_the_connections_need() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        assert raise_file_limit() == min(FILES_NEEDED, hard) > CONNECTIONS
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == min(FILES_NEEDED, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_slow_request_head_is_closed_after_the_timeout(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /en/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        took = closed_after(sock, b"X-Slow: 1\r\n", TIMEOUT_S + 5)
    assert took is not None and TIMEOUT_S - 0.5 <= took <= TIMEOUT_S + 1


def test_a_connection_that_sends_nothing_is_closed_after_the_timeout(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:  # HTTP/1.1 only: timed
        took = closed_after(sock, None, TIMEOUT_S + 5)
    assert took is not None and TIMEOUT_S - 0.5 <= took <= TIMEOUT_S + 1


def test_an_idle_keep_alive_connection_is_closed_after_the_timeout(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        took = closed_after(sock, None, TIMEOUT_S + 5)
    assert took is not None and TIMEOUT_S - 0.5 <= took <= TIMEOUT_S + 1


def test_the_cap_per_address_holds_over_real_connections(server: tuple[int, Path]) -> None:
    port, log = server
    time.sleep(TIMEOUT_S + 1.5)  # the connections of earlier tests are forgotten
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(CAP)]
    try:
        for sock in held:
            sock.sendall(request)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        with socket.create_connection(("127.0.0.1", port), timeout=5) as extra:
            extra.sendall(request)
            answer = b""
            while chunk := extra.recv(65536):  # the server closes it after the 429
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 429 ")
        assert b"\r\nconnection: close\r\n" in answer.lower()
        for sock in held:  # the connections it holds keep working
            sock.sendall(request)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    finally:
        for sock in held:
            sock.close()
    time.sleep(TIMEOUT_S + 1.5)  # closed, then forgotten: a new connection is welcome again
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    time.sleep(0.5)  # the access log is written in batches, ten times a second
    lines = [x for x in log.read_text().splitlines() if " app.access " in x]
    assert [x.split()[3:6] for x in lines if " 429 " in x] == [["GET", "/healthz", "429"]]
    assert not any("127.0.0.1" in x for x in lines)  # the address is counted, never logged
