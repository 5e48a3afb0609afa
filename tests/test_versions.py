"""Permanent versions (app/archive.py, app/versions.py): edit a page, record it, rebuild; the old
permanent URL keeps the old words under a banner, the diff shows the edit, the TimeMap lists both
versions, and Accept-Datetime on the current page finds the old one (RFC 7089)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from email.utils import format_datetime
from pathlib import Path

import feedparser
import pytest
from conftest import parse
from fastapi.testclient import TestClient

from app import urls
from app.__main__ import main
from app.build import archive, archive_command
from app.content.loader import load_content
from app.serve.app import create_app
from app.settings import ROOT, Settings

SITE = "https://example.test"
OLD_WORDS = "in plain words"
NEW_WORDS = "in simple, everyday words"
FIRST = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
SECOND = FIRST + dt.timedelta(days=3, hours=2)


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, TestClient]:
    root = tmp_path_factory.mktemp("versions")
    shutil.copytree(ROOT / "content", root / "content")
    settings = Settings(content_dir=root / "content", archive_dir=root / "archive", site_url=SITE)
    content = load_content(settings.content_dir)
    assert archive.record(
        settings.archive_dir, archive_command.rendered_pages(settings, content), FIRST
    )
    about = root / "content" / "pages" / "en" / "about.md"
    text = about.read_text()
    assert OLD_WORDS in text
    text = text.replace(OLD_WORDS, NEW_WORDS, 1)
    # the edit is dated the day after the page's last change, whatever that is now
    last = re.search(r"^updated: (\S+)$", text, re.M)
    assert last is not None
    day = (dt.date.fromisoformat(last.group(1)) + dt.timedelta(days=1)).isoformat()
    text = re.sub(r"^updated: \S+$", f"updated: {day}", text, count=1, flags=re.M)
    text = text.replace("changes:\n", f"changes:\n  - date: {day}\n    note: Clearer wording.\n", 1)
    about.write_text(text)
    content = load_content(settings.content_dir)
    written = archive.record(
        settings.archive_dir, archive_command.rendered_pages(settings, content), SECOND
    )
    assert [p.parent.name for p in written] == ["about"]  # only the edited page is new
    return settings, TestClient(create_app(settings), follow_redirects=False)


def _versions(settings: Settings) -> list[archive.Entry]:
    return archive.listing(settings.archive_dir, "en", "about")


def test_old_permanent_url_keeps_the_old_words_with_a_banner(edited) -> None:
    settings, client = edited
    old, new = _versions(settings)
    response = client.get(urls.version("en", "about", old.version))
    assert response.status_code == 200
    doc = parse(response.text)
    body = doc.css_first("main .body").text()
    assert OLD_WORDS in body and NEW_WORDS not in body
    banner = doc.css_first("aside.version-banner")
    assert banner is not None
    assert banner.css_first("time").attributes["datetime"] == FIRST.isoformat()
    hrefs = {a.attributes["href"] for a in banner.css("a")}
    assert urls.page("en", "about") in hrefs and urls.history("en", "about") in hrefs
    assert urls.diff("en", "about", old.version, new.version) in hrefs
    assert doc.css_first('meta[name="robots"]').attributes["content"] == "noindex"
    assert response.headers["memento-datetime"] == format_datetime(FIRST, usegmt=True)
    link = response.headers["link"]
    assert f'<{SITE}/en/about/>; rel="original timegate"' in link
    assert f'<{SITE}{urls.timemap("en", "about")}>; rel="timemap"' in link
    assert f'<{SITE}{urls.version("en", "about", new.version)}>; rel="last next memento"' in link
    current = parse(client.get("/en/about/").text).css_first("main .body").text()
    assert NEW_WORDS in current and OLD_WORDS not in current


def test_diff_shows_the_edit_with_labels(edited) -> None:
    settings, client = edited
    old, new = _versions(settings)
    response = client.get(urls.diff("en", "about", old.version, new.version))
    assert response.status_code == 200
    doc = parse(response.text)
    removed = " ".join(n.text() for n in doc.css(".diff del"))
    added = " ".join(n.text() for n in doc.css(".diff ins"))
    assert "plain" in removed and "simple," in added and "everyday" in added
    for node in doc.css(".diff del, .diff ins"):
        label = node.css_first(".visually-hidden")
        assert label is not None and label.text().startswith("[")
    assert all(s.attributes.get("src") for s in doc.css("script"))  # no inline script


def test_timemap_lists_both_versions(edited) -> None:
    settings, client = edited
    old, new = _versions(settings)
    response = client.get(urls.timemap("en", "about"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/link-format")
    text = response.text
    first = format_datetime(FIRST, usegmt=True)
    second = format_datetime(SECOND, usegmt=True)
    assert (
        f'<{SITE}{urls.version("en", "about", old.version)}>; rel="first memento"; '
        f'datetime="{first}"' in text
    )
    assert (
        f'<{SITE}{urls.version("en", "about", new.version)}>; rel="last memento"; '
        f'datetime="{second}"' in text
    )
    assert f'<{SITE}/en/about/>; rel="original"' in text


@pytest.mark.parametrize(
    ("when", "which"),
    [
        ("Mon, 23 Nov 2026 00:00:00 GMT", 0),
        ("Sat, 01 Jan 2000 00:00:00 GMT", 0),
        ("Wed, 25 Nov 2026 14:00:00 GMT", 1),  # SECOND is 25 Nov, 14:00
        ("Fri, 01 Jan 2027 00:00:00 GMT", 1),
    ],
)
def test_accept_datetime_finds_the_version_in_force(edited, when: str, which: int) -> None:
    settings, client = edited
    target = _versions(settings)[which]
    response = client.get("/en/about/", headers={"accept-datetime": when})
    assert response.status_code == 302
    assert response.headers["location"] == urls.version("en", "about", target.version)
    assert "accept-datetime" in response.headers["vary"].lower()
    assert client.get("/en/about/", headers={"accept-datetime": "soon"}).status_code == 400


def test_current_page_names_its_timemap_feed_and_permalink(edited) -> None:
    settings, client = edited
    new = _versions(settings)[-1]
    response = client.get("/en/about/")
    assert 'rel="timemap"' in response.headers["link"]
    assert "accept-datetime" in ",".join(response.headers.get_list("vary")).lower()
    doc = parse(response.text)
    feed = doc.css_first(f'link[rel="alternate"][href="{urls.page_feed("en", "about")}"]')
    assert feed is not None and feed.attributes["type"] == "application/atom+xml"
    permalink = doc.css_first(".cite-box .permalink a")
    assert permalink.attributes["href"] == SITE + urls.version("en", "about", new.version)
    for citation in doc.css(".cite-box dd.citation"):  # each names the URL and the version
        text = citation.text()
        assert SITE + urls.version("en", "about", new.version) in text and new.version in text


def test_page_feed_lists_each_version_with_its_diff(edited) -> None:
    settings, client = edited
    old, new = _versions(settings)
    parsed = feedparser.parse(client.get(urls.page_feed("en", "about")).content)
    assert not parsed.bozo
    assert [e.link for e in parsed.entries] == [
        SITE + urls.version("en", "about", new.version),
        SITE + urls.version("en", "about", old.version),
    ]
    related = [x.href for x in parsed.entries[0].links if x.rel == "related"]
    assert related == [SITE + urls.diff("en", "about", old.version, new.version)]
    assert "Clearer wording." in parsed.entries[0].title


def test_history_lists_every_version(edited) -> None:
    settings, client = edited
    old, new = _versions(settings)
    doc = parse(client.get(urls.history("en", "about")).text)
    items = doc.css("ol.versions li")
    assert len(items) == 2
    assert items[0].css_first("a").attributes["href"] == urls.version("en", "about", new.version)
    assert "Clearer wording." in items[0].text()
    assert items[0].css_first(f'a[href="{urls.diff("en", "about", old.version, new.version)}"]')


def test_startup_reads_no_old_version(edited, tmp_path: Path) -> None:
    settings, _client = edited
    old = _versions(settings)[0]
    saved = old.path.read_bytes()
    try:
        old.path.write_text("not json")  # startup must only list it
        client = TestClient(create_app(settings), follow_redirects=False)
        assert client.get(urls.timemap("en", "about")).status_code == 200
    finally:
        old.path.write_bytes(saved)


def test_archive_check_names_the_command(edited, capsys, monkeypatch) -> None:
    settings, _client = edited
    monkeypatch.setenv("CONTENT_DIR", str(settings.content_dir))
    monkeypatch.setenv("ARCHIVE_DIR", str(settings.archive_dir))
    assert main(["archive", "--check"]) == 0
    about = settings.content_dir / "pages" / "en" / "about.md"
    saved = about.read_text()
    try:
        about.write_text(saved.replace(NEW_WORDS, "in other words", 1))
        assert main(["archive", "--check"]) == 1
        err = capsys.readouterr().err
        assert "about.md" in err and "python -m app archive" in err
    finally:
        about.write_text(saved)


def test_the_real_archive_holds_every_current_version(site) -> None:
    missing = archive.unrecorded(site.settings.archive_dir, site.rendered.values())
    assert missing == []


def test_word_diff_known_answer() -> None:
    from app.render.diffs import word_diff

    html = str(word_diff(["a b c", "d e"], ["a x c", "d e f"], {"del": "gone", "ins": "new"}))
    doc = parse(f"<div>{html}</div>")
    paragraphs = doc.css("p")
    assert len(paragraphs) == 2
    assert [n.text() for n in paragraphs[0].css("del")] == ["[gone: b]"]
    assert [n.text() for n in paragraphs[0].css("ins")] == ["[new: x]"]
    assert paragraphs[1].css_first("del") is None
    assert [n.text().strip() for n in paragraphs[1].css("ins")] == ["[new:  f]"]
    assert word_diff(["same"], ["same"], {"del": "-", "ins": "+"}) == "<p>same</p>"


def test_text_blocks_leave_out_labels_and_anchors() -> None:
    from app.render.diffs import text_blocks

    html = (
        '<h2 id="x">Title <a class="anchor" href="#x"><span class="visually-hidden">Link'
        "</span>#</a></h2><p>One <b>two</b><br>three</p><ul><li>four</li></ul>"
    )
    assert text_blocks(html) == ["Title", "One two three", "four"]


def test_a_page_s_version_changes_with_the_data_its_components_show(site) -> None:
    """The glossary page shows glossary.yaml: editing an entry must give it a new version, or its
    permanent link would show new words under an old version. Pages without data components (the
    About page shows settings only) keep theirs."""
    from dataclasses import replace

    from app.render.pages import Renderer

    content = site.content
    entry = content.glossary[0]
    text = entry.en.model_copy(update={"term": entry.en.term + " (edited)"})
    edited_entry = entry.model_copy(update={"en": text})
    edited = replace(content, glossary=(edited_entry, *content.glossary[1:]))

    def version(c, key: str) -> str:
        page = c.by_key(key, "en")
        return Renderer(c, "en", lambda s: s).page(page).version

    assert version(edited, "glossary") != version(content, "glossary")
    assert version(edited, "about") == version(content, "about")
