"""Citing a source article as it was found, and the head metadata of its page on this site.

The two source articles have no recorded author, date or original address. A citation of one
therefore names no author, says "n.d." (APA's "no date"), and points to the copy the research
found; the cite box notes where the title comes from. The page itself is the site's record of
the article: its head metadata (Highwire, Open Graph with a card, JSON-LD) describes that record,
so Zotero saves a web page titled as the site's record, not one that reads like the article.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from .. import urls
from ..content.records import Source
from ..i18n import language_name
from ..render import cards, metadata
from ..render import citing as cite
from .context import BuildContext, Output, Store
from .prebuilt import Prebuilt

ANCHOR = "cite-article"
Gettext = Callable[[str], str]


def cite_url(lang: str, source_id: str) -> str:
    """Where an excerpt's figure sends a reader who wants to cite the article."""
    return urls.source_cite(lang, source_id)


def card_path(lang: str, source_id: str) -> str:
    return cards.path(lang, "sources", source_id)


def copy_address(source: Source) -> str | None:
    """The article's own address when known, else the first copy the research found."""
    if source.meta.url:
        return source.meta.url
    return source.meta.copies[0].url if source.meta.copies else None


def record_title(source: Source, gettext: Gettext) -> str:
    return gettext("Source record: {title}").format(title=source.meta.title)


@functools.cache
def _formatted(
    lang: str, title: str, language: str, url: str | None, accessed: dt.date
) -> tuple[tuple[str, str], ...]:
    record: dict[str, Any] = {
        "id": "article",
        "type": "webpage",
        "title": title,
        "accessed": cite._date(accessed),
        "language": language,
    }
    if url:
        record["URL"] = url
    out = []
    for key, style in cite.STYLES:
        html = cite._render(style, lang, record)
        out.append((key, cite.without_repeated_title(html, title)))
    return tuple(out)


def _kept(
    store: Store | None,
    environment: str,
    lang: str,
    source: Source,
    address: str | None,
    accessed: dt.date,
) -> tuple[tuple[str, str], ...]:
    """`_formatted`, kept in the build cache (citeproc takes about 0.4 s for the articles)."""
    args = (lang, source.meta.title, source.meta.language, address, accessed)
    if store is None or not environment:
        return _formatted(*args)
    key = hashlib.sha256(json.dumps([environment, *map(str, args)]).encode()).hexdigest()
    found = store.get_bytes("citeproc", key)
    if found is not None:
        try:
            return tuple((str(k), str(h)) for k, h in json.loads(found))
        except ValueError:
            pass
    styles = _formatted(*args)
    store.put_bytes("citeproc", key, json.dumps(styles).encode())
    return styles


def article_box(
    source: Source,
    lang: str,
    accessed: dt.date,
    gettext: Gettext,
    store: Store | None = None,
    environment: str = "",
) -> dict[str, Any]:
    """What the source page's "Cite the article" box shows (templates/source.html)."""
    _ = gettext
    labels = {
        "apa": _("APA (7th edition)"),
        "mla": _("MLA (9th edition)"),
        "chicago": _("Chicago (notes and bibliography)"),
    }
    address = copy_address(source)
    styles = _kept(store, environment, lang, source, address, accessed)
    return {
        "anchor": ANCHOR,
        "styles": [{"key": k, "label": labels[k], "html": Markup(h)} for k, h in styles],
        "address": address,
        "address_is_copy": address is not None and source.meta.url is None,
        "accessed": accessed,
    }


def head_meta(ctx: BuildContext, source: Source, lang: str) -> metadata.HeadMeta:
    """The site's record of the article: a web page of this site, dated when it was checked."""
    _ = ctx.gettext(lang)
    site_name = ctx.site_name(lang)
    site_url = ctx.settings.site_url
    title = record_title(source, _)
    address = copy_address(source)
    return metadata.HeadMeta(
        title=title,
        description=_(
            "This site's record of a source article: its full text as received, what is and is "
            "not known about it, and the passages this site quotes."
        ),
        url=urls.absolute(site_url, urls.source(lang, source.id)),
        lang=lang,
        site_name=site_name,
        site_url=urls.absolute(site_url, urls.page(lang, "")),
        image=urls.absolute(site_url, card_path(lang, source.id)),
        image_alt=f"{site_name}: {title}",
        published=source.meta.checked,
        modified=source.meta.checked,
        version="",
        locale=metadata.og_locale(lang),
        locale_alternates=tuple(
            metadata.og_locale(other) for other in ctx.content.langs if other != lang
        ),
        works=(
            metadata.Work(
                source.meta.title,
                address or urls.absolute(site_url, urls.source(lang, source.id)),
                source.meta.publisher,
                source.meta.published,
            ),
        ),
    )


def _card(ctx: BuildContext, source: Source, lang: str) -> Prebuilt:
    _ = ctx.gettext(lang)
    png = cards.render(
        cards.Card(
            title=source.meta.title,
            kicker=_("Source record"),
            site_name=ctx.site_name(lang),
            language=language_name(lang),
            footer=urlsplit(ctx.settings.site_url).netloc,
        )
    )
    return Prebuilt.build(png, cards.MEDIA_TYPE, cards.CACHE_CONTROL)


def defer_card(ctx: BuildContext, out: Output, source: Source, lang: str) -> None:
    out.defer(card_path(lang, source.id), functools.partial(_card, ctx, source, lang))


def page_context(ctx: BuildContext, source: Source, lang: str) -> dict[str, Any]:
    """Extras for a source page: head metadata, the article's cite box."""
    return {
        "meta": head_meta(ctx, source, lang),
        "article_cite": article_box(
            source, lang, ctx.access_date, ctx.gettext(lang), ctx.store, ctx.environment
        ),
    }
