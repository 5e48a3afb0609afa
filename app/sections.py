"""Section pages, share controls, and each page's cite box, metadata and preview card.

`build()` is the startup hook (called from site.py for each language once its pages are rendered):
it adds `/{lang}/{slug}/{section-id}/` for every h2 and h3 section, the cards (app/cards.py) and
the handouts (app/handout.py). `page_context()` adds the same extras to a page's own template.
A section is rendered from the page's own tokens, so its quotes and markers come out exactly as
on the page (numbered from 1 within the section).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from babel import Locale
from markdown_it.token import Token
from markupsafe import Markup

from . import cards, cite, handout, metadata, notes, urls
from .citations import CiteKey
from .content import Page
from .prebuilt import Prebuilt
from .render import RenderedPage, Renderer, Section, sections

if TYPE_CHECKING:
    from .site import _Builder

log = logging.getLogger("app")
DESCRIPTION_MAX = 160
NOT_SENTENCE_ENDS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "jr",
    "sr",
    "sra",
    "no",
    "núm",
    "gen",
    "gov",
    "sen",
    "rep",
    "lt",
    "sgt",
    "capt",
    "vs",
    "approx",
    "ave",
    "blvd",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "ene",
    "abr",
    "ago",
    "dic",
    "art",
    "sec",
}


@dataclass(frozen=True)
class SectionSlice:
    """A section and its tokens: from its heading to the next heading of the same or higher rank."""

    section: Section
    start: int  # index of the heading_open token
    end: int  # exclusive

    @property
    def level(self) -> int:
        return self.section.level


def slices(page: Page) -> list[SectionSlice]:
    by_id = {s.id: s for s in sections(page)}
    heads = [
        (i, int(t.tag[1]), str(t.attrGet("id")))
        for i, t in enumerate(page.tokens)
        if t.type == "heading_open" and t.tag in ("h2", "h3") and t.attrGet("id")
    ]
    out = []
    for n, (start, level, section_id) in enumerate(heads):
        end = next((i for i, lvl, _ in heads[n + 1 :] if lvl <= level), len(page.tokens))
        out.append(SectionSlice(by_id[section_id], start, end))
    return out


def _body_tokens(page: Page, piece: SectionSlice) -> list[Token]:
    """The section's tokens after its heading; its h3s become h2s under the section page's h1."""
    out = []
    for token in page.tokens[piece.start + 3 : piece.end]:
        if token.type in ("heading_open", "heading_close") and token.tag == "h3":
            token = token.copy(tag="h2")
        out.append(token)
    return out


def render_slice(
    renderer: Renderer, page: Page, piece: SectionSlice
) -> tuple[Markup, tuple[CiteKey, ...], Markup]:
    """A section's HTML, its citation keys, and its own numbered notes."""
    html, ctx = renderer.render_tokens(page, _body_tokens(page, piece))
    return html, tuple(dict.fromkeys(ctx.cited)), notes.render_notes(renderer, ctx.notes())


# --------------------------------------------------------------------------- descriptions


def plain_text(inline: Token) -> str:
    """An inline token's words, without citations."""
    parts = []
    for child in inline.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


def first_sentence(text: str) -> str:
    for match in re.finditer(r"[.!?][\"\u201d\u2019)]?(?=\s|$)", text):
        word = text[: match.start()].rsplit(None, 1)[-1] if text[: match.start()].strip() else ""
        initial = len(word) == 1 and word.isupper()
        if re.fullmatch(r"(?:\w\.)*\w", word) and ("." in word or initial):
            continue  # "U.S.", "a.m.", an initial
        if word.lower().strip("(") in NOT_SENTENCE_ENDS:
            continue
        return text[: match.end()]
    return text


def shorten(text: str, limit: int = DESCRIPTION_MAX) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:\u2014\u2013-")
    return cut + "…"


def describe(tokens: Sequence[Token], fallback: str) -> str:
    """A section's description: the first sentence of its first paragraph, at most 160 chars."""
    for index, token in enumerate(tokens[:-1]):
        if token.type == "paragraph_open" and tokens[index + 1].type == "inline":
            text = plain_text(tokens[index + 1])
            if text:
                return shorten(first_sentence(text))
    return shorten(fallback)


# --------------------------------------------------------------------------- share controls


def share(builder: _Builder, lang: str, url: str, title: str, label: str) -> Markup:
    message = f"{title} {url}"
    context = {
        "url": url,
        "title": title,
        "label": label,
        "email": f"mailto:?subject={quote(title, safe='')}&body={quote(url, safe='')}",
        "sms": f"sms:?&body={quote(message, safe='')}",
        "whatsapp": f"https://wa.me/?text={quote(message, safe='')}",
    }
    return Markup(builder.render(lang, "_share.html", share=context).decode())


# --------------------------------------------------------------------------- shared helpers


def language_name(lang: str) -> str:
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]


def _site_name(builder: _Builder, lang: str) -> str:
    return builder.settings.site_name.get(lang, builder.settings.site_name["en"])


def _absolute(builder: _Builder, path: str) -> str:
    return urls.absolute(builder.settings.site_url, path)


def _twin_locales(builder: _Builder, page: Page) -> tuple[str, ...]:
    return tuple(
        metadata.og_locale(other)
        for other in builder.content.langs
        if other != page.lang and builder.content.twin(page, other) is not None
    )


def _section_twins(builder: _Builder, page: Page, section_id: str) -> dict[str, str]:
    out = {}
    for lang in builder.content.langs:
        twin = builder.content.twin(page, lang)
        if twin is not None and any(s.id == section_id for s in sections(twin)):
            out[lang] = urls.section(lang, twin.slug, section_id)
    return out


