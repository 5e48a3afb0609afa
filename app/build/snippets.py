"""Search snippets and highlights, made from the original words of an indexed text.

The matched words are found by stem (or by the prefix of the last word), so "deportadas" is
highlighted for "deportado"; the text shown is always the text as written.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .searchtext import Analyzer

HIT_OPEN, HIT_CLOSE = "\ue000", "\ue001"  # private-use markers, escaped text goes between them
SNIPPET = 24  # words in a snippet


@dataclass(frozen=True)
class _Words:
    """An indexed text's words, with where each stem and each folded word occurs."""

    spans: list[tuple[int, int, str, str]]  # (start, end, folded word, stem)
    by_stem: dict[str, list[int]]
    by_word: dict[str, list[int]]
    sorted_words: list[str]  # the keys of by_word, sorted, to find a prefix's words


_WORDS: dict[str, _Words] = {}


def _words(analyzer: Analyzer, text: str) -> _Words:
    """Worked out on a text's first result, then kept (index texts repeat; the bound keeps odd
    input from growing it)."""
    key = analyzer.lang + "\x00" + text
    found = _WORDS.get(key)
    if found is None:
        spans = analyzer.spans(text)
        by_stem: dict[str, list[int]] = {}
        by_word: dict[str, list[int]] = {}
        for i, (_, _, folded, stem) in enumerate(spans):
            by_stem.setdefault(stem, []).append(i)
            by_word.setdefault(folded, []).append(i)
        found = _Words(spans, by_stem, by_word, sorted(by_word))
        if len(_WORDS) < 20_000:
            _WORDS[key] = found
    return found


@dataclass(frozen=True)
class Marks:
    """What to mark: words by stem, the start of the last word, and phrases only where the whole
    phrase stands (its grammar words, such as "de", unmarked)."""

    stems: set[str]
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    grammar: frozenset[str] = frozenset()


def _hits(words: _Words, marks: Marks) -> set[int]:
    """Positions of the words that match."""
    stems, prefixes = marks.stems, marks.prefixes
    out: set[int] = set()
    spans = words.spans
    for phrase in marks.phrases:
        where = [words.by_stem.get(stem) for stem in phrase]
        if not all(where):
            continue
        rarest = min(range(len(phrase)), key=lambda i: len(where[i] or ()))
        for found in where[rarest] or ():
            at = found - rarest
            if 0 <= at <= len(spans) - len(phrase) and all(
                spans[at + i][3] == stem for i, stem in enumerate(phrase)
            ):
                out.update(at + i for i, stem in enumerate(phrase) if stem not in marks.grammar)
    for stem in stems & words.by_stem.keys():
        out.update(words.by_stem[stem])
    ordered = words.sorted_words
    for prefix in prefixes:
        at = bisect.bisect_left(ordered, prefix)
        while at < len(ordered) and ordered[at].startswith(prefix):
            out.update(words.by_word[ordered[at]])
            at += 1
    return out


def _marked_text(
    text: str, spans: list[tuple[int, int, str, str]], hits: set[int], lo: int, hi: int
) -> str:
    out, at = [], spans[lo][0]
    for i in sorted(h for h in hits if lo <= h < hi):
        start, end = spans[i][0], spans[i][1]
        out += [text[at:start], HIT_OPEN, text[start:end], HIT_CLOSE]
        at = end
    out.append(text[at : spans[hi - 1][1]])
    return "".join(out)


def highlight(analyzer: Analyzer, text: str, marks: Marks) -> str:
    words = _words(analyzer, text)
    if not words.spans:
        return text
    hits = _hits(words, marks)
    n = len(words.spans)
    inner = _marked_text(text, words.spans, hits, 0, n)
    return text[: words.spans[0][0]] + inner + text[words.spans[-1][1] :]


def snippet(analyzer: Analyzer, text: str, marks: Marks) -> str:
    """About SNIPPET words of `text` around the densest run of matched words, marked."""
    words = _words(analyzer, text)
    n = len(words.spans)
    if not n:
        return ""
    hits = sorted(_hits(words, marks))
    first, best, j = 0, 0, 0
    for i, start in enumerate(hits):  # the window starting at a hit that holds the most hits
        while j < len(hits) and hits[j] < start + SNIPPET:
            j += 1
        if j - i > best:
            best, first = j - i, start
    first = max(0, min(first - 3, n - SNIPPET))  # a few words of context before the first hit
    last = min(n, first + SNIPPET)
    before = "…" if first > 0 else ""
    after = "…" if last < n else ""
    return before + _marked_text(text, words.spans, set(hits), first, last) + after
