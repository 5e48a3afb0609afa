"""Security headers on every response, hostile input (never a 5xx, never an unescaped echo), and
privacy in logs. Hostile bytes go in as raw ASGI messages, the way an ASGI server hands them over,
since a test client would normalise or refuse them; tests/test_server.py sends them to the real
server over sockets."""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import re
import time
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from fastapi import FastAPI, Request
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rawasgi import Reply, call, call_many, request, scope_for
from selectolax.lexbor import LexborHTMLParser

from app.build.site import Site
from app.serve.app import create_app
from app.serve.middleware import AccessLog, SecurityHeaders
from app.settings import Settings

CLIENT_IP = "203.0.113.7"
FORWARDED_IP = "198.51.100.23"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "cite", "poster"}

# Payloads that would create an element, an attribute or a script if echoed without escaping.
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><b id="xss-probe">x</b>',
    "'><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '" autofocus onfocus="alert(1)',
    "javascript:alert(1)",
    "</title><xss-probe>",
    "<!--",
    "]]><xss-probe/>",
    "{{7*7}}{% raw %}",
]
FTS = [
    "NEAR(police dea)",
    '"unterminated',
    "police AND",
    "OR",
    "NOT",
    "*",
    "^police",
    "police*",
    "title:police",
    "-police",
    "(",
    ")",
    "{}",
    "a'b",
    "'; DROP TABLE pages; --",
    'a"b"c',
    "police NEAR/3 dea",
    "+",
    ":",
    "\\",
    "%",
    "_",
    "\x00",
    "police\x00dea",
    "🦊",
    "a" * 400,
]


@pytest.fixture(scope="module")
def app(settings: Settings, site: Site) -> FastAPI:
    return create_app(settings, site)


# --------------------------------------------------------------------------- checks


