"""The ASGI app: routes are look-ups into the pre-built site; only a few responses are dynamic."""

from __future__ import annotations

import gc
import logging
import time
from dataclasses import replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .. import urls
from ..build import versions
from ..build.api_docs import PREFIX
from ..build.bundle import Prefetch
from ..build.bundle import keep as keep_bundle
from ..build.site import Site, build_site
from ..settings import Settings
from . import routes
from .fastpath import FastPath
from .limits import AddressCap
from .middleware import AccessLog, ControlCharacterPaths, SecurityHeaders, security_headers
from .routes import problem, serve
from .servers import HEADER_TIMEOUT_MS

log = logging.getLogger("app")
NO_TELEMETRY: Any = {"tracing": False, "metrics": False, "logs": False}  # and no per-request check


def negotiate(accept_language: str, langs: list[str]) -> str:
    """The best of `langs` for an Accept-Language header; the first language otherwise."""
    best, best_q = langs[0], 0.0
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0 - index / 1000  # earlier entries win ties
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if primary in langs and q > best_q:
            best, best_q = primary, q
    return best


def lang_of(path: str, site: Site) -> str:
    first = path.strip("/").split("/", 1)[0]
    return first if first in site.langs else site.content.default_lang


class SiteApp(FastAPI):
    """FastAPI with the fast path in front of everything, middleware included: a pre-built GET or
    HEAD costs a dict look-up and two sends. Set `fast_path` to None to route every request."""

    fast_path: FastPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.fast_path is not None:
            await self.fast_path(scope, receive, send)
        else:
            await self.routed(scope, receive, send)

    async def routed(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


def address_cap(settings: Settings) -> AddressCap | None:
    """The cap on connections per address; its window: how long granian keeps an idle
    connection open (its header timeout), plus a second."""
    if settings.connections_per_address <= 0:
        return None
    exempt = ProxyHeadersMiddleware(None, settings.forwarded_allow_ips).trusted_hosts  # type: ignore[arg-type]
    window = HEADER_TIMEOUT_MS / 1000 + 1
    return AddressCap(settings.connections_per_address, window, exempt, time.perf_counter)


_PRELOADED: list[SiteApp] = []  # the app built before the server forked its workers


def preload(
    settings: Settings, environment: str | None = None, bundle: Prefetch | None = None
) -> Site:
    """Build the site and its app here, in the server's main process, before granian forks its
    workers (app/serve/servers.py): each worker starts with it built, sharing its memory until
    written (copy-on-write), and a replaced worker starts at once. `environment`: its cache key,
    when the caller has it. Raises ContentError."""
    site = build(settings, freeze=True, environment=environment, bundle=bundle, leave_pruning=True)
    later = site.later
    if later:  # the served site keeps none of it (the remade index's counts)
        site = replace(site, later=())
    _PRELOADED[:] = [create_app(settings, site)]
    gc.freeze()  # what the site holds stays out of every later collection, in every worker
    if settings.cache_dir is not None:  # what the next start reads, in one file; the pruning
        keep_bundle(settings.cache_dir, site.build_key, site.cache_files, site.prune, later)
    return site


def serve_app() -> ASGIApp:
    """What the servers run (app/serve/servers.py): the app's fast path, which hands everything
    it does not answer to the routed app, as the app itself does; without the app's own
    `__call__` in front, a request costs one coroutine less. The preloaded app if there is one
    (a fork of the process that built it), else one built here."""
    app = _PRELOADED[0] if _PRELOADED else create_app()
    return app.fast_path or app


def build(
    settings: Settings,
    freeze: bool = False,
    environment: str | None = None,
    bundle: Prefetch | None = None,
    leave_pruning: bool = False,
) -> Site:
    """The site as served: the build's stages plus the serving layer's own (OpenAPI)."""
    return build_site(
        settings,
        routes.SERVING_STAGES,
        freeze=freeze,
        environment=environment,
        bundle=bundle,
        leave_pruning=leave_pruning,
    )


# long: every route and error handler registered in one place, as datasette's _routes()
def create_app(settings: Settings | None = None, site: Site | None = None) -> SiteApp:
    """Build the site (raises ContentError on invalid content) and the app that serves it."""
    settings = settings or Settings.from_env()
    site = site or build(settings)
    app = SiteApp(docs_url=None, redoc_url=None, openapi_url=None, telemetry=NO_TELEMETRY)
    app.state.site = site
    # X-Forwarded-For/-Proto only from FORWARDED_ALLOW_IPS (the app never logs an address).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    outermost_headers = {k.decode(): v.decode() for k, v in security_headers(settings.hsts)}
    app.state.access_log = access_log = AccessLog()
    # Inside the security headers, so its 400 page gets them (error_response is defined below).
    app.add_middleware(ControlCharacterPaths, respond=lambda r, s: error_response(r, s))
    app.add_middleware(SecurityHeaders, hsts=settings.hsts, access=access_log)  # last: outermost
    # Pre-rendered paths skip the router and the middleware; they get the same headers and log.
    # Every request is first counted against its address's connections (app/serve/limits.py).
    app.state.address_cap = cap = address_cap(settings)
    app.fast_path = FastPath(
        app.routed, site.responses, security_headers(settings.hsts), access_log, cap
    )

    def error_response(
        request: Request, status: int, extra: dict[str, str] | None = None
    ) -> Response:
        if request.url.path.startswith(PREFIX + "/"):
            return problem(status, headers=extra)
        page = site.error(lang_of(request.url.path, site), status)
        return serve(page, request, status, extra)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        status = exc.status_code if exc.status_code in (400, 404, 405) else 400
        extra = {"allow": "GET, HEAD"} if status == 405 else None
        return error_response(request, status, extra)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette answers this outside every middleware, so the security headers go on here.
        log.exception("unhandled error")
        return error_response(request, 500, outermost_headers)

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> Response:
        lang = negotiate(request.headers.get("accept-language", ""), site.langs)
        return RedirectResponse(
            urls.page(lang, ""),
            status_code=302,
            headers={"vary": "Accept-Language", "cache-control": "no-cache"},
        )

    app.include_router(routes.api)  # before the catch-all below
    app.include_router(routes.pages)  # search, citation downloads (today's access date)

    def timegate(request: Request, gate: versions.Gate, accept_datetime: str) -> Response:
        """RFC 7089 4.1 (pattern 2.1): the current page is its own TimeGate."""
        target = versions.choose(gate, accept_datetime)
        if target is None:
            return error_response(request, 400, {"vary": "accept-datetime"})
        links = (
            f'<{gate.original}>; rel="original timegate", '
            f'<{gate.timemap}>; rel="timemap"; type="{versions.LINK_FORMAT}"'
        )
        return RedirectResponse(
            target,
            status_code=302,
            headers={"vary": "accept-datetime", "link": links, "cache-control": "no-cache"},
        )

    @app.get("/{path:path}", include_in_schema=False)
    def prebuilt(path: str, request: Request) -> Response:
        full = request.url.path
        gate = site.gates.get(full)
        accept_datetime = request.headers.get("accept-datetime")
        if gate is not None and accept_datetime is not None:
            return timegate(request, gate, accept_datetime)
        item = site.responses.get(full)
        if item is not None:
            return serve(item, request)
        for candidate in (full + "/", full.lower(), full.lower() + "/"):
            if candidate != full and candidate in site.responses:
                query = f"?{request.url.query}" if request.url.query else ""
                return RedirectResponse(candidate + query, status_code=301)
        return error_response(request, 404)

    return app
