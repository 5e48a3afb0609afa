"""Ranking for site search: BM25F over an entry's columns, with one term per concept.

Each thing the reader asked for (a word, or an editors' synonym group: a `Concept`) is one term,
however many of its alternatives a section uses, as Lucene treats synonyms. A term weighs by its
rarity among the language's entries (BM25's IDF), so a section with the rare words of a query
beats a section with only its common ones ("para" is everywhere in Spanish, "frena" is not). Page
titles, headings and FAQ questions count more than body text (column weights); repeats saturate
(k1) and long columns count less per word (b).

A section's coverage is the share of the query's IDF weight it matches. A section with every term
need not come first: one with the rare terms in its question can beat one with every term in
passing. Sections below most of the weight (`MOST`) are left out when others reach it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .searchtext import Concept

# title, heading, question (an FAQ heading again), body, quoted (foreign-language quotes)
WEIGHTS = (8.0, 6.0, 6.0, 1.0, 0.5)
K1 = 1.2
B = 0.75
MOST = 0.5  # a section must match more than this share of the query's IDF weight
PER_PAGE = 2


@dataclass(frozen=True)
class Analyzed:
    """One entry's columns as Snowball stems and folded words, ready to score."""

    counts: dict[str, tuple[int, ...]]  # stem -> its occurrences in each column
    stems: tuple[str, ...]  # " stem stem ... " of each column, for phrases
    words: tuple[str, ...]  # " word word ... " of each column, for the last word's prefix
    every: str  # every column's words, to rule a prefix out quickly
    factors: tuple[float, ...]  # each column's weight over its BM25 length normalisation


def analyze(columns: Sequence[Sequence[tuple[list[str], list[str]]]]) -> list[Analyzed]:
    """`columns[entry][column]` = (folded words, stems); BM25 needs every entry's lengths at once."""
    average = []
    for c in range(len(WEIGHTS)):  # over the entries that have the column (few have a question)
        lengths = [len(e[c][1]) for e in columns if e[c][1]]
        average.append(max(sum(lengths) / max(len(lengths), 1), 1.0))
    out = []
    for entry in columns:
        counts: dict[str, list[int]] = {}
        for c, (_, stems) in enumerate(entry):
            for stem in stems:
                counts.setdefault(stem, [0] * len(WEIGHTS))[c] += 1
        factors = tuple(
            weight / (1 - B + B * len(stems) / average[c])
            for c, (weight, (_, stems)) in enumerate(zip(WEIGHTS, entry, strict=True))
        )
        out.append(
            Analyzed(
                {stem: tuple(n) for stem, n in counts.items()},
                tuple(" " + " ".join(stems) + " " for _, stems in entry),
                tuple(" " + " ".join(words) for words, _ in entry),
                " " + " ".join(w for words, _ in entry for w in words),
                factors,
            )
        )
    return out


def frequencies(row: Analyzed, concept: Concept) -> list[int] | None:
    """How often each column mentions the concept (any alternative, or the prefix), or None."""
    tf = [0] * len(WEIGHTS)
    found = False
    for phrase in concept.alternatives:
        if len(phrase) == 1:
            counts = row.counts.get(phrase[0])
            if counts:
                found = True
                tf = [a + b for a, b in zip(tf, counts, strict=True)]
        elif all(stem in row.counts for stem in phrase):
            needle = " " + " ".join(phrase) + " "
            for c, text in enumerate(row.stems):
                if needle in text:
                    found = True
                    tf[c] += text.count(needle)
    if concept.prefix and " " + concept.prefix in row.every:
        needle = " " + concept.prefix
        for c, text in enumerate(row.words):
            if needle in text:
                found = True
                tf[c] = max(tf[c], text.count(needle))
    return tf if found else None


def idf(entries: int, having: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (entries - having + 0.5) / (having + 0.5))


@dataclass(frozen=True)
class Scored:
    key: int  # the caller's id of the entry
    score: float
    mask: int  # bit i: the entry matches concept i
    share: float  # the share of the query's IDF weight it matches (1.0: every concept)
    weak: bool  # it only quotes a source article's claims (or is a source)
    page: str = ""  # entries of one page share it


def score(
    candidates: Sequence[tuple[int, Analyzed, bool, str]], entries: int, wanted: Sequence[Concept]
) -> list[Scored]:
    """BM25F of each candidate (key, columns, weak, page) for the concepts, with its coverage."""
    found: list[tuple[int, Analyzed, bool, str, list[tuple[int, list[int]]]]] = []
    having = [0] * len(wanted)
    for key, row, weak, page in candidates:
        matches = []
        for i, concept in enumerate(wanted):
            tf = frequencies(row, concept)
            if tf is not None:
                matches.append((i, tf))
                having[i] += 1
        if matches:
            found.append((key, row, weak, page, matches))
    weights = [idf(entries, n) for n in having]
    total = sum(weights) or 1.0
    out = []
    for key, row, weak, page, matches in found:
        value, mask, covered = 0.0, 0, 0.0
        for i, tf in matches:
            pseudo = sum(n * f for n, f in zip(tf, row.factors, strict=True))
            value += weights[i] * pseudo * (K1 + 1) / (K1 + pseudo)
            mask |= 1 << i
            covered += weights[i]
        share = 1.0 if len(matches) == len(wanted) else covered / total
        out.append(Scored(key, value, mask, share, weak, page))
    return out


def order(scored: Sequence[Scored]) -> tuple[list[Scored], str]:
    """Kept entries, best first, and "all" | "most" | "any" (see `Results.matched`).

    Entries with at most `MOST` of the query's weight are dropped when any entry has more. An entry
    that only quotes an article's claims ranks below every established entry with the same
    concepts (or more)."""
    kept = [s for s in scored if s.share > MOST] or list(scored)
    established = [s for s in kept if not s.weak]

    def effective(s: Scored) -> float:
        if not s.weak:
            return s.score
        caps = [e.score for e in established if s.mask & ~e.mask == 0]
        return min([s.score, *caps])

    ranked = _spread(sorted(kept, key=lambda s: (-effective(s), s.weak, -s.score, s.key)))
    fulls = sum(s.share == 1.0 for s in ranked)
    matched = "all" if fulls == len(ranked) else "most" if fulls else "any"
    return ranked, matched


def _spread(ranked: list[Scored]) -> list[Scored]:
    """At most `PER_PAGE` entries of one page before every other page's best: a page whose title
    matches lends that match to each of its sections, which would otherwise fill the top."""
    first: list[Scored] = []
    later: list[Scored] = []
    seen: dict[str, int] = {}
    for s in ranked:
        seen[s.page] = seen.get(s.page, 0) + 1
        (first if seen[s.page] <= PER_PAGE else later).append(s)
    return first + later
