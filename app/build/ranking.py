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

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .postings import Table, Texts
from .searchtext import Concept

K1 = 1.2
MOST = 0.5  # a section must match more than this share of the query's IDF weight
INFLECTED = 0.7  # a match on another form of a word's stem counts this much of a written form
PER_PAGE = 2
DECAY = 0.7


class Postings:
    """One language's view of the index's tables (app/build/postings.py): per stem, and per
    folded word (for the last word's prefix), each entry's pseudo-frequency, where each mention
    counts its column's weight over the column's BM25 length normalisation (BM25F). Made once;
    read by every query."""

    def __init__(self, stems: Table, words: Table, lang: int, size: int, texts: Texts):
        self.size = size
        self.stems, self.words, self.lang, self.texts = stems, words, lang, texts
        self.sorted_words = sorted(words.known(lang))

    def _add(self, table: Table, term: str, into: dict[int, float]) -> None:
        keys, values = table.postings(self.lang, term)
        for key, n in zip(keys, values, strict=True):
            into[key] = into.get(key, 0.0) + n

    def frequencies(self, concept: Concept) -> dict[int, tuple[float, float]]:
        """entry -> the concept's pseudo-frequency (any alternative, or a word the last word
        begins, whichever is more), and the same for the forms asked for as written."""
        tf: dict[int, float] = {}
        exact: dict[int, float] = {}
        for phrase in concept.alternatives:
            if len(phrase) == 1:
                self._add(self.stems, phrase[0], tf)
            elif phrase:
                self._phrase(phrase, tf, exact)
        if concept.forms:
            for word in concept.forms:
                self._add(self.words, word, exact)
        else:
            exact = dict(tf)
        if concept.prefix:
            prefixed: dict[int, float] = {}
            ordered = self.sorted_words
            at = bisect.bisect_left(ordered, concept.prefix)
            while at < len(ordered) and ordered[at].startswith(concept.prefix):
                self._add(self.words, ordered[at], prefixed)
                at += 1
            for key, n in prefixed.items():
                tf[key] = max(tf.get(key, 0.0), n)
                exact[key] = max(exact.get(key, 0.0), n)
        return {key: (n, exact.get(key, 0.0)) for key, n in tf.items()}

    def _phrase(
        self, phrase: tuple[str, ...], tf: dict[int, float], exact: dict[int, float]
    ) -> None:
        sizes = [self.stems.size(self.lang, stem) for stem in phrase]
        if not all(sizes):
            return
        rarest = phrase[sizes.index(min(sizes))]
        needle = " " + " ".join(phrase) + " "
        joined = self.texts.joined
        for key in self.stems.postings(self.lang, rarest)[0]:
            if needle in joined[key]:  # then the entry has every stem of the phrase
                n = self.texts.count(key, needle)
                if n:
                    tf[key] = tf.get(key, 0.0) + n
                    exact[key] = exact.get(key, 0.0) + n  # a phrase is as specific as asked


def _saturated(n: float) -> float:
    return n * (K1 + 1) / (K1 + n)


def idf(entries: int, having: int) -> float:
    """BM25's inverse document frequency (never negative)."""
    return math.log(1 + (entries - having + 0.5) / (having + 0.5))


@dataclass(frozen=True)
class Scored:
    key: int  # the caller's id of the entry
    score: float
    mask: int  # bit i: the entry matches concept i
    share: float  # the share of the query's IDF weight it matches (1.0: every concept)
    weak: bool = False  # it only quotes a source article's claims (or is a source)
    page: str = ""  # entries of one page share it


def score(postings: Postings, wanted: Sequence[Concept]) -> list[Scored]:
    """BM25F of each entry that matches a concept, with its share of the query's weight."""
    found = [postings.frequencies(concept) for concept in wanted]
    weights = [idf(postings.size, len(tf)) for tf in found]
    total = sum(weights) or 1.0
    out = []
    for key in sorted(set().union(*found)):
        value, mask, covered, count = 0.0, 0, 0.0, 0
        for i, tf in enumerate(found):
            pair = tf.get(key)
            if pair:
                value += weights[i] * max(_saturated(pair[1]), INFLECTED * _saturated(pair[0]))
                mask |= 1 << i
                covered += weights[i]
                count += 1
        if count:
            share = 1.0 if count == len(wanted) else covered / total
            out.append(Scored(key, value, mask, share))
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

    scores = {s.key: effective(s) for s in kept}
    ranked = sorted(kept, key=lambda s: (-scores[s.key], s.weak, -s.score, s.key))
    ranked = _spread(ranked, scores)
    fulls = sum(s.share == 1.0 for s in ranked)
    matched = "all" if fulls == len(ranked) else "most" if fulls else "any"
    return ranked, matched


def _spread(ranked: list[Scored], scores: dict[int, float]) -> list[Scored]:
    """Each page's entries after its first `PER_PAGE` count `DECAY` times less each: a page whose
    title matches lends that match to each of its sections, which would otherwise fill the top
    places, but a page with many good sections still shows them."""
    seen: dict[str, int] = {}
    spread = []
    for at, s in enumerate(ranked):
        seen[s.page] = seen.get(s.page, 0) + 1
        extra = max(seen[s.page] - PER_PAGE, 0)
        spread.append((-scores[s.key] * DECAY**extra, at, s))
    return [s for *_, s in sorted(spread)]
