"""Deferred responses (section pages, cards, handouts): their paths are fixed at startup, each is
built on its first request, kept, and served exactly as a response built at startup would be."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rawasgi import call, scope_for

from app import urls
from app.build import handouts as handout
from app.build.prebuilt import DeferredBuildError, Prebuilt, Responses
from app.render import cards
from app.serve.app import build as build_served
from app.serve.app import create_app
from app.settings import Settings

SITE = "https://example.test"


@pytest.fixture
def fresh(content_dir: Path) -> tuple[Responses, TestClient]:
    site = build_served(Settings(content_dir=content_dir, site_url=SITE))
    app = create_app(site.settings, site)
    return site.responses, TestClient(app, follow_redirects=False)


def deferred_paths() -> list[str]:
    return [
        urls.section("en", "topic", "detail"),
        cards.path("en", "topic", "detail"),
        cards.path("en", "topic"),
        handout.path("en", "topic"),
    ]


def test_nothing_deferred_is_built_at_startup(fresh: tuple[Responses, TestClient]) -> None:
    responses, _ = fresh
    for path in deferred_paths():
        assert path in responses and responses.is_deferred(path)
        assert path not in responses.built
    assert urls.page("en", "topic") in responses.built  # pages are built at startup


def test_first_request_builds_and_keeps_it(fresh: tuple[Responses, TestClient]) -> None:
    responses, client = fresh
    for path in deferred_paths():
        first = client.get(path, headers={"accept-encoding": "gzip"})
        assert first.status_code == 200, path
        kept = responses.built[path]
        again = client.get(
            path, headers={"if-none-match": first.headers["etag"], "accept-encoding": "gzip"}
        )
        assert again.status_code == 304
        assert responses.built[path] is kept  # built once
        if path.endswith(".png"):
            assert first.headers["content-type"] == "image/png"
            assert first.content.startswith(b"\x89PNG")
        else:
            assert first.headers["content-type"] == "text/html; charset=utf-8"


def test_built_on_request_equals_built_at_startup(
    fresh: tuple[Responses, TestClient], content_dir: Path
) -> None:
    """The same bytes and ETags as building it directly, whichever way it was first asked for."""
    responses, client = fresh
    other = build_served(Settings(content_dir=content_dir, site_url=SITE)).responses
    for path in deferred_paths():
        head = client.head(path, headers={"accept-encoding": "identity"})  # HEAD builds it too
        assert head.status_code == 200 and head.content == b""
        built: Prebuilt = responses.built[path]
        direct = other[path]
        assert built.identity == direct.identity
        assert built.variants == direct.variants
        assert int(head.headers["content-length"]) == len(built.identity.body)


def test_unknown_paths_build_nothing(fresh: tuple[Responses, TestClient]) -> None:
    responses, client = fresh
    before = set(responses.built)
    for path in ("/en/topic/no-such-section/", "/en/topic/detail.png", "/en/topic/handout/x/"):
        assert client.get(path).status_code == 404
    assert set(responses.built) == before


def test_the_fast_path_builds_deferred_responses_with_the_same_headers(
    content_dir: Path,
) -> None:
    site = build_served(Settings(content_dir=content_dir, site_url=SITE))
    fast = create_app(site.settings, site)
    routed = create_app(site.settings, build_served(site.settings))
    routed.fast_path = None
    for path in deferred_paths():
        for method in ("GET", "HEAD"):
            scope = scope_for(method, path.encode(), [(b"accept-encoding", b"br")])
            a, b = call(fast, scope), call(routed, scope)
            assert (a.status, a.raw_headers, a.body) == (b.status, b.raw_headers, b.body), path
        assert path in site.responses.built


def test_iterating_builds_everything_once(fresh: tuple[Responses, TestClient]) -> None:
    responses, _ = fresh
    items = dict(responses.items())
    assert set(items) == set(responses) and len(items) == len(responses)
    assert set(responses.built) == set(responses)
    assert all(responses.built[p] is item for p, item in items.items())


@pytest.mark.parametrize("error", [RuntimeError, KeyError])
def test_a_failing_deferred_build_is_a_logged_500_page_with_the_site_headers(
    content_dir: Path, caplog: pytest.LogCaptureFixture, error: type[Exception]
) -> None:
    """A bug in a deferred builder is a 500 page with the site's headers and a log line: never a
    bare server error, and never a 404 (a KeyError inside a builder is not a missing path)."""
    caplog.set_level(logging.INFO, logger="app.access")
    site = build_served(Settings(content_dir=content_dir, site_url=SITE))
    path = handout.path("en", "topic")

    def broken() -> Prebuilt:
        raise error("builder bug")

    site.responses._deferred[path] = broken
    app = create_app(site.settings, site)
    raised: list[BaseException] = []

    async def server(scope: Any, receive: Any, send: Any) -> None:
        try:  # Starlette sends its 500 page, then re-raises for the server to log, as servers do
            await app(scope, receive, send)
        except DeferredBuildError as exc:
            raised.append(exc)

    reply = call(server, scope_for("GET", path.encode()))
    assert [type(e.__cause__) for e in raised] == [error]
    assert reply.status == 500
    assert reply.header("content-security-policy") is not None
    assert reply.header("content-type") == "text/html; charset=utf-8"
    assert any("unhandled error" in r.getMessage() for r in caplog.records)
    app.state.access_log.flush()
    logged = [r.getMessage() for r in caplog.records if r.name == "app.access"]
    assert any(f" GET {path} 500 " in line for line in logged)
    assert path not in site.responses.built


def test_one_of_each_deferred_kind_is_built_at_startup_as_a_check(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A builder that cannot work (a broken template, fonts missing) stops startup. They are
    built by a forked child, so the server keeps none of them (nor what they loaded)."""
    from app.build import forked as forked_module
    from app.build import site as site_module

    monkeypatch.setattr(forked_module.threading, "active_count", lambda: 1)  # as the server
    forked_site = build_served(Settings(content_dir=content_dir, site_url=SITE))
    assert not [p for p in forked_site.responses.built if forked_site.responses.is_deferred(p)]
    children: list[int] = []

    def here(work):  # type: ignore[no-untyped-def]
        children.append(1)
        done = work()  # here, so that what it built is seen
        return lambda: done is not False

    monkeypatch.setattr(site_module, "forked", here)
    site = build_served(Settings(content_dir=content_dir, site_url=SITE))
    assert children == [1]
    for lang in site.langs:
        sampled = [p for p in site.responses.built if site.responses.is_deferred(p)]
        kinds = {
            "handout" if "/handout/" in p else "card" if p.endswith(".png") else "section"
            for p in sampled
            if p.startswith((f"/{lang}/", f"/cards/{lang}/"))
        }
        assert kinds == {"handout", "card", "section"}, lang
    templates = content_dir.parent / "templates"
    shutil.copytree(site.settings.templates_dir, templates)
    (templates / "handout.html").write_text("{{ no_such_name }}", encoding="utf-8")
    monkeypatch.setattr(site_module, "forked", forked_module.forked)  # the child fails
    with pytest.raises(DeferredBuildError, match="handout"):
        build_served(Settings(content_dir=content_dir, site_url=SITE, templates_dir=templates))


def test_pre_built_paths_are_answered_by_the_fast_path(
    content_dir: Path,
) -> None:
    """SiteApp hands pre-built paths to the fast path, which never calls the app behind it."""
    site = build_served(Settings(content_dir=content_dir, site_url=SITE))
    app = create_app(site.settings, site)
    assert app.fast_path is not None
    reached: list[str] = []
    behind = app.fast_path.app

    async def recorder(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await behind(scope, receive, send)

    app.fast_path.app = recorder
    page = urls.page("en", "topic")
    assert call(app, scope_for("GET", page.encode())).status == 200
    assert reached == []
    deferred = urls.section("en", "topic", "detail")
    assert call(app, scope_for("GET", deferred.encode())).status == 200  # built via the app
    assert call(app, scope_for("GET", deferred.encode())).status == 200  # then answered here
    assert reached == [deferred]
