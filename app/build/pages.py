"""Stages for the pages themselves: each page rendered once, its HTML, the sources, error pages."""

from __future__ import annotations

from markupsafe import Markup

from .. import urls
from ..content.records import Source
from ..render.pages import RenderedPage, source_paragraphs, toc_entries
from . import sections as section_pages
from . import source_cite, versions
from .context import BuildContext, Output, digest, kept
from .prebuilt import Prebuilt

ERROR_STATUSES = (400, 404, 405, 500)


def render_all(ctx: BuildContext) -> dict[tuple[str, str], RenderedPage]:
    """Every page rendered once."""
    out = {}
    for lang in ctx.langs:
        renderer = ctx.renderers[lang]
        for page in ctx.content.pages_in(lang):
            out[(lang, page.slug)] = renderer.page(page)
    return out


def page_stage(ctx: BuildContext, out: Output) -> None:
    """Each page's HTML, built with the page (app/build/pagebuild.py)."""
    for lang in ctx.langs:
        for result in ctx.pages(lang):
            out.add(urls.page(lang, result.page.slug), ctx.built[(lang, result.page.slug)].response)


def page_html(ctx: BuildContext, result: RenderedPage) -> bytes:
    page, lang = result.page, result.page.lang
    context = ctx.page_context(lang, urls.page(lang, page.slug), ctx.page_twins(page), page.key)
    context.update(
        title=page.meta.title,
        description=page.meta.summary,
        page=page,
        body=result.html,
        toc=toc_entries(result.sections),
        version=result.version,
        updated=page.meta.updated,
        notes=result.notes_html,
        notes_count=len(result.notes),
    )
    context.update(section_pages.page_context(ctx, result))  # metadata, share, cite box
    context.update(versions.page_context(ctx, result))  # feed, permanent link
    return ctx.render(lang, "page.html", **context)


# --------------------------------------------------------------------------- sources


def source_cards_stage(ctx: BuildContext, out: Output) -> None:
    """Each source's preview card, deferred (built on first request)."""
    for lang in ctx.langs:
        for source in ctx.content.sources.values():
            source_cite.defer_card(ctx, out, source, lang)


def _sources_read(ctx: BuildContext, out: Output) -> str:
    """What the source pages read of the pages (besides the site's shape): the pages and
    sections citing each excerpt, with their titles."""
    return digest(ctx, [sorted(_cited_by(ctx, lang).items()) for lang in ctx.langs])


@kept("sources", _sources_read)
def sources_stage(ctx: BuildContext, out: Output) -> None:
    for lang in ctx.langs:
        _ = ctx.gettext(lang)
        twins = {other: urls.sources(other) for other in ctx.langs}
        context = ctx.page_context(lang, urls.sources(lang), twins, current_sources=True)
        listed = [
            {"href": urls.source(lang, s.id), "meta": s.meta} for s in ctx.content.sources.values()
        ]
        context.update(
            title=_("Sources"),
            description=_(
                "The two articles this site is built around, shown in full, with notes on what is "
                "and is not known about them."
            ),
            sources=listed,
        )
        out.add_html(urls.sources(lang), ctx.render(lang, "sources.html", **context))
        cited_by = _cited_by(ctx, lang)
        for source in ctx.content.sources.values():
            html = _source_html(ctx, lang, source, cited_by)
            out.add_html(urls.source(lang, source.id), html)


def _cited_by(ctx: BuildContext, lang: str) -> dict[tuple[str, str], list[dict[str, str]]]:
    """For each (source, excerpt): the pages and sections (in `lang`) that cite it."""
    out: dict[tuple[str, str], list[dict[str, str]]] = {}
    for page in ctx.content.pages_in(lang):
        built = ctx.built[(lang, page.slug)]
        titles = {s.id: s.title for s in built.rendered.sections}
        for key, section in built.citations:
            if key.kind != "excerpt":
                continue
            href = urls.page(lang, page.slug) + (f"#{section}" if section else "")
            label = page.meta.title + (f" \u203a {titles[section]}" if section else "")
            entry = {"href": href, "label": label}
            bucket = out.setdefault((key.target, key.excerpt), [])
            if entry not in bucket:
                bucket.append(entry)
    return out


def _source_html(
    ctx: BuildContext,
    lang: str,
    source: Source,
    cited_by: dict[tuple[str, str], list[dict[str, str]]],
) -> bytes:
    twins = {other: urls.source(other, source.id) for other in ctx.langs}
    context = ctx.page_context(lang, urls.source(lang, source.id), twins, current_sources=True)
    marks = {e.id: (e.start, e.end) for e in source.excerpts.values()}
    _ = ctx.gettext(lang)  # a literal inside `_(...)` is what pybabel extracts
    context.update(
        title=source.meta.title,
        description=_(
            "A source article shown in full, with the passages this site quotes highlighted."
        ),
        source=source,
        excerpts=[
            {
                "excerpt": e,
                "cited_by": cited_by.get((source.id, e.id), []),
                "status": ctx.renderers[lang].status_label(e.status),
            }
            for e in source.excerpts.values()
        ],
        paragraphs=[Markup(p) for p in source_paragraphs(source.body, marks)],
        updated=source.meta.checked,
    )
    context.update(source_cite.page_context(ctx, source, lang))  # metadata, cite box, card
    return ctx.render(lang, "source.html", **context)


# --------------------------------------------------------------------------- errors, health


def errors_stage(ctx: BuildContext, out: Output) -> None:
    for lang in ctx.langs:
        for status in ERROR_STATUSES:
            html = _error_html(ctx, lang, status)
            out.errors[(lang, status)] = Prebuilt.build(
                html, "text/html; charset=utf-8", "no-store"
            )


def health_stage(ctx: BuildContext, out: Output) -> None:
    out.add("/healthz", Prebuilt.build(b"ok\n", "text/plain; charset=utf-8", "no-store"))


def _error_html(ctx: BuildContext, lang: str, status: int) -> bytes:
    _ = ctx.gettext(lang)
    titles = {
        400: (
            _("That request could not be understood"),
            _(
                "Something in the address or the search words was not valid. "
                "Check it and try again."
            ),
        ),
        404: (
            _("Page not found"),
            _(
                "There is no page at this address. "
                "It may have moved, or the address may have a typo."
            ),
        ),
        405: (_("Method not allowed"), _("This address can only be read, not changed.")),
        500: (
            _("Something went wrong"),
            _("The site could not show this page. Please try again later."),
        ),
    }
    title, description = titles[status]
    home = urls.page(lang, "")
    context = ctx.page_context(lang, home, {lang: home})
    context.update(title=title, description=description)
    return ctx.render(lang, "error.html", **context)
