"""The search index's postings as numpy arrays, made from each page's `Segment`.

A page's build (app/build/pagebuild.py, in a worker process on a cold start) counts its own
sections' words: a `Segment` holds its entries, each column's length, and per word the column
and count of each mention, against the page's own small vocabulary. It is kept with the page in
the build cache, as arrays. Making the index is then merging segments with array operations
(no Python loop over the millions of postings of a large site): one global vocabulary, every
posting's BM25F pseudo-frequency (the column's weight over its length normalisation, times the
count; `ranking.py`), summed per entry, sorted by language, term and entry. A 1,000-page site's
two million postings merge in well under a second, and take about 12 bytes each.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .packing import pack, unpack
from .searchrows import Analyzed, Entry

COLUMNS = 5  # title, heading, question, body, quoted (searchrows.analyze)
STEMS, WORDS = 0, 1  # the two kinds of term: Snowball stems, and folded words (for prefixes)
# title, heading, question (an FAQ heading again), body, quoted (foreign-language quotes)
WEIGHTS = (8.0, 6.0, 6.0, 1.0, 0.5)
B = 0.75
_INT = np.dtype("<i4")


@dataclass(frozen=True)
class Segment:
    """One page's share of the index (or the sources', or a test's entries)."""

    entries: tuple[Entry, ...]
    lengths: np.ndarray  # (entries, COLUMNS) int32: stems per column
    joined: tuple[str, ...]  # per entry, each column's stems as " a b c ", joined by "|"
    terms: tuple[tuple[str, ...], tuple[str, ...]]  # per kind: the segment's own vocabulary
    # per kind, (postings, 4) int32: local term, column, entry in the segment, count
    postings: tuple[np.ndarray, np.ndarray]

    @classmethod
    def of(cls, rows: Sequence[Analyzed]) -> Segment:
        terms: list[tuple[str, ...]] = []
        postings = []
        for kind in (STEMS, WORDS):
            # every (entry, column) cell's terms, numbered in the order first met; counted by
            # numpy (no Python loop per mention: half the cost of a Counter per cell)
            cells = [pair[1 - kind] for row in rows for pair in row.columns]
            flat = [term for cell in cells for term in cell]
            vocabulary = {term: i for i, term in enumerate(dict.fromkeys(flat))}
            local = np.fromiter(map(vocabulary.__getitem__, flat), np.int64, len(flat))
            sizes = np.fromiter(map(len, cells), np.int64, len(cells))
            cell = np.repeat(np.arange(len(cells), dtype=np.int64), sizes)
            width = max(len(vocabulary), 1)
            # by cell (entry, then column), then term: each term's postings in entry order
            found, counts = np.unique(cell * width + local, return_counts=True)
            where, term = np.divmod(found, width)
            at, column = np.divmod(where, COLUMNS)
            postings.append(np.stack([term, column, at, counts], axis=1).astype(_INT))
            terms.append(tuple(vocabulary))
        lengths = np.array(
            [[len(stems) for _, stems in row.columns] for row in rows], dtype=_INT
        ).reshape(-1, COLUMNS)
        joined = tuple("|".join(" " + " ".join(s) + " " for _, s in row.columns) for row in rows)
        entries = tuple(row.entry for row in rows)
        return cls(entries, lengths, joined, (terms[0], terms[1]), (postings[0], postings[1]))

    def to_bytes(self) -> bytes:
        n = len(self.entries)
        head = {"entries": n}
        words = ["\n".join(t) for t in self.terms]  # words never hold a line break
        strings = [*words, *_entry_strings(self.entries), *self.joined]
        return pack(head, [self.lengths, *self.postings, _questions(self.entries)], strings)

    @classmethod
    def from_bytes(cls, data: bytes) -> Segment:
        """Raises ValueError (or KeyError, TypeError) when `data` is not a segment."""
        head, arrays, strings = unpack(data, copy=False)  # read once, into the index
        n = int(head["entries"])
        lengths, stems, words, questions = arrays
        if len(strings) != 2 + (FIELDS + 1) * n or lengths.size != n * COLUMNS:
            raise ValueError("a search segment's parts do not match")
        at = 2 + FIELDS * n
        terms = [tuple(t.split("\n")) if t else () for t in strings[:2]]
        return cls(
            _entries(strings[2:at], questions),
            lengths.reshape(-1, COLUMNS),
            tuple(strings[at:]),
            (terms[0], terms[1]),
            (stems.reshape(-1, 4), words.reshape(-1, 4)),
        )


