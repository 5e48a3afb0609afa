"""The search index in the build cache, by the build's key: made from every unit's segment, or
from an earlier build's index when only a few units changed (app/build/reindex.py).

A unit is one rendered page's entries, known by the page's cache key, or the sources' entries,
known by the environment's key. Each index is kept with its `Base` (its units, their sizes, the
counts that weigh its postings again) and a pin (`pins/search.bin`) naming the latest one, which
the cache's pruning keeps (app/build/cache.py `prune`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import urls
from .context import BuildContext
from .pagebuild import page_segment
from .postings import Segment, Tables
from .reindex import Base, plan, update
from .searchrows import Entry, analyze, clean_text
from .searchtext import Analyzer

log = logging.getLogger("app")
FEW = 0.1  # made from the earlier index when at most this share of the units changed
PIN = "search"


@dataclass(frozen=True)
class Earlier:
    """An earlier build's index this build's can be made from, and the units it lacks."""

    key: str
    base: Base
    missing: frozenset[str]


def units(ctx: BuildContext, stored: bool = False) -> list[tuple[str, Callable[[], Segment]]]:
    """Each unit's key and a way to its segment (a page's was counted by its build, or is counted
    again if lost); in the index's order: the pages in menu order, then the sources. `stored`:
    before any page's build is read here, each page's segment from the cache, by its key (a
    missing one raises LookupError)."""
    built, keys = ctx.built, ctx.page_keys

    def page(k: tuple[str, str]) -> Callable[[], Segment]:
        if stored:
            return lambda: _stored(ctx, keys[k])
        return lambda: built[k].search() or page_segment(ctx, ctx.rendered[k])

    out = [(keys.get(k, ""), page(k)) for k in (keys if stored else ctx.rendered)]
    out.append(("sources " + ctx.environment, lambda: _sources(ctx)))
    return out


def _stored(ctx: BuildContext, key: str) -> Segment:
    found = ctx.store.segment(key) if ctx.store is not None else None
    if found is None:
        raise LookupError(f"no search entries in the build cache for page {key[:12]}")
    return found


def _sources(ctx: BuildContext) -> Segment:
    """Each source's text, in every language (its excerpts' translations for snippets)."""
    analyzers: dict[str, Analyzer] = {}
    rows = []
    for lang in ctx.langs:
        for source in ctx.content.sources.values():
            body = clean_text(source.body)
            if source.meta.language != lang:  # the page's language for snippets, if translated
                shown = " ".join(e.translation.get(lang, "") for e in source.excerpts.values())
                text, quoted = clean_text(shown), body
            else:
                text, quoted = body, ""
            url = urls.source(lang, source.id)
            kind, claims = "source", (source.id,)
            entry = Entry(
                lang, source.meta.title, "", url, text, kind, claims=claims, quoted=quoted
            )
            analyzer = analyzers.setdefault(lang, Analyzer(lang))
            rows.append(analyze(entry, analyzer))
    return Segment.of(rows)


def earlier(ctx: BuildContext, stored: bool = False) -> Earlier | None:
    """The earlier index this build's can be made from (few units changed), else None."""
    store = ctx.store
    if store is None or not ctx.build_key or not ctx.page_keys:
        return None
    pin = store.get_bytes("pins", PIN)
    if pin is None:
        return None
    names = dict(line.split("/", 1) for line in pin.decode("utf-8", "replace").split("\n"))
    key = names.get("searchbase", "")
    data = store.get_bytes("searchbase", key) if key else None
    if data is None or names.get("search") != key:
        return None
    try:
        base = Base.from_bytes(data)
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("build cache: an earlier search index's base is not valid (%s)", exc)
        return None
    missing = plan(base, [key for key, _ in units(ctx, stored)], FEW)
    return Earlier(key, base, frozenset(missing)) if missing is not None else None


def remake(ctx: BuildContext, found: Earlier) -> tuple[Tables, tuple[Entry, ...], Base] | None:
    """This build's index made from the earlier one and the changed units' segments (`keep`
    writes it); None (logged) when the earlier index is missing, not valid, or does not fit."""
    assert ctx.store is not None
    data = ctx.store.get_bytes("search", found.key)
    if data is None:
        log.warning("build cache: the earlier search index is gone; making it again")
        return None
    try:
        tables, entries = Tables.from_bytes(data, copy=False)  # read, then dropped
        these = [(k, make() if k in found.missing else None) for k, make in units(ctx)]
        made = update(tables, entries, found.base, these)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        log.warning("build cache: the earlier search index is not valid (%s); making it again", exc)
        return None
    if made is None:
        log.info("build: the earlier search index does not fit; making it again")
        return None
    return made


def make(ctx: BuildContext, stored: bool = False) -> bytes:
    """The index made from every unit's segment and kept in the cache; its bytes. `stored`:
    as `units`."""
    made = [(key, segment()) for key, segment in units(ctx, stored)]
    segments = [s for _, s in made]
    tables, counts = Tables.counted(segments)
    entries = tuple(e for s in segments for e in s.entries)
    sizes = np.array([len(s.entries) for s in segments], np.int64)
    return keep(ctx, tables, entries, Base(tuple(k for k, _ in made), sizes, counts))


def keep(ctx: BuildContext, tables: Tables, entries: tuple[Entry, ...], base: Base) -> bytes:
    """Write the index by the build's key, its base beside it, then the pin naming both."""
    store, key = ctx.store, ctx.build_key
    assert store is not None and key, "only a build with a cache keeps its index"
    data = tables.to_bytes(entries)
    store.put_bytes("search", key, data)
    store.put_bytes("searchbase", key, base.to_bytes())
    store.put_bytes("pins", PIN, f"search/{key}\nsearchbase/{key}".encode())
    return data


def cache_files(key: str) -> list[tuple[str, str]]:
    """The files that hold the index of the build with `key`, and its pin: what the next start
    reads of the index (another build's, read to make this one from, it does not)."""
    return [("search", key), ("searchbase", key), ("pins", PIN)]
