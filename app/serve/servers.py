"""Run the site: granian in production (`make run`, the Dockerfile), uvicorn when reloading.

granian (an ASGI server written in Rust) serves the pre-built responses at about twice the rate
uvicorn does on the same app, with a p99 latency a tenth of uvicorn's at 32 connections
(`bench/run.py --only serve`, README). uvicorn stays for `make dev`, whose reloader it has built
in. Both get the same settings: no access log of their own (the app logs method, path, status and
time, never a client address), and the same log configuration in every worker. Forwarded headers
are honoured by the app itself, only from FORWARDED_ALLOW_IPS (app/serve/app.py), under either
server.
"""

from __future__ import annotations

from typing import Any

from .middleware import log_config

TARGET = "app.serve.app:create_app"  # a factory: each worker builds the site once, at startup


def granian_options(host: str, port: int, workers: int) -> dict[str, Any]:
    from granian.constants import Interfaces

    return {
        "target": TARGET,
        "factory": True,
        "address": host,
        "port": port,
        "workers": workers,
        "interface": Interfaces.ASGI,
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

    Granian(**granian_options(host, port, workers)).serve()
