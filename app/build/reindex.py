"""The search index made again from an earlier build's, for a start with a few pages changed.

A from-scratch index reads every page's counted entries (`Segment`, 60 MB at 1,000 pages) and
merges them (app/build/postings.py). When the cache holds the index of an earlier build whose
units (each page's entries, by the page's cache key, and the sources') are mostly this build's,
the new index is the earlier one without the units that are gone or changed, plus the changed
units' segments: only those are read. Each posting's BM25F pseudo-frequency depends on every
entry's column lengths (per language averages, `postings.factors`), so every posting is weighed
again, with array operations, from the counts kept beside the index (`Counts`, in a `Base`).
Terms are numbered in sorted order and postings sorted by (language and term, entry, column),
so the result is the from-scratch merge's, array for array (tests/test_reindex.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .packing import pack, unpack
from .postings import (
    COLUMNS,
    STEMS,
    WORDS,
    Counts,
    Segment,
    Table,
    Tables,
    Texts,
    cell_count,
    factors,
)
from .searchrows import Entry


@dataclass(frozen=True)
class Base:
    """What an index keeps beside it (not served): its units' keys and sizes, and its counts."""

    units: tuple[str, ...]  # each unit's key, in the index's order
    sizes: np.ndarray  # int64: entries per unit
    counts: Counts

    def to_bytes(self) -> bytes:
        c = self.counts
        return pack({}, [self.sizes, c.lengths, *c.codes], self.units)

    @classmethod
    def from_bytes(cls, data: bytes) -> Base:
        """Raises ValueError (or KeyError, TypeError) when `data` is not a packed base."""
        _, arrays, strings = unpack(data)
        units = tuple(strings)
        sizes, lengths, stems, words = arrays
        if len(sizes) != len(units) or lengths.size != int(sizes.sum()) * COLUMNS:
            raise ValueError("a search index's base does not match its units")
        return cls(units, sizes, Counts(lengths.reshape(-1, COLUMNS), (stems, words)))


Unit = tuple[str, Segment | None]  # a unit's key, and its segment if the earlier index lacks it


def plan(base: Base, keys: Sequence[str], few: float) -> list[str] | None:
    """The keys the earlier index lacks (whose segments `update` needs), or None when more than
    `few` of the units changed, or the units it keeps are in another order."""
    known = {key: at for at, key in enumerate(base.units)}
    kept = [known[k] for k in keys if k in known]
    if len(kept) != len(set(kept)) or any(b <= a for a, b in itertools.pairwise(kept)):
        return None
    missing = [k for k in keys if k not in known]
    if not kept or len(missing) > few * len(keys):
        return None
    return missing


@dataclass(frozen=True)
class _Layout:
    """Where each entry of the earlier index goes in the new one (-1: gone), and what is new."""

    moved: np.ndarray  # per earlier entry, its new number or -1
    segments: list[Segment]  # the new units' segments, in order
    starts: list[int]  # each one's first entry in the new index


def update(
    tables: Tables, entries: Sequence[Entry], base: Base, units: Sequence[Unit]
) -> tuple[Tables, tuple[Entry, ...], Base] | None:
    """The index of `units` (in order; a unit with no segment is taken from the earlier index),
    made from the earlier index's `tables`, `entries` and `base`; None when it cannot be (a kept
    unit moved, the languages' order changed). Raises ValueError when the three do not agree."""
    ends = np.cumsum(base.sizes)
    if int(ends[-1] if len(ends) else 0) != len(entries) or len(entries) != len(tables.entry_langs):
        raise ValueError("an earlier index and its base do not match")
    at = {key: n for n, key in enumerate(base.units)}
    moved = np.full(len(entries), -1, np.int32)
    new_entries: list[Entry] = []
    joined: list[str] = []
    lengths: list[np.ndarray] = []
    layout = _Layout(moved, [], [])
    for key, segment in units:
        start = len(new_entries)
        if segment is None:
            n = at[key]
            a, b = int(ends[n] - base.sizes[n]), int(ends[n])
            moved[a:b] = np.arange(start, start + b - a)
            new_entries += entries[a:b]
            joined += tables.texts.joined[a:b]
            lengths.append(base.counts.lengths[a:b])
        else:
            layout.segments.append(segment)
            layout.starts.append(start)
            new_entries += segment.entries
            joined += segment.joined
            lengths.append(segment.lengths.reshape(-1, COLUMNS))
    langs = tuple(dict.fromkeys(e.lang for e in new_entries))
    lang_map = np.array([langs.index(x) if x in langs else -1 for x in tables.langs], np.int64)
    survivors = lang_map[lang_map >= 0]
    if (np.diff(survivors) <= 0).any():
        return None  # the languages' numbers would not keep their order
    number = {lang: n for n, lang in enumerate(langs)}
    entry_langs = np.array([number[e.lang] for e in new_entries], dtype=np.int64)
    all_lengths = np.concatenate(lengths) if lengths else np.zeros((0, COLUMNS), np.int32)
    weights = factors(all_lengths, entry_langs)
    made = []
    for kind, table in ((STEMS, tables.stems), (WORDS, tables.words)):
        codes = base.counts.codes[kind]
        made.append(_table(table, codes, kind, lang_map, layout, entry_langs, weights))
    texts = Texts(joined, weights)
    out = Tables(langs, entry_langs, made[0][0], made[1][0], texts)
    counts = Counts(all_lengths, (made[0][1], made[1][1]))
    sizes = np.array([_size(u, base, at) for u in units], np.int64)
    return out, tuple(new_entries), Base(tuple(k for k, _ in units), sizes, counts)


