"""The reading measures catch what they are for: each runs on a small page built to fail it, and on
one built to pass, so a measure that sees nothing cannot pass the site (as test_gate_checks.py
does for checks.js)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from .reading import (
    heading_names,
    keyboard_stops,
    measure,
    page_parts,
    printed_pages,
    reader_kept,
    reader_view,
    reading_score,
)

pytestmark = pytest.mark.browser

ORIGIN = "http://127.0.0.1:9"  # never contacted: pages are set from strings and routed here


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def html(body: str, style: str = "", lang: str = "en") -> str:
    return (
        f"<!doctype html><html lang={lang}><head><title>t</title><style>{style}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def show(page: Page, document: str, path: str = "/en/page/") -> None:
    """Load `document` as if served at `path` on ORIGIN (so same-origin links resolve)."""
    page.route(
        f"{ORIGIN}{path}", lambda route: route.fulfill(body=document, content_type="text/html")
    )
    page.goto(f"{ORIGIN}{path}")
    page.unroute(f"{ORIGIN}{path}")


SENTENCE = "The city law bars the use of city money for immigration work"
NOTES = (
    '<ol><li id="note-1">CBS News, A title, no date shown. <a href="https://x.example/">link</a>'
    '</li><li id="note-2">ABC7, Another title. <a href="https://y.example/">link</a></li></ol>'
)


def test_citation_share_counts_long_citations_not_short_markers(page: Page) -> None:
    long_refs = (
        '<span class="cite-refs">(<a class="ref" data-reference="a" href="https://x.example/">'
        "CBS News Los Angeles (KCAL News), January 26, 2025</a>; "
        '<a class="ref" data-reference="b" href="https://y.example/">ABC7 Los Angeles (KABC), '
        "January 27, 2025</a>)</span>"
    )
    show(page, html(f'<div class="body"><p>{SENTENCE}. {long_refs}</p></div>'))
    found = measure(page, "citationShare")
    assert found["units"] == 1 and found["cited"] / found["prose"] > 0.5, found
    markers = (
        '<sup><a class="ref" data-reference="a" href="#note-1">1</a>,'
        '<a class="ref" data-reference="b" href="#note-2">2</a></sup>'
    )
    show(page, html(f'<div class="body"><p>{SENTENCE * 3}.{markers}</p>{NOTES}</div>'))
    found = measure(page, "citationShare")
    # "1,2" is 3 characters; the notes list is not prose.
    assert found["units"] == 1 and found["cited"] == 3, found
    assert found["prose"] == len((SENTENCE * 3 + ".1,2").replace(" ", "")), found


def test_reader_text_ends_each_block_and_keeps_citations(page: Page) -> None:
    show(
        page,
        html(
            '<div class="body"><h2 id="a">A heading <a href="#a">Link to section: A</a></h2>'
            "<ul><li>an item</li></ul><table><tr><td>a cell</td></tr></table>"
            '<p>Text.<sup><a class="ref" data-reference="a" href="#note-1">1</a></sup></p>'
            f'<figure class="excerpt"><blockquote>quoted words</blockquote></figure>{NOTES}</div>'
        ),
    )
    text = measure(page, "readerText")
    assert text.split("\n") == ["A heading.", "an item.", "a cell.", "Text.1."]


def test_reading_score_is_textstat_on_both_languages() -> None:
    plain = "The cat sat. The dog ran. We went home."
    hard = (
        "Notwithstanding jurisdictional considerations, intergovernmental collaboration "
        "necessitates comprehensive administrative documentation."
    )
    assert reading_score(plain, "en") < 8 < reading_score(hard, "en")
    assert reading_score("El gato come. La casa es roja.", "es") > 55
    assert (
        reading_score(
            "La intergubernamentalidad administrativa condiciona jurisdiccionalmente "
            "procedimientos extraordinariamente complicados.",
            "es",
        )
        < 55
    )


def test_gap_measure_finds_a_blank_band_beside_a_figure(page: Page) -> None:
    grid = (
        '<div class="row"><p>One paragraph.</p><figure class="excerpt"><blockquote>quote'
        "</blockquote></figure></div><p>Next paragraph.</p>"
    )
    style = ".row { display: grid; grid-template-columns: 1fr 1fr } figure { height: 600px }"
    show(page, html(grid, style))
    found = measure(page, "gaps", 96)
    assert found["largest"] > 500 and len(found["problems"]) == 1, found
    show(page, html(grid, style + " .row { display: block } figure { float: right }"))
    found = measure(page, "gaps", 96)
    assert found["problems"] == [] and found["blocks"] == 2, found


def test_phone_measure_flags_a_table_that_scrolls_inside_its_box(page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    table = (
        '<div class="wrap"><table><tr><th>Rule</th><th>What it allows</th><th>Where</th>'
        "<th>Source</th></tr><tr><td>"
        + "x" * 80
        + "</td><td>b</td><td>c</td><td>d</td></tr></table></div>"
    )
    show(page, html(table, ".wrap { overflow-x: auto } td { white-space: nowrap }"))
    found = measure(page, "phoneSideways")
    assert any("div.wrap" in p and "overflow-x auto" in p for p in found), found
    show(page, html(table, "td { word-break: break-all } table, tr, td, th { display: block }"))
    assert measure(page, "phoneSideways") == []


def test_share_groups_are_counted_once_each(page: Page) -> None:
    group = (
        '<div class="share" role="group"><a href="mailto:?subject=x">Email</a>'
        '<a href="sms:?&body=x">Text</a><a href="https://wa.me/?text=x">WhatsApp</a></div>'
    )
    contact = '<p><a href="mailto:fixes@example.test">write to us</a></p>'
    show(page, html(group + contact))
    assert len(measure(page, "shareGroupCount")) == 1
    show(page, html(group + "<h2>Section</h2>" + group))
    assert len(measure(page, "shareGroupCount")) == 2


def test_heading_names_come_from_chromium_and_show_a_self_link_inside(page: Page) -> None:
    show(
        page,
        html(
            '<h2 id="in">Inside <a href="#in"><span aria-hidden="true">#</span>'
            '<span style="position:absolute;width:1px;height:1px;overflow:hidden">'
            "Link to this section</span></a></h2>"
            '<h2 id="out">Outside</h2><a href="#out" aria-label="Link to section: Outside">#</a>'
        ),
    )
    names = {n["id"]: n["name"] for n in heading_names(page)}
    links = {item["id"]: item["links"] for item in measure(page, "headingSelfLinks")}
    assert names == {"in": "Inside Link to this section", "out": "Outside"}
    assert links == {"in": ["Link to this section"], "out": ["Link to section: Outside"]}


SPANISH_FIGURE = (
    '<figure class="excerpt">{inner}<figcaption>Cita 1. El artículo afirma (sin confirmar).'
    "</figcaption></figure>"
)
ENGLISH = '<blockquote lang="en" cite="/es/sources/a/#x">The DEA announced it.</blockquote>'
SPANISH = '<p class="translation">Traducción no oficial: La DEA lo anunció.</p>'


def test_spanish_first_measure_reads_order_and_screen(page: Page) -> None:
    show(page, html(SPANISH_FIGURE.format(inner=ENGLISH + SPANISH), lang="es"), "/es/p/")
    [fig] = measure(page, "spanishFirst")
    assert fig["first"]["lang"] == "en" and fig["top"]["lang"] == "en" and fig["english"] == 1
    # Spanish first in the DOM, but moved below the English on screen: still caught.
    flipped = "figure { display: flex; flex-direction: column } .translation { order: 2 }"
    show(page, html(SPANISH_FIGURE.format(inner=SPANISH + ENGLISH), flipped, "es"), "/es/p/")
    [fig] = measure(page, "spanishFirst")
    assert fig["first"]["lang"] == "es" and fig["top"]["lang"] == "en"
    details = f"<details><summary>Original en inglés</summary>{ENGLISH}</details>"
    show(page, html(SPANISH_FIGURE.format(inner=SPANISH + details), lang="es"), "/es/p/")
    [fig] = measure(page, "spanishFirst")
    assert fig["first"]["lang"] == "es" and fig["top"]["lang"] == "es" and fig["english"] == 1


def two_figures(style: str) -> str:
    article = (
        '<figure class="excerpt"><blockquote cite="/en/sources/article-000/#x">A claim.'
        "</blockquote><figcaption>Quote 1. The article claims (unconfirmed)</figcaption></figure>"
    )
    primary = (
        '<figure class="excerpt"><blockquote cite="https://lapd.example/manual">A rule.'
        "</blockquote><figcaption>Quote 2. LAPD manual</figcaption></figure>"
    )
    return html(article + primary, style)


def test_figure_styles_tell_claims_from_primary_quotes_beyond_colour(page: Page) -> None:
    base = "blockquote { border-left: 4px solid #333; margin: 0; padding-left: 1rem } "
    colour_only = base + "figure:first-child blockquote { border-left-color: #a00; color: #600 }"
    show(page, two_figures(colour_only))
    article, primary = measure(page, "figureStyles")
    assert article["article"] and not primary["article"]
    assert article["shape"] == primary["shape"] and article["tint"] != primary["tint"]
    assert "The article claims (unconfirmed)" in article["shown"]
    dashed = base + "figure:first-child blockquote { border-left-style: dashed }"
    show(page, two_figures(dashed))
    article, primary = measure(page, "figureStyles")
    assert article["shape"] != primary["shape"]
    hidden = base + "figure:first-child figcaption { display: none }"
    show(page, two_figures(hidden))
    article, _ = measure(page, "figureStyles")
    assert article["shown"] == ""  # a status hidden from view is not shown


def test_keyboard_stops_count_every_focusable_once(page: Page) -> None:
    links = "".join(f'<a href="#l{i}">link {i}</a> ' for i in range(30))
    show(page, html(links + "<button>b</button><span tabindex=0>s</span><a>not a link</a>"))
    stops = keyboard_stops(page)
    assert len(stops) == 32, stops


def test_printed_pages_are_counted_from_the_pdf(page: Page) -> None:
    show(page, html("<p>one</p>"))
    assert printed_pages(page) == 1
    breaks = "".join("<p style='break-after: page'>page</p>" for _ in range(5))
    show(page, html(breaks))
    assert printed_pages(page) == 5
    show(page, html(breaks, "@media print { p { break-after: auto !important } }"))
    assert printed_pages(page) == 1


READER_PAGE = """<!doctype html><html lang=en><head><title>Page</title></head><body>
<main><article class="page"><div class="body">
<h2 id="s">Section {self_link}</h2>
{paragraphs}
<div><div><p>The manual has a rule. {a1}A long linked name of a source{end} and
{a2}another long linked name of a source{end}</p>
<figure class="excerpt"><blockquote cite="/en/sources/a/#x">Officers shall not start police
action to find out a person's status.</blockquote><figcaption>{a3}Quote 1, the manual
of the police, in its own words{end}</figcaption></figure></div></div>
{paragraphs}
<p>A sentence with a reference marker.<a class="ref" data-reference="r" href="#note-2">2</a></p>
{notes_in}</div>{notes_out}</article></main></body></html>"""
NOTES_LIST = """<section><h2>Sources</h2><ol><li id="note-1">Quote 1: the manual.</li>
<li id="note-2">CBS News, A title, no date shown. <a href="https://x.example/">x.example</a></li>
</ol></section>"""
FILLER = (
    "<p>" + ("This paragraph is ordinary text, with commas, that reader view keeps. " * 6) + "</p>"
)
LINKED = {"a1": '<a href="/x">', "a2": '<a href="/y">', "a3": '<a href="/z">', "end": "</a>"}
PLAIN = {"a1": "", "a2": "", "a3": "", "end": ""}


def test_reader_view_comparison_catches_a_dropped_block_and_self_link_text() -> None:
    anchor = '<a class="anchor" href="#s">Link to this section</a>'
    document = READER_PAGE.format(
        paragraphs=FILLER * 3, self_link=anchor, notes_in="", notes_out=NOTES_LIST, **LINKED
    )
    parts = page_parts(document)
    assert parts["quotes"] == [
        "Officers shall not start police action to find out a person's status."
    ]
    assert parts["self_links"] == ["Link to this section"]
    [result] = reader_view([{"url": f"{ORIGIN}/en/page/", "html": document}])
    found = reader_kept(result["content"], parts)
    # Readability cuts the link-heavy block with its quote, and keeps the heading's link text.
    assert any(lost.startswith("quote: Officers") for lost in found["lost"]), found
    assert any(lost.startswith("paragraph: The manual") for lost in found["lost"]), found
    assert found["self_links"] == ["Link to this section"]
    # A short notes list after the article body is left out too.
    assert "note: Quote 1: the manual." in found["lost"], found
    fixed = READER_PAGE.format(
        paragraphs=FILLER * 3, self_link="", notes_in=NOTES_LIST, notes_out="", **PLAIN
    )
    parts = page_parts(fixed)
    assert parts["notes"] == [
        "Quote 1: the manual.",
        "CBS News, A title, no date shown. x.example",
    ]
    without_notes = fixed.split("<section>")[0] + "</div></article></main></body></html>"
    assert reader_kept(without_notes, parts)["lost"] == [
        "note: Quote 1: the manual.",
        "note: CBS News, A title, no date shown. x.example",
    ]
    [result] = reader_view([{"url": f"{ORIGIN}/en/page/", "html": fixed}])
    assert reader_kept(result["content"], parts) == {"lost": [], "self_links": []}