def csp_directives(value: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in value.split(";"):
        name, *sources = part.split()
        out[name.lower()] = sources
    return out


def assert_security_headers(reply: Reply, hsts: bool = False, where: object = None) -> None:
    csp = reply.headers_named("content-security-policy")
    assert len(csp) == 1, where
    directives = csp_directives(csp[0])
    assert directives["default-src"] == ["'self'"], where
    assert directives["frame-ancestors"] == ["'none'"], where
    assert directives["base-uri"] == ["'none'"], where
    assert directives["form-action"] == ["'self'"], where
    assert directives["object-src"] == ["'none'"], where
    for sources in directives.values():
        assert "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources, where
        assert all(s in ("'self'", "'none'", "data:") for s in sources), where
    assert reply.header("referrer-policy") == "no-referrer", where
    assert reply.header("x-content-type-options") == "nosniff", where
    assert reply.header("cross-origin-opener-policy") == "same-origin", where
    permissions = dict(
        p.strip().split("=", 1) for p in reply.header("permissions-policy").split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert permissions[feature] == "()", (where, feature)
    assert reply.header("set-cookie") is None, where
    assert (reply.header("strict-transport-security") is not None) == hsts, where
    if hsts:
        hsts_value = reply.header("strict-transport-security") or ""
        assert int(hsts_value.split("max-age=")[1].split(";")[0]) >= 31536000, where
    for name, value in reply.raw_headers:
        assert b"\r" not in value and b"\n" not in value, (where, name)  # no header injection


CLEAN_BODIES: set[bytes] = set()  # digests of HTML bodies already checked (the 404 page repeats)


def assert_no_injection(reply: Reply, where: object) -> None:
    """The reply holds no element, attribute or script that the request put there."""
    content_type = reply.header("content-type") or ""
    if reply.status < 300 or reply.status >= 400:
        assert content_type, where
    digest = hashlib.sha256(reply.body).digest()
    if content_type.startswith("text/html") and reply.body and digest not in CLEAN_BODIES:
        doc = LexborHTMLParser(reply.body.decode("utf-8"))
        assert not doc.css("xss-probe, #xss-probe, img[src=x], svg[onload], [onfocus]"), where
        for node in doc.css("*"):
            for name, value in node.attributes.items():
                assert not name.lower().startswith("on"), (where, node.tag, name)
                if name.lower() in URL_ATTRIBUTES:
                    assert not (value or "").strip().lower().startswith("javascript:"), where
        for script in doc.css("script"):
            src = script.attributes.get("src")
            if src is None:  # a data block such as JSON-LD, never code
                assert script.attributes.get("type") == "application/ld+json", where
                json.loads(script.text())
            else:
                assert src.startswith("/static/"), where
        CLEAN_BODIES.add(digest)
    elif "json" in content_type and reply.body:
        json.loads(reply.body)
    location = reply.header("location")
    if location is not None:
        assert location.startswith("/") and not location.startswith("//"), (where, location)
        assert "\\" not in location and "<" not in location, (where, location)


def assert_safe(reply: Reply, where: object) -> None:
    assert reply.status < 500, where
    assert_security_headers(reply, where=where)
    assert_no_injection(reply, where)


def test_the_checks_catch_an_unescaped_echo() -> None:
    """The checks below are only worth something if they fail on a real injection."""
    for html in (
        '<p>x</p><img src=x onerror="alert(1)">',
        "<p><script>alert(1)</script></p>",
        '<a href="javascript:alert(1)">x</a>',
        '<p><b id="xss-probe">x</b></p>',
    ):
        reply = Reply(200, [(b"content-type", b"text/html; charset=utf-8")], html.encode(), [])
        with pytest.raises(AssertionError):
            assert_no_injection(reply, html)
    moved = Reply(301, [(b"location", b"//evil.example/")], b"", [])
    with pytest.raises(AssertionError):
        assert_no_injection(moved, "open redirect")


# --------------------------------------------------------------------------- headers


def kinds_of_request(site: Site) -> list[tuple[str, bytes, list[tuple[bytes, bytes]]]]:
    """One request for each kind of response: every prebuilt path, errors, redirects, 304..."""
    page = next(p for p, i in site.responses.items() if i.media_type.startswith("text/html"))
    etag = site.responses[page].identity.etag.encode()
    out: list[tuple[str, bytes, list[tuple[bytes, bytes]]]] = [
        ("GET", p.encode(), [(b"accept-encoding", b"gzip, br")]) for p in sorted(site.responses)
    ]
    out += [
        ("HEAD", page.encode(), []),
        ("GET", page.encode(), [(b"if-none-match", etag)]),  # 304
        ("GET", page.rstrip("/").encode(), []),  # 301
        ("GET", b"/", [(b"accept-language", b"es")]),  # 302
        ("GET", b"/en/no-such-page/", []),  # 404
        ("GET", b"/api/v1/pages/en/no-such-page.json", []),  # API 404
        ("POST", page.encode(), []),  # 405
        ("DELETE", b"/api/v1/pages.json", []),
    ]
    if site.search is not None:
        out += [
            ("GET", b"/en/search?q=police", []),
            ("GET", b"/en/search?q=" + b"x" * 8192, []),  # 400
            ("GET", b"/api/v1/search?q=police&lang=en", []),
            ("GET", b"/api/v1/search?q=" + b"x" * 8192, []),  # API 400
        ]
    return out


def test_security_headers_on_every_kind_of_response(app: FastAPI, site: Site) -> None:
    requests = kinds_of_request(site)
    replies = call_many(app, [scope_for(m, t, h) for m, t, h in requests])
    statuses = {r.status for r in replies}
    assert {200, 301, 302, 304, 404, 405} <= statuses
    for (method, target, _), reply in zip(requests, replies, strict=True):
        assert_security_headers(reply, where=(method, target[:80], reply.status))


def test_hsts_only_when_the_setting_is_on(settings: Settings, site: Site) -> None:
    hsts_app = create_app(Settings(**{**settings.__dict__, "hsts": True}), site)
    requests = kinds_of_request(site)[-10:]
    for (method, target, _), reply in zip(
        requests, call_many(hsts_app, [scope_for(m, t, h) for m, t, h in requests]), strict=True
    ):
        assert_security_headers(reply, hsts=True, where=(method, target[:80]))


def test_no_cookie_ever_even_if_a_route_sets_one() -> None:
    async def sets_cookies(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"set-cookie", b"a=1"),
                    (b"Set-Cookie", b"b=2"),
                    (b"content-type", b"text/plain"),
                    (b"referrer-policy", b"unsafe-url"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b"x"})

    reply = call(SecurityHeaders(sets_cookies), scope_for("GET", b"/"))
    assert reply.headers_named("set-cookie") == []
    assert reply.headers_named("referrer-policy") == ["no-referrer"]  # replaced, not doubled
    assert_security_headers(reply)


# --------------------------------------------------------------------------- hostile input

TRAVERSAL = [
    b"/../../etc/passwd",
    b"/static/../app/web.py",
    b"/static/../../pyproject.toml",
    b"/%2e%2e/%2e%2e/etc/passwd",
    b"/static/%2e%2e/%2e%2e/app/web.py",
    b"/static/..%2f..%2fapp%2fweb.py",
    b"/static/%2e%2e%2fapp%2fweb.py",
    b"/static/..%5c..%5capp",
    b"/static/..\\..\\app\\web.py",
    b"/en/..\\..\\etc\\passwd",
    b"/%252e%252e/%252e%252e/etc/passwd",
    b"/static/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
    b"/static/.%2e/.%2e/app/web.py",
    b"//etc/passwd",
    b"//en//faq//",
    b"/en//faq/",
    b"///static///site.css",
    b"/./en/./faq/",
    b"/en/faq/../about/",
    b"//example.org/",
    b"//example.org/%2e%2e",
    b"/\\example.org/",
    b"/static/",
    b"/static",
    b"/content/pages/en/faq.md",
    b"/app/web.py",
    b"/.git/config",
    b"/.env",
    b"/templates/base.html",
    b"/en/%2e%2e/%2e%2e/content/",
]
MALFORMED = [
    b"/en/%00/",
    b"/en/faq%00/",
    b"/%00",
    b"/en/faq/%00",
    b"/en/search?q=%00",
    b"/en/\x00/",
    b"/en/%ff/",
    b"/en/%c0%af/",
    b"/en/%e2%82/",
    b"/en/%ed%a0%80/",
    b"/en/%zz/",
    b"/en/%/",
    b"/en/%2/",
    b"/en/faq%",
    b"/en/\xff\xfe/",
    b"/en/faq/?q=%",
    b"/en/faq/?q=%zz&%%=1",
    b"/en/faq?\xff=\xfe",
    b"/en/search?q=%ff%fe",
    b"/en/search?q=%c3",
    b"/en/search?q=\xc3(",
    b"/en/search/?q=\xff",
    b"/api/v1/search?q=\xff&lang=en",
    b"/api/v1/search?lang=%ff",
    b"/api/v1/pages/%ff/x.json",
    b"/en/faq/?a=%0d%0aSet-Cookie:%20x=1",
    b"/en/faq?a=%0d%0ax:1",
    b"/en/faq%0d%0aSet-Cookie:%20x=1/",
    b"/cards/en/%ff.png",
    b"/en/sources/%00/",
]
LONG = [
    b"/" + b"a" * 8192,
    b"/en/" + b"a" * 8192 + b"/",
    b"/en/faq/" + b"a/" * 4096,
    b"/en/faq/?" + b"x" * 8192,
    b"/en/faq/?" + b"a=1&" * 2048,
    b"/en/search?q=" + b"x" * 8192,
    b"/en/search?q=" + b"%ff" * 2800,
    b"/api/v1/search?q=" + b"police+" * 1200,
    b"/en/faq?" + b"y" * 8192,
]
PARAMETERS = [
    b"/en/search?q=police&q=dea",
    b"/en/search?q[]=police",
    b"/en/search?q[0]=a&q[1]=b",
    b"/en/search?q=&q=police",
    b"/en/search?q",
    b"/en/search?=police",
    b"/en/search?&&&",
    b"/en/search?q=police&lang=es&lang=en",
    b"/api/v1/search?q=a&q=b&lang=en&lang=es",
    b"/api/v1/search?lang[]=en",
    b"/api/v1/search?q[]=a",
    b"/api/v1/search?q=police&limit=-1",
    b"/en/faq/?q=1&q=2&q[]=3",
    b"/?lang=es&lang=en",
    b"/en/search?" + b"q=a&" * 500,
]
CASES = [
    b"/EN/",
    b"/En/Faq/",
    b"/en/FAQ",
    b"/EN/SOURCES/ARTICLE-000/",
    b"/en/Sources/",
    b"/Static/x",
    b"/HEALTHZ",
    b"/En/Search?q=police",
    b"/API/V1/PAGES.JSON",
    b"/en/faq/Know-Your-Rights/",
]
LANGUAGES = [
    b"/xx/",
    b"/fr/",
    b"/de/faq/",
    b"/zz/sources/",
    b"/xx/search?q=police",
    b"/e/",
    b"/enn/",
    b"/en-US/",
    b"/es/",
    b"/es/faq/",
    b"/api/v1/search?q=police&lang=xx",
    b"/api/v1/pages/xx/faq.json",
    b"/%65%6e/",
]


def run(app: FastAPI, targets: list[bytes], methods: tuple[str, ...] = ("GET", "HEAD")) -> None:
    scopes = [scope_for(m, t) for t in targets for m in methods]
    for scope, reply in zip(scopes, call_many(app, scopes), strict=True):
        assert_safe(reply, (scope["method"], scope["raw_path"][:80], scope["query_string"][:40]))


LEAKS = (b"root:x:0:0", b"def create_app", b"[project]", b"{% block", b"[core]", b"key: ")


def test_path_traversal_in_every_encoding(app: FastAPI, site: Site) -> None:
    run(app, TRAVERSAL)
    for reply in call_many(app, [scope_for("GET", t) for t in TRAVERSAL]):
        assert reply.status in (301, 400, 404), reply.status
        assert not any(leak in reply.body for leak in LEAKS)
        location = reply.header("location")
        if location is not None:  # only ever to a page of the site
            assert urlsplit(location).path in site.responses, location


def test_nul_bytes_invalid_utf8_and_bad_percent_encodings(app: FastAPI) -> None:
    run(app, MALFORMED)


def test_a_lone_surrogate_or_control_characters_in_the_decoded_path(app: FastAPI) -> None:
    for path in ("/en/\udcff/", "/en/\ud800", "/en/faq/\x7f", "/en/\r\nx: y/", "/\x1b[31m/"):
        scope = scope_for("GET", b"/x/")
        scope["path"] = path
        assert_safe(call(app, scope), path)


def test_8kb_paths_and_queries(app: FastAPI) -> None:
    run(app, LONG)


def test_repeated_and_array_parameters(app: FastAPI) -> None:
    run(app, PARAMETERS)


def test_mixed_case_slugs_redirect_to_the_canonical_page(app: FastAPI, site: Site) -> None:
    run(app, CASES)
    page = next(p for p in site.responses if p.count("/") == 3 and p.startswith("/en/"))
    reply = request(app, "GET", page.upper())
    assert reply.status == 301 and reply.header("location") == page


def test_unknown_languages(app: FastAPI) -> None:
    run(app, LANGUAGES)
    for target in (b"/xx/", b"/fr/faq/"):
        reply = request(app, "GET", target)
        assert reply.status == 404
        assert LexborHTMLParser(reply.text).css_first("html").attributes["lang"] == "en"


def test_html_and_script_in_every_path_segment_and_parameter(app: FastAPI, site: Site) -> None:
    page = next(p for p in site.responses if p.count("/") == 3 and p.startswith("/en/"))
    segments = [s for s in page.split("/") if s]
    targets: list[bytes] = []
    for payload in PAYLOADS:
        encoded = quote(payload, safe="").encode()
        for index in range(len(segments) + 1):
            parts = [*segments[:index], payload, *segments[index + 1 :]]
            targets.append(("/" + "/".join(quote(p, safe="") for p in parts) + "/").encode())
        targets += [
            page.encode() + b"?" + encoded + b"=" + encoded,
            b"/en/search?q=" + encoded,
            b"/en/search?q=" + encoded + b"&lang=" + encoded,
            b"/en/search/?q=" + encoded,
            b"/api/v1/search?lang=en&q=" + encoded,
            b"/api/v1/search?lang=" + encoded,
            b"/api/v1/pages/en/" + encoded + b".json",
            b"/" + encoded,
            page.rstrip("/").encode() + b"?next=" + encoded,
            b"/en/sources/" + encoded + b"/",
        ]
    run(app, targets)


def test_fts_operators_in_search(app: FastAPI, site: Site) -> None:
    if site.search is None:
        pytest.skip("search is not built in this tree")
    targets = []
    for words in FTS:
        encoded = quote(words, safe="").encode()
        targets += [b"/en/search?q=" + encoded, b"/api/v1/search?lang=en&q=" + encoded]
    run(app, targets)
    for reply in call_many(app, [scope_for("GET", t) for t in targets]):
        assert reply.status in (200, 400), reply.status


def test_the_search_echo_is_escaped(app: FastAPI, site: Site) -> None:
    if site.search is None:
        pytest.skip("search is not built in this tree")
    for payload in PAYLOADS:
        reply = request(app, "GET", "/en/search?q=" + quote(payload, safe=""))
        assert reply.status == 200
        doc = LexborHTMLParser(reply.text)
        box = doc.css_first("input[name=q]")
        assert box is not None
        assert box.attributes.get("value") == payload.strip()  # echoed, as text


# --------------------------------------------------------------------------- generated URLs

LANGS = st.sampled_from(["en", "es", "xx", "EN", "En", "", "api", "static", "cards"])
WORDS = st.sampled_from(
    [
        "faq",
        "sources",
        "search",
        "article-000",
        "v1",
        "pages",
        "healthz",
        "feed.xml",
        "sitemap.xml",
        "robots.txt",
        "exceptions",
        "timeline",
        "dea-dhs-coordination",
        "know-your-rights",
        "..",
        ".",
        "",
        "index",
    ]
)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
SEGMENT = st.one_of(WORDS, st.sampled_from(PAYLOADS), TEXT, WORDS.map(str.upper))
KEYS = st.sampled_from(["q", "lang", "q[]", "limit", "utm_source", "", "page"])
VALUES = st.one_of(st.sampled_from(PAYLOADS), st.sampled_from(FTS), TEXT)
RAW = st.binary(max_size=12)  # bytes as sent: invalid UTF-8, bad escapes, controls


def encode(text: str, mode: int) -> bytes:
    if mode == 0:
        return quote(text, safe="").encode()
    if mode == 1:
        return quote(text, safe="/<>\"'{}|\\^`[]").encode()  # unsafe characters left raw
    return text.encode("utf-8")  # raw UTF-8, as a careless client sends it


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, bytes]:
    mode = draw(st.integers(0, 2))
    parts = [draw(LANGS), *draw(st.lists(SEGMENT, max_size=4))]
    path = b"/" + b"/".join(encode(p, mode) for p in parts)
    if draw(st.booleans()):
        path += b"/"
    if draw(st.booleans()):
        path += draw(RAW).replace(b"?", b"")
    pairs = draw(st.lists(st.tuples(KEYS, VALUES), max_size=3))
    query = b"&".join(encode(k, 0) + b"=" + encode(v, mode) for k, v in pairs)
    if draw(st.booleans()):
        query += draw(RAW)
    return draw(st.sampled_from(["GET", "HEAD"])), path + (b"?" + query if query else b"")


