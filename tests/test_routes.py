"""Routes, through the real app on the real content: pages, sources, marks, sections, HTTP."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from conftest import parse

from app.build.site import Site


def test_overview_and_dea_page_render_with_contract_head(client) -> None:
    for path in ("/en/", "/en/dea-dhs-coordination/"):
        response = client.get(path)
        assert response.status_code == 200
        doc = parse(response.text)
        assert doc.css_first("html").attributes["lang"] == "en"
        assert (
            doc.css_first('link[rel="canonical"]').attributes["href"]
            == "https://example.test" + path
        )
        hreflangs = {n.attributes["hreflang"] for n in doc.css('link[rel="alternate"][hreflang]')}
        assert {"en", "x-default"} <= hreflangs
        assert doc.css_first("main#main") is not None
        assert doc.css_first("a.skip-link").attributes["href"] == "#main"


def test_excerpt_figures_follow_the_contract(client, site: Site) -> None:
    doc = parse(client.get("/en/dea-dhs-coordination/").text)
    figures = doc.css("figure.excerpt")
    assert len(figures) >= 3
    excerpts = {
        (s.id, e.id): e.exact for s in site.content.sources.values() for e in s.excerpts.values()
    }
    seen_source_quote = False
    for figure in figures:
        quote = figure.css_first("blockquote")
        assert figure.css_first("figcaption") is not None
        cite = quote.attributes["cite"]
        if cite.startswith("/en/sources/"):
            seen_source_quote = True
            parts = urlsplit(cite)
            source_id = parts.path.strip("/").split("/")[-1]
            # exactly the excerpt inside the blockquote, nothing else
            assert " ".join(quote.text().split()) == " ".join(
                excerpts[(source_id, parts.fragment)].split()
            )
            assert quote.attributes["lang"] == "en"
            assert not quote.css("a, span, sup")
            link = figure.css_first("figcaption a:not(.cite-article)")  # the context link
            assert link.attributes["href"] == cite
        # each figure is linked from a numbered marker in the text
        marker = doc.css_first(f'a.cite-marker[href="#{figure.attributes["id"]}"]')
        assert marker is not None
    assert seen_source_quote


def test_reference_citations_are_contract_links(client, site: Site) -> None:
    """Each `a.ref` jumps to its page's note; the note holds the reference and links back."""
    for path in ("/en/dea-dhs-coordination/", "/es/coordinacion-dea-dhs/", "/en/timeline/"):
        doc = parse(client.get(path).text)
        refs = doc.css("a.ref")
        assert refs, path
        numbers: dict[str, str] = {}
        for ref in refs:
            reference = site.content.references[ref.attributes["data-reference"]]
            href = ref.attributes["href"]
            # one number per reference per page, reused on every repeat
            assert numbers.setdefault(reference.id, href) == href, (path, reference.id)
            assert href == f"#note-{ref.text(strip=True)}"
            note = doc.css_first(f"section.page-sources ol.notes-list > li{href}")
            assert note is not None, (path, href)
            assert reference.publisher in note.text()
            links = [a.attributes["href"] for a in note.css("cite a")]
            assert links == [reference.url]
            backlinks = [a.attributes["href"] for a in note.css("a.backlink")]
            assert f"#{ref.attributes['id']}" in backlinks
        assert len(set(numbers.values())) == len(numbers), path  # distinct works, distinct notes


def test_notes_say_the_date_once_and_what_kind_of_source(client, site: Site) -> None:
    doc = parse(client.get("/en/dea-dhs-coordination/").text)
    notes = doc.css("section.page-sources ol.notes-list > li")
    assert notes
    for number, note in enumerate(notes, start=1):
        assert note.attributes["id"] == f"note-{number}"  # the <ol> numbering is the note's
        ref = doc.css_first(f'a.ref[href="#note-{number}"]')
        if ref is None:
            continue  # a quote's note
        reference = site.content.references[ref.attributes["data-reference"]]
        text = " ".join(note.text().split())
        if reference.published is None:
            assert text.count("no date shown") == 1
        evidence = note.css_first(".evidence").text(strip=True)
        kinds = {
            "primary-document": "Primary document.",
            "reference": "Reference work, used as a secondary check.",
        }
        # The only news or court report behind a medium-confidence fact says so.
        sole = any(
            f.confidence == "medium"
            and [r for r in f.references if site.content.references[r].kind in ("news", "court")]
            == [reference.id]
            for f in site.content.facts.values()
        )
        if reference.kind in kinds:
            assert evidence == kinds[reference.kind]
        elif reference.kind == "court":
            assert evidence.startswith("One case summary" if sole else "Court case record")
        else:
            assert evidence.startswith("One news report") == sole, reference.id
        if reference.id in ("cbs-la-revised-ordinance", "latimes-2017-02-05-so40"):
            assert sole, reference.id  # each is the one report beside a primary or reference work
    # no reference text is left in the running prose: markers are numbers only
    for sup in doc.css(".body sup.cite"):
        assert sup.text(strip=True).replace(",", "").isdigit()


