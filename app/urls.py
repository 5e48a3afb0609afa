"""The URL scheme (a contract: see DESIGN.md). Every URL the site makes comes from here."""

from __future__ import annotations


def page(lang: str, slug: str) -> str:
    return f"/{lang}/{slug}/" if slug else f"/{lang}/"


def section(lang: str, slug: str, section_id: str) -> str:
    return f"{page(lang, slug)}{section_id}/" if slug else f"/{lang}/{section_id}/"


def sources(lang: str) -> str:
    return f"/{lang}/sources/"


def source(lang: str, source_id: str, excerpt_id: str | None = None) -> str:
    anchor = f"#{excerpt_id}" if excerpt_id else ""
    return f"/{lang}/sources/{source_id}/{anchor}"


def search(lang: str) -> str:
    return f"/{lang}/search"


def source_cite(lang: str, source_id: str) -> str:
    """The cite box for a source article as found, on its source page."""
    return f"{sources(lang)}{source_id}/#cite-article"


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path


# Permanent versions (app/build/versions.py): each version, the history, diffs, TimeMap, feed.
def version(lang: str, slug: str, version_id: str) -> str:
    return f"{page(lang, slug)}v/{version_id}/"


def history(lang: str, slug: str) -> str:
    return f"{page(lang, slug)}history/"


def diff(lang: str, slug: str, old: str, new: str) -> str:
    return f"{page(lang, slug)}diff/{old}-{new}/"


def timemap(lang: str, slug: str) -> str:
    return f"{page(lang, slug)}timemap/"


def page_feed(lang: str, slug: str) -> str:
    return f"{page(lang, slug)}feed.xml"