def test_generated_urls_never_fail_and_never_echo_markup(app: FastAPI) -> None:
    seen: set[tuple[str, bytes]] = set()

    # The classes of hostile URL, always tried; the profile (tests/conftest.py) sets how many more
    # are generated: a few hundred in CI, 2,600 with HYPOTHESIS_PROFILE=thorough.
    @hsettings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(urls())
    @example(("GET", b"/en/%00/"))  # an escaped NUL
    @example(("GET", b"/es/\xff\xfe/"))  # raw bytes that are not UTF-8
    @example(("HEAD", b"/en/%E0%A4%A/?q=%"))  # broken escapes, path and query
    @example(("GET", b"/en/<script>alert(1)</script>/"))  # markup, raw
    @example(("GET", b"/en/%3Cscript%3E/?q=%3Cb%3E"))  # markup, escaped
    @example(("GET", b"/en/../../etc/passwd"))  # a climb out of the site
    @example(("GET", b"/EN/SOURCES/?q=" + b"x" * 300))  # case, a long query
    @example(("GET", b"/en/search?q=\xc3\x28&q=2"))  # invalid UTF-8 in a repeated parameter
    def check(url: tuple[str, bytes]) -> None:
        method, target = url
        seen.add(url)
        assert_safe(call(app, scope_for(method, target)), url)

    check()
    assert len(seen) >= hsettings().max_examples * 3 // 4