def test_every_section_heading_has_id_and_a_self_link_outside_it(client, site: Site) -> None:
    from app import urls
    from app.markdown.tokens import sections

    for (lang, slug), page in site.content.pages.items():
        path = f"/{lang}/{slug}/" if slug else f"/{lang}/"
        doc = parse(client.get(path).text)
        headings = doc.css("main h2, main h3")
        assert headings, path
        own = {s.id for s in sections(page.tokens)}
        for heading in headings:
            section = heading.attributes.get("id")
            assert section, f"{path}: {heading.text()}"
            assert not heading.css("a"), f"{path}#{section}: a link inside the heading's name"
            anchor = heading.next
            assert anchor is not None and anchor.tag == "a", (path, section)
            assert "anchor" in anchor.attributes["class"]
            expected = urls.section(lang, slug, section) if section in own else f"#{section}"
            assert anchor.attributes["href"] == expected
            label = anchor.attributes["aria-label"]
            assert label.endswith(heading.text(strip=True)) and label != heading.text(strip=True)
            assert not anchor.text(strip=True)  # the "#" is drawn by CSS: no text to extract
        ids = [n.attributes["id"] for n in doc.css("[id]")]
        assert len(ids) == len(set(ids)), f"duplicate ids on {path}"


def test_article_figures_say_they_are_claims_with_their_status(client, site: Site) -> None:
    for path, label in (
        ("/en/dea-dhs-coordination/", "The article claims"),
        ("/es/coordinacion-dea-dhs/", "El artículo afirma"),
    ):
        doc = parse(client.get(path).text)
        claims = doc.css("figure.excerpt-claim")
        assert claims, path
        for figure in claims:
            source_id, excerpt_id = urlsplit(figure.css_first("blockquote").attributes["cite"])[
                2:5:2
            ]
            excerpt = site.content.sources[source_id.strip("/").split("/")[-1]].excerpts[excerpt_id]
            assert f"status-{excerpt.status}" in figure.attributes["class"].split()
            claim = figure.css_first("p.claim")
            assert claim is not None and claim.text().startswith(label)
            assert claim.css_first(".status").text(strip=True)
            number = figure.attributes["id"].removeprefix("quote-")
            assert figure.attributes["aria-label"] in (f"Quote {number}", f"Cita {number}")
        for figure in doc.css("figure.excerpt-primary"):
            assert figure.css_first("p.claim") is None
        # unique link names: "Read quote 10 in context", one per figure
        names = [a.text(strip=True) for a in doc.css("figure.excerpt figcaption a")]
        assert len(names) == len(set(names)), path


def test_spanish_figures_show_the_translation_first(client) -> None:
    doc = parse(client.get("/es/coordinacion-dea-dhs/").text)
    figures = doc.css("figure.excerpt")
    assert figures
    for figure in figures:
        children = [c for c in figure.iter() if c.tag != "-text"]
        kinds = [c.tag for c in children]
        translation = figure.css_first("p.translation")
        assert translation is not None
        assert kinds.index("p") < kinds.index("details")  # label/translation before the original
        original = figure.css_first("details.original > blockquote")
        assert original.attributes["lang"] == "en"
        assert figure.css_first("details.original > summary").text(strip=True)
        assert len(figure.css("blockquote")) == 1


