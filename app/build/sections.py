"""Section pages, share controls, and each page's cite box, metadata and preview card.

`stage()` adds `/{lang}/{slug}/{section-id}/` for every h2 and h3 section, the cards
(app/render/cards.py) and the handouts (app/build/handouts.py), deferred. `page_context()` adds
the same extras to a page's own template. A section is rendered from the page's own tokens, so its
quotes and markers come out exactly as on the page (numbered from 1 within the section).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from .. import urls
from ..content.records import Page
from ..i18n import language_name
from ..markdown.citations import CiteKey
from ..markdown.tokens import SectionSlice
from ..render import cards, citing, metadata
from ..render.descriptions import describe
from ..render.notes import render_notes
from ..render.pages import RenderedPage
from . import archive, cite_templates, handouts
from .context import BuildContext, Output, html_response
from .prebuilt import Prebuilt

log = logging.getLogger("app")


# --------------------------------------------------------------------------- share controls


def share(ctx: BuildContext, lang: str, url: str, title: str, label: str) -> Markup:
    message = f"{title} {url}"
    context = {
        "url": url,
        "title": title,
        "label": label,
        "email": f"mailto:?subject={quote(title, safe='')}&body={quote(url, safe='')}",
        "sms": f"sms:?&body={quote(message, safe='')}",
        "whatsapp": f"https://wa.me/?text={quote(message, safe='')}",
    }
    return Markup(ctx.render(lang, "_share.html", share=context).decode())


# --------------------------------------------------------------------------- shared helpers


def _twin_locales(ctx: BuildContext, page: Page) -> tuple[str, ...]:
    return tuple(
        metadata.og_locale(other) for other in ctx.content.twins(page) if other != page.lang
    )


def _section_twins(ctx: BuildContext, page: Page, section_id: str) -> dict[str, str]:
    return {
        lang: urls.section(lang, twin.slug, section_id)
        for lang, twin in ctx.content.twins(page).items()
        if any(s.id == section_id for s in ctx.rendered[(lang, twin.slug)].sections)
    }


def _cite_box(
    ctx: BuildContext, item: citing.Citable, heading: str, handout_url: str
) -> dict[str, Any]:
    template = cite_templates.kept(ctx.store, ctx.environment)
    box = citing.cite_box(item, ctx.access_date, ctx.gettext(item.lang), template)
    box.update(heading=heading, handout=handout_url)
    return box


def _head(
    ctx: BuildContext,
    result: RenderedPage,
    title: str,
    description: str,
    path: str,
    card: str,
    keys: Sequence[CiteKey],
    part_of: tuple[str, str] | None,
) -> metadata.HeadMeta:
    page = result.page
    lang, site_name = page.lang, ctx.site_name(page.lang)
    return metadata.HeadMeta(
        title=title,
        description=description,
        url=ctx.absolute(path),
        lang=lang,
        site_name=site_name,
        site_url=ctx.absolute(urls.page(lang, "")),
        image=ctx.absolute(card),
        image_alt=f"{site_name}: {title}",
        published=min(change.date for change in page.meta.changes),
        modified=page.meta.updated,
        version=result.version,
        locale=metadata.og_locale(lang),
        locale_alternates=_twin_locales(ctx, page),
        part_of=part_of,
        works=metadata.cited_works(ctx.content, keys, lang, ctx.settings.site_url),
    )


def _citable(ctx: BuildContext, result: RenderedPage, section: Any = None) -> citing.Citable:
    page = result.page
    item = citing.citable(
        ctx.settings.site_url, ctx.site_name(page.lang), page, result.version, section
    )
    if section is not None:
        return item
    path = archive.permalink(ctx.settings.archive_dir, page.lang, page.slug, result.version)
    return replace(item, url=ctx.absolute(path)) if path else item  # its version's permanent URL


# --------------------------------------------------------------------------- pages


def page_context(ctx: BuildContext, result: RenderedPage) -> dict[str, Any]:
    """Extras for a page's own template: head metadata, share controls, cite box, handout link."""
    page, lang = result.page, result.page.lang
    _ = ctx.gettext(lang)
    path = urls.page(lang, page.slug)
    return {
        "meta": _head(
            ctx,
            result,
            page.meta.title,
            page.meta.summary,
            path,
            cards.path(lang, page.slug),
            result.cited,
            None,
        ),
        "share": share(ctx, lang, ctx.absolute(path), page.meta.title, _("Share this page")),
        "cite": _cite_box(
            ctx, _citable(ctx, result), _("How to cite this page"), handouts.path(lang, page.slug)
        ),
    }


