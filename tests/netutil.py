"""Test servers: the first free port in a suite's own range, on 127.0.0.1, and the real server."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from app.settings import ROOT


def free_port(ports: range, exclude: set[int] | None = None) -> int:
    for port in ports:
        if exclude and port in exclude:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")


@contextlib.contextmanager
def running_server(
    port: int, env: Mapping[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m app serve` on `port` (granian, one worker), its output in `log`; yields once
    /healthz answers 200, and stops the server (SIGTERM, then kill) afterwards."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env=dict(env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            while not _healthy(port):
                assert proc.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, "no answer on /healthz within 90 s"
                time.sleep(0.2)
            yield proc
        finally:
            proc.terminate()  # granian stops its workers and exits on SIGTERM
            try:
                proc.wait(timeout=20)
            finally:
                if proc.poll() is None:
                    proc.kill()


def _healthy(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return conn.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
