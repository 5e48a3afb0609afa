"""Snapshot every response of the real site, to show that a refactor changed none of them.

Every pre-built path (deferred ones built) and a few dynamic ones, each fetched with brotli, gzip
and identity encodings, as HEAD and as POST: status, headers (less Date) and a SHA-256 of the
body, as JSON. Run it before and after a change and compare the two files with `cmp`.

usage: .venv/bin/python tools/snapshot_responses.py OUT.json [module:factory]
"""

from __future__ import annotations

import hashlib
import importlib
import json
import sys
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


def main(out: str, target: str = "app.serve.app:create_app") -> int:
    module, factory = target.split(":")
    app = getattr(importlib.import_module(module), factory)()
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
    sys.exit(main(*sys.argv[1:]))