def stage(ctx: BuildContext, out: Output) -> None:
    """Register every section page, card and handout.

    They are deferred (built on first request, then kept; app/build/prebuilt.py `Responses`): a
    page has a dozen of them, most never asked for, and drawing them all at startup cost about
    90 % of a large site's build. Their paths are fixed here, so they are in the sitemap and a
    request for anything else is a 404 without building anything. The first page's handout, card
    and first section page in each language are built at startup, so a broken template or font
    stops startup, not a reader.
    """
    for lang in ctx.langs:
        first, section_sampled = True, False
        for result in ctx.pages(lang):
            page = result.page
            out.defer(
                handouts.path(lang, page.slug),
                functools.partial(handouts.build, ctx, result),
                sample=first,
            )
            out.defer(
                cards.path(lang, page.slug),
                functools.partial(_card, ctx, page.meta.title, "", lang),
                sample=first,
            )
            for piece in ctx.built[(lang, page.slug)].slices:
                path = urls.section(lang, page.slug, piece.section.id)
                if out.serves(path):
                    log.warning(
                        "section %s of %s/%s is not served: %s is taken",
                        piece.section.id,
                        lang,
                        page.slug or "(overview)",
                        path,
                    )
                    continue
                make = functools.partial(_section_page, ctx, result, piece)
                out.defer(path, make, sample=not section_sampled)
                section_sampled = True
                out.defer(
                    cards.path(lang, page.slug, piece.section.id),
                    functools.partial(_card, ctx, piece.section.title, page.meta.title, lang),
                )
            first = False


def _card(ctx: BuildContext, title: str, kicker: str, lang: str) -> Prebuilt:
    png = cards.render(
        cards.Card(
            title=title,
            kicker=kicker,
            site_name=ctx.site_name(lang),
            language=language_name(lang),
            footer=urlsplit(ctx.settings.site_url).netloc,
        )
    )
    return Prebuilt.build(png, cards.MEDIA_TYPE, cards.CACHE_CONTROL)


def _section_page(ctx: BuildContext, result: RenderedPage, piece: SectionSlice) -> Prebuilt:
    page, lang, section = result.page, result.page.lang, piece.section
    _ = ctx.gettext(lang)
    path = urls.section(lang, page.slug, section.id)
    page_url = urls.page(lang, page.slug)
    title = citing.section_title(section.title, page.meta.title)
    renderer = ctx.renderers[lang]
    body, found = renderer.render_tokens(page, _section_tokens(page, piece))
    keys = tuple(dict.fromkeys(found.cited))
    description = describe(page.tokens[piece.body : piece.end], page.meta.summary)
    notes = found.notes()
    context = ctx.page_context(lang, path, _section_twins(ctx, page, section.id), page.key)
    context.update(
        title=title,
        description=description,
        page=page,
        section=section,
        page_url=page_url,
        in_page_url=f"{page_url}#{section.id}",
        body=body,
        notes=render_notes(renderer, notes),
        notes_count=len(notes),
        version=result.version,
        updated=page.meta.updated,
        meta=_head(
            ctx,
            result,
            title,
            description,
            path,
            cards.path(lang, page.slug, section.id),
            keys,
            (page.meta.title, ctx.absolute(page_url)),
        ),
        share=share(
            ctx,
            lang,
            ctx.absolute(path),
            title,
            _("Share this section: {title}").format(title=section.title),
        ),
        cite=_cite_box(
            ctx,
            _citable(ctx, result, section),
            _("How to cite this section"),
            handouts.path(lang, page.slug),
        ),
    )
    return html_response(ctx.render(lang, "section.html", **context))


def _section_tokens(page: Page, piece: SectionSlice) -> list[Any]:
    """The section's tokens after its heading; its h3s become h2s under the section page's h1."""
    out = []
    for token in page.tokens[piece.body : piece.end]:
        if token.type in ("heading_open", "heading_close") and token.tag == "h3":
            token = token.copy(tag="h2")
        out.append(token)
    return out
