"""Build the whole site once, at startup, into an immutable map of path -> pre-built response."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import jinja2
from babel.support import NullTranslations
from markupsafe import Markup

from . import api, cite, discovery, notes, search, urls
from . import sections as section_pages  # the module; render.sections() is the function
from .content import Content, Page, Source
from .i18n import load_translations, long_date
from .loader import load_content
from .prebuilt import IMMUTABLE, Prebuilt, Responses
from .render import (
    RenderedPage,
    Renderer,
    citations_by_section,
    sections,
    source_paragraphs,
    toc_entries,
)
from .search import Search
from .settings import Settings

LANG_NAMES = {"en": "English", "es": "Español"}
ERROR_STATUSES = (400, 404, 405, 500)


@dataclass(frozen=True)
class Site:
    settings: Settings
    content: Content
    responses: Responses  # by path; a few kinds are built on first request
    errors: Mapping[tuple[str, int], Prebuilt]
    rendered: Mapping[tuple[str, str], RenderedPage]
    assets: Mapping[str, str]
    jinja: Mapping[str, jinja2.Environment] = field(repr=False)
    search: Search | None = field(default=None, repr=False)  # FTS5 index, built at startup

    @property
    def langs(self) -> list[str]:
        return self.content.langs

    def error(self, lang: str, status: int) -> Prebuilt:
        return self.errors.get((lang, status)) or self.errors[(self.langs[0], status)]


def build_site(settings: Settings) -> Site:
    """Load content (raising ContentError if invalid) and render every response."""
    content = load_content(settings.content_dir)
    builder = _Builder(settings, content)
    return builder.build()


class _Builder:
    def __init__(self, settings: Settings, content: Content):
        self.settings, self.content = settings, content
        self.responses: dict[str, Prebuilt] = {}
        self.deferred: dict[str, Callable[[], Prebuilt]] = {}  # built on first request
        self.samples: dict[str, list[str]] = {}  # deferred paths built at startup as a check
        self.access_date = cite.today()  # the cite boxes' access date: when the site was built
        self.assets = self._static()
        self.translations = {
            lang: load_translations(settings.locales_dir, lang) for lang in content.langs
        }
        self.jinja = {lang: self._environment(lang) for lang in content.langs}

    # -- static files ----------------------------------------------------------------------

    def _static(self) -> dict[str, str]:
        """Fingerprint every static file: site.css -> /static/site.3f2a9c1b.css, cached forever."""
        assets: dict[str, str] = {}
        for path in sorted(self.settings.static_dir.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media.startswith("text/") or media == "application/javascript":
                media += "; charset=utf-8"
            rel = path.relative_to(self.settings.static_dir).as_posix()
            if rel == "favicon.ico":
                self.responses["/favicon.ico"] = Prebuilt.build(
                    data, "image/x-icon", "public, max-age=86400"
                )
                continue
            stem, dot, ext = rel.rpartition(".")
            digest = hashlib.sha256(data).hexdigest()[:10]
            url = f"/static/{stem}.{digest}.{ext}" if dot else f"/static/{rel}.{digest}"
            assets[rel] = url
            self.responses[url] = Prebuilt.build(data, media, IMMUTABLE)
        return assets

    # -- templates -------------------------------------------------------------------------

    def _environment(self, lang: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.settings.templates_dir),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=False,
        )
        translations: NullTranslations = self.translations[lang]
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(
            lang=lang,
            asset=self._asset,
            date=lambda d: long_date(d, lang),
            site_name=self.settings.site_name.get(lang, self.settings.site_name["en"]),
            home_url=urls.page(lang, ""),
            sources_url=urls.sources(lang),
            about_url=self._url_for_key(lang, "about"),
            contact_email=self.settings.contact_email,
            search_url=urls.search(lang),
            feed_url=discovery.feed_path(lang),
        )
        return env

    def _asset(self, name: str) -> str:
        return self.assets[name]

    def _url_for_key(self, lang: str, key: str) -> str:
        for page in self.content.pages_in(lang):
            if page.key == key:
                return urls.page(lang, page.slug)
        return urls.page(lang, "")

    def gettext(self, lang: str) -> Callable[[str], str]:
        return self.translations[lang].gettext

    # -- shared page context ---------------------------------------------------------------

    def _common(
        self,
        lang: str,
        path: str,
        twins: dict[str, str],
        current: str | None = None,
        current_sources: bool = False,
    ) -> dict[str, Any]:
        """The context every template needs: nav, canonical URL, hreflang, language switch."""
        absolute = self.settings.site_url
        alternates = [
            {"hreflang": other, "href": urls.absolute(absolute, url)}
            for other, url in sorted(twins.items())
        ]
        if "en" in twins:
            alternates.append(
                {"hreflang": "x-default", "href": urls.absolute(absolute, twins["en"])}
            )
        switch = None
        for other, url in twins.items():
            if other != lang:
                switch = {"href": url, "lang": other, "label": LANG_NAMES[other]}
        nav = [  # the menu's pages only: its size does not grow with the site
            {"title": p.meta.title, "href": urls.page(lang, p.slug), "current": p.key == current}
            for p in self.content.menu(lang)
        ]
        return {
            "canonical": urls.absolute(absolute, path),
            "alternates": alternates,
            "switch": switch,
            "nav": nav,
            "current_sources": current_sources,
            "updated": None,
            "version": None,
            "meta": None,
            "share": None,
            "cite": None,
        }

    def render(self, lang: str, template: str, **context: Any) -> bytes:
        return self.jinja[lang].get_template(template).render(**context).encode("utf-8")

    def html(self, html: bytes) -> Prebuilt:
        return Prebuilt.build(html, "text/html; charset=utf-8")

    def add_html(self, path: str, html: bytes) -> None:
        self.responses[path] = self.html(html)

    def defer(self, path: str, make: Callable[[], Prebuilt]) -> None:
        """Serve `path` with what `make()` returns, built when it is first asked for."""
        self.deferred[path] = make

    def serves(self, path: str) -> bool:
        return path in self.responses or path in self.deferred

    # -- the build -------------------------------------------------------------------------

    def build(self) -> Site:
        rendered: dict[tuple[str, str], RenderedPage] = {}
        for lang in self.content.langs:
            renderer = Renderer(self.content, lang, self.gettext(lang), self.settings.contact_email)
            for page in self.content.pages_in(lang):
                rendered[(lang, page.slug)] = result = renderer.page(page)
                self.add_html(urls.page(lang, page.slug), self._page_html(result, renderer))
            # Section pages, preview cards and handouts (app/sections.py).
            section_pages.build(
                self, renderer, [rendered[(lang, p.slug)] for p in self.content.pages_in(lang)]
            )
            self._sources(lang)
        errors = {
            (lang, status): Prebuilt.build(
                self._error_html(lang, status), "text/html; charset=utf-8", "no-store"
            )
            for lang in self.content.langs
            for status in ERROR_STATUSES
        }
        self.responses["/healthz"] = Prebuilt.build(
            b"ok\n", "text/plain; charset=utf-8", "no-store"
        )
        # Discovery, API documents and the search index: after every page, so they see them all.
        discovery.build(self, rendered)
        api.build(self, rendered)
        finder = search.build(self, rendered)
        responses = Responses(self.responses, self.deferred)
        for path in (p for paths in self.samples.values() for p in paths):
            responses[path]  # one of each deferred kind per language: fails here, not for a reader
        return Site(
            settings=self.settings,
            content=self.content,
            responses=responses,
            errors=MappingProxyType(errors),
            rendered=MappingProxyType(rendered),
            assets=MappingProxyType(self.assets),
            jinja=MappingProxyType(self.jinja),
            search=finder,
        )

    def _twins(self, page: Page) -> dict[str, str]:
        out = {}
        for lang in self.content.langs:
            twin = self.content.twin(page, lang)
            if twin is not None:
                out[lang] = urls.page(lang, twin.slug)
        return out

    def _page_html(self, result: RenderedPage, renderer: Renderer) -> bytes:
        page, lang = result.page, result.page.lang
        context = self._common(lang, urls.page(lang, page.slug), self._twins(page), page.key)
        context.update(
            title=page.meta.title,
            description=page.meta.summary,
            page=page,
            body=result.html,
            toc=toc_entries(result.sections),
            version=result.version,
            updated=page.meta.updated,
            notes=notes.render_notes(renderer, result.notes),
        )
        context.update(section_pages.page_context(self, result))  # metadata, share, cite box
        return self.render(lang, "page.html", **context)

    def _sources(self, lang: str) -> None:
        _ = self.gettext(lang)
        twins = {other: urls.sources(other) for other in self.content.langs}
        context = self._common(lang, urls.sources(lang), twins, current_sources=True)
        sources = [
            {"href": urls.source(lang, s.id), "meta": s.meta} for s in self.content.sources.values()
        ]
        context.update(
            title=_("Sources"),
            description=_(
                "The two articles this site is built around, shown in full, with notes on what is "
                "and is not known about them."
            ),
            sources=sources,
        )
        self.add_html(urls.sources(lang), self.render(lang, "sources.html", **context))
        cited_by = self._cited_by(lang)
        for source in self.content.sources.values():
            self._source_page(lang, source, cited_by)

    def _cited_by(self, lang: str) -> dict[tuple[str, str], list[dict[str, str]]]:
        """For each (source, excerpt): the pages and sections (in `lang`) that cite it."""
        out: dict[tuple[str, str], list[dict[str, str]]] = {}
        for page in self.content.pages_in(lang):
            titles = {s.id: s.title for s in sections(page)}
            for key, section in citations_by_section(page):
                if key.kind != "excerpt":
                    continue
                href = urls.page(lang, page.slug) + (f"#{section}" if section else "")
                label = page.meta.title + (f" \u203a {titles[section]}" if section else "")
                entry = {"href": href, "label": label}
                bucket = out.setdefault((key.target, key.excerpt), [])
                if entry not in bucket:
                    bucket.append(entry)
        return out

    def _source_page(
        self, lang: str, source: Source, cited_by: dict[tuple[str, str], list[dict[str, str]]]
    ) -> None:
        twins = {other: urls.source(other, source.id) for other in self.content.langs}
        path = urls.source(lang, source.id)
        context = self._common(lang, path, twins, current_sources=True)
        marks = {e.id: (e.start, e.end) for e in source.excerpts.values()}
        _ = self.gettext(lang)  # a literal inside `_(...)` is what pybabel extracts
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
                    "status": Renderer(self.content, lang, _).status_label(e.status),
                }
                for e in source.excerpts.values()
            ],
            paragraphs=[Markup(p) for p in source_paragraphs(source.body, marks)],
            updated=source.meta.checked,
        )
        self.add_html(path, self.render(lang, "source.html", **context))

    def _error_html(self, lang: str, status: int) -> bytes:
        _ = self.gettext(lang)
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
        context = self._common(lang, urls.page(lang, ""), {lang: urls.page(lang, "")})
        context.update(title=title, description=description)
        return self.render(lang, "error.html", **context)
