"""A compact, checked file body for the build cache: a small JSON head, numpy arrays, and every
string in one UTF-8 blob (cut by their lengths), so decoding a large index is a few C calls,
not a JSON parse of every string. Nothing is unpickled; a body that does not add up raises
ValueError."""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np

DTYPES = ("<i4", "<i8", "<f8")


def pack(head: dict[str, Any], arrays: Sequence[np.ndarray], strings: Sequence[str]) -> bytes:
    lengths = np.fromiter(map(len, strings), np.int64, len(strings))
    blob = "".join(strings).encode("utf-8", "surrogatepass")
    parts = [np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")) for a in arrays]
    described = [[p.dtype.str, p.size] for p in parts]
    text = json.dumps(
        {**head, "arrays": described, "strings": len(strings), "blob": len(blob)},
        separators=(",", ":"),
    ).encode()
    body = [struct.pack(">I", len(text)), text, lengths.astype("<i8").tobytes()]
    return b"".join([*body, *(p.tobytes() for p in parts), blob])


def unpack(data: bytes, copy: bool = True) -> tuple[dict[str, Any], list[np.ndarray], list[str]]:
    """The head, arrays and strings; the arrays are views into `data` unless `copy`."""
    (size,) = struct.unpack(">I", data[:4])
    head = json.loads(data[4 : 4 + size])
    at = 4 + size
    count = int(head["strings"])
    lengths = np.frombuffer(data, "<i8", count, at)
    at += 8 * count
    arrays = []
    for dtype, items in head["arrays"]:
        if dtype not in DTYPES:
            raise ValueError(f"an array of {dtype!r}")
        array = np.frombuffer(data, dtype, int(items), at)
        arrays.append(array.astype(array.dtype.newbyteorder("=")) if copy else array)
        at += array.nbytes
    if at + int(head["blob"]) != len(data):
        raise ValueError("a packed body does not add up")
    text = data[at:].decode("utf-8", "surrogatepass")
    ends = np.cumsum(lengths).tolist()
    if (ends[-1] if ends else 0) != len(text):
        raise ValueError("a packed body's strings do not add up")
    starts = [0, *ends[:-1]] if ends else []
    return head, arrays, [text[a:b] for a, b in zip(starts, ends, strict=True)]
