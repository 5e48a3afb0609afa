"""The orchestrator: load, render every page once, run the declared stages, freeze the result.

The stages (the pelican way: a declared list, run in order, each a `stage(ctx, out)` function
that never imports this module) turn the rendered pages into pre-built responses. Stages that
need every page (discovery, the API, search) come after the per-page ones. The serving layer may
add stages of its own (the OpenAPI document, which FastAPI describes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TypeVar

import jinja2
from babel.support import NullTranslations

from .. import urls
from ..content.errors import ContentError
from ..content.loader import load_content
from ..content.records import Content
from ..i18n import load_translations, long_date
from ..render.citing import Citable, citable, today
from ..render.pages import RenderedPage, Renderer
from ..settings import Settings
from . import (
    api_docs,
    archive,
    cachekey,
    discovery,
    pages,
    search,
    searchcache,
    sections,
    versions,
)
from .assets import fingerprint
from .bundle import Entries, Prefetch
from .cache import BuildCache
from .context import BuildContext, Output, Stage, service
from .forked import forked
from .memory import collector_paused, trim
from .pageparts import PageBuild
from .pageset import all_pages
from .prebuilt import Prebuilt, Responses
from .report import BuildReport, Clock

T = TypeVar("T")
log = logging.getLogger("app")

STAGES: tuple[Stage, ...] = (
    pages.page_stage,  # every page's own HTML
    search.start_stage,  # the index, in a child, if it is not in the cache
    sections.stage,  # section pages, preview cards, handouts (deferred)
    pages.sources_stage,  # the source list and each source's full text
    pages.source_cards_stage,  # their preview cards (deferred)
    pages.errors_stage,  # 400/404/405/500 pages in every language
    pages.health_stage,
    discovery.stage,  # sitemap, robots.txt, feeds: after every page
    api_docs.stage,  # the JSON documents
    api_docs.pages_stage,  # each page's own
    search.stage,  # the index: read from the cache (made in the child), else made here
    versions.stage,  # permanent versions from the archive, deferred; Memento headers on pages
)


@dataclass(frozen=True)
class Site:
    settings: Settings
    content: Content
    responses: Responses  # by path; a few kinds are built on first request
    errors: Mapping[tuple[str, int], Prebuilt]
    rendered: Mapping[tuple[str, str], RenderedPage]
    services: Mapping[str, object] = field(default_factory=dict, repr=False)
    report: BuildReport = field(default_factory=lambda: BuildReport(), repr=False)
    build_key: str = ""  # with a build cache: a hash of every page's key
    cache_files: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # read or written
    prune: Callable[[], None] | None = field(default=None, repr=False)  # left to the caller
    # cache files left to write (the index made from an earlier one, in memory here already)
    later: tuple[Callable[[], object], ...] = field(default=(), repr=False)

    @property
    def langs(self) -> list[str]:
        return self.content.langs

    def error(self, lang: str, status: int) -> Prebuilt:
        return self.errors.get((lang, status)) or self.errors[(self.content.default_lang, status)]

    def service(self, name: str, kind: type[T]) -> T | None:
        return service(self.services, name, kind)

    @property
    def gates(self) -> Mapping[str, versions.Gate]:
        """The TimeGates of the pages that have recorded versions, by page path."""
        return self.service(versions.SERVICE, dict) or {}

    @property
    def search(self) -> search.Search | None:
        """The search index (the search stage's service)."""
        return self.service(search.SERVICE, search.Search)

    def citable(self, lang: str, slug: str, section_id: str | None) -> Citable | None:
        """The citable page or section, or None when the page or the section does not exist."""
        rendered = self.rendered.get((lang, slug))
        if rendered is None:
            return None
        section = None
        if section_id is not None:
            section = next((s for s in rendered.sections if s.id == section_id), None)
            if section is None:
                return None
        name = self.settings.name(lang)
        item = citable(self.settings.site_url, name, rendered.page, rendered.version, section)
        return permanent(item, self.settings.archive_dir) if section is None else item


def permanent(item: Citable, archive_dir: Path) -> Citable:
    """A page's citation names its version's permanent URL when that version is recorded
    (app/build/archive.py): the words cited stay readable there after the page changes."""
    path = archive.permalink(archive_dir, item.lang, item.slug, item.version)
    return replace(item, url=urls.absolute(item.site_url, path)) if path else item


def build_site(
    settings: Settings,
    extra_stages: Iterable[Stage] = (),
    content: Content | None = None,
    freeze: bool = False,
    environment: str | None = None,
    bundle: Prefetch | None = None,
    leave_pruning: bool = False,
) -> Site:
    """Load content (raising ContentError if invalid) unless given, and build every response.

    Each page is built once (app/build/pagebuild.py: in a process pool when there are many) or
    read from the build cache (`settings.cache_dir`; app/build/cache.py); the site-wide stages
    then run on what the pages left. `environment`: the cache's key for all but the pages
    (app/build/cachekey.py), when the caller has worked it out for this start; `bundle`: the
    cache files a build read, being read (app/build/bundle.py). `leave_pruning`: the cache's
    pruning, when due, and the cache files left to write are left to the caller (`Site.prune`,
    `Site.later`; the server has them done after it starts, app/build/bundle.py `keep`).
    """
    with collector_paused(freeze):
        bundled = bundle.entries() if bundle is not None else None
        site = _build(settings, extra_stages, content, environment, bundled)
    if not leave_pruning:
        for work in (*site.later, *filter(None, [site.prune])):
            work()
        site = replace(site, prune=None, later=())
    trim()
    return site


def _build(
    settings: Settings,
    extra_stages: Iterable[Stage],
    content: Content | None,
    known: str | None,
    bundled: Entries | None,
) -> Site:
    clock = Clock()
    cache = BuildCache(settings.cache_dir, bundled) if settings.cache_dir is not None else None
    environment = ""
    if cache is not None:
        environment = known or cachekey.environment(settings, today())
    checked = content is not None  # given content was loaded, parsed and checked in full
    content = content if content is not None else _load(settings, cache, environment)
    out = Output()
    ctx = replace(prepare(settings, content, out), store=cache, environment=environment)
    clock.lap("load")
    built, build_key, page_keys = _pages(ctx, out, cache, environment, checked)
    clock.lap("pages")
    rendered = MappingProxyType({key: b.rendered for key, b in built.items()})
    ctx = replace(
        ctx,
        rendered=rendered,
        built=MappingProxyType(built),
        build_key=build_key,
        page_keys=MappingProxyType(page_keys),
    )
    _stages((*STAGES, *extra_stages), ctx, out, cache, clock)
    responses = Responses(out.responses, out.deferred)
    _samples(responses, out.samples, cache, environment)
    clock.lap("samples")
    built.clear()  # what the pages' builds made is in the responses and the index now
    if cache is not None:
        cache.bundle = {}  # read: what a deferred response reads later comes from the files
    report = BuildReport(
        len(rendered), len(cache.hits) if cache else 0, MappingProxyType(clock.laps)
    )
    if cache is not None:
        report = replace(report, bundled=cache.bundled)
    log.info("%s", report.line())
    return Site(
        settings=settings,
        content=content,
        responses=responses,
        errors=MappingProxyType(out.errors),
        rendered=rendered,
        services=MappingProxyType(out.services),
        report=report,
        build_key=build_key,
        cache_files=_next_start(cache, build_key) if cache is not None else (),
        prune=cache.prune if cache is not None and cache.prune_due else None,
        later=_jobs(out.services.pop(search.LATER, ())),  # not kept in the site's services
    )


def _jobs(later: object) -> tuple[Callable[[], object], ...]:
    return tuple(j for j in later if callable(j)) if isinstance(later, tuple) else ()


def _stages(
    stages: Iterable[Stage], ctx: BuildContext, out: Output, cache: BuildCache | None, clock: Clock
) -> None:
    try:
        for stage in stages:
            _run(stage, ctx, out, cache)
            clock.lap(stage.__module__.rsplit(".", 1)[-1] + "." + getattr(stage, "__name__", "?"))
    except BaseException:
        _reap(out)
        raise


def _pages(
    ctx: BuildContext, out: Output, cache: BuildCache | None, environment: str, checked: bool
) -> tuple[dict[tuple[str, str], PageBuild], str, dict[tuple[str, str], str]]:
    """`all_pages`; the search index's child starts once a pool has stored them (reaped if
    anything fails)."""

    def stored(key: str, keys: Mapping[tuple[str, str], str]) -> None:
        search.early(replace(ctx, build_key=key, page_keys=MappingProxyType(dict(keys))), out)

    try:
        return all_pages(ctx, cache, environment, checked, stored=stored)
    except BaseException:
        _reap(out)
        raise


def _reap(out: Output) -> None:
    pending = out.services.pop(search.PENDING, None)  # a child making the index: reaped
    if callable(pending):
        pending()


def _next_start(cache: BuildCache, build_key: str) -> tuple[tuple[str, str], ...]:
    """The cache files the next start with these files reads: those this build read or wrote,
    with this build's index (which a child may have made and written) for any other."""
    index = searchcache.cache_files(build_key)
    kinds = {kind for kind, _ in index}
    return (*(f for f in cache.files if f[0] not in kinds), *index)


def _samples(
    responses: Responses, samples: list[str], cache: BuildCache | None, environment: str
) -> None:
    """One of each deferred kind per language, built now: one that fails, fails here, not for
    a reader. Once per environment: they built with these templates, code and fonts. In a
    forked child, so what they load (Pillow, fonts) is not in the server until a reader asks;
    built here, for the error, if it fails."""
    if cache is None or not cache.has_mark("samples", environment):
        if not forked(lambda: [responses[path] for path in samples])():
            [responses[path] for path in samples]  # raises what failed
        if cache is not None:
            cache.mark("samples", environment)


def prebuild(settings: Settings) -> Content | None:
    """Check the content and fill the build cache with every page's build, once, before server
    workers start (they then start warm and run the site-wide stages). None when a build of
    exactly these files (by name, size and time) with this code, these templates and settings
    succeeded before: nothing to check or build again. Raises ContentError listing every
    problem."""
    if settings.cache_dir is None:
        return load_content(settings.content_dir)  # no cache: each worker builds for itself
    cache = BuildCache(settings.cache_dir)
    environment = cachekey.environment(settings, today())
    stamp = cachekey.stamp(environment, settings.content_dir)
    if cache.has_mark("built", stamp):
        return None
    content = _load(settings, cache, environment)
    ctx = replace(prepare(settings, content, Output()), store=cache, environment=environment)
    all_pages(ctx, cache, environment, checked=False, keep=False)  # checks, builds, caches
    if cache.prune_due:
        cache.prune()
    cache.mark("built", stamp)  # the site-wide stages run once, in the worker
    return content


def _run(stage: Stage, ctx: BuildContext, out: Output, cache: BuildCache | None) -> None:
    """Run `stage`, or read what it made from the cache when it is `kept` (app/build/context.py)
    and a build with its key made it before. A build with this build's key (every page's) found
    the stage's own key before: that is kept too, so a start with nothing changed reads two
    small files and works nothing out."""
    kept = getattr(stage, "kept", None)
    if kept is None or cache is None or not ctx.environment:
        stage(ctx, out)
        return
    name, key_of = kept
    alias = cache.get_bytes(f"{name}-key", ctx.build_key) if ctx.build_key else None
    key = alias.decode("ascii", "replace") if alias is not None else key_of(ctx, out)
    if not key:
        stage(ctx, out)
        return
    found = cache.responses(name, key)
    if found is None:
        before = set(out.responses)
        sizes = (len(out.deferred), len(out.samples), len(out.errors), len(out.services))
        stage(ctx, out)
        if sizes != (len(out.deferred), len(out.samples), len(out.errors), len(out.services)):
            # read back, it would lose what it deferred or provided: a mistake in the code
            raise TypeError(f"stage {name} is kept in the cache but adds more than responses")
        found = {path: item for path, item in out.responses.items() if path not in before}
        cache.put_responses(name, key, found)
    out.responses.update(found)
    if alias is None and ctx.build_key:
        cache.put_bytes(f"{name}-key", ctx.build_key, key.encode("ascii"))


def _load(settings: Settings, cache: BuildCache | None, environment: str) -> Content:
    """The content with the pages' front matter checked (bodies are checked as pages build);
    the full, serial load when anything is wrong, for its report of every problem."""
    known = cache.heads(environment) if cache is not None else {}
    try:
        return load_content(settings.content_dir, parse=False, known=known)
    except ContentError:
        return load_content(settings.content_dir)  # raises, listing every problem


def prepare(settings: Settings, content: Content, out: Output) -> BuildContext:
    """The context before any page is rendered: assets, translations, templates, renderers."""
    assets, files = fingerprint(settings.static_dir)
    out.responses.update(files)
    translations = {lang: load_translations(settings.locales_dir, lang) for lang in content.langs}
    gettexts = {lang: t.gettext for lang, t in translations.items()}
    ctx = BuildContext(
        settings=settings,
        content=content,
        gettexts=gettexts,
        jinja={},
        renderers={
            lang: Renderer(
                content,
                lang,
                gettexts[lang],
                settings.contact_email,
                publisher=settings.publisher,
            )
            for lang in content.langs
        },
        access_date=today(),
    )
    jinja = {lang: _environment(ctx, lang, translations[lang], assets) for lang in content.langs}
    return replace(ctx, jinja=MappingProxyType(jinja))


def _bytecode_cache(cache_dir: Path | None) -> jinja2.BytecodeCache | None:
    """Compiled templates kept with the build cache (jinja checks each against its source)."""
    if cache_dir is None:
        return None
    (cache_dir / "jinja").mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(cache_dir / "jinja"))


def _environment(
    ctx: BuildContext, lang: str, translations: NullTranslations, assets: Mapping[str, str]
) -> jinja2.Environment:
    cache_dir = ctx.settings.cache_dir
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(ctx.settings.templates_dir),
        bytecode_cache=_bytecode_cache(cache_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=False,
    )
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        lang=lang,
        asset=assets.__getitem__,
        date=lambda d: long_date(d, lang),
        site_name=ctx.site_name(lang),
        home_url=urls.page(lang, ""),
        sources_url=urls.sources(lang),
        about_url=ctx.url_for_key(lang, "about"),
        contact_email=ctx.settings.contact_email,
        search_url=urls.search(lang),
        feed_url=discovery.feed_path(lang),
    )
    return env