def _cite_box(
    builder: _Builder, item: cite.Citable, heading: str, handout_url: str
) -> dict[str, Any]:
    box = cite.cite_box(item, builder.access_date, builder.gettext(item.lang))
    box.update(heading=heading, handout=handout_url)
    return box


def _head(
    builder: _Builder,
    page: Page,
    result: RenderedPage,
    title: str,
    description: str,
    url: str,
    card: str,
    keys: Sequence[CiteKey],
    part_of: tuple[str, str] | None,
) -> metadata.HeadMeta:
    lang, site_name = page.lang, _site_name(builder, page.lang)
    return metadata.HeadMeta(
        title=title,
        description=description,
        url=url,
        lang=lang,
        site_name=site_name,
        site_url=_absolute(builder, urls.page(lang, "")),
        image=_absolute(builder, card),
        image_alt=f"{site_name}: {title}",
        published=min(change.date for change in page.meta.changes),
        modified=page.meta.updated,
        version=result.version,
        locale=metadata.og_locale(lang),
        locale_alternates=_twin_locales(builder, page),
        part_of=part_of,
        works=metadata.cited_works(builder.content, keys, lang, builder.settings.site_url),
    )


# --------------------------------------------------------------------------- pages


def page_context(builder: _Builder, result: RenderedPage) -> dict[str, Any]:
    """Extras for a page's own template: head metadata, share controls, cite box, handout link."""
    page, lang = result.page, result.page.lang
    _ = builder.gettext(lang)
    url = _absolute(builder, urls.page(lang, page.slug))
    item = cite.citable(builder.settings.site_url, _site_name(builder, lang), page, result.version)
    return {
        "meta": _head(
            builder,
            page,
            result,
            page.meta.title,
            page.meta.summary,
            url,
            cards.path(lang, page.slug),
            result.cited,
            None,
        ),
        "share": share(builder, lang, url, page.meta.title, _("Share this page")),
        "body": result.html,
        "cite": _cite_box(builder, item, _("How to cite this page"), handout.path(lang, page.slug)),
    }


def build(builder: _Builder, renderer: Renderer, results: Sequence[RenderedPage]) -> None:
    """Register every section page, card and handout of one language with the builder.

    They are deferred (built on first request, then kept; app/prebuilt.py `Responses`): a page
    has a dozen of them, most never asked for, and drawing them all at startup cost about 90 %
    of a large site's build. Their paths are fixed here, so they are in the sitemap and a
    request for anything else is a 404 without building anything.
    """
    for result in results:
        page, lang = result.page, result.page.lang
        if not builder.samples.get(lang):
            # Built at startup, so a broken template, font or builder stops startup, not a reader.
            builder.samples[lang] = [handout.path(lang, page.slug), cards.path(lang, page.slug)]
        builder.defer(
            handout.path(lang, page.slug),
            functools.partial(handout.build, builder, renderer, result),
        )
        builder.defer(
            cards.path(lang, page.slug),
            functools.partial(_card, builder, page.meta.title, "", lang),
        )
        for piece in slices(page):
            path = urls.section(lang, page.slug, piece.section.id)
            if builder.serves(path):
                log.warning(
                    "section %s of %s/%s is not served: %s is taken",
                    piece.section.id,
                    lang,
                    page.slug or "(overview)",
                    path,
                )
                continue
            builder.defer(path, functools.partial(_section_page, builder, renderer, result, piece))
            if len(builder.samples[lang]) == 2:
                builder.samples[lang].append(path)
            builder.defer(
                cards.path(lang, page.slug, piece.section.id),
                functools.partial(_card, builder, piece.section.title, page.meta.title, lang),
            )


def _card(builder: _Builder, title: str, kicker: str, lang: str) -> Prebuilt:
    png = cards.render(
        cards.Card(
            title=title,
            kicker=kicker,
            site_name=_site_name(builder, lang),
            language=language_name(lang),
            footer=urlsplit(builder.settings.site_url).netloc,
        )
    )
    return Prebuilt.build(png, cards.MEDIA_TYPE, cards.CACHE_CONTROL)


def _section_page(
    builder: _Builder, renderer: Renderer, result: RenderedPage, piece: SectionSlice
) -> Prebuilt:
    page, lang, section = result.page, result.page.lang, piece.section
    _ = builder.gettext(lang)
    path = urls.section(lang, page.slug, section.id)
    url = _absolute(builder, path)
    page_url = urls.page(lang, page.slug)
    title = cite.section_title(section.title, page.meta.title)
    body, keys, notes_html = render_slice(renderer, page, piece)
    tokens = page.tokens[piece.start + 3 : piece.end]
    description = describe(tokens, page.meta.summary)
    item = cite.citable(
        builder.settings.site_url, _site_name(builder, lang), page, result.version, section
    )
    context = builder._common(lang, path, _section_twins(builder, page, section.id), page.key)
    context.update(
        title=title,
        description=description,
        page=page,
        section=section,
        page_url=page_url,
        in_page_url=f"{page_url}#{section.id}",
        body=body,
        notes=notes_html,
        version=result.version,
        updated=page.meta.updated,
        meta=_head(
            builder,
            page,
            result,
            title,
            description,
            url,
            cards.path(lang, page.slug, section.id),
            keys,
            (page.meta.title, _absolute(builder, page_url)),
        ),
        share=share(
            builder, lang, url, title, _("Share this section: {title}").format(title=section.title)
        ),
        cite=_cite_box(builder, item, _("How to cite this section"), handout.path(lang, page.slug)),
    )
    return builder.html(builder.render(lang, "section.html", **context))