FIELDS = 8  # an entry's strings: lang, page title, section title, url, text, kind, claims, quoted


def _entry_strings(entries: Sequence[Entry]) -> list[str]:
    out = []
    for e in entries:
        out += [e.lang, e.page_title, e.section_title, e.url, e.text, e.kind]
        out += [" ".join(e.claims), e.quoted]  # claims are source ids: no spaces
    return out


def _questions(entries: Sequence[Entry]) -> np.ndarray:
    return np.array([e.question for e in entries], dtype=_INT)


def _entries(strings: Sequence[str], questions: np.ndarray) -> tuple[Entry, ...]:
    if len(strings) != FIELDS * len(questions):
        raise ValueError("entries and their strings do not match")
    flags = questions.tolist()
    out = []
    for i, at in enumerate(range(0, len(strings), FIELDS)):
        lang, title, section, url, text, kind, claims, quoted = strings[at : at + FIELDS]
        out.append(
            Entry(
                lang, title, section, url, text, kind, bool(flags[i]), tuple(claims.split()), quoted
            )
        )
    return tuple(out)


def factors(lengths: np.ndarray, langs: np.ndarray) -> np.ndarray:
    """(entries, COLUMNS) BM25F factors: each column's weight over its length normalisation,
    with each language's average length of the column among the entries that have it."""
    out = np.zeros(lengths.shape, dtype=np.float64)
    weights = np.array(WEIGHTS, dtype=np.float64)
    for lang in range(int(langs.max(initial=-1)) + 1):  # numbered from 0, each one used
        mine = lengths[langs == lang].astype(np.float64)
        having = (mine > 0).sum(axis=0)
        average = np.maximum(mine.sum(axis=0) / np.maximum(having, 1), 1.0)
        out[langs == lang] = weights / (1 - B + B * mine / average)
    return out


@dataclass(frozen=True)
class Table:
    """One kind of term over every language: term -> (language, term) postings, by entry."""

    ids: dict[str, int]  # term -> its number
    starts: np.ndarray  # (languages * terms + 1): where each (language, term)'s postings start
    keys: np.ndarray  # int32 entries, ascending within each (language, term)
    values: np.ndarray  # float64 BM25F pseudo-frequencies
    totals: np.ndarray  # per (language, term): mentions, for "did you mean"

    def postings(self, lang: int, term: str) -> tuple[list[int], list[float]]:
        t = self.ids.get(term)
        if t is None:
            return [], []
        at = lang * len(self.ids) + t
        a, b = int(self.starts[at]), int(self.starts[at + 1])
        return self.keys[a:b].tolist(), self.values[a:b].tolist()

    def size(self, lang: int, term: str) -> int:
        """How many entries of `lang` have `term`."""
        t = self.ids.get(term)
        if t is None:
            return 0
        at = lang * len(self.ids) + t
        return int(self.starts[at + 1] - self.starts[at])

    def known(self, lang: int) -> dict[str, int]:
        """The terms in `lang`'s entries, with how often each is mentioned."""
        size = len(self.ids)
        totals = self.totals[lang * size : (lang + 1) * size].tolist()
        return {term: int(totals[t]) for term, t in self.ids.items() if totals[t]}


