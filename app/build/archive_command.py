"""`python -m app archive [--check]`: record the current version of every page in the archive."""

from __future__ import annotations

import sys

from ..content.records import Content
from ..render.pages import RenderedPage
from ..settings import Settings
from .archive import COMMAND, folder, record, unrecorded
from .context import Output
from .pages import render_all
from .site import prepare


def rendered_pages(settings: Settings, content: Content) -> list[RenderedPage]:
    """Every page rendered as the site renders it (for its version id and article HTML)."""
    ctx = prepare(settings, content, Output())
    return list(render_all(ctx).values())


def command(settings: Settings, content: Content, check_only: bool) -> int:
    """`python -m app archive [--check]`."""
    results = rendered_pages(settings, content)
    if check_only:
        missing = unrecorded(settings.archive_dir, results)
        for result in missing:
            page = result.page
            print(
                f"{page.path}: version {result.version} is not in the archive "
                f"({folder(settings.archive_dir, page.lang, page.slug)}); run `{COMMAND}` "
                "to record it, and commit the new file",
                file=sys.stderr,
            )
        if not missing:
            print(f"archive OK: the current version of all {len(results)} pages is recorded")
        return 1 if missing else 0
    written = record(settings.archive_dir, results)
    for path in written:
        print(f"recorded {path}")
    print(f"{len(written)} new versions recorded; {len(results) - len(written)} already were")
    return 0
