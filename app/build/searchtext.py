"""Words for search: folding, Snowball stemming per language, stop words, synonyms, suggestions.

Pure functions over text, with no knowledge of pages or HTML, so the index (app/search.py) and the
benchmark share them. Stemming is Snowball (PyStemmer); a word is folded first (lower case, accents
removed), then stemmed, so "policía" and "policia" give the same stem.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

from .stopwords import STOP_WORDS

WORD = re.compile(r"\w+")
SNOWBALL = {"en": "english", "es": "spanish"}


def fold(word: str) -> str:
    """Lower case without accents: "Ángeles" -> "angeles"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    name = SNOWBALL.get(lang)
    return Stemmer.Stemmer(name) if name else None


class Analyzer:
    """Folds and stems the words of one language, remembering every word it has seen."""

    def __init__(self, lang: str):
        self.lang = lang
        self.stop = frozenset(fold(w) for w in STOP_WORDS.get(lang, ()))  # as words are compared
        self._stemmer = _stemmer(lang)
        self._cache: dict[str, str] = {}
        self._words: dict[str, tuple[str, str]] = {}  # as written -> (folded, stem)

    def stem(self, folded: str) -> str:
        found = self._cache.get(folded)
        if found is None:
            found = self._stemmer.stemWord(folded) if self._stemmer else folded
            self._cache[folded] = found
        return found

    def _word(self, raw: str) -> tuple[str, str]:
        found = self._words.get(raw)
        if found is None:
            folded = fold(raw)
            found = self._words[raw] = (folded, self.stem(folded))
        return found

    def words(self, text: str) -> list[str]:
        """The folded words of `text`."""
        return [self._word(m.group())[0] for m in WORD.finditer(text)]

    def analyzed(self, text: str) -> tuple[list[str], list[str]]:
        """The folded words of `text` and their stems (each word as written looked up once)."""
        known = self._words
        raws = WORD.findall(text)
        try:
            pairs = [known[raw] for raw in raws]
        except KeyError:  # a word not seen before: most are
            pairs = [self._word(raw) for raw in raws]
        return [folded for folded, _ in pairs], [stem for _, stem in pairs]

    def stems(self, text: str) -> list[str]:
        return [self._word(m.group())[1] for m in WORD.finditer(text)]

    def spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """(start, end, folded word, stem) for each word of `text`, for highlighting."""
        return [(m.start(), m.end(), *self._word(m.group())) for m in WORD.finditer(text)]


# --------------------------------------------------------------------------- synonyms


@dataclass(frozen=True)
class Concept:
    """One thing the reader asked for: any of its alternatives (each a phrase of stems) will do."""

    alternatives: tuple[tuple[str, ...], ...]
    prefix: str = ""  # the folded last word, matched as the start of any indexed word
    words: tuple[str, ...] = ()  # the reader's own folded words, for "did you mean"
    # the one-word forms asked for as written (the reader's word, a group's one-word terms),
    # folded; another word with the same stem counts less ("papel" for "papeles"); empty: any
    forms: frozenset[str] = frozenset()


class Synonyms:
    """Editors' synonym groups for one language, as stem phrases."""

    def __init__(self, analyzer: Analyzer, groups: Iterable[Iterable[str]]):
        self.groups: list[tuple[tuple[str, ...], ...]] = []
        self.by_phrase: dict[tuple[str, ...], int] = {}
        self.terms: set[str] = set()
        self.forms: list[frozenset[str]] = []  # per group, its one-word terms, folded
        for group in groups:
            phrases = tuple(
                dict.fromkeys(p for p in (tuple(analyzer.stems(t)) for t in group) if p)
            )
            for phrase in phrases:
                self.by_phrase.setdefault(phrase, len(self.groups))
            for term in group:
                self.terms.update(analyzer.words(term))
            one_word = [analyzer.words(t) for t in group]
            self.forms.append(frozenset(ws[0] for ws in one_word if len(ws) == 1))
            self.groups.append(phrases)
        self.longest = max((len(p) for p in self.by_phrase), default=0)

    def match(self, stems: list[str], at: int) -> tuple[int, int] | None:
        """(group, length) of the longest synonym phrase starting at `stems[at]`, if any."""
        for size in range(min(self.longest, len(stems) - at), 0, -1):
            group = self.by_phrase.get(tuple(stems[at : at + size]))
            if group is not None:
                return group, size
        return None


def concepts(analyzer: Analyzer, synonyms: Synonyms, query: str, limit: int) -> list[Concept]:
    """What to look for: synonym phrases found in the query, then its other words (stop words
    dropped unless the query has nothing else), the last word also as a prefix."""
    words = analyzer.words(query)
    stems = [analyzer.stem(w) for w in words]
    found: list[Concept] = []
    plain: list[tuple[str, str]] = []
    at = 0
    while at < len(stems):
        hit = synonyms.match(stems, at)
        if hit:
            group, size = hit
            asked = tuple(words[at : at + size])
            forms = synonyms.forms[group] | (frozenset(asked) if size == 1 else frozenset())
            found.append(Concept(synonyms.groups[group], words=asked, forms=forms))
            at += size
            continue
        plain.append((words[at], stems[at]))
        at += 1
    kept = [(w, s) for w, s in plain if w not in analyzer.stop]
    if not kept and not found:
        kept = plain
    ends_plain = bool(plain) and bool(words) and plain[-1][0] == words[-1]
    out = found + [Concept(((s,),), words=(w,), forms=frozenset([w])) for w, s in kept]
    if ends_plain and kept and kept[-1][0] == words[-1]:
        last = out[-1]
        out[-1] = Concept(last.alternatives, words[-1], last.words, last.forms)
    unique: dict[tuple[tuple[tuple[str, ...], ...], str], Concept] = {}
    for concept in out:  # a word said twice counts once
        unique.setdefault((concept.alternatives, concept.prefix), concept)
    return list(unique.values())[:limit]
