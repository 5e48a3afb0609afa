"""Did you mean: the nearest word the index knows to a word it does not.

Levenshtein distance, within one edit (two for words of 6+ letters), to the index's own words and
the synonyms' words; the most frequent word wins. A word within k edits of another keeps all but at
most 2k of its distinct letter pairs, so only words sharing enough pairs are measured.
"""

from __future__ import annotations

from collections.abc import Mapping


def distance(a: str, b: str, most: int) -> int:
    """Levenshtein distance, giving up (returning most + 1) once it must exceed `most`."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > most:
            return most + 1
        previous = current
    return previous[-1]


def _pairs(word: str) -> set[str]:
    return {word[i : i + 2] for i in range(len(word) - 1)}


class Vocabulary:
    """Known words with how often each occurs, indexed by their letter pairs."""

    def __init__(self, counts: Mapping[str, int]):
        self.counts = dict(counts)
        self.by_pair: dict[str, list[str]] = {}
        for word in self.counts:
            for pair in _pairs(word):
                self.by_pair.setdefault(pair, []).append(word)

    def nearest(self, word: str) -> str | None:
        """The most frequent known word within one edit (two for words of 6+ letters), or None
        for a known word, a short one, or one with nothing near."""
        if word in self.counts or len(word) < 3:
            return None
        most = 1 if len(word) < 6 else 2
        pairs = _pairs(word)
        needed = len(pairs) - 2 * most
        if needed > 0:
            shared: dict[str, int] = {}
            for pair in pairs:
                for candidate in self.by_pair.get(pair, ()):
                    shared[candidate] = shared.get(candidate, 0) + 1
            candidates = [c for c, n in shared.items() if n >= needed]
        else:
            candidates = list(self.counts)
        best: tuple[int, int, str] | None = None
        for candidate in candidates:
            if abs(len(candidate) - len(word)) > most:
                continue
            d = distance(word, candidate, most)
            if d <= most and (best is None or (d, -self.counts[candidate], candidate) < best):
                best = (d, -self.counts[candidate], candidate)
        return best[2] if best else None