# --------------------------------------------------------------------------- privacy in logs


def access_lines(app: FastAPI, caplog: pytest.LogCaptureFixture) -> list[str]:
    app.state.access_log.flush()  # the lines are logged in batches
    records = [r for r in caplog.records if r.name == "app.access"]
    return [line for r in records for line in r.getMessage().split("\n")]


def test_log_lines_never_hold_client_addresses(
    app: FastAPI, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app.state.access_log.flush()
    caplog.clear()
    page = next(p for p in site.responses if p.startswith("/en/"))
    spoof = [
        (b"x-forwarded-for", f"{FORWARDED_IP}, {CLIENT_IP}".encode()),
        (b"x-real-ip", FORWARDED_IP.encode()),
        (b"forwarded", f"for={FORWARDED_IP}".encode()),
    ]
    targets = [page.encode(), b"/en/no-such-page/", page.rstrip("/").encode(), b"/"]
    for method in ("GET", "HEAD", "POST"):
        for target in targets:
            call(app, scope_for(method, target, spoof, client=(CLIENT_IP, 51234)))
    lines = access_lines(app, caplog)
    assert len(lines) == 3 * len(targets)
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + repr(record.__dict__)
        assert CLIENT_IP not in text and FORWARDED_IP not in text, text
    date, clock, name, method, path, status, duration = lines[0].split()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}", f"{date} {clock}")
    assert (name, method, path, status) == ("app.access", "GET", page, "200")
    assert re.fullmatch(r"\d+\.\dms", duration)
    assert lines[len(targets)].split()[3:6] == ["HEAD", page, "200"]
    assert lines[2 * len(targets)].split()[3:6] == ["POST", page, "405"]


