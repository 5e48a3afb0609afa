"""Conditional requests and content negotiation, free of any framework (known-answer tested).

The router (app/serve/app.py) and the fast path (app/serve/fastpath.py) both answer through
these, so a 304 or an encoding is chosen the same way on either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

NOT_MODIFIED_KEEP = ("etag", "cache-control", "vary")  # what a 304 repeats of the 200's headers
PREFERENCE = ("br", "gzip")  # smallest first


def accepted_encodings(header: str) -> set[str]:
    """Encodings named in Accept-Encoding with a non-zero q value (`*` stands for ours, except
    those refused by name with q=0)."""
    out, refused = set(), set()
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if name and q > 0:
            out.add(name)
        elif name:
            refused.add(name)
    if "*" in out:
        out |= set(PREFERENCE) - refused
    return out


def choose_encoding(available: Iterable[str], accept_encoding: str) -> str | None:
    """The preferred encoding we have and the client accepts; None for the identity body."""
    have = set(available)
    if not have:
        return None
    accepted = accepted_encodings(accept_encoding)
    return next((e for e in PREFERENCE if e in accepted and e in have), None)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match's weak comparison (RFC 9110 13.1.2): `*`, a list, `W/` prefixes ignored."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    candidates = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag.removeprefix("W/") in candidates


def not_modified_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers a 304 keeps of its 200's."""
    return [(k, v) for k, v in headers if k.lower() in NOT_MODIFIED_KEEP]
