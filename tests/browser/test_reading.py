"""Issue 13's reading floors, measured in Chromium on every explainer page in both languages.

One visit per page and set-up (1366x900 desktop and 360x740 phone, JavaScript on), as the other
gates do; the FAQ is also tabbed through and printed, and every page's served HTML goes through
@mozilla/readability, the library behind Firefox's reader view. Each test names the pages and the
figures that miss a floor. tests/browser/test_reading_checks.py shows each measure catches a page
built to fail it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import BrowserContext

from app import urls

from .helpers import BUILD, Server, a_section_page, report
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

if TYPE_CHECKING:  # only for annotations: the module moved to app/build/site.py (issue 12)
    from app.build.site import Site

pytestmark = pytest.mark.browser

CITATION_SHARE_MAX = 0.05
GRADE_MAX = 8.0  # Flesch-Kincaid, English
INFLESZ_MIN = 55.0  # Szigriszt-Pazos, Spanish
GAP_MAX_PX = 96
FAQ_STOPS_MAX = 110
FAQ_PAGES_MAX = 7
CLAIM_LABEL = {"en": "The article claims", "es": "El artículo afirma"}
STATUS_WORDS = {
    "en": {
        "supported": r"\bsupported\b",
        "unconfirmed": r"\bunconfirmed\b|\bnot confirmed\b",
        "contradicted": r"\bcontradicted\b",
    },
    "es": {
        "supported": r"respald|(?<!no )(?<!no lo )(?<!no la )(?<!sin )\bconfirma",
        "unconfirmed": r"sin confirmar|\bno (lo |la )?confirma",
        "contradicted": r"contradi|desmient|desment",
    },
}


FIGURES = BUILD / "reading-floors.json"


def keep_figures(floor: str, figures: Any) -> None:
    """Write a floor's measured figures to build/reading-floors.json (for the issue's notes)."""
    BUILD.mkdir(exist_ok=True)
    data = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    data[floor] = figures
    FIGURES.write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True))


@dataclass
class Visits:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def each(self, key: str) -> list[tuple[str, Any]]:
        return [(path, r[key]) for path, r in self.records.items() if key in r]


def explainers(site: Site) -> list[str]:
    """Every content page (overview included), English then Spanish."""
    return [
        urls.page(lang, page.slug) for lang in site.langs for page in site.content.pages_in(lang)
    ]


def lang_of(path: str) -> str:
    return path.strip("/").split("/", 1)[0]


def faq_paths(site: Site) -> list[str]:
    return [
        urls.page(lang, p.slug)
        for lang in site.langs
        for p in site.content.pages_in(lang)
        if p.key == "faq"
    ]


def visit_all(context: BrowserContext, paths: list[str], steps: Callable[..., Any]) -> Visits:
    result = Visits()
    page = context.new_page()
    for path in paths:
        try:
            response = page.goto(path, wait_until="load")
            assert response is not None and response.status == 200, (
                f"status {response and response.status}"
            )
            result.records[path] = steps(page, path)
        except Exception as exc:  # one broken page must not hide the others' results
            result.errors.append(f"{path}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    page.close()
    return result


@pytest.fixture(scope="module")
def desktop(browser_context: Callable[..., BrowserContext], site: Site) -> Visits:
    context = browser_context(viewport={"width": 1366, "height": 900})

    def steps(page: Any, path: str) -> dict[str, Any]:
        # Measured with every folded FAQ answer open (app/markdown/answers.py): the whole text a
        # reader can see, each figure in it, and the gaps of the longer layout. The English
        # originals (details.original) stay folded, as readers first meet them.
        page.evaluate(
            "document.querySelectorAll('details.answer-more').forEach(d => d.open = true)"
        )
        return {
            "citations": measure(page, "citationShare"),
            "text": measure(page, "readerText"),
            "gaps": measure(page, "gaps", GAP_MAX_PX),
            "share": measure(page, "shareGroupCount"),
            "self_links": measure(page, "headingSelfLinks"),
            "names": heading_names(page),
            "figures": measure(page, "figureStyles"),
            "spanish_first": measure(page, "spanishFirst"),
        }

    return visit_all(context, [*explainers(site), a_section_page(site)], steps)


@pytest.fixture(scope="module")
def phone(browser_context: Callable[..., BrowserContext], site: Site) -> Visits:
    context = browser_context(viewport={"width": 360, "height": 740})
    return visit_all(context, explainers(site), lambda page, path: measure(page, "phoneSideways"))


def test_in_text_citations_are_at_most_5_percent_of_prose(desktop: Visits, site: Site) -> None:
    problems = list(desktop.errors)
    measured = 0
    figures: dict[str, float] = {}
    for path in explainers(site):
        found = desktop.records.get(path, {}).get("citations")
        if not found:
            continue
        measured += 1
        share = found["cited"] / max(found["prose"], 1)
        figures[path] = round(share, 4)
        if share > CITATION_SHARE_MAX:
            problems.append(
                f"{path}: {share:.1%} ({found['cited']} of {found['prose']} characters, "
                f"{found['units']} citations; longest: {found['longest']})"
            )
    keep_figures("citation share (max 0.05)", figures)
    assert measured == len(explainers(site))
    assert not problems, report(problems, f"pages over {CITATION_SHARE_MAX:.0%} citation text")


def test_reading_level_as_readers_meet_the_text(desktop: Visits, site: Site) -> None:
    problems = list(desktop.errors)
    scores = {}
    for path in explainers(site):
        text = desktop.records.get(path, {}).get("text")
        if text is None:
            continue
        assert len(text.split()) > 30, f"{path}: only {len(text.split())} words measured"
        lang = lang_of(path)
        score = reading_score(text, lang)
        scores[path] = round(score, 2)
        if lang == "es" and score < INFLESZ_MIN:
            problems.append(f"{path}: INFLESZ {score:.2f} < {INFLESZ_MIN:.0f}")
        elif lang != "es" and score > GRADE_MAX:
            problems.append(f"{path}: Flesch-Kincaid {score:.2f} > {GRADE_MAX:.0f}")
    keep_figures("reading level (en FK max 8, es INFLESZ min 55)", scores)
    assert len(scores) == len(explainers(site))
    assert not problems, report(problems, "pages above the reading-level floor")


def test_no_blank_band_over_96_px_in_the_text_column_at_1366_px(desktop: Visits) -> None:
    problems = list(desktop.errors)
    keep_figures(
        "largest gap px at 1366 (max 96)", {p: f["largest"] for p, f in desktop.each("gaps")}
    )
    for path, found in desktop.each("gaps"):
        assert found["blocks"] > 3, f"{path}: only {found['blocks']} text blocks measured"
        if found["problems"]:
            problems.append(
                f"{path}: largest gap {found['largest']} px, {found['total']} px blank in all; "
                + "; ".join(found["problems"][:3])
            )
    assert not problems, report(problems, f"pages with a gap over {GAP_MAX_PX} px")


def test_nothing_in_main_scrolls_sideways_at_360_px(phone: Visits, site: Site) -> None:
    problems = list(phone.errors)
    keep_figures("sideways problems at 360 px (0)", {p: len(f) for p, f in phone.records.items()})
    for path, found in phone.records.items():
        if found:
            problems.append(f"{path}: {'; '.join(found[:4])}")
    assert len(phone.records) == len(explainers(site))
    assert not problems, report(problems, "pages with something sideways at 360 px")


def test_one_share_group_in_main(desktop: Visits) -> None:
    problems = list(desktop.errors)
    keep_figures("share groups in main (1)", {p: len(g) for p, g in desktop.each("share")})
    for path, groups in desktop.each("share"):
        if len(groups) != 1:
            problems.append(f"{path}: {len(groups)} share groups ({groups[:2]})")
    assert not problems, report(problems, "pages without exactly one share group")


def test_heading_names_hold_no_self_link_text(desktop: Visits) -> None:
    problems = list(desktop.errors)
    checked = 0
    for path, record in desktop.records.items():
        links = {item["id"]: item["links"] for item in record["self_links"]}
        for heading in record["names"]:
            checked += 1
            own = links.get(heading["id"], [])
            if not own:
                problems.append(f"{path}#{heading['id']}: no self-link (the contract keeps one)")
            name = heading["name"]
            leaked = [text for text in own if text and text != "" and text in name]
            if heading["role"] != "heading":
                problems.append(f"{path}#{heading['id']}: role {heading['role']!r}")
            elif leaked or name.rstrip().endswith("#"):
                problems.append(f"{path}#{heading['id']}: accessible name {name!r}")
    keep_figures("headings with self-link text in name (0)", [checked, len(problems)])
    assert checked > 20, "too few headings were checked"
    assert not problems, report(problems, "headings whose name holds a self-link")


def test_spanish_excerpt_figures_start_in_spanish(desktop: Visits) -> None:
    problems = list(desktop.errors)
    checked = 0
    for path, figures in desktop.each("spanish_first"):
        if lang_of(path) != "es":
            continue
        for fig in figures:
            checked += 1
            where = f"{path} {fig['figure'][:40]}"
            if not fig["english"]:
                problems.append(f"{where}: no blockquote lang=en (the original must stay)")
            for kind in ("first", "top"):
                seen = fig[kind]
                if seen is None or not seen["lang"].startswith("es"):
                    problems.append(f"{where}: the {kind} text is {seen}")
    keep_figures("Spanish figures starting in English (0)", [checked, len(problems)])
    assert checked > 10, "too few Spanish figures were checked"
    assert not problems, report(problems, "Spanish figures that start in English")


def test_article_excerpts_look_unlike_primary_quotes(desktop: Visits) -> None:
    problems = list(desktop.errors)
    primary: dict[tuple[Any, ...], str] = {}
    articles = []
    for path, figures in desktop.each("figures"):
        for fig in figures:
            if fig["article"]:
                articles.append((path, fig))
            else:
                primary.setdefault(tuple(sorted(fig["shape"].items())), f"{path} {fig['cite']}")
    assert articles and primary, f"{len(articles)} article and {len(primary)} primary figures"
    for path, fig in articles:
        shape = tuple(sorted(fig["shape"].items()))
        if shape in primary:
            problems.append(
                f"{path} {fig['cite']}: styled like the primary quote at {primary[shape]} "
                "(only colour, if anything, differs)"
            )
    keep_figures("article figures styled like a primary quote (0)", [len(articles), len(problems)])
    assert not problems, report(problems, "article excerpts styled like primary quotes")


def excerpt_statuses(server: Server, site: Site) -> dict[str, str]:
    """`source-id#excerpt-id` -> status, from the JSON API (which must expose it)."""
    out = {}
    for source_id in site.content.sources:
        doc = httpx.get(server.url(f"/api/v1/sources/{source_id}.json"), timeout=10).json()
        for excerpt in doc["excerpts"]:
            status = excerpt.get("status") or (excerpt.get("assessment") or {}).get("status")
            out[f"{source_id}#{excerpt['id']}"] = status or ""
    return out


def test_each_article_excerpt_shows_its_status(desktop: Visits, server: Server, site: Site) -> None:
    statuses = excerpt_statuses(server, site)
    problems = list(desktop.errors)
    checked = 0
    for path, figures in desktop.each("figures"):
        lang = lang_of(path)
        for fig in figures:
            if not fig["article"]:
                continue
            checked += 1
            match = re.search(r"/sources/([^/]+)/?#(.+)$", fig["cite"])
            key = f"{match.group(1)}#{match.group(2)}" if match else fig["cite"]
            status = statuses.get(key, "")
            shown = fig["shown"]
            if not status:
                problems.append(f"{path} {key}: the API gives no status for this excerpt")
                continue
            words = STATUS_WORDS[lang]
            said = [s for s, pattern in words.items() if re.search(pattern, shown, re.IGNORECASE)]
            labelled = CLAIM_LABEL[lang].lower() in shown.lower()
            if not labelled or said != [status]:
                problems.append(
                    f"{path} {key}: status {status}; the figure shows {shown[:90]!r} "
                    f"(label {'found' if labelled else 'missing'}, statuses read: {said})"
                )
    keep_figures("article figures without their status (0)", [checked, len(problems)])
    assert checked > 5, "too few article figures were checked"
    assert not problems, report(problems, "article excerpts without their status")


def test_faq_has_at_most_110_keyboard_stops(
    browser_context: Callable[..., BrowserContext], site: Site
) -> None:
    context = browser_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems = []
    counts: dict[str, int] = {}
    for path in faq_paths(site):
        page.goto(path, wait_until="load")
        stops = keyboard_stops(page)
        counts[path] = len(stops)
        assert len(stops) > 10, f"{path}: only {len(stops)} stops: is Tab reaching the page?"
        if len(stops) > FAQ_STOPS_MAX:
            share = sum(1 for s in stops if re.search(r"mailto:\?|sms:|wa\.me|^button", s))
            anchors = sum(1 for s in stops if re.match(r"a #[\w-]+ #", s))
            problems.append(
                f"{path}: {len(stops)} stops ({share} share links or buttons, {anchors} '#' links)"
            )
    page.close()
    keep_figures("FAQ keyboard stops (max 110)", counts)
    assert len(faq_paths(site)) == len(site.langs)
    assert not problems, report(problems, f"FAQ pages over {FAQ_STOPS_MAX} keyboard stops")


def test_faq_prints_on_at_most_7_letter_pages(
    browser_context: Callable[..., BrowserContext], site: Site
) -> None:
    context = browser_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    problems = []
    counts: dict[str, int] = {}
    for path in faq_paths(site):
        page.goto(path, wait_until="load")
        pages = printed_pages(page)
        counts[path] = pages
        if pages > FAQ_PAGES_MAX:
            problems.append(f"{path}: {pages} US Letter pages")
    page.close()
    keep_figures("FAQ US Letter pages (max 7)", counts)
    assert not problems, report(problems, f"FAQ pages printing on over {FAQ_PAGES_MAX} pages")


def test_reader_view_keeps_every_paragraph_quote_and_note(server: Server, site: Site) -> None:
    documents = []
    for path in explainers(site):
        response = httpx.get(server.url(path), timeout=10)
        assert response.status_code == 200, path
        documents.append({"url": server.url(path), "html": response.text})
    problems = []
    totals = {"paragraphs": 0, "quotes": 0, "notes": 0}
    lost: dict[str, list[int]] = {}
    for doc, result in zip(documents, reader_view(documents), strict=True):
        parts = page_parts(doc["html"])
        for kind in totals:
            totals[kind] += len(parts[kind])
        found = reader_kept(result["content"], parts)
        path = doc["url"].removeprefix(server.base)
        kept = len(parts["paragraphs"]) + len(parts["quotes"]) + len(parts["notes"])
        lost[path] = [len(found["lost"]), kept, len(found["self_links"])]
        if found["lost"]:
            problems.append(
                f"{path}: lost {len(found['lost'])} of {kept}: " + "; ".join(found["lost"][:3])
            )
        if found["self_links"]:
            problems.append(f"{path}: keeps self-link text {found['self_links'][:2]}")
    keep_figures("reader view [lost, of, self-link texts kept] (0, n, 0)", lost)
    assert totals["paragraphs"] > 100 and totals["quotes"] > 20, totals
    assert not problems, report(problems, "pages reader view does not keep whole")
