"""Static files, fingerprinted: static/site.css is /static/site.3f2a9c1b.css, cached forever."""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from .prebuilt import IMMUTABLE, Prebuilt


def fingerprint(static_dir: Path) -> tuple[dict[str, str], dict[str, Prebuilt]]:
    """(file name -> its URL, URL -> its response); favicon.ico keeps its fixed address."""
    assets: dict[str, str] = {}
    responses: dict[str, Prebuilt] = {}
    for path in sorted(static_dir.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if media.startswith("text/") or media == "application/javascript":
            media += "; charset=utf-8"
        rel = path.relative_to(static_dir).as_posix()
        if rel == "favicon.ico":
            responses["/favicon.ico"] = Prebuilt.build(
                data, "image/x-icon", "public, max-age=86400"
            )
            continue
        stem, dot, ext = rel.rpartition(".")
        digest = hashlib.sha256(data).hexdigest()[:10]
        url = f"/static/{stem}.{digest}.{ext}" if dot else f"/static/{rel}.{digest}"
        assets[rel] = url
        responses[url] = Prebuilt.build(data, media, IMMUTABLE)
    return assets, responses
