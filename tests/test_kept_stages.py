"""Stages kept whole in the build cache (`kept` in app/build/context.py): a warm start reads what
they made instead of running them, serves the same bytes, and a stage that adds more than
responses cannot be kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_build_cache import fingerprint, settings

from app import urls
from app.build import cite_templates, discovery, pageset
from app.build import pages as pages_module
from app.build.context import BuildContext, Output, by_build, kept
from app.build.prebuilt import Prebuilt
from app.build.site import build_site
from app.render import citing
from app.serve import routes
from app.serve.app import build
from app.settings import ROOT


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def test_a_warm_start_reads_the_source_pages_and_the_openapi_document_from_the_cache(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    first = build(settings(content, cache))
    ran: list[str] = []

    def source_html(*args: object) -> bytes:
        ran.append("source")
        return b"not this"

    def openapi() -> bytes:
        ran.append("openapi")
        return b"{}"

    monkeypatch.setattr(pages_module, "_source_html", source_html)
    monkeypatch.setattr(routes, "openapi_document", openapi)
    # nor is what the stages read worked out: the build's key names each stage's own
    for module, name in ((discovery, "sitemap_urls"), (pages_module, "_cited_by")):
        monkeypatch.setattr(module, name, _spy(ran, name, getattr(module, name)))
    warm = build(settings(content, cache))
    assert ran == []
    assert fingerprint(warm) == fingerprint(first)
    assert warm.responses["/api/v1/openapi.json"].identity.body.startswith(b'{"components"')
    source = urls.source("en", next(iter(first.content.sources)))
    assert warm.responses[source].identity.body == first.responses[source].identity.body


def test_a_changed_page_makes_the_source_pages_again(content: Path, tmp_path: Path) -> None:
    """Their "cited by" lists name pages: kept by the build's key, which every page changes."""
    cache = tmp_path / "cache"
    build(settings(content, cache))
    page = content / "pages/en/sanctuary-ordinance.md"
    page.write_text(page.read_text().replace("title: ", "title: Renamed ", 1))
    after = build(settings(content, cache))
    source = urls.source("en", next(iter(after.content.sources)))
    assert b"Renamed " in after.responses[source].identity.body
    assert fingerprint(after) == fingerprint(build(settings(content, None)))


def test_a_kept_stage_that_defers_is_refused(content: Path, tmp_path: Path) -> None:
    @kept("wrong", by_build)
    def defers(ctx: BuildContext, out: Output) -> None:
        out.defer("/wrong", lambda: Prebuilt.build(b"x", "text/plain"))

    with pytest.raises(TypeError, match="adds more than responses"):
        build_site(settings(content, tmp_path / "cache"), (defers,))
    # without a cache nothing is kept, so nothing is refused
    site = build_site(settings(content, None), (defers,))
    assert site.responses["/wrong"].identity.body == b"x"


def test_a_changed_page_reads_the_citation_style_templates_from_the_cache(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new process (nothing remembered) with one page changed renders no citeproc template."""
    cache = tmp_path / "cache"
    build(settings(content, cache))
    page = content / "pages/en/sanctuary-ordinance.md"
    page.write_text(page.read_text() + "\nOne more line.\n")
    expected = fingerprint(build(settings(content, None)))
    cite_templates._memo.clear()
    citing.style_template.cache_clear()
    rendered: list[str] = []
    real = citing._render

    def spy(style: str, lang: str, record: dict[str, object]) -> str:
        rendered.append(style)
        return real(style, lang, record)

    monkeypatch.setattr(citing, "_render", spy)
    # the changed pages are built here, not by a forked child, so that the spy sees them
    monkeypatch.setattr(pageset, "forked", lambda work: (lambda done: lambda: done)(work()))
    after = build(settings(content, cache))
    assert after.report.from_cache == after.report.pages - 2
    assert rendered == []
    assert fingerprint(after) == expected
    for data in (p.read_bytes() for p in (cache / "citeproc").glob("*.bin")):
        assert data  # each kept template is a real entry
    (cache / "citeproc").joinpath("x").write_bytes(b"")  # not an entry: ignored
    for entry in (cache / "citeproc").glob("*.bin"):
        entry.write_bytes(b"corrupt")
    cite_templates._memo.clear()
    citing.style_template.cache_clear()
    page.write_text(page.read_text() + "\nAnd one more.\n")
    again = build(settings(content, cache))  # corrupt entries are made again, not used
    assert rendered != []
    assert again.report.from_cache == again.report.pages - 2


EDITS = {
    # only the text: the sitemap, feeds and source pages are read from the cache
    "text": ("\n## Name and number {#name}\n", "\nA new sentence.\n\n## Name and number {#name}\n"),
    # the page's title: in the feed, and in the source pages' "cited by" lists
    "title": ("title: The Los Angeles", "title: The City of Los Angeles"),
    # the first section heading: its section page's title (that section cites no excerpt)
    "heading": ("\n## ", "\n## New: "),
    # a change note: the feed
    "change": ("    note: First published.", "    note: First published here."),
    # the date: the sitemap's lastmod
    "date": ("updated: 2026-12-01", "updated: 2026-12-02"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edit_makes_again_exactly_the_stages_that_read_it(
    edit: str, content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the edit, the build serves what a build without a cache does; an edit to a
    page's text alone makes neither the sitemap and feeds nor the source pages again."""
    cache = tmp_path / "cache"
    build(settings(content, cache))
    for name in ("dea-dhs-coordination", "sanctuary-ordinance"):  # one cites excerpts
        page = content / f"pages/en/{name}.md"
        old, new = EDITS[edit]
        text = page.read_text()
        if name == "dea-dhs-coordination":
            old, new = ("\n## ", "\nA new sentence.\n\n## ") if edit == "text" else (old, new)
            if old not in text:
                continue
        assert old in text, (name, old)
        page.write_text(text.replace(old, new, 1))
    expected = fingerprint(build(settings(content, None)))
    ran: list[str] = []
    for module, name in ((discovery, "sitemap_xml"), (pages_module, "_source_html")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, _spy(ran, name, real))
    after = build(settings(content, cache))
    assert fingerprint(after) == expected
    made = {"text": [], "title": ["_source_html", "sitemap_xml"], "heading": []}
    made.update(change=["sitemap_xml"], date=["sitemap_xml"])  # the feeds: the same stage
    assert sorted(set(ran)) == made[edit]


def _spy(ran: list[str], name: str, real):  # type: ignore[no-untyped-def]
    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        ran.append(name)
        return real(*args, **kwargs)

    return spy
