"""The static export: every pre-built response as a file at its own URL, plus a Pagefind index.

`python -m app export DIR` writes `/en/` as `DIR/en/index.html`, `/sitemap.xml` as
`DIR/sitemap.xml`, and so on: the same bytes the app serves. Any static host or CDN can serve DIR.
What the server computes per request is replaced: `/` becomes a small language chooser, search
becomes a page whose script queries a Pagefind index built here (same origin, no third party),
and `404.html` holds the not-found page.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from markupsafe import Markup

from . import urls
from .build.site import Site
from .i18n import language_name
from .render import citing
from .render.citation_files import WRITERS
from .serve.app import build
from .settings import Settings

MARKER = ".site-export"  # marks a folder this command wrote, so a re-export may replace it
SKIP = frozenset({"/healthz"})
PAGEFIND_DIR = "pagefind"
SYNONYMS = "synonyms.json"  # under each language's search page, for static/search.js
# Left out of the Pagefind index: everything but the words of the page itself.
PAGEFIND_EXCLUDE = [
    ".anchor",
    ".cite-refs",
    "sup.cite",
    "figcaption",
    ".toc",
    ".page-meta",
    ".page-sources",
    ".history",
    ".copy-link",
    ".visually-hidden",
]

log = logging.getLogger("app.export")


class ExportError(RuntimeError):
    pass


@dataclass(frozen=True)
class Summary:
    files: int
    bytes: int
    indexed: int  # pages in the Pagefind index


def file_for(path: str) -> PurePosixPath:
    """The file that holds a URL path: `/en/` -> `en/index.html`, `/robots.txt` -> `robots.txt`."""
    rel = PurePosixPath(path.lstrip("/"))
    if path.endswith("/"):
        rel = rel / "index.html"
    if not path.startswith("/") or ".." in rel.parts or "\\" in path or "\x00" in path:
        raise ExportError(f"not a safe path: {path!r}")
    return rel


def _write(root: Path, rel: PurePosixPath, data: bytes, precompress: bool) -> int:
    target = root.joinpath(*rel.parts)
    if not target.resolve().is_relative_to(root.resolve()):
        raise ExportError(f"{rel} would be written outside {root}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if precompress and len(data) > 512 and target.suffix not in (".png", ".ico", ".jpg"):
        target.with_name(target.name + ".gz").write_bytes(gzip.compress(data, 9, mtime=0))
    return len(data)


def _prepare(root: Path) -> None:
    if root.exists():
        if not root.is_dir():
            raise ExportError(f"{root} is a file")
        if any(root.iterdir()) and not (root / MARKER).exists():
            raise ExportError(
                f"{root} is not empty and was not written by an export; "
                "choose an empty or new folder"
            )
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / MARKER).write_text("Written by `python -m app export`; replaced on each export.\n")


def root_page(site: Site) -> bytes:
    """`/` negotiates the language on the server; here it sends readers to the default one."""
    default = site.content.default_lang
    links = Markup("\n").join(
        Markup('<li><a href="{}" hreflang="{}" lang="{}">{}</a></li>').format(
            urls.page(lang, ""), lang, lang, language_name(lang)
        )
        for lang in site.langs
    )
    name = site.settings.name(default)
    html = Markup(
        '<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>{name}</title>\n"
        '<meta http-equiv="refresh" content="0; url={home}">\n'
        '<link rel="canonical" href="{canonical}">\n'
        '<link rel="icon" href="/favicon.ico" sizes="32x32">\n'
        "</head>\n<body>\n<h1>{name}</h1>\n<ul>\n{links}\n</ul>\n</body>\n</html>\n"
    ).format(
        lang=default,
        name=name,
        home=urls.page(default, ""),
        canonical=urls.absolute(site.settings.site_url, urls.page(default, "")),
        links=links,
    )
    return str(html).encode("utf-8")


def synonyms_file(site: Site, lang: str) -> bytes:
    """The language's synonym groups as JSON, for the export's search script (static/search.js),
    since Pagefind has no synonyms of its own."""
    groups = [list(group) for group in site.content.search_synonyms.get(lang, ())]
    return json.dumps(groups, ensure_ascii=False).encode("utf-8")


def citation_files(site: Site) -> dict[PurePosixPath, bytes]:
    """The citation downloads, dated the day of the export (the server dates them per request).

    A static host ignores `?section=`, so there a section's download links give the page's.
    """
    files = {}
    day = citing.today()
    for lang, slug in site.rendered:
        item = site.citable(lang, slug, None)
        if item is None:
            continue
        for fmt, write in WRITERS.items():
            path = file_for(citing.download_url(lang, slug, fmt))
            files[path] = write(item, day).encode("utf-8")
    return files


def indexed_paths(site: Site) -> Iterator[str]:
    """The pages Pagefind indexes: every explainer page and every source, in every language."""
    for lang, slug in site.rendered:
        yield urls.page(lang, slug)
    for lang in site.langs:
        for source_id in site.content.sources:
            yield urls.source(lang, source_id)


async def _pagefind(root: Path, pages: list[tuple[str, str]]) -> int:
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(
        root_selector="main",
        exclude_selectors=PAGEFIND_EXCLUDE,
        output_path=str(root / PAGEFIND_DIR),
    )
    count = 0
    async with PagefindIndex(config=config) as index:
        for url, html in pages:
            result = await index.add_html_file(content=html, url=url)
            count += bool(result.get("page_word_count"))
    return count


def export(site: Site, root: Path, precompress: bool = False, pagefind: bool = True) -> Summary:
    """Write the whole site under `root` (replacing an earlier export there)."""
    _prepare(root)
    files = size = 0
    odd = []
    for path, item in sorted(site.responses.items()):
        if path in SKIP:
            continue
        rel = file_for(path)
        if not path.endswith("/") and "." not in rel.name:
            odd.append(path)  # a static host cannot give it a content type
        size += _write(root, rel, item.identity.body, precompress)
        files += 1
    if odd:
        log.warning("exported without a file extension: %s", ", ".join(odd))
    extra = {
        PurePosixPath("index.html"): root_page(site),
        PurePosixPath("404.html"): site.error(site.content.default_lang, 404).identity.body,
    }
    finder = site.search
    for lang in site.langs:
        if finder is not None:
            extra[file_for(urls.search(lang) + "/")] = finder.render(lang, "", exported=True)[1]
            extra[file_for(urls.search(lang) + "/" + SYNONYMS)] = synonyms_file(site, lang)
    extra.update(citation_files(site))
    for rel, data in extra.items():
        size += _write(root, rel, data, precompress)
        files += 1
    indexed = 0
    if pagefind:
        pages = [
            (path, site.responses[path].identity.body.decode("utf-8"))
            for path in indexed_paths(site)
            if path in site.responses
        ]
        indexed = asyncio.run(_pagefind(root, pages))
    return Summary(files, size, indexed)


def export_site(settings: Settings, folder: str, precompress: bool = False) -> int:
    """The `python -m app export DIR` command: build the site, write it, print a summary."""
    started = time.perf_counter()
    site = build(settings)
    summary = export(site, Path(folder), precompress=precompress)
    print(
        f"exported {summary.files} files ({summary.bytes / 1024:.0f} KiB) to {folder}; "
        f"Pagefind indexed {summary.indexed} pages; {time.perf_counter() - started:.1f}s"
    )
    return 0