def _size(unit: Unit, base: Base, at: dict[str, int]) -> int:
    key, segment = unit
    return len(segment.entries) if segment is not None else int(base.sizes[at[key]])


# Each new array of a million postings costs its page faults, about as much as its arithmetic:
# long: one pass over each array of the earlier table, and as few new arrays as can be
def _table(
    table: Table,
    codes: np.ndarray,
    kind: int,
    lang_map: np.ndarray,
    layout: _Layout,
    entry_langs: np.ndarray,
    weights: np.ndarray,
) -> tuple[Table, np.ndarray]:
    """One kind's table again: the earlier postings of kept entries, renumbered, merged with the
    new segments' postings, and every one weighed again, as `postings.tabulate` weighs them."""
    per_cell = np.diff(table.starts)
    firsts = np.flatnonzero(codes & 8)  # each earlier posting's first count
    if int(per_cell.sum()) != len(table.keys) or len(firsts) != len(table.keys):
        raise ValueError("an earlier index's counts do not match its postings")
    if len(codes) and not codes[0] & 8:
        raise ValueError("an earlier index's counts do not start a posting")
    key = layout.moved[table.keys]
    kept = key >= 0
    gone = np.flatnonzero(~kept)  # the postings of entries gone or changed: a few
    gone_cells = np.searchsorted(table.starts, gone, side="right") - 1
    gone_ends = _start(firsts, gone + 1, len(codes))
    gone_counts = _ranges(firsts[gone], gone_ends)  # their counts
    gone_cell_of_count = np.repeat(gone_cells, gone_ends - firsts[gone])
    kept_per_cell = per_cell - np.bincount(gone_cells, minlength=len(per_cell))
    kept_totals = table.totals - np.bincount(
        gone_cell_of_count, weights=codes[gone_counts] >> 4, minlength=len(per_cell)
    ).astype(np.int64)
    # the terms still used, and the new segments' terms: numbered in sorted order
    terms_before = len(table.ids)
    used: np.ndarray = np.zeros(0, bool)
    if terms_before:
        used = np.asarray(kept_per_cell.reshape(-1, terms_before).any(axis=0))
    fresh = {t for s in layout.segments for t in s.terms[kind]}
    old_terms = list(table.ids)
    vocabulary = sorted({t for t, u in zip(old_terms, used.tolist(), strict=True) if u} | fresh)
    ids = {term: n for n, term in enumerate(vocabulary)}
    terms = len(ids)
    renumber = np.array([ids.get(t, 0) for t in old_terms], np.int64)
    cell_map = (lang_map.clip(0)[:, None] * terms + renumber[None, :]).ravel()
    new_cell, new_key, new_spans, new_codes = _fresh(layout, kind, ids, entry_langs)
    # per cell: postings and mentions, the kept ones' and the new ones'
    cells = cell_count(entry_langs, terms)
    live = np.flatnonzero(kept_per_cell)
    finals, totals = np.zeros(cells, np.int64), np.zeros(cells, np.int64)
    finals[cell_map[live]], totals[cell_map[live]] = kept_per_cell[live], kept_totals[live]
    kept_starts = np.zeros(cells + 1, np.int64)
    np.cumsum(finals, out=kept_starts[1:])
    np.add.at(finals, new_cell, 1)
    np.add.at(totals, np.repeat(new_cell, new_spans), new_codes >> 4)
    starts = np.zeros(cells + 1, np.int64)
    np.cumsum(finals, out=starts[1:])
    # both runs are sorted by (cell, entry) and share no entry: the new postings go in between
    key = key[kept]
    into = _bisect(key, kept_starts[new_cell], kept_starts[new_cell + 1], new_key)
    # where each kept posting's counts start among the kept counts, for those at `into`
    at = into + np.searchsorted(gone - np.arange(len(gone)), into, side="right")
    raw = _start(firsts, at, len(codes))
    raw -= np.searchsorted(gone_counts, raw)
    key = np.insert(key, into, new_key)
    keep_counts = np.ones(len(codes), bool)
    keep_counts[gone_counts] = False
    codes = np.insert(codes[keep_counts], np.repeat(raw, new_spans), new_codes)
    return Table(ids, starts, key, _weighed(codes, key, weights), totals), codes