def test_source_list_and_pages_mark_every_excerpt(client, site: Site) -> None:
    listing = parse(client.get("/en/sources/").text)
    hrefs = {a.attributes["href"] for a in listing.css("main a")}
    for source in site.content.sources.values():
        path = f"/en/sources/{source.id}/"
        assert path in hrefs
        doc = parse(client.get(path).text)
        marks = {m.attributes["id"]: m.text() for m in doc.css(".source-text mark[id]")}
        assert marks == {e.id: e.exact for e in source.excerpts.values()}
        # metadata honestly says what is not recorded
        not_recorded = doc.css(".source-meta .not-recorded")
        assert len(not_recorded) >= 4
        text = "\n".join(p.text() for p in doc.css(".source-text p"))
        assert text == "\n".join(line for line in source.body.split("\n") if line.strip())


def test_source_page_lists_where_each_excerpt_is_cited(client) -> None:
    doc = parse(client.get("/en/sources/article-000/").text)
    item = next(
        li
        for li in doc.css(".excerpt-index li")
        if li.css_first("a").attributes["href"] == "#allen-confirmed"
    )
    cited = [a.attributes["href"] for a in item.css(".cited-by a")]
    assert any(h.startswith("/en/dea-dhs-coordination/#") for h in cited)


def test_etag_and_304(client) -> None:
    first = client.get("/en/dea-dhs-coordination/")
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/en/dea-dhs-coordination/", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_head_has_headers_and_no_body(client) -> None:
    get = client.get("/en/", headers={"accept-encoding": "identity"})
    head = client.head("/en/", headers={"accept-encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]


def test_compressed_variants(client) -> None:
    plain = client.get("/en/", headers={"accept-encoding": "identity"})
    brotli = client.get("/en/", headers={"accept-encoding": "gzip, br"})
    assert brotli.headers["content-encoding"] == "br"
    # a page is also its own Memento TimeGate (app/versions.py), so it varies by Accept-Datetime
    varies = {v.strip() for v in brotli.headers["vary"].split(",")}
    assert varies == {"Accept-Encoding", "Accept-Datetime"}
    assert brotli.text == plain.text  # the client decodes it
    assert brotli.headers["etag"] != plain.headers["etag"]


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/en", "/en/"),
        ("/en/dea-dhs-coordination", "/en/dea-dhs-coordination/"),
        ("/EN/Sources/", "/en/sources/"),
        ("/en/sources?x=1", "/en/sources/?x=1"),
    ],
)
def test_canonical_redirects(client, path: str, location: str) -> None:
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["location"] == location


def test_root_negotiates_language(client) -> None:
    response = client.get("/", headers={"accept-language": "fr-CA, en;q=0.5"})
    assert response.status_code == 302
    assert response.headers["location"] == "/en/"
    assert "Accept-Language" in response.headers["vary"]


def test_helpful_404(client) -> None:
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    doc = parse(response.text)
    links = {a.attributes["href"] for a in doc.css("main a")}
    assert {"/en/", "/en/sources/"} <= links
    assert doc.css_first("h1").text() == "Page not found"


def test_other_methods_get_405_with_allow(client) -> None:
    response = client.post("/en/")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_healthz_and_favicon(client) -> None:
    assert client.get("/healthz").text == "ok\n"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"


def test_static_assets_are_fingerprinted_and_immutable(client) -> None:
    doc = parse(client.get("/en/").text)
    css = doc.css_first('link[rel="stylesheet"]').attributes["href"]
    assert css.startswith("/static/site.") and css.endswith(".css") and css != "/static/site.css"
    response = client.get(css)
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/static/site.css").status_code == 404


def test_no_inline_scripts_or_styles(client, site: Site) -> None:
    for path, item in site.responses.items():
        if not item.media_type.startswith("text/html"):
            continue
        doc = parse(item.identity.body.decode())
        assert not doc.css("style"), path
        assert not doc.css("[style]"), path
        for script in doc.css("script"):
            if script.attributes.get("type") == "application/ld+json":
                json.loads(script.text())  # a data block (JSON-LD), never run: CSP allows it
                continue
            assert script.attributes.get("src", "").startswith("/static/"), path
            assert not script.text().strip(), path


def test_the_one_report_behind_a_medium_fact_is_labelled_so(site: Site) -> None:
    sole = site.content.sole_source_refs
    # CBS is the only report behind the city exception (beside the state law it mirrors); the
    # Clearinghouse alone backs the ordinance's specific bars; LAist's vote story is one of three.
    assert {"cbs-la-revised-ordinance", "clearinghouse-us-v-la"} <= sole
    assert "laist-ord-final-vote" not in sole and "lasd-newsletter-18-06" not in sole
