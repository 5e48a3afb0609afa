"""Run the site: granian in production (`make run`, the Dockerfile), uvicorn when reloading.

granian (an ASGI server written in Rust) serves the pre-built responses at about twice the rate
uvicorn does on the same app, with a p99 latency a tenth of uvicorn's at 32 connections
(`bench/run.py --only serve`, README). uvicorn stays for `make dev`, whose reloader it has built
in. Both get the same settings: no access log of their own (the app logs method, path, status and
time, never a client address), and the same log configuration in every worker. Forwarded headers
are honoured by the app itself, only from FORWARDED_ALLOW_IPS (app/serve/app.py), under either
server.

Slow and many clients (README, "Slow clients"; `bench/slowclients.py`): a connection must send
its whole request head within HEADER_TIMEOUT_MS, or granian closes it; the same timer closes a
keep-alive connection left idle that long. Each worker holds at most CONNECTIONS connections
(granian's "backpressure" counts accepted connections, not requests); more wait in the listen
queue (BACKLOG). HTTP/1.1 only: with granian's default (`http="auto"`) a connection that sends
nothing at all is never closed (its HTTP/1-or-2 sniffing has no timeout; measured: still open
after 12 s, against 5.0 s with HTTP/1.1 only), and browsers do not speak HTTP/2 without TLS.
The app itself caps connections per client address (app/serve/limits.py).
"""

from __future__ import annotations

import resource
from typing import Any

from .middleware import log_config

TARGET = "app.serve.app:serve_app"  # a factory: each worker builds the site once, at startup
HEADER_TIMEOUT_MS = 5_000  # a phone on a slow network sends its ~1 KB request head well within 1 s
CONNECTIONS = 4_096  # per worker; twice the 2,000 slow connections `make bench` holds open
BACKLOG = 4_096  # the kernel's somaxconn caps it (4,096 by default on Linux >= 5.4)
READ_BUFFER = 64 * 1024  # the most a request head may take (granian's default: 417 KB)
FILES_NEEDED = CONNECTIONS + 256  # per process (each worker has its own): sockets, files, logs


def raise_file_limit(needed: int = FILES_NEEDED) -> int:
    """Raise the soft limit on open files towards `needed` (never above the hard limit), so that
    CONNECTIONS sockets can be open: Debian's default soft limit is 1,024. Returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def granian_options(host: str, port: int, workers: int) -> dict[str, Any]:
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    return {
        "target": TARGET,
        "factory": True,
        "address": host,
        "port": port,
        "workers": workers,
        "interface": Interfaces.ASGI,
        "http": HTTPModes.http1,
        "http1_settings": HTTP1Settings(
            header_read_timeout=HEADER_TIMEOUT_MS, keep_alive=True, max_buffer_size=READ_BUFFER
        ),
        "backlog": BACKLOG,
        "backpressure": CONNECTIONS,
        "websockets": False,
        "respawn_failed_workers": True,  # a worker that dies is replaced, not the whole server
        "log_access": False,  # its access log would hold client addresses
        "log_dictconfig": log_config(),
    }


def serve_site(host: str, port: int, workers: int, reload: bool = False) -> None:
    if reload:
        import uvicorn

        uvicorn.run(
            TARGET,
            factory=True,
            host=host,
            port=port,
            reload=True,
            access_log=False,
            proxy_headers=False,  # the app handles forwarded headers itself
            server_header=False,
            log_config=log_config(),
        )
        return
    from granian import Granian

    raise_file_limit()  # before the workers start: they inherit it
    Granian(**granian_options(host, port, workers)).serve()
