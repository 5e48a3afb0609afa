"""Helpers for the browser gates: where things are, which pages to check, and how to report."""

from __future__ import annotations

import random
import shutil
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import netutil
import pytest

from app import urls
from app.build.site import Site

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
CHROMIUM = "/usr/lib/chromium/chromium"
PORTS = range(8700, 8800)  # this suite's ports; Lighthouse's debugging port comes from here too
# Chromium talks to its vendor's hosts in the background; resolve nothing but the loopback.
HOST_RULES = "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    f"--host-resolver-rules={HOST_RULES}",
]
SEARCH_WORDS = {"en": "police", "es": "policía"}
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def free_port(exclude: set[int] | None = None) -> int:
    """A free port of PORTS, tried from a random start: granian binds with SO_REUSEPORT, so two
    suites that start together and both take the first free port would share it, and the kernel
    would send each one's requests to either server (seen: one FAQ measured on another tree)."""
    start = random.randrange(len(PORTS))
    for port in [*PORTS[start:], *PORTS[:start]]:
        if exclude and port in exclude:
            continue
        try:
            return netutil.free_port(range(port, port + 1))
        except RuntimeError:
            continue
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@dataclass(frozen=True)
class Server:
    base: str
    port: int

    def url(self, path: str) -> str:
        return self.base + path


# -- the pages under test -----------------------------------------------------------------------


def sitemap_paths(server: Server) -> list[str]:
    """Every page URL /sitemap.xml lists, as paths on the server under test."""
    response = httpx.get(server.url("/sitemap.xml"), timeout=10)
    assert response.status_code == 200, f"/sitemap.xml answers {response.status_code}"
    root = ET.fromstring(response.content)
    paths = []
    for loc in root.iter(f"{SITEMAP_NS}loc"):
        parts = urlsplit((loc.text or "").strip())
        assert f"{parts.scheme}://{parts.netloc}" == server.base, f"{loc.text}: another origin"
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert paths, "/sitemap.xml lists no pages"
    return list(dict.fromkeys(paths))


def first_explainer(site: Site, lang: str) -> str:
    """An explainer page (not the overview or the about page) in `lang`, with its sections."""
    for page in site.content.pages_in(lang):
        if page.slug and page.key not in ("about", "glossary", "faq", "timeline"):
            return urls.page(lang, page.slug)
    raise AssertionError(f"no explainer page in {lang}")


def a_section_page(site: Site) -> str:
    lang = site.langs[0]
    for (page_lang, slug), rendered in site.rendered.items():
        if page_lang == lang and slug and rendered.sections:
            return urls.section(lang, slug, rendered.sections[0].id)
    raise AssertionError("no page has a section")


@dataclass(frozen=True)
class Pages:
    """What the gates check: every sitemap page, search, a section, a source and the 404 page."""

    all: list[str]  # every path to check, in a stable order
    missing: list[
        str
    ]  # required kinds of page that do not answer 200 (a failing test reports them)
    not_found: list[str]  # paths that answer with the 404 page, one per language

    def status(self, path: str) -> int:
        return 404 if path in self.not_found else 200

    def lang(self, path: str) -> str:
        return path.strip("/").split("/", 1)[0]


def report(problems: list[str], what: str) -> str:
    shown = "\n  ".join(problems[:80])
    more = f"\n  ... and {len(problems) - 80} more" if len(problems) > 80 else ""
    return f"{len(problems)} {what}:\n  {shown}{more}"


def node_tool(*parts: str) -> Path:
    """A file of the npm tools `make` installs into tools/node_modules (tools/package.json)."""
    path = ROOT.joinpath("tools", "node_modules", *parts)
    if not path.exists():
        pytest.fail(f"{path} is missing: run `npm ci --prefix tools` (make test-browser does)")
    return path


def java() -> str:
    found = shutil.which("java")
    if not found:
        pytest.fail("java is missing: run `make system-deps`")
    return found
