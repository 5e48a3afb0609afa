"""Checks that a citation key names an excerpt, reference or research quote that exists."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from ..markdown.citations import CiteKey
from .records import Source


class KeyCheck:
    """Checks that a citation key names something that exists."""

    def __init__(
        self, sources: dict[str, Source], references: dict[str, Any], facts: dict[str, Any]
    ):
        self.sources, self.references, self.facts = sources, references, facts

    def problem(self, key: CiteKey) -> tuple[str, str] | None:
        if key.kind == "invalid":
            return (
                f"malformed citation item '{key.label}'.",
                "write [@source-id#excerpt-id], [@ref:reference-id] or [@quote:fact-id].",
            )
        if key.kind == "ref" and key.target not in self.references:
            return (
                f"unknown reference '{key.target}'.",
                _suggest(key.target, self.references, "references in research/context.yaml"),
            )
        if key.kind == "quote":
            fact = self.facts.get(key.target)
            if fact is None or fact.quote is None:
                quoted = [f for f, v in self.facts.items() if v.quote]
                return (
                    f"'{key.target}' is not a research fact with a quote.",
                    _suggest(key.target, quoted, "facts with a 'quote'"),
                )
        if key.kind == "excerpt":
            source = self.sources.get(key.target)
            if source is None:
                return (
                    f"unknown source '{key.target}'.",
                    _suggest(key.target, self.sources, "files in content/sources/"),
                )
            if key.excerpt not in source.declared:
                return (
                    f"unknown excerpt '{key.excerpt}' in source '{key.target}'.",
                    _suggest(key.excerpt, source.excerpts, f"excerpts of {key.target}"),
                )
        return None


def _suggest(name: str, known: Iterable[str], what: str) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
    return (f"did you mean '{close[0]}'? " if close else "") + f"Use one of the {what}."
