"""The pure-ASGI fast path gives exactly what the router gives: status, every header, and body."""

from __future__ import annotations

import asyncio
import itertools
import random
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from rawasgi import Headers, call_many, scope_for

from app.build.site import Site
from app.serve.app import create_app
from app.serve.fastpath import FastPath
from app.settings import Settings

ENCODINGS = [None, "gzip", "br", "gzip, deflate, br", "br;q=0, gzip", "identity, *;q=0"]


def without_fastpath(settings: Settings, site: Site) -> FastAPI:
    app = create_app(settings, site)
    app.fast_path = None  # every request goes through the middleware and the router
    return app


@pytest.fixture(scope="module")
def apps(settings: Settings, site: Site) -> tuple[FastAPI, FastAPI]:
    fast = create_app(settings, site)
    assert isinstance(fast.fast_path, FastPath)
    return fast, without_fastpath(settings, site)


@pytest.fixture(scope="module")
def clients(apps: tuple[FastAPI, FastAPI]) -> tuple[TestClient, TestClient]:
    return (
        TestClient(apps[0], follow_redirects=False),
        TestClient(apps[1], follow_redirects=False),
    )


def sample_paths(site: Site, size: int) -> list[str]:
    """A fixed random sample of pre-rendered paths, plus one of each kind (page, static, API...)."""
    paths = sorted(site.responses)
    chosen = set(random.Random(8).sample(paths, min(size, len(paths))))
    by_kind: dict[str, str] = {}
    for path in paths:
        by_kind.setdefault(path.split("/")[1] + str(path.endswith("/")), path)
    return sorted(chosen | set(by_kind.values()))


def etag_candidates(site: Site, path: str) -> list[str | None]:
    item = site.responses[path]
    tags = [v.etag for v in (item.identity, *item.variants.values())]
    return [None, *tags, "*", f"W/{tags[0]}", f'"nope", {tags[-1]}', ""]


def compare_all(apps: tuple[FastAPI, FastAPI], requests: list[tuple[str, str, Headers]]) -> None:
    """Send each request to both apps; the replies must match exactly."""
    scopes = [scope_for(method, path.encode(), headers) for method, path, headers in requests]
    fast = call_many(apps[0], scopes)
    slow = call_many(apps[1], [scope_for(m, p.encode(), h) for m, p, h in requests])
    for request, a, b in zip(requests, fast, slow, strict=True):
        assert a.status == b.status, request
        assert a.raw_headers == b.raw_headers, request  # every header, in the same order
        assert a.body == b.body, request


def test_same_status_headers_and_body_for_prebuilt_paths(
    apps: tuple[FastAPI, FastAPI], site: Site
) -> None:
    paths = sample_paths(site, 12)
    assert len(paths) >= min(len(site.responses), 20)
    requests = []
    for path in paths:
        for method, encoding, etag in itertools.product(
            ("GET", "HEAD"), ENCODINGS, etag_candidates(site, path)
        ):
            headers: Headers = [] if encoding is None else [(b"accept-encoding", encoding.encode())]
            if etag is not None:
                headers.append((b"if-none-match", etag.encode()))
            requests.append((method, path, headers))
    compare_all(apps, requests)


def test_every_prebuilt_path_the_same(apps: tuple[FastAPI, FastAPI], site: Site) -> None:
    requests = []
    for path, item in site.responses.items():
        for method, encoding in itertools.product(("GET", "HEAD"), (None, b"gzip, br")):
            headers: Headers = [] if encoding is None else [(b"accept-encoding", encoding)]
            requests.append((method, path, headers))
        requests.append(("GET", path, [(b"if-none-match", item.identity.etag.encode())]))
        # repeated headers: both paths use the first one
        requests.append(
            ("GET", path, [(b"accept-encoding", b"identity"), (b"accept-encoding", b"br")])
        )
    compare_all(apps, requests)


def test_same_answer_for_paths_the_router_handles(apps: tuple[FastAPI, FastAPI]) -> None:
    requests = [
        (method, path, [(b"accept-encoding", b"gzip")])
        for method, path in itertools.product(
            ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"),
            ("/", "/en", "/EN/", "/en/no-such-page/", "/static/missing.css", "/healthz"),
        )
    ]
    compare_all(apps, requests)


def test_304_and_head_shapes(clients: tuple[TestClient, TestClient], site: Site) -> None:
    fast, _ = clients
    first = fast.get("/en/", headers={"accept-encoding": "br"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "br"
    again = fast.get(
        "/en/", headers={"accept-encoding": "br", "if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert "content-length" not in again.headers
    head = fast.head("/en/", headers={"accept-encoding": "br"})
    assert head.content == b"" and head.headers["content-length"] == first.headers["content-length"]


def test_prebuilt_paths_never_reach_the_router(site: Site) -> None:
    """The fast path really answers (so the comparison above is not of the router with itself)."""
    reached: list[str] = []

    async def router(scope: dict[str, Any], receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    fast = FastPath(router, site.responses)
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    def call(method: str, path: str, root_path: str = "") -> int:
        sent.clear()
        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "root_path": root_path,
            "query_string": b"",
            "headers": [],
        }
        asyncio.run(fast(scope, receive, send))
        return int(sent[0]["status"])

    assert call("GET", "/en/") == 200 and call("HEAD", "/en/") == 200
    assert reached == []
    assert call("POST", "/en/") == 418  # other methods: the router decides (405)
    assert call("GET", "/en/nope/") == 418
    assert call("GET", "/en/", root_path="/mounted") == 418
    assert reached == ["/en/", "/en/nope/", "/en/"]


def test_the_servers_run_the_fast_path_in_front_of_the_routed_app(
    apps: tuple[FastAPI, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve_app` (the servers' target) is the fast path of the app `create_app` builds: what it
    does not answer goes to that app's router and middleware, with the cap in front."""
    from app.serve import app as module

    fast = apps[0]
    monkeypatch.setattr(module, "create_app", lambda: fast)
    served = module.serve_app()
    assert served is fast.fast_path
    assert isinstance(served, FastPath) and served.app == fast.routed  # type: ignore[attr-defined]
    assert served.cap is fast.state.address_cap is not None


def test_a_preloaded_app_is_what_each_worker_serves_without_building_again(
    apps: tuple[FastAPI, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m app serve` builds the app in the server's main process (`preload`); granian's
    workers are forks of it, and `serve_app` hands them that app instead of building one."""
    import gc

    from app.serve import app as module

    fast = apps[0]
    built: list[object] = []
    monkeypatch.setattr(module, "_PRELOADED", [])
    site = fast.state.site
    monkeypatch.setattr(
        module,
        "build",
        lambda settings, freeze, environment, bundle, leave_pruning: built.append(freeze) or site,
    )
    monkeypatch.setattr(module, "create_app", lambda s, given: built.append(given) or fast)
    monkeypatch.setattr(gc, "freeze", lambda: built.append("frozen"))
    assert module.preload(Settings()) is site
    # built once (frozen as it is made), then kept out of collections
    assert built == [True, site, "frozen"]
    assert module.serve_app() is fast.fast_path
    assert module.serve_app() is fast.fast_path
    assert len(built) == 3  # no worker built it again
