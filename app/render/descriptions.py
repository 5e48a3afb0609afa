"""Descriptions for link previews: a section's first sentence, at most 160 characters."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from ..markdown.tokens import plain_text

DESCRIPTION_MAX = 160
NOT_SENTENCE_ENDS = {  # abbreviations a sentence does not end with
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "jr",
    "sr",
    "sra",
    "no",
    "núm",
    "gen",
    "gov",
    "sen",
    "rep",
    "lt",
    "sgt",
    "capt",
    "vs",
    "approx",
    "ave",
    "blvd",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "ene",
    "abr",
    "ago",
    "dic",
    "art",
    "sec",
}


def first_sentence(text: str) -> str:
    for match in re.finditer(r"[.!?][\"\u201d\u2019)]?(?=\s|$)", text):
        word = text[: match.start()].rsplit(None, 1)[-1] if text[: match.start()].strip() else ""
        initial = len(word) == 1 and word.isupper()
        if re.fullmatch(r"(?:\w\.)*\w", word) and ("." in word or initial):
            continue  # "U.S.", "a.m.", an initial
        if word.lower().strip("(") in NOT_SENTENCE_ENDS:
            continue
        return text[: match.end()]
    return text


def shorten(text: str, limit: int = DESCRIPTION_MAX) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:\u2014\u2013-")
    return cut + "…"


def describe(tokens: Sequence[Token], fallback: str) -> str:
    """A section's description: the first sentence of its first paragraph, at most 160 chars."""
    for index, token in enumerate(tokens[:-1]):
        if token.type == "paragraph_open" and tokens[index + 1].type == "inline":
            text = plain_text(tokens[index + 1])
            if text:
                return shorten(first_sentence(text))
    return shorten(fallback)
