"""One build cache file's format (app/build/cache.py): a magic line, the sha256 of the rest, then
a JSON header and the bytes it describes. Standard library only: a start reads a file or two
before it imports anything else (app/build/bundle.py)."""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

MAGIC = b"la-build-cache 2\n"  # 2: a page's search entries apart, as a counted Segment


class Corrupt(ValueError):
    pass


def pack(header: dict[str, Any], blobs: bytes) -> bytes:
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    body = struct.pack(">I", len(head)) + head + blobs
    return MAGIC + hashlib.sha256(body).digest() + body


def unpack(data: bytes | memoryview, checked: bool = False) -> tuple[dict[str, Any], memoryview]:
    """The header and the blobs, as a view into `data` (a large body is not copied). `checked`:
    the bytes were checked already, as part of a bundle (app/build/bundle.py)."""
    view = memoryview(data)
    if view[: len(MAGIC)] != MAGIC:
        raise Corrupt("not a cache file of this format")
    digest, body = view[len(MAGIC) : len(MAGIC) + 32], view[len(MAGIC) + 32 :]
    if not checked and hashlib.sha256(body).digest() != digest:
        raise Corrupt("checksum mismatch")
    if len(body) < 4:
        raise Corrupt("truncated")
    (size,) = struct.unpack(">I", body[:4])
    header = json.loads(bytes(body[4 : 4 + size]))
    if not isinstance(header, dict):
        raise Corrupt("no header")
    return header, body[4 + size :]
