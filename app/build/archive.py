"""The archive of published versions: `archive/<lang>/<slug>/<moment>-<version>.json`.

Each file holds one version of one page as it was published: the rendered article (the HTML
fragment the renderer made, stored as it was, so later template or citation changes never alter
it), the Markdown source, the page's date and change note, its title and summary, and the moment
it was recorded. `python -m app archive` records the current version of every page not yet
recorded; `python -m app archive --check` (run by `make check`) fails when one is missing.

The file name alone gives the version and its moment, so listing a page's versions reads no file:
startup lists them, and the version pages, history, diffs, TimeMap and feed are built from the
files on first request (app/versions.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from ..render.pages import RenderedPage

FORMAT = 1
NAME = re.compile(r"^(\d{8}T\d{6}Z)-([0-9a-f]{4,40})\.json$")
COMMAND = "python -m app archive"


@dataclass(frozen=True)
class Entry:
    """One recorded version, known from its file name."""

    lang: str
    slug: str
    version: str
    moment: dt.datetime  # when it was recorded (Memento-Datetime)
    path: Path

    @cached_property
    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        return loaded

    @property
    def html(self) -> Markup:
        # Written by this site's own renderer when the version was published (see record()).
        return Markup(self.data["html"])

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.data["date"])


def folder(archive_dir: Path, lang: str, slug: str) -> Path:
    return archive_dir / lang / (slug or "index")


def listing(archive_dir: Path, lang: str, slug: str) -> list[Entry]:
    """A page's recorded versions, oldest first, from the file names only."""
    where = folder(archive_dir, lang, slug)
    out = []
    for path in sorted(where.glob("*.json")) if where.is_dir() else []:
        match = NAME.match(path.name)
        if match:
            moment = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            out.append(Entry(lang, slug, match.group(2), moment, path))
    return sorted(out, key=lambda e: e.moment)


def unrecorded(archive_dir: Path, results: Iterable[RenderedPage]) -> list[RenderedPage]:
    missing = []
    for result in results:
        page = result.page
        known = {e.version for e in listing(archive_dir, page.lang, page.slug)}
        if result.version not in known:
            missing.append(result)
    return missing


def record(
    archive_dir: Path, results: Iterable[RenderedPage], now: dt.datetime | None = None
) -> list[Path]:
    """Write the current version of every page not yet recorded; return the files written."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    written = []
    for result in unrecorded(archive_dir, results):
        page = result.page
        entries = listing(archive_dir, page.lang, page.slug)
        stamp = moment
        if entries and stamp <= entries[-1].moment:  # keep the order strict
            stamp = entries[-1].moment + dt.timedelta(seconds=1)
        latest = max(page.meta.changes, key=lambda c: c.date)
        data = {
            "format": FORMAT,
            "lang": page.lang,
            "slug": page.slug,
            "key": page.key,
            "version": result.version,
            "recorded": stamp.isoformat(),
            "date": page.meta.updated.isoformat(),
            "note": latest.note,
            "title": page.meta.title,
            "summary": page.meta.summary,
            "markdown": page.path.read_text(encoding="utf-8"),
            "html": str(result.html) + str(result.notes_html),  # the article with its notes
        }
        target = folder(archive_dir, page.lang, page.slug)
        target.mkdir(parents=True, exist_ok=True)
        path = target / f"{stamp:%Y%m%dT%H%M%SZ}-{result.version}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written


def permalink(archive_dir: Path, lang: str, slug: str, version: str) -> str | None:
    """The path of this version's permanent page, if the version is recorded (else None)."""
    from .. import urls

    if any(e.version == version for e in listing(archive_dir, lang, slug)):
        return urls.version(lang, slug, version)
    return None
