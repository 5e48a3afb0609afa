"""The static export: the same bytes at the same URLs, served by Debian's nginx and crawled."""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from conftest import FIXTURE_CONTENT, parse
from fastapi.testclient import TestClient
from lxml import etree
from netutil import free_port

from app import urls
from app.__main__ import main
from app.build.site import Site
from app.export import MARKER, export, file_for, indexed_paths
from app.serve.middleware import CSP
from app.settings import ROOT

NGINX = "/usr/sbin/nginx"
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
# The app's policy, plus what Pagefind's WebAssembly needs: a host of the export must send this.
EXPORT_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
PORTS = range(8600, 8700)
SITE_URL = "https://example.test"  # the session site's SITE_URL: absolute links to it are ours
CONF = """
user {user};
worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        error_page 404 /404.html;
        add_header Content-Security-Policy "{csp}" always;
        location / {{ try_files $uri $uri/ =404; }}
    }}
}}
"""


@pytest.fixture(scope="module")
def exported(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("export") / "site"
    summary = export(site, root)
    assert summary.indexed == len([p for p in indexed_paths(site) if p in site.responses])
    return root


@pytest.fixture(scope="module")
def nginx(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's nginx with its own config and prefix on 127.0.0.1, serving the export."""
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: run `make system-deps` (tools/system-deps.sh)")
    run = tmp_path_factory.mktemp("nginx")
    port = free_port(PORTS)
    conf = run / "nginx.conf"
    # Workers run as the test's own user, who can read the (private) temporary folder.
    user = pwd.getpwuid(os.geteuid()).pw_name
    conf.write_text(CONF.format(user=user, run=run, port=port, root=exported, csp=EXPORT_CSP))
    log = run / "stderr.log"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [NGINX, "-p", str(run), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=stderr
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                pytest.fail(f"nginx exited: {log.read_text()}")
            try:
                httpx.get(base + "/robots.txt", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not start")
                time.sleep(0.05)
        yield base
    finally:
        proc.send_signal(signal.SIGQUIT)  # graceful stop of the one we started, by its PID
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --------------------------------------------------------------------------- the files


def test_every_prebuilt_response_is_a_file_with_the_same_bytes(
    exported: Path, site: Site, client: TestClient
) -> None:
    for path, item in site.responses.items():
        if path == "/healthz":
            assert not (exported / "healthz").exists()
            continue
        data = exported.joinpath(*file_for(path).parts).read_bytes()
        assert data == item.identity.body, path
        served = client.get(path, headers={"accept-encoding": "identity"})
        assert served.status_code == 200 and served.content == data, path


def test_export_has_the_documents_the_site_promises(exported: Path, site: Site) -> None:
    for lang in site.langs:
        for slug in [s for (lg, s) in site.rendered if lg == lang]:
            assert (exported / file_for(urls.page(lang, slug))).is_file()
        assert (exported / lang / "feed.xml").is_file()
        assert (exported / lang / "search" / "index.html").is_file()
    for name in (
        "sitemap.xml",
        "robots.txt",
        "favicon.ico",
        "index.html",
        "404.html",
        "api/v1/pages.json",
        "api/v1/openapi.json",
        "api/v1/sources.json",
        "api/v1/references.json",
        "api/v1/facts.json",
    ):
        assert (exported / name).is_file(), name
    assets = [path for path in site.responses if path.startswith("/static/")]
    assert len(assets) == len([p for p in ROOT.joinpath("static").rglob("*") if p.is_file()]) - 1
    for asset in assets:  # every fingerprinted file (favicon.ico keeps its own address)
        assert (exported / asset.lstrip("/")).is_file(), asset


def test_pagefind_index_covers_every_language(exported: Path, site: Site) -> None:
    entry = json.loads((exported / "pagefind" / "pagefind-entry.json").read_text())
    expected: dict[str, int] = {}
    for path in indexed_paths(site):
        lang = path.split("/")[1]
        expected[lang] = expected.get(lang, 0) + 1
    assert {lang: info["page_count"] for lang, info in entry["languages"].items()} == expected
    for info in entry["languages"].values():
        assert (exported / "pagefind" / f"wasm.{info['wasm']}.pagefind").is_file()
    assert (exported / "pagefind" / "pagefind.js").is_file()


def test_export_search_page_uses_the_index_and_the_server_page_does_not(
    exported: Path, client: TestClient, site: Site
) -> None:
    script = next(p for p in site.responses if re.fullmatch(r"/static/search\.[0-9a-f]+\.js", p))
    for lang in site.langs:
        doc = parse((exported / lang / "search" / "index.html").read_text())
        assert [s.attributes["src"] for s in doc.css("script[src]")].count(script) == 1
        assert doc.css("script:not([src])") == []
        assert doc.css_first("#search-results") is not None
        assert doc.css_first("noscript") is not None  # says what works without JavaScript
        form = doc.css_first("form.search-form")
        assert form.attributes["action"] == urls.search(lang)
        served = parse(client.get(urls.search(lang)).text)
        assert script not in [s.attributes["src"] for s in served.css("script[src]")]
    source = (site.settings.static_dir / "search.js").read_text()
    assert '"/pagefind/pagefind.js"' in source  # same origin, never a third party
    assert not re.search(r"https?://", source)


def test_export_writes_each_languages_synonyms_for_the_search_script(
    exported: Path, site: Site
) -> None:
    for lang in site.langs:
        written = json.loads((exported / lang / "search" / "synonyms.json").read_text())
        groups = site.content.search_synonyms.get(lang, ())
        assert written == [list(g) for g in groups]
    spanish = json.loads((exported / "es" / "search" / "synonyms.json").read_text())
    assert any("la migra" in group for group in spanish)
    source = (site.settings.static_dir / "search.js").read_text()
    assert '"/search/synonyms.json"' in source  # fetched from this site, by the page's language


def test_export_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    monkeypatch.setenv("CONTENT_DIR", str(content))
    out = tmp_path / "out"
    assert main(["export", str(out)]) == 0
    assert "exported" in capsys.readouterr().out
    assert (out / "en" / "topic" / "index.html").is_file()
    assert (out / MARKER).is_file()
    (out / "stale.html").write_text("old")
    assert main(["export", str(out)]) == 0  # an earlier export is replaced whole
    assert not (out / "stale.html").exists()
    other = tmp_path / "not-an-export"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    assert main(["export", str(other)]) == 1  # never deletes a folder it did not write
    assert (other / "keep.txt").read_text() == "mine"
    assert "not empty" in capsys.readouterr().err


# --------------------------------------------------------------------------- nginx + crawl


def links_in(url: str, response: httpx.Response) -> list[str]:
    """Every URL a page, feed, sitemap, stylesheet or JSON document points to."""
    kind = response.headers.get("content-type", "")
    found: list[str] = []
    if kind.startswith("text/html"):
        doc = parse(response.text)
        for selector, attribute in (
            ("a[href]", "href"),
            ("link[href]", "href"),
            ("script[src]", "src"),
            ("img[src]", "src"),
            ("form[action]", "action"),
            ("blockquote[cite]", "cite"),
            ('meta[property="og:url"]', "content"),
            ('meta[property="og:image"]', "content"),
            ('meta[name="twitter:image"]', "content"),
        ):
            found += [n.attributes[attribute] or "" for n in doc.css(selector)]
    elif kind.startswith(("text/xml", "application/xml", "application/atom+xml")):
        root = etree.fromstring(response.content)
        found += [e.text or "" for e in root.iter("{*}loc")]
        found += [e.get("href") or "" for e in root.iter("{*}link")]
    elif kind.startswith("text/css"):
        found += re.findall(r"url\(\s*['\"]?([^'\")]+)", response.text)
    elif kind.startswith("application/json"):

        def strings(value: object) -> Iterator[str]:
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict):
                for item in value.values():
                    yield from strings(item)
            elif isinstance(value, list):
                for item in value:
                    yield from strings(item)

        found += [s for s in strings(response.json()) if s.startswith(("/api/", SITE_URL))]
    return [urljoin(url, link) for link in found if link]


def test_crawl_of_the_export_finds_no_broken_link(nginx: str, site: Site) -> None:
    """From / and the discovery documents, follow every internal link: all resolve, anchors too."""

    def local(url: str) -> str | None:
        if url.startswith(SITE_URL + "/"):
            url = nginx + url[len(SITE_URL) :]
        if not url.startswith(nginx + "/"):
            return None  # another site, mailto:, sms:, data:
        return url

    start = [
        "/",
        "/sitemap.xml",
        "/robots.txt",
        "/api/v1/pages.json",
        "/api/v1/openapi.json",
        "/pagefind/pagefind.js",
        "/pagefind/pagefind-entry.json",
        *(f"/{lang}/feed.xml" for lang in site.langs),
    ]
    queue = [nginx + path for path in start]
    seen: set[str] = set()
    ids: dict[str, set[str]] = {}
    anchors: list[tuple[str, str, str]] = []  # (page, fragment, linked from)
    broken: list[str] = []
    compared = 0
    with httpx.Client(
        follow_redirects=True, timeout=10, headers={"accept-encoding": "identity"}
    ) as http:
        while queue:
            url = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            response = http.get(url)
            if response.status_code != 200:
                broken.append(f"{url} -> {response.status_code}")
                continue
            page = str(response.url).split("#")[0]
            path = urlsplit(page).path
            item = site.responses.get(path)
            if item is not None:  # nginx sends the app's bytes
                assert response.content == item.identity.body, path
                compared += 1
            if response.headers.get("content-type", "").startswith("text/html"):
                doc = parse(response.text)
                ids[page.split("?")[0]] = {n.attributes["id"] or "" for n in doc.css("[id]")}
            for link in links_in(page, response):
                target = local(link)
                if target is None:
                    continue
                base, _, fragment = target.partition("#")
                if fragment:
                    anchors.append((base.split("?")[0], fragment, page))
                queue.append(base)
    assert not broken, "\n".join(broken)
    missing = [
        f"{base}#{frag} (from {origin})"
        for base, frag, origin in anchors
        if base in ids and frag not in ids[base]
    ]
    assert not missing, "\n".join(missing)
    # the crawl reached every pre-built page of the site, not just a corner of it
    html_paths = {
        p for p, item in site.responses.items() if item.media_type.startswith("text/html")
    }
    reached = {urlsplit(u).path for u in seen}
    assert html_paths <= reached, sorted(html_paths - reached)
    assert compared >= len(html_paths)


def test_nginx_serves_the_static_fallbacks(nginx: str, site: Site) -> None:
    missing = httpx.get(nginx + "/en/no-such-page/")
    assert missing.status_code == 404
    assert missing.content == site.error("en", 404).identity.body
    root = httpx.get(nginx + "/")
    doc = parse(root.text)
    assert {a.attributes["href"] for a in doc.css("a")} == {
        urls.page(lang, "") for lang in site.langs
    }
    refresh = doc.css_first('meta[http-equiv="refresh"]').attributes["content"]
    assert refresh == "0; url=/en/"
    search = httpx.get(nginx + "/en/search?q=dea", follow_redirects=True)
    assert search.status_code == 200
    assert str(search.url).endswith("/en/search/?q=dea")  # the query survives the redirect


@pytest.mark.browser
def test_export_search_finds_sections_in_chromium(nginx: str) -> None:
    """The export's search page queries the Pagefind index in a real browser, same origin only."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (tools/system-deps.sh)")
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(nginx + "/en/search?q=special+order")
            page.wait_for_selector("#search-results ol.search-results li", timeout=15000)
            links = page.eval_on_selector_all(
                "#search-results a.search-result-link",
                "els => els.map(e => e.getAttribute('href'))",
            )
            marks = page.eval_on_selector_all("#search-results mark", "els => els.length")
            assert page.input_value("#q") == "special order"
            page.goto(nginx + "/es/search?q=chota")
            page.wait_for_selector("#search-results ol.search-results li", timeout=15000)
            slang = page.eval_on_selector_all(
                "#search-results a.search-result-link",
                "els => els.map(e => e.getAttribute('href'))",
            )
        finally:
            browser.close()
    assert links and any(link.startswith("/en/special-order-40/") for link in links)
    assert any("#" in link for link in links)  # section-level results
    assert marks > 0
    # no page says "chota" (slang for the police): the results come from its synonyms (LAPD...)
    assert slang and all(link.startswith("/es/") for link in slang)
    assert all(url.startswith(nginx + "/") for url in requests), requests
    assert not errors, errors


def test_export_has_every_version_history_diff_and_timemap(exported: Path, site: Site) -> None:
    from itertools import pairwise

    from app.build import archive

    checked = 0
    for (lang, slug), _result in site.rendered.items():
        entries = archive.listing(site.settings.archive_dir, lang, slug)
        assert entries, (lang, slug)
        paths = [urls.version(lang, slug, e.version) for e in entries]
        paths += [urls.history(lang, slug), urls.timemap(lang, slug)]
        paths += [urls.diff(lang, slug, a.version, b.version) for a, b in pairwise(entries)]
        for path in paths:
            target = exported / file_for(path)
            assert target.read_bytes() == site.responses[path].identity.body, path
            checked += 1
    assert checked >= 3 * len(site.rendered)
