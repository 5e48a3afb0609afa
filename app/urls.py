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


def absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path
