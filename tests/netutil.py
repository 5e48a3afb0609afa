"""Ports for test servers: the first free one in a suite's own range, on 127.0.0.1."""

from __future__ import annotations

import socket


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