def test_log_lines_cannot_be_forged_through_the_path(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.access")
    app.state.access_log.flush()
    caplog.clear()
    call(app, scope_for("GET", b"/en/x%0d%0aGET%20/admin%20200/"))
    (line,) = access_lines(app, caplog)
    assert "\r" not in line and line.split()[4] == "/en/x\\r\\nGET"


def test_the_access_log_flushes_by_itself_and_at_exit(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="app.access")
    at_exit: list[Any] = []
    monkeypatch.setattr(atexit, "register", at_exit.append)
    access = AccessLog(interval=0.05)
    access.add("GET", "/en/", 200, 0.25)
    deadline = time.monotonic() + 5
    while not [r for r in caplog.records if r.name == "app.access"] and time.monotonic() < deadline:
        time.sleep(0.01)
    (record,) = [r for r in caplog.records if r.name == "app.access"]
    assert record.getMessage().endswith(" app.access GET /en/ 200 0.2ms")
    assert at_exit == [access.flush]


def test_serve_runs_granian_without_access_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m app serve` runs granian with the app factory, the workers asked for, no access
    log of its own (it would hold client addresses) and the site's log configuration."""
    import granian

    from app.__main__ import main

    captured: dict[str, Any] = {}

    class FakeGranian:
        def __init__(self, **kwargs: Any) -> None:
            captured.update(kwargs)

        def serve(self) -> None:
            captured["served"] = True

    monkeypatch.setattr(granian, "Granian", FakeGranian)
    assert main(["serve", "--port", "8899", "--workers", "3"]) == 0
    assert captured["served"] is True
    assert (captured["target"], captured["factory"]) == ("app.serve.app:serve_app", True)
    assert (captured["port"], captured["workers"]) == (8899, 3)
    assert captured["log_access"] is False
    assert captured["respawn_failed_workers"] is True
    logs = captured["log_dictconfig"]
    assert logs["root"]["level"] == "INFO"
    assert logs["loggers"]["app.access"]["propagate"] is False  # its lines carry their own time
    assert logs["loggers"]["granian.access"]["level"] == "WARNING"  # unused: log_access off


def test_reload_runs_uvicorn_without_access_log(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from app.__main__ import main

    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: captured.update(kwargs, app=app))
    assert main(["serve", "--port", "8899", "--reload"]) == 0
    assert captured["app"] == "app.serve.app:serve_app" and captured["reload"] is True
    assert captured["access_log"] is False and captured["server_header"] is False
    assert captured["proxy_headers"] is False  # the app itself handles them (next test)


def test_forwarded_headers_are_honoured_only_from_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, site: Site
) -> None:
    """The app's proxy-header middleware takes X-Forwarded-For/-Proto from FORWARDED_ALLOW_IPS
    only, whichever server runs it."""
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    app = create_app(Settings.from_env(), site)
    seen: list[tuple[Any, Any]] = []

    @app.get("/probe")
    def probe(request: Request) -> dict[str, str]:
        seen.append((request.client, request.url.scheme))
        return {}

    app.router.routes.insert(0, app.router.routes.pop())  # before the catch-all page route
    forwarded = [(b"x-forwarded-for", FORWARDED_IP.encode()), (b"x-forwarded-proto", b"https")]
    call(app, scope_for("GET", b"/probe", forwarded, client=("10.0.0.5", 40000)))
    call(app, scope_for("GET", b"/probe", forwarded, client=(CLIENT_IP, 40000)))
    (trusted, trusted_scheme), (untrusted, untrusted_scheme) = seen
    assert trusted[0] == FORWARDED_IP and trusted_scheme == "https"
    assert untrusted[0] == CLIENT_IP and untrusted_scheme == "http"


def test_default_settings_trust_only_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert Settings.from_env().forwarded_allow_ips == "127.0.0.1"
