"""The production server itself (`python -m app serve`, as `make run` and the Dockerfile start it),
driven over raw sockets: hostile request lines never get a 5xx, every answer from the app carries
the security headers, nothing names the server software, and log lines hold no client address.

The route tests drive the app with ASGI messages; this checks what the server in front adds,
including its own refusals of request lines that break HTTP's grammar (raw bytes, NUL)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from netutil import free_port, running_server
from selectolax.lexbor import LexborHTMLParser

from app.serve.middleware import BASE_HEADERS

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8600, 8700)
MARKUP = b"<script>alert(1)</script>"


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


def read_answer(sock: socket.socket, head_only: bool = False) -> Answer:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = [(k.strip().lower(), v.strip()) for k, _, v in (x.partition(":") for x in lines)]
    answer = Answer(int(status_line.split()[1]), headers, body)
    length = int(answer.header("content-length") or 0)
    while not head_only and len(answer.body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        answer.body += chunk
    return answer


@dataclass
class Server:
    port: int
    log: Path

    def send(self, request_line: bytes, *headers: bytes) -> Answer:
        """One request on its own connection, bytes exactly as given."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            extra = b"".join(h + b"\r\n" for h in headers)
            sock.sendall(
                request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra + b"\r\n"
            )
            return read_answer(sock, head_only=request_line.startswith(b"HEAD "))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port(PORTS)
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, "SITE_URL": f"http://127.0.0.1:{port}", "HSTS": ""}
    with running_server(port, env, log) as proc:
        yield Server(port, log)
    assert proc.returncode == 0  # granian stops its workers and exits on SIGTERM


HOSTILE = [
    b"/en/%2e%2e/%2e%2e/etc/passwd",
    b"/en/../../etc/passwd",
    b"/static/..%2f..%2fpyproject.toml",
    b"/static/%2e%2e%5c%2e%2e%5cpyproject.toml",
    b"/en\\..\\..\\pyproject.toml",
    b"//en//",
    b"/en/%00/",
    b"/en/%ff%fe/",
    b"/en/%zz/",
    b"/EN/",
    b"/xx/",
    b"/en/" + b"a" * 8192,
    b"/en/search?q=" + b"a" * 8192,
    b"/en/search?q=%ff&q=1&q[]=2",
    b"/en/search?q=NEAR(a%20b)%20OR%20*",
    b"/en/%3Cscript%3Ealert(1)%3C%2Fscript%3E/",
    b"/en/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    b"/api/v1/pages/%3Cscript%3E",
    b"http://elsewhere.example/en/",
]
# Request lines that break HTTP's grammar: the server refuses them itself, before the app.
MALFORMED = [b"/en/\xff\xfe/", b"/en/\x00/", b"/en/" + MARKUP + b"/", b"/en/search?q=\xff"]


def assert_from_app(answer: Answer, target: bytes) -> None:
    assert answer.status < 500, target
    for name, value in BASE_HEADERS:
        assert answer.header(name) == value, (target, name)
    assert answer.header("set-cookie") is None, target
    assert MARKUP not in answer.body, target  # no unescaped echo (nothing is compressed here)


def test_hostile_request_lines_never_get_a_5xx(server: Server) -> None:
    for target in HOSTILE:
        for method in (b"GET", b"HEAD", b"POST", b"DELETE", b"BREW"):
            answer = server.send(method + b" " + target + b" HTTP/1.1")
            assert_from_app(answer, method + b" " + target)
            if method in (b"POST", b"DELETE", b"BREW") and answer.status == 405:
                assert answer.header("allow") == "GET, HEAD"


def test_traversal_never_reaches_a_file(server: Server) -> None:
    secret = (ROOT / "pyproject.toml").read_bytes()[:40]
    for target in HOSTILE[:6]:
        answer = server.send(b"GET " + target + b" HTTP/1.1")
        assert answer.status in (400, 404), target
        assert secret not in answer.body


def test_malformed_request_lines_are_refused_with_a_4xx(server: Server) -> None:
    for target in MALFORMED:
        answer = server.send(b"GET " + target + b" HTTP/1.1")
        assert 400 <= answer.status < 500, target
        assert MARKUP not in answer.body


def test_nothing_names_the_server_software(server: Server) -> None:
    answers = [server.send(b"GET " + t + b" HTTP/1.1") for t in (b"/en/", b"/nope", *MALFORMED)]
    for answer in answers:
        text = repr(answer.headers).lower() + answer.body.decode("latin-1").lower()
        for word in ("granian", "uvicorn", "starlette", "fastapi", "python"):
            assert word not in text
        assert answer.header("server") in (None, "la-policy-explainer")


def test_pages_get_validators_and_compression_through_the_server(server: Server) -> None:
    page = server.send(b"GET /en/ HTTP/1.1", b"Accept-Encoding: br, gzip")
    assert page.status == 200 and page.header("content-encoding") == "br"
    # and Accept-Datetime: the page is its own Memento TimeGate (app/versions.py)
    assert page.header("vary") == "Accept-Datetime, Accept-Encoding"
    assert int(page.header("content-length") or 0) == len(page.body)
    etag = page.header("etag") or ""
    again = server.send(
        b"GET /en/ HTTP/1.1", b"Accept-Encoding: br", b"If-None-Match: " + etag.encode()
    )
    assert again.status == 304 and again.body == b""
    head = server.send(b"HEAD /en/ HTTP/1.1", b"Accept-Encoding: br, gzip")
    assert head.status == 200 and head.body == b""
    assert head.header("content-length") == page.header("content-length")
    plain = server.send(b"GET /en/ HTTP/1.1")
    title = LexborHTMLParser(plain.body.decode()).css_first("title")
    assert plain.header("content-encoding") is None and title is not None and title.text()


def test_keep_alive_serves_many_requests_on_one_connection(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        for path in (b"/en/", b"/healthz", b"/en/no-such-page/", b"/es/"):
            sock.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            answer = read_answer(sock)
            assert answer.status == (404 if b"no-such" in path else 200), path
            assert int(answer.header("content-length") or -1) == len(answer.body)


def test_log_lines_hold_no_client_address(server: Server) -> None:
    server.send(b"GET /en/?from=log-test HTTP/1.1", b"X-Forwarded-For: 198.51.100.9")
    deadline = time.monotonic() + 5
    lines: list[str] = []
    while time.monotonic() < deadline:
        lines = [x for x in server.log.read_text().splitlines() if " app.access " in x]
        if any(" GET /en/ 200 " in x for x in lines):
            break
        time.sleep(0.1)
    assert any(" GET /en/ 200 " in x for x in lines)
    for line in lines:
        assert "127.0.0.1" not in line and "198.51.100.9" not in line, line
