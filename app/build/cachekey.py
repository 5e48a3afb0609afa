"""What a cached page's build depends on, as hashes (the build cache's keys, app/build/cache.py).

- The environment: the cache format, Python and the libraries that shape the output, the code
  (every file of `app/`), the templates, static files and Babel catalogs, the names of the
  archive's files (a page links its recorded version), every content file that is not a page
  (research, sources, glossary, timeline, who's who, synonyms), the settings, and today's date
  (the cite boxes' access date; the freshness checks).
- The site's shape: every page's language, slug and key, and the menu's positions and titles
  (the menu, the language switch and links by key are on every page).
- The page: its file, and its twins' files (twins are checked against each other).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..settings import ROOT, Settings
from . import cachefile

if TYPE_CHECKING:  # this module stays light: `python -m app serve` asks it before any import
    from ..content.records import Content, Page

FORMAT = 2  # raise when the cache's layout changes
LIBRARIES = (
    "markdown-it-py",
    "jinja2",
    "markupsafe",
    "babel",
    "brotli",
    "pydantic",
    "pydantic-core",
    "citeproc-py",
    "segno",
    "pystemmer",
    "pyyaml",
    "fastapi",  # the OpenAPI document
    "starlette",
)
NOT_OUTPUT = ("cache_dir", "build_workers")  # settings that change how, not what, is built


def _files(digest: hashlib._Hash, root: Path, names_only: bool = False, skip: str = "") -> None:
    if not root.exists():
        digest.update(b"\0missing " + str(root).encode())
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if skip and relative.startswith(skip):
            continue
        if path.suffix == ".pyc" or "__pycache__" in path.parts:
            continue
        digest.update(f"\0{relative}\0".encode())
        if not names_only:
            digest.update(hashlib.sha256(path.read_bytes()).digest())


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def versions(names: Iterable[str]) -> str:
    """`name=version` of each installed library, from the names of the `.dist-info` folders on
    the path (`{name}-{version}.dist-info`, as installers write them): one listing of each
    folder, where importlib.metadata takes 0.05-0.15 s a start. Falls back to it for a name not
    found so; "-" when it is not installed."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            if entry.endswith(".dist-info") and "-" in entry:
                name, _, number = entry[: -len(".dist-info")].partition("-")
                found.setdefault(_normal(name), number)  # the first on the path, as imports
    out = []
    for name in names:
        version = found.get(_normal(name), "")
        if not version:
            from importlib import metadata  # slow to import and to ask: only if needed

            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                version = "-"
        out.append(f"{name}={version}")
    return " ".join(out)


def environment(settings: Settings, today: dt.date) -> str:
    digest = hashlib.sha256(f"format {FORMAT}\0{sys.version}\0{today.isoformat()}".encode())
    digest.update(versions(LIBRARIES).encode())
    fields = {
        f.name: repr(getattr(settings, f.name))
        for f in dataclasses.fields(settings)
        if f.name not in NOT_OUTPUT
    }
    digest.update(json.dumps(fields, sort_keys=True).encode())
    _files(digest, ROOT / "app")
    for folder in (settings.templates_dir, settings.static_dir, settings.locales_dir):
        _files(digest, folder)
    _files(digest, settings.archive_dir, names_only=True)
    _files(digest, settings.content_dir, skip="pages/")
    return digest.hexdigest()


def shape(pages: Iterable[Page]) -> str:
    rows = sorted(
        (p.lang, p.slug, p.key, p.meta.nav, p.meta.title if p.meta.nav is not None else None)
        for p in pages
    )
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def page(environment_key: str, shape_key: str, content: Content, item: Page) -> str:
    twins = sorted(t.digest for t in content.twins(item).values())
    text = "\0".join((environment_key, shape_key, item.lang, item.slug, *twins))
    return hashlib.sha256(text.encode()).hexdigest()


def stamp(environment_key: str, content_dir: Path) -> str:
    """The environment and every content file's name, size and time: a quick "same as the
    last successful build" that reads no file."""
    digest = hashlib.sha256(environment_key.encode())
    for path in sorted(p for p in content_dir.rglob("*") if p.is_file()):
        info = path.stat()
        digest.update(
            f"{path.relative_to(content_dir)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode()
        )
    return digest.hexdigest()


def today() -> dt.date:
    """The access date as app/render/citing.py `today()` gives it (UTC)."""
    return dt.datetime.now(dt.UTC).date()


@dataclasses.dataclass(frozen=True)
class LastBuild:
    """What a start knows before it reads any content file: the environment's key, and whether
    a build of exactly these files (by name, size and time), with this code, these templates
    and settings, succeeded today, and with which build key (`mark` records that one did)."""

    root: Path
    environment: str
    stamp: str
    done: bool
    build_key: str = ""  # "" when not done, or not recorded (`python -m app build` marks none)

    def mark(self, build_key: str = "") -> None:
        from .cache import BuildCache  # only once a build succeeded: this module stays light

        BuildCache(self.root).mark("built", self.stamp, build=build_key)


def last_build(settings: Settings) -> LastBuild | None:
    """None without a build cache."""
    if settings.cache_dir is None:
        return None
    key = environment(settings, today())
    mark = stamp(key, settings.content_dir)
    file = settings.cache_dir / "built" / f"{mark}.bin"
    try:
        data = file.read_bytes()
    except OSError:
        return LastBuild(settings.cache_dir, key, mark, False)
    try:
        header, _ = cachefile.unpack(data)
        build_key = header.get("build") if header.get("key") == mark else ""
    except (ValueError, UnicodeDecodeError, struct.error):
        build_key = ""
    return LastBuild(settings.cache_dir, key, mark, True, str(build_key or ""))


def built_before(settings: Settings) -> bool:
    """A build of exactly these files succeeded today (app/build/site.py `prebuild` marks it)."""
    last = last_build(settings)
    return last is not None and last.done
