"""What every build stage receives (a `BuildContext`) and where it puts its work (an `Output`).

Stages are plain functions `stage(ctx, out)`, listed in `app/build/site.py`; they never import the
orchestrator. The context is read-only: the settings, the content, the rendered pages, gettext,
templates and the page context every template needs. The output collects pre-built responses,
deferred ones (built on first request; `sample=True` builds one at startup as a check), error
pages, and named services such as the search index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import jinja2

from .. import urls
from ..content.records import Content, Page
from ..i18n import Gettext, language_name
from ..render.pages import RenderedPage, Renderer
from ..settings import Settings
from . import cachekey
from .pageparts import PageBuild
from .prebuilt import Prebuilt

if TYPE_CHECKING:
    from .postings import Segment

T = TypeVar("T")


class Store(Protocol):
    """Where site-wide stages keep what they made, by the build's key (app/build/cache.py)."""

    def get_bytes(self, kind: str, key: str) -> bytes | None: ...

    def has(self, kind: str, key: str) -> bool: ...

    def put_bytes(self, kind: str, key: str, data: bytes) -> None: ...

    def segment(self, key: str) -> Segment | None: ...


@dataclass(frozen=True)
class BuildContext:
    settings: Settings
    content: Content
    gettexts: Mapping[str, Gettext]
    jinja: Mapping[str, jinja2.Environment] = field(repr=False)
    renderers: Mapping[str, Renderer] = field(repr=False)
    access_date: dt.date  # the cite boxes' access date: when the site was built
    rendered: Mapping[tuple[str, str], RenderedPage] = field(default_factory=dict, repr=False)
    built: Mapping[tuple[str, str], PageBuild] = field(default_factory=dict, repr=False)
    store: Store | None = field(default=None, repr=False)  # the build cache, when there is one
    build_key: str = ""  # a hash of everything the build read (with a store): site-wide entries
    page_keys: Mapping[tuple[str, str], str] = field(default_factory=dict, repr=False)  # cache's
    environment: str = ""  # a hash of all but the pages (app/build/cachekey.py), with a store

    @property
    def langs(self) -> list[str]:
        return self.content.langs

    def gettext(self, lang: str) -> Gettext:
        return self.gettexts[lang]

    def render(self, lang: str, template: str, **context: Any) -> bytes:
        return self.jinja[lang].get_template(template).render(**context).encode("utf-8")

    def absolute(self, path: str) -> str:
        return urls.absolute(self.settings.site_url, path)

    def site_name(self, lang: str) -> str:
        return self.settings.name(lang)

    def url_for_key(self, lang: str, key: str) -> str:
        """The page with this key in `lang`; the overview if there is none."""
        page = self.content.by_key(key, lang)
        return urls.page(lang, page.slug) if page is not None else urls.page(lang, "")

    def pages(self, lang: str) -> list[RenderedPage]:
        """The language's rendered pages, in menu order."""
        return [self.rendered[(lang, p.slug)] for p in self.content.pages_in(lang)]

    def page_twins(self, page: Page) -> dict[str, str]:
        """Language -> the URL of the page in that language (this one included)."""
        return {lang: urls.page(lang, twin.slug) for lang, twin in self.content.twins(page).items()}

    def page_context(
        self,
        lang: str,
        path: str,
        twins: Mapping[str, str],
        current: str | None = None,
        current_sources: bool = False,
    ) -> dict[str, Any]:
        """The context every template needs: nav, canonical URL, hreflang, language switch."""
        alternates = [
            {"hreflang": other, "href": self.absolute(url)} for other, url in sorted(twins.items())
        ]
        default = self.content.default_lang
        if default in twins:
            alternates.append({"hreflang": "x-default", "href": self.absolute(twins[default])})
        switch = None
        for other, url in twins.items():
            if other != lang:
                switch = {"href": url, "lang": other, "label": language_name(other)}
        nav = [  # the menu's pages only: its size does not grow with the site
            {"title": p.meta.title, "href": urls.page(lang, p.slug), "current": p.key == current}
            for p in self.content.menu(lang)
        ]
        return {
            "canonical": self.absolute(path),
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


@dataclass
class Output:
    """What the stages build, by path."""

    responses: dict[str, Prebuilt] = field(default_factory=dict)
    deferred: dict[str, Callable[[], Prebuilt]] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)  # deferred paths built at startup
    errors: dict[tuple[str, int], Prebuilt] = field(default_factory=dict)
    services: dict[str, object] = field(default_factory=dict)

    def add(self, path: str, item: Prebuilt) -> None:
        self.responses[path] = item

    def add_html(self, path: str, html: bytes) -> None:
        self.responses[path] = html_response(html)

    def defer(self, path: str, make: Callable[[], Prebuilt], sample: bool = False) -> None:
        """Serve `path` with what `make()` returns, built when it is first asked for."""
        self.deferred[path] = make
        if sample:
            self.samples.append(path)

    def serves(self, path: str) -> bool:
        return path in self.responses or path in self.deferred

    def provide(self, name: str, service: object) -> None:
        self.services[name] = service


def html_response(html: bytes) -> Prebuilt:
    return Prebuilt.build(html, "text/html; charset=utf-8")


class Stage(Protocol):
    def __call__(self, ctx: BuildContext, out: Output) -> None: ...


S = TypeVar("S", bound=Callable[[BuildContext, Output], None])
Key = Callable[[BuildContext, Output], str]


def kept(kind: str, key: Key) -> Callable[[S], S]:
    """Mark a stage that only adds responses, all made from what `key(ctx, out)` covers (a hash
    of everything the stage reads; "" when there is none): the build keeps them whole in its
    cache under `kind` and that key, and a later build with the same key reads them instead of
    running the stage (app/build/site.py `_run`)."""

    def mark(stage: S) -> S:
        stage.kept = (kind, key)  # type: ignore[attr-defined]
        return stage

    return mark


def by_build(ctx: BuildContext, out: Output) -> str:
    """The key of stages made from every page: the build's (a hash of every page's key)."""
    return ctx.build_key


def by_environment(ctx: BuildContext, out: Output) -> str:
    """The key of stages made from the code, settings and non-page content only."""
    return ctx.environment


def digest(ctx: BuildContext, parts: Iterable[object]) -> str:
    """A stage's key: the environment's (code, templates, settings, non-page content, the day),
    the site's shape (every page's language, slug and key; the menu: what every page's header
    and links by key read) and the `repr` of each part (what else the stage reads of the
    pages); "" without a cache."""
    if not ctx.environment:
        return ""
    out = hashlib.sha256(ctx.environment.encode())
    out.update(cachekey.shape(ctx.content.pages.values()).encode())
    for part in parts:
        out.update(repr(part).encode())
        out.update(b"\0")
    return out.hexdigest()


def service(services: Mapping[str, object], name: str, kind: type[T]) -> T | None:
    """A named service of the built site, checked to be of `kind`."""
    found = services.get(name)
    return found if isinstance(found, kind) else None