def merge(segments: Sequence[Segment], kind: int, langs: np.ndarray, weights: np.ndarray) -> Table:
    """Every segment's postings of `kind` as one table: `langs` numbers each entry's language,
    `weights` its columns' BM25F factors. A handful of array operations over all postings."""
    return merged(segments, kind, langs, weights)[0]


def merged(
    segments: Sequence[Segment], kind: int, langs: np.ndarray, weights: np.ndarray
) -> tuple[Table, np.ndarray]:
    """The table, and its postings' counts (`tabulate`). Terms are numbered in sorted order, so
    an index made again for a few changed pages (app/build/reindex.py) numbers them the same."""
    local = list(itertools.chain.from_iterable(s.terms[kind] for s in segments))
    ids = {term: n for n, term in enumerate(sorted(set(local)))}
    global_ids = np.fromiter(map(ids.__getitem__, local), np.int64, len(local))
    sizes = np.array([len(s.postings[kind]) for s in segments], np.int64)
    vocabularies = np.array([len(s.terms[kind]) for s in segments], np.int64)
    entries = np.array([len(s.entries) for s in segments], np.int64)
    found = [s.postings[kind] for s in segments if len(s.postings[kind])]
    p = np.concatenate(found).astype(np.int64) if found else np.zeros((0, 4), np.int64)
    first_term = np.repeat(np.cumsum(vocabularies) - vocabularies, sizes)
    first_entry = np.repeat(np.cumsum(entries) - entries, sizes)
    term, column, key, count = (
        global_ids[p[:, 0] + first_term],
        p[:, 1],
        p[:, 2] + first_entry,
        p[:, 3],
    )
    cells = cell_count(langs, len(ids))
    cell = langs[key] * len(ids) + term  # (language, term)
    # Postings come in entry order (segments in order, each in its entries' order), so a stable
    # sort by (language, term) alone orders them by entry within each: a radix sort when the
    # cells fit 16 bits.
    order = np.argsort(cell.astype(np.uint16) if cells <= 2**16 else cell, kind="stable")
    return tabulate(ids, cells, cell[order], key[order], column[order], count[order], weights)


def cell_count(langs: np.ndarray, terms: int) -> int:
    return (int(langs.max(initial=0)) + 1) * terms


def tabulate(
    ids: dict[str, int],
    cells: int,
    cell: np.ndarray,
    key: np.ndarray,
    column: np.ndarray,
    count: np.ndarray,
    weights: np.ndarray,
) -> tuple[Table, np.ndarray]:
    """The table of postings sorted by (language and term, entry, column), each mention's
    pseudo-frequency summed per (term, entry); and per posting its count, column, and whether it
    is its entry's first for the term (`count << 4 | first << 3 | column`), to weigh it again."""
    value = count * weights.ravel()[key * COLUMNS + column]
    new = np.r_[True, (cell[1:] != cell[:-1]) | (key[1:] != key[:-1])] if len(key) else key > 0
    first = np.flatnonzero(new)  # the first posting of each (language, term, entry)
    starts = np.zeros(cells + 1, np.int64)
    np.cumsum(np.bincount(cell[first], minlength=cells), out=starts[1:])
    summed = np.add.reduceat(value, first) if len(first) else value
    totals = np.bincount(cell, weights=count, minlength=cells).astype(np.int64)
    codes = ((count << 4) | (new.astype(np.int64) << 3) | column).astype(_INT)
    return Table(ids, starts, key[first].astype(np.int32), summed, totals), codes


@dataclass(frozen=True)
class Texts:
    """Each entry's columns as stem text, to find phrases, with the columns' BM25F factors."""

    joined: Sequence[str]
    weights: np.ndarray  # (entries, COLUMNS) float64

    def count(self, key: int, needle: str) -> float:
        """The phrase's pseudo-frequency in entry `key`: its mentions in each column, weighed."""
        row: list[float] = self.weights[key].tolist()
        parts = self.joined[key].split("|")
        return sum(part.count(needle) * row[c] for c, part in enumerate(parts))


