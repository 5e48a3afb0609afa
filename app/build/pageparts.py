"""What the build keeps of one page (a `PageBuild`): made from its tokens once, then the tokens go.

A page's build is independent of every other page's, so pages are built in a process pool on a
cold start (app/build/pagebuild.py) and kept in the build cache (app/build/cache.py); the
site-wide stages (sources, discovery, the API lists, search) read only these parts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..markdown.citations import CiteKey
from ..markdown.tokens import SectionSlice
from ..render.pages import RenderedPage
from .postings import Segment
from .prebuilt import Prebuilt


@dataclass(frozen=True)
class PageBuild:
    rendered: RenderedPage
    slices: tuple[SectionSlice, ...]  # where each section's tokens are (for deferred builds)
    citations: tuple[tuple[CiteKey, str | None], ...]  # every citation with its section id
    response: Prebuilt  # the page's own HTML
    api: Prebuilt  # its API document (/api/v1/pages/{lang}/{key}.json)
    # Its index entries, counted (app/build/postings.py); a function, because a build read from
    # the cache reads them only when the index has to be made again. None: lost from the cache
    # (the search stage counts them again, `pagebuild.page_segment`).
    search: Callable[[], Segment | None]


def given(segment: Segment) -> Segment | None:
    return segment
