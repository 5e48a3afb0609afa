"""Every page's build: read from the build cache, else built (by a pool, or a forked child,
whose workers write their own entries; here when it cannot fork) and then cached; and the key
of the whole build."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import NoReturn, cast

from ..content.loader import load_content
from ..content.records import Content, Page
from . import cachekey
from .cache import BuildCache
from .context import BuildContext
from .forked import forked
from .pagebuild import MIN_PARALLEL, Put, build_pages, pooled, store_pages, workers
from .pageparts import PageBuild

Stored = Callable[[str, Mapping[tuple[str, str], str]], None]


def all_pages(
    ctx: BuildContext,
    cache: BuildCache | None,
    environment: str,
    checked: bool,
    keep: bool = True,
    stored: Stored | None = None,
) -> tuple[dict[tuple[str, str], PageBuild], str, dict[tuple[str, str], str]]:
    """Every page's build, in menu order: from the cache, else built (and then cached); and a
    key for the whole build (a hash of every page's key) and each page's key, with a cache.
    Many missing pages are built by a pool whose workers write their own entries (nothing is
    sent back), then read here; a few by one forked child while the rest are read (`_read`;
    here when it cannot fork), and those it did not build, here. Unless `keep`, the builds are only
    cached, and none is returned (or read). `stored(build_key, keys)` is called once a pool
    has put every page in the cache, before they are read here (the search index's child
    starts then)."""
    content = ctx.content
    order = [(lang, p.slug) for lang in ctx.langs for p in content.pages_in(lang)]
    keys: dict[tuple[str, str], str] = {}
    found: dict[tuple[str, str], PageBuild] = {}
    ahead: set[tuple[str, str]] = set()
    processes = workers(ctx.settings.build_workers)
    if cache is not None:
        shape = cachekey.shape(content.pages.values())
        keys = {k: cachekey.page(environment, shape, content, content.pages[k]) for k in order}
        found, ahead = _read(ctx, cache, keys, keep, processes)
    missing = [content.pages[key] for key in order if key not in found or key in ahead]
    rest = [p for p in missing if (p.lang, p.slug) not in found]
    if cache is not None and (not keep or pooled(len(rest), processes)):
        if not store_pages(ctx, rest, processes, _putter(cache, keys)):
            _invalid(ctx)
        if stored is not None:
            stored(_build_key(keys, order), keys)
        pooled_pages, rest = rest, []
        if keep:  # what the workers wrote, read and checked as every entry is
            found.update(_cached(cache, content, _keys_of(pooled_pages, keys), True))
            rest = [p for p in pooled_pages if (p.lang, p.slug) not in found]
            cache.hits.difference_update(keys[(p.lang, p.slug)] for p in pooled_pages)  # new
    fresh = build_pages(ctx, rest, processes, checked=checked)
    if fresh is None:
        _invalid(ctx)
    if cache is not None:
        for key, built in fresh.items():
            cache.put_page(keys[key], built)
        if missing or not cache.heads_read:
            cache.put_heads(environment, list(content.pages.values()))
        # only a build that wrote something can have left entries unused (a start with nothing
        # new skips the walk over every file: 0.1-0.25 s); the caller prunes (BuildCache.due)
        cache.prune_due = cache.prune_due or bool(missing)
    build_key = _build_key(keys, order) if cache is not None else ""
    if not keep:
        return {}, build_key, keys
    return {key: found.get(key) or fresh[key] for key in order}, build_key, keys


def _build_key(keys: Mapping[tuple[str, str], str], order: list[tuple[str, str]]) -> str:
    return hashlib.sha256("\0".join(keys[k] for k in order).encode()).hexdigest()


def _keys_of(pages: list[Page], keys: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    return {(p.lang, p.slug): keys[(p.lang, p.slug)] for p in pages}


def _read(
    ctx: BuildContext,
    cache: BuildCache,
    keys: Mapping[tuple[str, str], str],
    keep: bool,
    processes: int,
) -> tuple[dict[tuple[str, str], PageBuild], set[tuple[str, str]]]:
    """The builds the cache holds (see `_cached`); and the pages built ahead: when a few are
    not in the cache, a forked child builds them (and writes their entries, as a pool's worker
    does) while the others are read here, then theirs are read. A child that fails (a page is
    not valid) leaves them to be built here, which reports why."""
    content = ctx.content
    absent = [k for k, page_key in keys.items() if not cache.has("pages", page_key)]
    if not keep or not absent or len(absent) >= MIN_PARALLEL or pooled(len(absent), processes):
        return _cached(cache, content, keys, keep), set()
    pages = [content.pages[k] for k in absent]
    put = _putter(cache, keys)
    wait = forked(lambda: store_pages(ctx, pages, 1, put))  # False: a quiet failure
    ahead = set(absent)
    found = _cached(cache, content, {k: v for k, v in keys.items() if k not in ahead}, True)
    wait()
    built = _cached(cache, content, _keys_of(pages, keys), True)
    cache.hits.difference_update(keys[k] for k in built)  # built now
    found.update(built)
    return found, ahead


_HELD = cast(PageBuild, object())  # a page whose build the cache holds, not read


def _cached(
    cache: BuildCache, content: Content, keys: Mapping[tuple[str, str], str], read: bool
) -> dict[tuple[str, str], PageBuild]:
    """The builds of `keys` the cache holds: read (and checked), or, unless `read`, only known
    to be there (the server reads and checks them; a prebuild has no use for them)."""
    out: dict[tuple[str, str], PageBuild] = {}
    for key, page_key in keys.items():
        if not read:
            if cache.holds_page(page_key):
                out[key] = _HELD
            continue
        hit = cache.page(page_key, content.pages[key])
        if hit is not None:
            out[key] = hit
    return out


def _invalid(ctx: BuildContext) -> NoReturn:
    """A page is invalid: the full load reports every problem."""
    load_content(ctx.settings.content_dir)
    raise RuntimeError("a page failed its checks in the build but not in the full load")


def _putter(cache: BuildCache, keys: Mapping[tuple[str, str], str]) -> Put:
    return lambda page, built: cache.put_page(keys[page], built)
