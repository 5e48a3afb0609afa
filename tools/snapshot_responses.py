"""Snapshot every response of the real site, to show that a refactor changed none of them.

Every pre-built path (deferred ones built) and a few dynamic ones, each fetched with brotli, gzip
and identity encodings, as HEAD and as POST: status, headers (less Date) and a SHA-256 of the
body, as JSON. Run it before and after a change and compare the two files with `cmp`.

With `--url http://127.0.0.1:PORT` the same requests (and a conditional GET with each path's ETag)
go over raw sockets to a running server, so what the server in front adds is compared too: the
status line and every header as sent, in order (less Date), and a SHA-256 of the raw body.

usage: .venv/bin/python tools/snapshot_responses.py OUT.json [module:factory] [--url URL]
"""

from __future__ import annotations

import hashlib
import importlib
import json
import socket
import sys
from collections.abc import Iterable
from pathlib import Path

from fastapi.testclient import TestClient

DYNAMIC = [
    "/",
    "/en",
    "/EN/",
    "/nope",
    "/en/nope/",
    "/en/search?q=police",
    "/es/search?q=polic%C3%ADa",
    "/en/search?q=" + "x" * 300,
    "/en/search?q=%22%29+OR+*",
    "/en/search/",
    "/api/v1/search?q=ice&lang=en",
    "/api/v1/search?q=",
    "/api/v1/nope",
    "/en/cite.bib",
    "/en/faq/cite.ris",
    "/en/faq/cite.json",
    "/en/faq/cite.bib?section=nope",
    "/es/preguntas-frecuentes/cite.bib",
    "/api/v1/pages/en/faq.json",
]


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def fetch(port: int, method: str, path: str, headers: Iterable[tuple[str, str]]) -> list[object]:
    """One request on its own connection: status line, headers as sent (less Date), body digest."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *fields = head.decode("latin-1").split("\r\n")
    kept = [f for f in fields if not f.lower().startswith("date:")]
    return [status, kept, digest(body)]


def over_http(url: str, paths: list[str]) -> dict[str, list[object]]:
    port = int(url.rsplit(":", 1)[1].strip("/"))
    found: dict[str, list[object]] = {}
    for path in paths:
        for encoding in ("br", "gzip", "identity"):
            headers = [("Accept-Encoding", encoding), ("Accept-Language", "es")]
            found[f"{path} [{encoding}]"] = answer = fetch(port, "GET", path, headers)
            tag = next((f[6:] for f in answer[1] if f.lower().startswith("etag: ")), None)  # type: ignore[union-attr]
            if tag is not None:
                conditional = [*headers, ("If-None-Match", tag)]
                found[f"{path} [{encoding} 304]"] = fetch(port, "GET", path, conditional)
        found[f"{path} [HEAD]"] = fetch(port, "HEAD", path, [])
        found[f"{path} [POST]"] = fetch(port, "POST", path, [("Content-Length", "0")])
    return found


def main(out: str, target: str = "app.serve.app:create_app", url: str = "") -> int:
    module, factory = target.split(":")
    app = getattr(importlib.import_module(module), factory)()
    if url:  # the app is built only for its list of paths
        found = over_http(url, [*sorted(app.state.site.responses), *DYNAMIC])
        Path(out).write_text(json.dumps(found, indent=0, sort_keys=True))
        print(f"{len(found)} requests to {url} written to {out}")
        return 0
    client = TestClient(app)
    found: dict[str, list[object]] = {}
    for path in [*sorted(app.state.site.responses), *DYNAMIC]:
        for encoding in ("br", "gzip", "identity"):
            headers = {"accept-encoding": encoding, "accept-language": "es"}
            r = client.get(path, headers=headers, follow_redirects=False)
            kept = [(k, v) for k, v in r.headers.items() if k != "date"]
            found[f"{path} [{encoding}]"] = [r.status_code, kept, digest(r.content)]
        r = client.request("HEAD", path, follow_redirects=False)
        found[f"{path} [HEAD]"] = [r.status_code, sorted(r.headers.items()), len(r.content)]
        r = client.post(path, follow_redirects=False)
        found[f"{path} [POST]"] = [r.status_code, sorted(r.headers.items()), digest(r.content)]
    Path(out).write_text(json.dumps(found, indent=0, sort_keys=True))
    print(f"{len(found)} requests written to {out}")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    url = ""
    if "--url" in args:
        at = args.index("--url")
        url = args[at + 1]
        del args[at : at + 2]
    sys.exit(main(*args, url=url))
