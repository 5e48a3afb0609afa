"""Printable handouts: `/{lang}/{slug}/handout/`, one or two printed pages per explainer.

Key points are the first paragraph of each section (of each question, where a section is only
questions), with every citation turned into a numbered note. A QR code (segno, error correction M
or better, a four-module quiet zone) leads back to the page's canonical URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup

from .. import urls
from ..content.records import Content
from ..markdown import parser
from ..markdown.citations import CiteKey
from ..markdown.tokens import SectionSlice, first_paragraph, slices
from ..render.pages import RenderedPage, Renderer
from .context import BuildContext, html_response
from .prebuilt import Prebuilt

QR_ERROR = "m"  # segno raises it further when that costs no extra size
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules


def path(lang: str, slug: str) -> str:
    return f"{urls.page(lang, slug)}handout/"


def qr_svg(url: str, title: str) -> Markup:
    """An inline SVG QR code: presentation attributes only (no style=), scaled by CSS."""
    import segno  # when a handout is first asked for, not at every start

    code = segno.make(url, error=QR_ERROR, micro=False)
    svg = code.svg_inline(
        scale=1,
        border=QR_BORDER,
        omitsize=True,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        lineclass=None,
        title=title,
    )
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


@dataclass
class Notes:
    """Numbered notes, one per cited work (reference or source article), in order of first use."""

    content: Content
    renderer: Renderer
    site_url: str
    numbers: dict[str, int] = field(default_factory=dict)
    items: list[dict[str, object]] = field(default_factory=list)

    def number(self, key: CiteKey) -> int:
        if key.kind == "quote":
            work = f"ref:{self.content.facts[key.target].quote_reference}"
        elif key.kind == "ref":
            work = f"ref:{key.target}"
        else:
            work = f"source:{key.target}"
        if work not in self.numbers:
            self.numbers[work] = len(self.numbers) + 1
            self.items.append({"n": self.numbers[work], "html": self._note(work)})
        return self.numbers[work]

    def _note(self, work: str) -> Markup:
        _ = self.renderer.gettext
        kind, _sep, ident = work.partition(":")
        if kind == "ref":
            ref = self.content.references[ident]
            return Markup(
                '{publisher}. <cite>{title}</cite>. {date}. <a href="{url}">{url}</a>'
            ).format(
                publisher=ref.publisher,
                title=ref.title,
                date=self.renderer.ref_date(ref.published),
                url=ref.url,
            )
        source = self.content.sources[ident]
        url = urls.absolute(self.site_url, urls.source(self.renderer.lang, source.id))
        return Markup(
            '{label}: <cite>{title}</cite>. {publisher}; {date}. <a href="{url}">{url}</a>'
        ).format(
            label=_("Source article"),
            title=source.meta.title,
            publisher=source.meta.publisher or _("Publisher not recorded"),
            date=self.renderer.ref_date(source.meta.published)
            if source.meta.published
            else _("date not recorded"),
            url=url,
        )

    def marker(self, keys: tuple[CiteKey, ...]) -> str:
        _ = self.renderer.gettext
        numbers = list(
            dict.fromkeys(
                self.number(key) for key in keys if key.kind in ("ref", "quote", "excerpt")
            )
        )
        if not numbers:
            return ""  # `[@site]` cites nothing
        links = Markup(", ").join(
            Markup(
                '<a href="#note-{n}"><span class="visually-hidden">{label} </span>{n}</a>'
            ).format(n=n, label=_("Note"))
            for n in numbers
        )
        return str(Markup('<sup class="note-ref">{}</sup>').format(links))


def paragraph(inline: Token, notes: Notes) -> Markup:
    """An inline token as HTML, its citations replaced by note numbers."""
    children = []
    for child in inline.children or ():
        if child.type == "citation":
            marker = Token("html_inline", "", 0)
            marker.content = notes.marker(child.meta["keys"])
            children.append(marker)
        else:
            children.append(child)
    renderer = cast(RendererHTML, parser().renderer)
    return Markup(renderer.renderInline(children, parser().options, {}).strip())


def key_points(
    result: RenderedPage, pieces: list[SectionSlice], notes: Notes
) -> tuple[Markup | None, list[dict[str, object]]]:
    """The page's lead paragraph, and (title, paragraph) for each section or question."""
    tokens = result.page.tokens
    first_heading = pieces[0].start if pieces else len(tokens)
    lead_token = first_paragraph(tokens[:first_heading], stop_at_heading=True)
    lead = paragraph(lead_token, notes) if lead_token is not None else None
    points: list[dict[str, object]] = []
    for piece in pieces:
        if piece.level != 2:
            continue
        own = first_paragraph(tokens[piece.body : piece.end], stop_at_heading=True)
        if own is not None:
            points.append(
                {
                    "id": piece.section.id,
                    "title": piece.section.title,
                    "html": paragraph(own, notes),
                }
            )
            continue
        for sub in pieces:
            if sub.level == 3 and piece.start < sub.start < piece.end:
                para = first_paragraph(tokens[sub.body : sub.end], stop_at_heading=True)
                if para is not None:
                    points.append(
                        {
                            "id": sub.section.id,
                            "title": sub.section.title,
                            "html": paragraph(para, notes),
                        }
                    )
    return lead, points


def build(ctx: BuildContext, result: RenderedPage) -> Prebuilt:
    page, lang = result.page, result.page.lang
    _ = ctx.gettext(lang)
    here = path(lang, page.slug)
    canonical_page = ctx.absolute(urls.page(lang, page.slug))
    notes = Notes(ctx.content, ctx.renderers[lang], ctx.settings.site_url)
    lead, points = key_points(result, slices(page.tokens), notes)
    twins = {other: path(other, twin.slug) for other, twin in ctx.content.twins(page).items()}
    context = ctx.page_context(lang, here, twins, page.key)
    context.update(
        title=_("Handout: {title}").format(title=page.meta.title),
        description=page.meta.summary,
        page=page,
        page_url=urls.page(lang, page.slug),
        page_canonical=canonical_page,
        lead=lead,
        points=points,
        notes=notes.items,
        qr=qr_svg(canonical_page, _("QR code: the address of the full page")),
        version=result.version,
        updated=page.meta.updated,
    )
    return html_response(ctx.render(lang, "handout.html", **context))
