"""Head metadata for a page or section: Open Graph, Zotero/Highwire, Dublin Core and JSON-LD.

templates/_meta.html renders a `HeadMeta`; base.html includes it when the context has `meta`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from .. import urls
from ..content.records import Content
from ..markdown.citations import CiteKey
from . import cards

# The site explains Los Angeles policy: its readers' locale is the language as used in the US.
TERRITORY = "US"


@dataclass(frozen=True)
class Work:
    """A source the page cites, as JSON-LD `citation` lists it."""

    name: str
    url: str
    publisher: str | None = None
    published: dt.date | None = None
    same_as: str | None = None


@dataclass(frozen=True)
class HeadMeta:
    title: str  # without the site name
    description: str
    url: str  # absolute canonical URL
    lang: str
    site_name: str
    site_url: str  # absolute, with a trailing slash
    image: str  # absolute card URL
    image_alt: str
    published: dt.date
    modified: dt.date
    version: str
    locale: str
    locale_alternates: tuple[str, ...] = ()
    part_of: tuple[str, str] | None = None  # (title, url) of the page a section belongs to
    works: tuple[Work, ...] = field(default_factory=tuple)

    @property
    def json_ld(self) -> Markup:
        """The JSON-LD block, safe inside <script>: '<', '>' and '&' are escaped in JSON."""
        text = json.dumps(json_ld(self), ensure_ascii=False, separators=(",", ":"))
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return Markup(text)


def og_locale(lang: str) -> str:
    return f"{lang}_{TERRITORY}"


def cited_works(
    content: Content, keys: Iterable[CiteKey], lang: str, site_url: str
) -> tuple[Work, ...]:
    """The references and source articles behind `keys`, each once, in order of first use."""
    works: dict[str, Work] = {}
    for key in keys:
        if key.kind in ("ref", "quote"):
            ref_id = (
                key.target if key.kind == "ref" else str(content.facts[key.target].quote_reference)
            )
            ref = content.references[ref_id]
            works.setdefault(ref.url, Work(ref.title, ref.url, ref.publisher, ref.published))
        elif key.kind == "excerpt":
            source = content.sources[key.target]
            url = urls.absolute(site_url, urls.source(lang, source.id))
            works.setdefault(
                url,
                Work(
                    source.meta.title,
                    url,
                    source.meta.publisher,
                    source.meta.published,
                    source.meta.url,
                ),
            )
    return tuple(works.values())


def _organization(meta: HeadMeta) -> dict[str, str]:
    return {"@type": "Organization", "name": meta.site_name, "url": meta.site_url}


def _work(work: Work) -> dict[str, Any]:
    out: dict[str, Any] = {"@type": "CreativeWork", "name": work.name, "url": work.url}
    if work.publisher:
        out["publisher"] = {"@type": "Organization", "name": work.publisher}
    if work.published:
        out["datePublished"] = work.published.isoformat()
    if work.same_as:
        out["sameAs"] = work.same_as
    return out


def json_ld(meta: HeadMeta) -> dict[str, Any]:
    """schema.org Article: the page (or section) with its dates, language, version and sources."""
    website = {
        "@type": "WebSite",
        "name": meta.site_name,
        "url": meta.site_url,
        "inLanguage": meta.lang,
    }
    part_of: dict[str, Any] = website
    if meta.part_of:
        title, url = meta.part_of
        part_of = {"@type": "Article", "name": title, "url": url, "isPartOf": website}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": meta.url,
        "url": meta.url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": meta.url},
        "headline": meta.title[:110],
        "name": meta.title,
        "description": meta.description,
        "inLanguage": meta.lang,
        "datePublished": meta.published.isoformat(),
        "dateModified": meta.modified.isoformat(),
        "image": {
            "@type": "ImageObject",
            "url": meta.image,
            "width": cards.WIDTH,
            "height": cards.HEIGHT,
            "caption": meta.image_alt,
        },
        "author": _organization(meta),
        "publisher": _organization(meta),
        "isPartOf": part_of,
        "isAccessibleForFree": True,
    }
    if meta.version:  # a source record has none
        data["version"] = meta.version
    if meta.works:
        data["citation"] = [_work(w) for w in meta.works]
    return data