@dataclass(frozen=True)
class Counts:
    """Beside an index, not served: each entry's column lengths, and per kind each posting's
    count and column (`tabulate`), to weigh every posting again when the lengths change."""

    lengths: np.ndarray  # (entries, COLUMNS) int32
    codes: tuple[np.ndarray, np.ndarray]  # per kind, int32, in the table's postings' order


@dataclass(frozen=True)
class Tables:
    """The whole index's arrays: both kinds of term, each entry's language and texts."""

    langs: tuple[str, ...]  # language numbers -> codes
    entry_langs: np.ndarray  # per entry, its language's number
    stems: Table
    words: Table
    texts: Texts

    @classmethod
    def build(cls, segments: Sequence[Segment]) -> Tables:
        return cls.counted(segments)[0]

    @classmethod
    def counted(cls, segments: Sequence[Segment]) -> tuple[Tables, Counts]:
        """The tables, and what makes them again for a few changed segments (`Counts`)."""
        entries = [e for s in segments for e in s.entries]
        langs = tuple(dict.fromkeys(e.lang for e in entries))
        number = {lang: n for n, lang in enumerate(langs)}
        entry_langs = np.array([number[e.lang] for e in entries], dtype=np.int64)
        lengths = [s.lengths for s in segments if len(s.lengths)]
        lengths_all = np.concatenate(lengths) if lengths else np.zeros((0, COLUMNS), _INT)
        weights = factors(lengths_all, entry_langs)
        stems, stem_codes = merged(segments, STEMS, entry_langs, weights)
        words, word_codes = merged(segments, WORDS, entry_langs, weights)
        joined = [j for s in segments for j in s.joined]
        tables = cls(langs, entry_langs, stems, words, Texts(joined, weights))
        return tables, Counts(lengths_all, (stem_codes, word_codes))

    def size(self, lang: int) -> int:
        return int((self.entry_langs == lang).sum())

    def to_bytes(self, entries: Sequence[Entry]) -> bytes:
        """The tables and their entries, for the build cache (`from_bytes` reads them)."""
        tables = (self.stems, self.words)
        head = {"langs": list(self.langs), "terms": [len(t.ids) for t in tables]}
        strings = [*self.stems.ids, *self.words.ids, *_entry_strings(entries), *self.texts.joined]
        arrays = [self.entry_langs, _questions(entries), self.texts.weights]
        for t in tables:
            arrays += [t.starts, t.keys, t.values, t.totals]
        return pack(head, arrays, strings)

    @classmethod
    def from_bytes(cls, data: bytes, copy: bool = True) -> tuple[Tables, tuple[Entry, ...]]:
        """Raises ValueError (or KeyError, TypeError) when `data` is not a packed index. Unless
        `copy`, the arrays are views into `data` (an index only read to make another)."""
        head, arrays, strings = unpack(data, copy=copy)
        (t0, t1), langs = head["terms"], tuple(str(lang) for lang in head["langs"])
        entry_langs, questions, weights, *rest = arrays
        n = len(entry_langs)
        if len(rest) != 8 or len(strings) != t0 + t1 + (FIELDS + 1) * n:
            raise ValueError("a packed index's parts do not match")
        tables = []
        for terms, (starts, keys, values, totals) in zip(
            (strings[:t0], strings[t0 : t0 + t1]), (rest[:4], rest[4:]), strict=True
        ):
            ids = {term: at for at, term in enumerate(terms)}
            if len(starts) != len(langs) * len(ids) + 1 or len(keys) != len(values):
                raise ValueError("a packed index's table does not match its terms")
            tables.append(Table(ids, starts, keys, values, totals))
        at = t0 + t1 + FIELDS * n
        entries = _entries(strings[t0 + t1 : at], questions)
        texts = Texts(strings[at:], weights.reshape(-1, COLUMNS))
        return cls(langs, entry_langs, tables[0], tables[1], texts), entries
