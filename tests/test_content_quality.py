"""The explainer's own rules with numbers: citations, reading level, dates, timeline, glossary."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import textstat
from conftest import parse
from markdown_it.token import Token

from app.content import Page
from app.site import Site
from app.urls import page as page_url

COVERAGE_FLOOR = 0.95
RELATIVE_DATES = re.compile(
    r"\b(last|next|this) (year|month|week)\b|\brecently\b|\byesterday\b|\btoday\b|"
    r"\b(el|la) (año|mes|semana) pasad[oa]\b|\brecientemente\b|\bayer\b|\bhoy\b",
    re.IGNORECASE,
)


def page_ids(lang: str) -> list[str]:
    from app.loader import load_content
    from app.settings import Settings

    content = load_content(Settings().content_dir)
    return [f"{lang}:{p.slug or 'index'}" for p in content.pages_in(lang)]


def get_page(site: Site, ident: str) -> Page:
    lang, slug = ident.split(":")
    return site.content.pages[(lang, "" if slug == "index" else slug)]


def units(tokens: list[Token]) -> Iterator[list[Token]]:
    """The blocks that may state a fact: paragraphs, list items and table body rows.

    Yields, for each block, the inline tokens inside it (a list item counts once, however many
    paragraphs it has).
    """
    stack: list[str] = []
    current: list[Token] | None = None
    for token in tokens:
        if token.nesting == 1:
            stack.append(token.type)
            if (
                current is None
                and token.type in ("list_item_open", "tr_open")
                and (token.type != "tr_open" or "tbody_open" in stack)
            ) or (current is None and token.type == "paragraph_open"):
                current = []
        elif token.nesting == -1:
            opened = stack.pop()
            if (
                current is not None
                and opened in ("list_item_open", "tr_open", "paragraph_open")
                and (not any(t in stack for t in ("list_item_open", "tr_open")))
            ):
                yield current
                current = None
        elif token.type == "inline" and current is not None:
            current.append(token)


def is_cited(inlines: list[Token]) -> bool:
    return any(c.type == "citation" for t in inlines for c in t.children or ())


def is_navigation(inlines: list[Token]) -> bool:
    """A list item that only links to other pages of this site (a 'where to go next' list)."""
    children = [c for t in inlines for c in t.children or ()]
    links = [c for c in children if c.type == "link_open"]
    if not links or any(not str(c.attrGet("href")).startswith("/") for c in links):
        return False
    depth, loose = 0, ""
    for child in children:
        depth += child.nesting if child.type in ("link_open", "link_close") else 0
        if child.type == "text" and depth == 0:
            loose += child.content
    return not re.sub(r"[\s.,;:\u00b7\u2014\u2013-]", "", loose)


@pytest.mark.parametrize("ident", page_ids("en") + page_ids("es"))
def test_factual_blocks_carry_citations(site: Site, ident: str) -> None:
    page = get_page(site, ident)
    blocks = [u for u in units(page.tokens) if not is_navigation(u)]
    uncited = [" ".join(t.content for t in u)[:80] for u in blocks if not is_cited(u)]
    share = 1 - len(uncited) / len(blocks)
    assert share >= COVERAGE_FLOOR, f"{ident}: {share:.0%} cited; uncited: {uncited}"


def prose(site: Site, client, ident: str) -> str:
    """The page's own words as rendered: no quotes, no citation markers or reference lists."""
    page = get_page(site, ident)
    doc = parse(client.get(page_url(page.lang, page.slug)).text)
    body = doc.css_first("main .body")
    for node in body.css("figure.excerpt, sup.cite, section.page-sources, table"):
        node.decompose()
    # Labels (a name in the who's-who, a date in the timeline) are not part of the next sentence.
    for node in body.css(".whos-who .who, .whos-who .group-name, ol.timeline time"):
        node.replace_with(node.text().strip() + ". ")
    blocks = []
    for node in body.css("p, li, dd, h2, h3"):
        if len(node.css("p, li")) > 1:  # lexbor's css() includes the node itself
            continue  # a list item holding paragraphs: its paragraphs are counted instead
        text = " ".join(node.text().replace("#", " ").split())
        if text:
            blocks.append(text if text[-1] in ".?!:" else text + ".")
    return "\n".join(blocks)


def test_prose_holds_paragraphs_not_just_headings(site: Site, client) -> None:
    text = prose(site, client, "en:dea-dhs-coordination")
    assert "Chicago" in text  # a sentence from a body paragraph
    assert len(text.split()) > 300


