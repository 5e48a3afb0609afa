"""Build each page once, in a process pool when there are many (pages are independent until the
site-wide stages), merged in a fixed order: the result is the same however many workers ran.

A worker is a fork of the process that loaded the content and prepared the context, so it
inherits both and receives only page keys; it sends back each page's `PageBuild` (no tokens).
A page that fails its checks makes the whole batch answer None: the caller then loads the
content again, serially, for the report of every problem.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import TypeVar

from markupsafe import Markup

from ..content.loader import check_pages
from ..content.records import Page
from ..markdown.tokens import citations_by_section, slices
from ..render.pages import RenderedPage
from . import api_docs, pages, searchrows
from .context import BuildContext, html_response
from .pageparts import PageBuild, given
from .postings import Segment
from .prebuilt import Prebuilt
from .searchrows import analyze
from .searchtext import Analyzer

MIN_PARALLEL = 60  # pages: below this a pool costs more than it saves
STORE_BATCHES = 16  # a worker's share of batches when nothing is sent back
Key = tuple[str, str]
Put = Callable[[Key, PageBuild], None]  # where a build goes (a cache entry)
T = TypeVar("T")


def build_page(ctx: BuildContext, page: Page) -> PageBuild:
    """Everything the site keeps of one page; its tokens are dropped afterwards."""
    renderer = ctx.renderers[page.lang]
    rendered = renderer.page(page)
    tokens = page.tokens
    detail = api_docs.page_detail(ctx.content, rendered, ctx.settings.site_url)
    response = html_response(pages.page_html(ctx, rendered))
    built = PageBuild(  # the article's HTML is in the response now: not kept twice
        rendered=replace(rendered, html=Markup(""), notes_html=Markup("")),
        slices=tuple(slices(tokens)),
        citations=tuple(citations_by_section(tokens)),
        response=response,
        api=Prebuilt.build(api_docs.as_json(detail), api_docs.JSON),
        search=functools.partial(given, page_segment(ctx, rendered)),
    )
    page.forget_tokens()
    return built


def page_segment(ctx: BuildContext, rendered: RenderedPage) -> Segment:
    """The page's search entries (each section's words), counted for the index."""
    lang = rendered.page.lang
    entries = searchrows.page_entries(rendered, ctx.renderers[lang])
    return Segment.of([analyze(entry, _analyzer(lang)) for entry in entries])


@functools.cache
def _analyzer(lang: str) -> Analyzer:
    return Analyzer(lang)


def workers(setting: int) -> int:
    """The pool's size: the setting (BUILD_WORKERS), else one per core."""
    return setting if setting > 0 else os.cpu_count() or 1


def build_pages(
    ctx: BuildContext,
    chosen: Sequence[Page],
    processes: int,
    min_parallel: int | None = None,
    checked: bool = False,
) -> dict[Key, PageBuild] | None:
    """Check (unless `checked`) and build `chosen`, with a pool of `processes` when there are
    enough pages; None when one of them is invalid."""
    keys = [(p.lang, p.slug) for p in chosen]
    if not _parallel(len(keys), processes, min_parallel):
        if not checked and not check_pages(ctx.content, keys):
            return None
        return {key: build_page(ctx, ctx.content.pages[key]) for key in keys}
    batches = _batches(ctx, keys, processes * 4)
    done = _pool(ctx, processes, _build_batch, batches, None)
    out: dict[Key, PageBuild] = {}
    for batch, results in zip(batches, done, strict=True):
        if results is None:
            return None
        for key, built in zip(batch, results, strict=True):  # this process's own Page
            out[key] = replace(built, rendered=replace(built.rendered, page=ctx.content.pages[key]))
    return {key: out[key] for key in keys}  # the order asked for, whoever finished first


def store_pages(
    ctx: BuildContext,
    chosen: Sequence[Page],
    processes: int,
    put: Put,
    min_parallel: int | None = None,
) -> bool:
    """Check and build `chosen` as `build_pages` does, but hand each build to `put` in the
    process that made it (a pool worker writes its own cache entries): nothing is sent back.
    False when a page is invalid (the builds of other batches may have been put)."""
    keys = [(p.lang, p.slug) for p in chosen]
    if not _parallel(len(keys), processes, min_parallel):
        return _store(ctx, put, keys)
    # The first twin group is built here: what every build loads or compiles on first use
    # (templates, citation styles, locale data, stems) is then done once, not in each worker.
    first = _twin_groups(ctx, keys)[0]
    if not _store(ctx, put, first):
        return False
    # Small batches (each sends back one bool): the workers finish within a batch of each
    # other, and a batch is under a second's work.
    batches = _batches(ctx, [k for k in keys if k not in first], processes * STORE_BATCHES)
    return all(_pool(ctx, processes, _store_batch, batches, put))


def _store(ctx: BuildContext, put: Put, keys: list[Key]) -> bool:
    if not check_pages(ctx.content, keys):
        return False
    for key in keys:
        put(key, build_page(ctx, ctx.content.pages[key]))
    return True


def pooled(pages: int, processes: int) -> bool:
    """Whether `pages` are built by a pool of `processes` (else in this process)."""
    return _parallel(pages, processes, None)


def _parallel(pages: int, processes: int, min_parallel: int | None) -> bool:
    least = MIN_PARALLEL if min_parallel is None else min_parallel
    return processes > 1 and pages >= max(least, 2)


def _pool(
    ctx: BuildContext,
    processes: int,
    work: Callable[[list[Key]], T],
    batches: list[list[Key]],
    put: Put | None,
) -> list[T]:
    """`work` on each batch in a pool of forks of this process, which inherit `ctx` and `put`."""
    global _CTX, _PUT
    _CTX, _PUT = ctx, put
    gc.freeze()  # the workers' collections skip the inherited heap: its pages stay shared
    try:
        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(processes, mp_context=fork) as pool:
            return list(pool.map(work, batches))
    finally:
        _CTX = _PUT = None
        gc.unfreeze()


_CTX: BuildContext | None = None  # what a forked worker inherits
_PUT: Put | None = None


def _build_batch(keys: list[Key]) -> list[PageBuild] | None:
    ctx = _CTX
    assert ctx is not None, "a build worker is a fork of the process that set _CTX"
    if not check_pages(ctx.content, keys):
        return None
    return [build_page(ctx, ctx.content.pages[key]) for key in keys]


def _store_batch(keys: list[Key]) -> bool:
    ctx, put = _CTX, _PUT
    assert ctx is not None and put is not None, "a fork of the process that set _CTX and _PUT"
    return _store(ctx, put, keys)


def _batches(ctx: BuildContext, keys: list[Key], count: int) -> list[list[Key]]:
    """About `count` batches of whole twin groups (a page is checked with its twins)."""
    size = max(1, len(keys) // count)
    batches: list[list[Key]] = [[]]
    for group in _twin_groups(ctx, keys):
        if len(batches[-1]) >= size:
            batches.append([])
        batches[-1].extend(group)
    return [b for b in batches if b]


def _twin_groups(ctx: BuildContext, keys: list[Key]) -> list[list[Key]]:
    groups: dict[str, list[Key]] = {}
    for key in keys:
        groups.setdefault(ctx.content.pages[key].key, []).append(key)
    return list(groups.values())
