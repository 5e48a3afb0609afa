"""Known answers for conditional requests and encoding choice (app/httputil.py)."""

from __future__ import annotations

import pytest

from app.httputil import (
    accepted_encodings,
    choose_encoding,
    etag_matches,
    not_modified_headers,
)

TAG = '"abc123"'


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", False),  # no If-None-Match: never a 304
        ('"abc123"', True),
        ('W/"abc123"', True),  # weak comparison: W/ is ignored
        ('"other", W/"abc123"', True),  # a list
        ('"other" ,  "abc123" ', True),
        ('"other"', False),
        ('"abc"', False),  # a prefix is not a match
        ("abc123", False),  # unquoted is another tag
        ("*", True),
        (" * ", True),
        ('"*"', False),
    ],
)
def test_etag_matches(header: str, expected: bool) -> None:
    assert etag_matches(header, TAG) is expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", set()),
        ("gzip", {"gzip"}),
        ("gzip, br", {"gzip", "br"}),
        ("br;q=0, gzip", {"gzip"}),  # q=0 means "not this one"
        ("br; q=0.0, gzip;q=0.5", {"gzip"}),
        ("GZIP;Q=1", {"gzip"}),
        ("br;q=nonsense", set()),
        ("*", {"*", "br", "gzip"}),
        ("*;q=0", set()),
        ("identity", {"identity"}),
    ],
)
def test_accepted_encodings(header: str, expected: set[str]) -> None:
    assert accepted_encodings(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),  # missing header: the identity body
        ("gzip, deflate, br", "br"),  # brotli is smaller
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0", None),
        ("*", "br"),
        ("*, br;q=0", "gzip"),  # refused by name, even with *
        ("deflate", None),
    ],
)
def test_choose_encoding(header: str, expected: str | None) -> None:
    assert choose_encoding({"br", "gzip"}, header) == expected


def test_choose_encoding_only_offers_what_exists() -> None:
    assert choose_encoding({"gzip"}, "br, gzip") == "gzip"
    assert choose_encoding(set(), "br, gzip") is None


def test_not_modified_keeps_only_validators_and_caching() -> None:
    headers = [
        ("content-type", "text/html"),
        ("ETag", TAG),
        ("cache-control", "no-cache"),
        ("vary", "Accept-Encoding"),
        ("content-encoding", "br"),
    ]
    assert not_modified_headers(headers) == [
        ("ETag", TAG),
        ("cache-control", "no-cache"),
        ("vary", "Accept-Encoding"),
    ]
