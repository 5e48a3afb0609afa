"""Discovery, rendered once at build time: the sitemap, robots.txt and an Atom feed per language."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from .. import urls
from .context import BuildContext, Output, digest, kept
from .prebuilt import Prebuilt

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML = "application/xml"
ATOM = "application/atom+xml"
TEXT = "text/plain; charset=utf-8"


def feed_path(lang: str) -> str:
    return f"/{lang}/feed.xml"


@dataclass(frozen=True)
class SitemapUrl:
    path: str
    lastmod: dt.date
    alternates: dict[str, str]  # lang -> path, this URL's own language included


def read(ctx: BuildContext, out: Output) -> str:
    """What the sitemap and the feeds read of the pages: every address listed, with its date
    and its translations; each page's title and changes, in menu order (a page's text is not)."""
    listed = [(u.path, u.lastmod, sorted(u.alternates.items())) for u in sitemap_urls(ctx, out)]
    changes = [
        (lang, p.slug, p.meta.title, [(c.date, c.note) for c in p.meta.changes])
        for lang in ctx.langs
        for p in ctx.content.pages_in(lang)
    ]
    return digest(ctx, (listed, changes))


@kept("discovery", read)
def stage(ctx: BuildContext, out: Output) -> None:
    """The sitemap, robots.txt and the feeds."""
    out.add("/sitemap.xml", Prebuilt.build(sitemap_xml(ctx, out), f"{XML}; charset=utf-8"))
    out.add("/robots.txt", Prebuilt.build(robots_txt(ctx), TEXT))
    for lang in ctx.langs:
        out.add(feed_path(lang), Prebuilt.build(atom_feed(ctx, lang), f"{ATOM}; charset=utf-8"))


# --------------------------------------------------------------------------- sitemap


def sitemap_urls(ctx: BuildContext, served: Output) -> list[SitemapUrl]:
    """Every page, section page (where the site has them), the sources and each source."""
    content = ctx.content
    out: list[SitemapUrl] = []
    for lang in content.langs:
        for page in content.pages_in(lang):
            twins = content.twins(page)
            out.append(
                SitemapUrl(
                    urls.page(lang, page.slug),
                    page.meta.updated,
                    {other: urls.page(other, p.slug) for other, p in twins.items()},
                )
            )
            for section in ctx.rendered[(lang, page.slug)].sections:
                path = urls.section(lang, page.slug, section.id)
                if not served.serves(path):
                    continue
                alternates = {
                    other: urls.section(other, p.slug, section.id) for other, p in twins.items()
                }
                out.append(
                    SitemapUrl(
                        path,
                        page.meta.updated,
                        {k: v for k, v in alternates.items() if served.serves(v)},
                    )
                )
        sources = list(content.sources.values())
        if sources:
            checked = max(s.meta.checked for s in sources)
            out.append(
                SitemapUrl(
                    urls.sources(lang),
                    checked,
                    {other: urls.sources(other) for other in content.langs},
                )
            )
        for source in sources:
            out.append(
                SitemapUrl(
                    urls.source(lang, source.id),
                    source.meta.checked,
                    {other: urls.source(other, source.id) for other in content.langs},
                )
            )
    return out


def x_default(alternates: Mapping[str, str]) -> str:
    """English where it exists (as in the pages' own x-default link), else the first language."""
    return alternates.get("en") or alternates[sorted(alternates)[0]]


def sitemap_xml(ctx: BuildContext, served: Output) -> bytes:
    """The sitemap, written as ElementTree (indented) writes it, at a tenth of its cost: a
    1,000-page site lists about 10,000 addresses."""
    site_url = ctx.settings.site_url
    items = sitemap_urls(ctx, served)
    if not items:
        root = ET.Element("urlset", {"xmlns": SITEMAP_NS, "xmlns:xhtml": XHTML_NS})
        empty: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
        return empty + b"\n"
    out = [
        "<?xml version='1.0' encoding='utf-8'?>",
        f'<urlset xmlns="{_attr(SITEMAP_NS)}" xmlns:xhtml="{_attr(XHTML_NS)}">',
    ]
    for item in items:
        out += [
            "  <url>",
            f"    <loc>{_text(urls.absolute(site_url, item.path))}</loc>",
            f"    <lastmod>{_text(item.lastmod.isoformat())}</lastmod>",
        ]
        links = sorted(item.alternates.items())
        if item.alternates:
            links.append(("x-default", x_default(item.alternates)))
        for hreflang, path in links:
            href = _attr(urls.absolute(site_url, path))
            out.append(
                f'    <xhtml:link rel="alternate" hreflang="{_attr(hreflang)}" href="{href}" />'
            )
        out.append("  </url>")
    out.append("</urlset>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _text(value: str) -> str:
    """Escaped as ElementTree escapes element text."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    """Escaped as ElementTree escapes an attribute value."""
    value = _text(value).replace('"', "&quot;")
    return value.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


# --------------------------------------------------------------------------- robots.txt


def robots_txt(ctx: BuildContext) -> bytes:
    lines = ["User-agent: *"]
    # Result pages (with a query) stay out of search engines; the bare search page may be indexed.
    lines += [f"Disallow: {urls.search(lang)}?q=" for lang in ctx.langs]
    lines += [
        "Disallow: /api/v1/search",
        "Allow: /",
        "",
        f"Sitemap: {ctx.absolute('/sitemap.xml')}",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


# --------------------------------------------------------------------------- Atom feeds


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def atom_feed(ctx: BuildContext, lang: str) -> bytes:
    """The language's page changes and corrections (from each page's `changes`), newest first."""
    _ = ctx.gettext(lang)
    site_url = ctx.settings.site_url
    site_name = ctx.site_name(lang)
    host = urlsplit(site_url).hostname or "localhost"
    changes = []
    for position, page in enumerate(ctx.content.pages_in(lang)):  # menu order, then slug
        ordered = sorted(page.meta.changes, key=lambda c: c.date)  # oldest first: stable numbers
        for number, change in enumerate(ordered, start=1):
            changes.append((change.date, position, page.slug, number, page, change.note))
    changes.sort(key=lambda c: (-c[0].toordinal(), c[1], c[2], -c[3]))

    from feedgen.feed import FeedGenerator  # lxml with it: not needed by a start from the cache

    feed = FeedGenerator()
    feed.id(urls.absolute(site_url, feed_path(lang)))
    updates = _("Page updates")  # outside the f-string, where pybabel can extract it
    feed.title(f"{site_name}: {updates}")
    feed.subtitle(_("New pages, changes and corrections, newest first."))
    feed.language(lang)
    feed.author({"name": site_name})
    feed.link(href=urls.absolute(site_url, feed_path(lang)), rel="self", type=ATOM)
    feed.link(
        href=urls.absolute(site_url, urls.page(lang, "")),
        rel="alternate",
        type="text/html",
        hreflang=lang,
    )
    newest = max((c[0] for c in changes), default=dt.date(2000, 1, 1))
    feed.updated(_moment(newest))
    for day, _nav, slug, number, page, note in changes:
        entry = feed.add_entry(order="append")
        path = urls.page(lang, slug)
        entry.id(f"tag:{host},{day.isoformat()}:{path}{number}")
        entry.title(f"{page.meta.title}: {note}")
        entry.link(href=urls.absolute(site_url, path), rel="alternate", type="text/html")
        entry.updated(_moment(day))
        entry.published(_moment(day))
        entry.summary(note)
    return bytes(feed.atom_str(pretty=True))
