"""Search: the index (diacritics, prefixes, stems, synonyms, ranking) and the no-JavaScript page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import parse
from fastapi.testclient import TestClient
from spanish_twins import add_spanish

from app.build.search import MAX_QUERY, Entry, Index, clean_query
from app.build.searchtext import Analyzer, Synonyms, concepts
from app.build.site import Site
from app.serve.app import build as build_served
from app.serve.app import create_app
from app.settings import ROOT, Settings

SEP = " \u203a "  # page > section, in a result's link
HOSTILE = [
    "NEAR(dea lapd)",
    '"',
    '""',
    "dea OR",
    "*",
    "-dea",
    "dea -lapd",
    "title:dea",
    "(",
    ")",
    "dea AND",
    "^dea",
    "dea NOT lapd",
    "'",
    "dea*",
    "{title}: dea",
    "+",
    "NEAR",
    "\\",
    "%",
    "dea\x00lapd",
    "<script>alert(1)</script>",
    "😀",
    "d\u0301ea",
]


def results(html: str) -> list[tuple[str, str]]:
    """(link text, href) of each result on a search page."""
    doc = parse(html)
    return [
        (" ".join(a.text().split()), a.attributes["href"])
        for a in doc.css("ol.search-results a.search-result-link")
    ]


# --------------------------------------------------------------------------- the index itself


def test_diacritics_do_not_matter() -> None:
    index = Index(
        [Entry("es", "Política", "", "/es/x/", "La política de la ciudad de Los Ángeles.")]
    )
    for query in ("politica", "POLÍTICA", "angeles", "Ángeles", "polit"):
        found = index.search("es", query)
        assert [h.url for h in found.hits] == ["/es/x/"], query
    assert index.search("en", "politica").hits == ()  # one language at a time


def test_last_word_is_a_prefix_and_only_the_last() -> None:
    index = Index([Entry("en", "Law", "", "/en/law/", "The sanctuary city ordinance.")])
    assert index.search("en", "sanct").matched == "all"
    assert index.search("en", "city sanct").matched == "all"
    # an earlier word is a whole word: "sanct" alone is not in the text, so not every word matched
    assert index.search("en", "sanct city").matched == "any"
    assert index.search("en", "sanctx").hits == ()


def test_reader_words_are_only_words() -> None:
    entries = [
        Entry("en", "A", "", "/a/", "dea and lapd worked together"),
        Entry("en", "B", "", "/b/", "dea alone"),
        Entry("en", "C", "", "/c/", "dea not lapd said near the end"),
    ]
    index = Index(entries)
    # NOT is a word here, not the operator: only C has dea, not and lapd
    assert [h.url for h in index.search("en", "dea NOT lapd").hits] == ["/c/"]
    # "-" is not exclusion: both words must be present
    assert {h.url for h in index.search("en", "dea -lapd").hits} == {"/a/", "/c/"}
    # NEAR( ... ) is the word "near" and the other words, not a query language's NEAR group
    assert [h.url for h in index.search("en", "NEAR( dea lapd )").hits] == ["/c/"]
    assert [h.url for h in index.search("en", "near").hits] == ["/c/"]
    for query in HOSTILE:
        index.search("en", query)  # no error for any of them
    # the query is its words, each a stem; only the last one is also a prefix of a word
    analyzer = Analyzer("en")

    def asked(q: str) -> list[tuple[tuple[tuple[str, ...], ...], str]]:
        return [
            (c.alternatives, c.prefix) for c in concepts(analyzer, Synonyms(analyzer, ()), q, 24)
        ]

    assert asked('say "hi" NEAR(x)') == [
        ((("say",),), ""),
        ((("hi",),), ""),
        ((("near",),), ""),
        ((("x",),), "x"),
    ]
    assert asked('x"y') == [((("x",),), ""), ((("y",),), "y")]
    assert asked("* - ( )") == []


def test_titles_and_headings_outrank_body_text() -> None:
    body_only = Entry("en", "Other", "Elsewhere", "/body/", "ordinance " * 3 + "filler " * 20)
    in_heading = Entry("en", "Page", "The ordinance", "/heading/", "filler " * 20)
    in_title = Entry("en", "The ordinance", "Part", "/title/", "filler " * 20)
    index = Index([body_only, in_heading, in_title])
    assert [h.url for h in index.search("en", "ordinance").hits] == [
        "/title/",
        "/heading/",
        "/body/",
    ]


def test_snippets_escape_text_and_mark_the_words() -> None:
    index = Index([Entry("en", "T", "", "/t/", "Before <script>alert(1)</script> & the DEA said.")])
    hit = index.search("en", "dea").hits[0]
    assert "<script>" not in str(hit.snippet)
    doc = parse(f"<p>{hit.snippet}</p>")
    assert doc.css("script") == []
    assert [m.text() for m in doc.css("mark")] == ["DEA"]
    assert "<script>alert(1)</script> & the DEA" in doc.css_first("p").text()


# --------------------------------------------------------------------------- on the real site


def test_every_section_of_every_page_is_indexed(site: Site) -> None:
    assert site.search is not None
    for (lang, _slug), result in site.rendered.items():
        for section in result.sections:
            found = site.search.index.search(lang, section.title)
            anchors = {h.url for h in found.hits}
            assert any(url.endswith(f"#{section.id}") for url in anchors), (lang, section)


def test_results_link_to_section_anchors_that_exist(client: TestClient) -> None:
    response = client.get("/en/search", params={"q": "special order"})
    assert response.status_code == 200
    found = results(response.text)
    assert len(found) >= 3
    for label, href in found:
        parts = urlsplit(href)
        page = parse(client.get(parts.path).text)
        if parts.fragment:
            assert page.css_first(f'[id="{parts.fragment}"]') is not None, href
            assert SEP in label  # page, then section
    doc = parse(response.text)
    for item in doc.css("li.search-result"):
        marks = item.css("mark")  # in the page title, the section title or the snippet
        assert marks, item.html
        assert all(m.text().lower() in ("special", "order", "orders") for m in marks)


def test_quoted_words_are_searchable(client: TestClient, site: Site) -> None:
    """Excerpts inside figures are indexed with the section that shows them."""
    excerpt = next(iter(site.content.sources["article-000"].excerpts.values())).exact
    words = " ".join(excerpt.split()[:6])
    assert results(client.get("/en/search", params={"q": words}).text)


def test_search_form_works_without_javascript(client: TestClient) -> None:
    doc = parse(client.get("/en/search").text)
    form = doc.css_first("main form.search-form")
    assert form.attributes["method"] == "get"
    assert form.attributes["action"] == "/en/search"
    field = form.css_first("input[name=q]")
    assert field.attributes["id"] == doc.css_first("label[for]").attributes["for"]
    assert int(field.attributes["maxlength"]) == MAX_QUERY
    assert doc.css("script:not([src])") == []


def test_only_result_pages_are_kept_out_of_search_engines(client: TestClient) -> None:
    bare = parse(client.get("/en/search").text)
    assert bare.css_first('meta[name="robots"]') is None  # a landing page, like the others
    results = parse(client.get("/en/search?q=dea").text)
    assert results.css_first('meta[name="robots"]').attributes["content"] == "noindex"


def test_empty_query_shows_tips(client: TestClient) -> None:
    for url in ("/en/search", "/en/search?q=", "/en/search?q=%20%20"):
        doc = parse(client.get(url).text)
        assert doc.css_first("#search-tips") is not None
        assert doc.css("ol.search-results") == []


def test_no_results_suggests_glossary_and_sources(client: TestClient) -> None:
    response = client.get("/en/search", params={"q": "xylophonequartz"})
    assert response.status_code == 200
    doc = parse(response.text)
    hrefs = {a.attributes["href"] for a in doc.css(".search-empty a")}
    assert hrefs == {"/en/glossary/", "/en/sources/"}
    assert doc.css_first("#q").attributes["value"] == "xylophonequartz"


def test_too_long_query_is_a_clear_400(client: TestClient) -> None:
    assert client.get("/en/search", params={"q": "a" * MAX_QUERY}).status_code == 200
    response = client.get("/en/search", params={"q": "a" * (MAX_QUERY + 1)})
    assert response.status_code == 400
    doc = parse(response.text)
    assert str(MAX_QUERY) in doc.css_first('[role="alert"]').text()
    assert doc.css_first("form.search-form") is not None  # the reader can try again at once


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_are_searched_as_text(client: TestClient, query: str) -> None:
    response = client.get("/en/search", params={"q": query})
    assert response.status_code == 200
    doc = parse(response.text)
    assert doc.css("main script, main img") == []
    assert doc.css_first("#q").attributes["value"] == clean_query(query)


def test_query_is_escaped_where_it_is_echoed(client: TestClient) -> None:
    query = '"><script>alert(1)</script>'
    doc = parse(client.get("/en/search", params={"q": query}).text)
    assert doc.css("script:not([src])") == []
    assert doc.css_first("#q").attributes["value"] == query
    assert query in doc.css_first("title").text()


def test_search_http_details(client: TestClient) -> None:
    head = client.head("/en/search?q=dea")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(client.get("/en/search?q=dea").content)
    assert client.get("/xx/search?q=dea").status_code == 404
    moved = client.get("/en/search/?q=dea")  # the static export's address for the same page
    assert moved.status_code == 301 and moved.headers["location"] == "/en/search?q=dea"
    assert client.post("/en/search").status_code == 405
    many = client.get("/en/search?q=dea&q=lapd")  # repeated parameters: the first one counts
    assert parse(many.text).css_first("#q").attributes["value"] == "dea"


def test_every_language_has_its_own_search(content_dir: Path) -> None:
    add_spanish(content_dir)
    settings = Settings(content_dir=content_dir, site_url="https://example.test")
    site = build_served(settings)
    assert site.langs == ["en", "es"]
    client = TestClient(create_app(settings, site))
    # accents do not matter, and the result is the Spanish section
    found = results(client.get("/es/search", params={"q": "mas detalle"}).text)
    assert found and found[0] == ("Un tema" + SEP + "Detalle", "/es/tema/#detail")
    english = results(client.get("/en/search", params={"q": "more detail"}).text)
    assert english and english[0][1] == "/en/topic/#detail"
    assert results(client.get("/en/search", params={"q": "detalle"}).text) == []


# --------------------------------------------------------------------------- issue 15


def test_stems_match_other_forms_and_highlight_the_written_words() -> None:
    index = Index([Entry("es", "T", "", "/es/t/", "Personas deportadas después de una condena.")])
    hit = index.search("es", "deportado").hits[0]
    assert [m.text() for m in parse(f"<p>{hit.snippet}</p>").css("mark")] == ["deportadas"]
    english = Index([Entry("en", "T", "", "/en/t/", "Deportations rose.")])
    assert [h.url for h in english.search("en", "deported").hits] == ["/en/t/"]


def test_synonyms_and_stop_words() -> None:
    entries = [
        Entry("es", "ICE", "", "/es/ice/", "El ICE hace cumplir la ley."),
        Entry("es", "X", "", "/es/x/", "La ciudad."),
    ]
    index = Index(entries, {"es": [("la migra", "ICE")]})
    # "la" is a stop word alone, but "la migra" is a synonym phrase for ICE
    assert [h.url for h in index.search("es", "la migra").hits] == ["/es/ice/"]
    assert [h.url for h in Index(entries).search("es", "la migra").hits] == []  # no synonyms
    # a whole question: its stop words are dropped, so the section needs only the other words
    assert [h.url for h in index.search("es", "¿qué hace la migra?").hits] == ["/es/ice/"]


def test_most_terms_when_no_entry_has_all() -> None:
    entries = [
        Entry("en", "A", "", "/a/", "police ask status"),
        Entry("en", "B", "", "/b/", "police only"),
    ]
    found = Index(entries).search("en", "police ask status zebra")
    assert found.matched == "any"
    assert [h.url for h in found.hits] == ["/a/", "/b/"]  # three of four words before one


def test_article_claims_rank_below_established_sources() -> None:
    claim = Entry("en", "Claim", "ICE", "/claim/", "ICE ICE ICE", claims=("article-001",))
    established = Entry("en", "Other", "", "/est/", "ICE and other words here")
    hits = Index([claim, established]).search("en", "ice").hits
    assert [h.url for h in hits] == ["/est/", "/claim/"]
    assert hits[1].claims == ("article-001",)


def test_section_records_keep_foreign_quotes_apart_and_flag_claims(site: Site) -> None:
    from app.i18n import load_translations
    from app.markdown.tokens import citations_by_section
    from app.render.pages import Renderer
    from app.render.plaintext import section_records

    lang = "es"
    renderer = Renderer(site.content, lang, load_translations(ROOT / "locales", lang).gettext)
    page = site.content.pages[(lang, "coordinacion-dea-dhs")]
    records = section_records(page, renderer)
    excerpts = [e.exact for s in site.content.sources.values() for e in s.excerpts.values()]
    excerpts += [str(f.quote) for f in site.content.facts.values() if f.quote]  # primary quotes
    quoted = [r for r in records.values() if r.quoted]
    assert quoted  # the English originals of the quotes on a Spanish page
    for record in quoted:
        assert any(exact in record.quoted for exact in excerpts)
        assert not any(exact in record.text for exact in excerpts)  # kept apart
    keys: dict[str, list] = {}
    for key, section in citations_by_section(page.tokens):
        keys.setdefault(section or "", []).append(key)
    for section, cited in keys.items():
        established = any(k.kind in ("ref", "quote") for k in cited)
        sources = sorted({k.target for k in cited if k.kind == "excerpt"})
        assert records[section].claims == (() if established else tuple(sources)), section


def test_issue_15_cases_on_the_real_site(site: Site) -> None:
    assert site.search is not None
    index = site.search.index
    top = [h.url for h in index.search("es", "¿Puede la policía preguntar mi estatus?").hits]
    assert top[0] == "/es/preguntas-frecuentes/#lapd-ask-status"
    top = [h.url for h in index.search("en", "can police ask my status").hits]
    assert top[0] == "/en/faq/#lapd-ask-status"
    deported = {h.url for h in index.search("es", "deportado").hits}
    assert "/es/preguntas-frecuentes/#exceptions" in deported  # the FAQ says "deportadas"
    for hit in index.search("es", "ICE").hits[:3]:
        assert not hit.claims  # no article's version on top
    assert "/es/glosario/#ice" in [h.url for h in index.search("es", "la migra").hits[:3]]


def test_claims_are_labelled_and_did_you_mean_links(client: TestClient) -> None:
    doc = parse(client.get("/en/search", params={"q": "limited circumstances"}).text)
    labels = [p.text() for p in doc.css("li.search-result p.search-claim")]
    assert "What article 001 claims" in labels
    doc = parse(client.get("/en/search", params={"q": "sanctuarry"}).text)
    link = doc.css_first(".search-suggestion a")
    assert link.text() == "sanctuary"
    assert link.attributes["href"] == "/en/search?q=sanctuary"
    api = client.get("/api/v1/search", params={"q": "sanctuarry", "lang": "en"}).json()
    assert api["suggestion"] == "sanctuary" and api["results"] == []


def test_grammar_words_of_a_synonym_phrase_are_not_marked() -> None:
    text = "El Servicio de Inmigración y Control de Aduanas y la ciudad."
    index = Index([Entry("es", "T", "", "/es/t/", text)], {"es": [("ICE", "Control de Aduanas")]})
    hit = index.search("es", "ICE").hits[0]
    marks = [m.text() for m in parse(f"<p>{hit.snippet}</p>").css("mark")]
    assert marks == ["Control", "Aduanas"]
