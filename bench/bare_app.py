"""The ceiling for any Python app under granian here: a bare app that answers every request with
the explainer page's pre-built gzip response (the same bytes and the same headers the app sends),
doing nothing else: no look-up, no negotiation, no log line.

It is served with the app's own granian options (`app/serve/servers.py`), so that what differs
between it and the app is the app's work per request. Both interfaces:

    python bench/bare_app.py --port 8812 --interface asgi
    python bench/bare_app.py --port 8813 --interface rsgi
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PAGE = "/en/dea-dhs-coordination/"
ENCODING = "gzip"


def response() -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The app's own raw headers and body for PAGE, gzip, as its fast path sends them."""
    from app.serve.app import create_app

    app = create_app()
    assert app.fast_path is not None
    prepared = app.fast_path.prepared[(PAGE, ENCODING)]
    return list(prepared.ok), prepared.body


def asgi() -> Callable[..., Awaitable[None]]:
    headers, body = response()
    start = {"type": "http.response.start", "status": 200, "headers": headers}
    end = {"type": "http.response.body", "body": body}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # lifespan: nothing to start or stop
            return
        await send(start)
        await send(end)

    return app


def rsgi() -> Callable[..., Awaitable[None]]:
    raw, body = response()
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]

    async def app(scope: Any, proto: Any) -> None:
        proto.response_bytes(200, headers, body)

    return app


def main() -> None:
    from granian import Granian
    from granian.constants import Interfaces

    from app.serve.servers import granian_options

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--interface", choices=["asgi", "rsgi"], default="asgi")
    args = parser.parse_args()
    options = granian_options("127.0.0.1", args.port, 1)
    options["target"] = f"bench.bare_app:{args.interface}"
    options["interface"] = Interfaces.ASGI if args.interface == "asgi" else Interfaces.RSGI
    Granian(**options).serve()


if __name__ == "__main__":
    main()