def _bisect(keys: np.ndarray, lo: np.ndarray, hi: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted key, where it goes in `keys[lo:hi]` (sorted there), as an index into
    `keys`: a binary search of all of them at once, never a pass over `keys`."""
    lo, hi = lo.copy(), hi.copy()
    while True:
        active = lo < hi
        if not active.any():
            return lo
        mid = (lo + hi) // 2
        less = keys[np.where(active, mid, 0)] < wanted
        lo = np.where(active & less, mid + 1, lo)
        hi = np.where(active & ~less, mid, hi)


def _start(firsts: np.ndarray, at: np.ndarray, total: int) -> np.ndarray:
    """Where postings `at` start among the counts (`total` for one past the last)."""
    if not len(firsts):
        return np.full(len(at), total, np.int64)
    return np.where(at < len(firsts), firsts[np.minimum(at, len(firsts) - 1)], total)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Every index in each [start, end), in order (a few)."""
    sizes = ends - starts
    if not len(sizes):
        return np.zeros(0, np.int64)
    offsets = np.repeat(starts - np.cumsum(sizes) + sizes, sizes)
    return offsets + np.arange(int(sizes.sum()))


def _weighed(codes: np.ndarray, key: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each posting's pseudo-frequency: its counts times their columns' factors, summed in
    order (the same products and sums as `postings.tabulate`)."""
    begins = np.flatnonzero(codes & 8)
    spans = np.empty(len(begins), np.int32)
    if len(begins):
        np.subtract(begins[1:], begins[:-1], out=spans[:-1], casting="unsafe")
        spans[-1] = len(codes) - begins[-1]
    index = np.repeat(key, spans)
    index *= COLUMNS
    index += codes & 7
    value = weights.ravel()[index]
    del index
    value *= codes >> 4
    return np.add.reduceat(value, begins) if len(begins) else value


def _fresh(
    layout: _Layout, kind: int, ids: dict[str, int], entry_langs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The new segments' postings of `kind`, as the from-scratch merge sorts them (by cell, entry,
    column): each (term, entry)'s cell, entry and number of counts, and the counts' codes."""
    found = [
        (s.postings[kind].astype(np.int64), start, s.terms[kind])
        for s, start in zip(layout.segments, layout.starts, strict=True)
        if len(s.postings[kind])
    ]
    if not found:
        empty = np.zeros(0, np.int64)
        return empty, empty.astype(np.int32), empty.astype(np.int32), empty.astype(np.int32)
    term = np.concatenate(
        [np.array([ids[t] for t in terms], np.int64)[p[:, 0]] for p, _, terms in found]
    )
    key = np.concatenate([p[:, 2] + start for p, start, _ in found])
    column = np.concatenate([p[:, 1] for p, _, _ in found])
    count = np.concatenate([p[:, 3] for p, _, _ in found])
    cell = entry_langs[key] * len(ids) + term
    order = np.argsort(cell, kind="stable")
    cell, key, column, count = cell[order], key[order], column[order], count[order]
    new = np.r_[True, (cell[1:] != cell[:-1]) | (key[1:] != key[:-1])]
    first = np.flatnonzero(new)
    spans = np.diff(first, append=len(cell)).astype(np.int32)
    codes = ((count << 4) | (new.astype(np.int64) << 3) | column).astype(np.int32)
    return cell[first], key[first].astype(np.int32), spans, codes