@pytest.mark.parametrize("ident", page_ids("en"))
def test_english_reading_level(site: Site, client, ident: str) -> None:
    textstat.set_lang("en_US")
    grade = textstat.flesch_kincaid_grade(prose(site, client, ident))
    assert grade <= 8.0, f"{ident}: Flesch-Kincaid grade {grade:.1f}"


@pytest.mark.parametrize("ident", page_ids("es"))
def test_spanish_reading_level(site: Site, client, ident: str) -> None:
    textstat.set_lang("es")
    score = textstat.szigriszt_pazos(prose(site, client, ident))
    textstat.set_lang("en_US")
    assert score >= 55, f"{ident}: Szigriszt-Pazos (INFLESZ) {score:.1f}"


@pytest.mark.parametrize("ident", page_ids("en") + page_ids("es"))
def test_dates_are_absolute(site: Site, client, ident: str) -> None:
    found = RELATIVE_DATES.findall(prose(site, client, ident))
    assert not found, f"{ident}: relative date words {found}"


def test_eleven_english_pages_with_contract_slugs(site: Site) -> None:
    slugs = {slug for (lang, slug) in site.content.pages if lang == "en"}
    assert slugs == {
        "",
        "dea-dhs-coordination",
        "sanctuary-ordinance",
        "special-order-40",
        "exceptions",
        "federal-context",
        "what-we-know",
        "timeline",
        "glossary",
        "faq",
        "about",
    }


def test_each_page_has_history(site: Site) -> None:
    for page in site.content.pages.values():
        dates = [c.date for c in page.meta.changes]
        assert dates == sorted(dates, reverse=True), page.path
        assert page.meta.updated >= dates[0], page.path


def test_timeline_page_is_an_ordered_list_of_dated_events(client, site: Site) -> None:
    doc = parse(client.get("/en/timeline/").text)
    items = doc.css("main ol.timeline > li")
    assert len(items) >= 15
    dates = [li.css_first("time").attributes["datetime"] for li in items]
    assert dates == sorted(dates)
    assert dates[0].startswith("1979")
    assert dates[-1] == max(e.date for e in site.content.timeline).isoformat()
    for li in items:
        assert li.css("a.ref"), li.text()
    overview = parse(client.get("/en/").text)
    compact = overview.css("main ol.timeline-compact > li")
    assert 3 <= len(compact) < len(items)


def test_glossary_is_a_definition_list_and_terms_link_on_first_use(client, site: Site) -> None:
    doc = parse(client.get("/en/glossary/").text)
    terms = doc.css("main dl.glossary dt")
    assert len(terms) >= 20
    ids = {dt.attributes["id"] for dt in terms}
    assert all(dt.css_first("dfn") for dt in terms)
    linked_anywhere = set()
    for lang, slug in site.content.pages:
        if lang != "en" or slug == "glossary":
            continue
        page = parse(client.get(page_url(lang, slug)).text)
        hrefs = [a.attributes["href"] for a in page.css("main a.term")]
        assert len(hrefs) == len(set(hrefs)), f"{slug}: a term linked twice"
        for href in hrefs:
            path, _, anchor = href.partition("#")
            assert path == "/en/glossary/" and anchor in ids
        linked_anywhere |= set(hrefs)
    assert len(linked_anywhere) >= 10


def test_whos_who_diagram_has_a_text_equivalent(client) -> None:
    doc = parse(client.get("/en/").text)
    diagram = doc.css_first("main ul.whos-who")
    assert diagram.attributes.get("aria-label")
    groups = [node for node in diagram.iter() if node.tag == "li"]
    assert len(groups) >= 4
    for group in groups:
        assert group.css_first(".group-name").text().strip()
        assert group.css("ul > li .who")


def test_faq_says_it_is_not_legal_advice_and_links_the_city_rights_page(client, site: Site) -> None:
    doc = parse(client.get("/en/faq/").text)
    kyr = site.content.references["mayor-kyr"].url
    assert kyr in {a.attributes["href"] for a in doc.css("main a")}
    headings = " ".join(h.text() for h in doc.css("main h2, main h3")).lower()
    assert "legal advice" in headings


def test_contact_address_appears_only_when_set(content_dir, small_site, monkeypatch) -> None:
    page = content_dir / "pages/en/topic.md"
    page.write_text(page.read_text() + "\n## Corrections {#corrections}\n\n[[contact]]\n")
    doc = parse(small_site().get("/en/topic/").text)
    assert not doc.css("p.contact")
    from fastapi.testclient import TestClient

    from app.settings import Settings
    from app.web import create_app

    settings = Settings(content_dir=content_dir, contact_email="fixes@example.test")
    doc = parse(TestClient(create_app(settings)).get("/en/topic/").text)
    link = doc.css_first("p.contact a")
    assert link.attributes["href"] == "mailto:fixes@example.test"
