"""Glossary links: first use only, whole words, across line breaks."""

from __future__ import annotations

from conftest import parse

from app.markdown import parser
from app.markdown.glossary_links import GlossaryLinks, compile_terms


def render(text: str, terms: list[tuple[str, list[str]]]) -> str:
    env = {"glossary": GlossaryLinks("/en/glossary/", compile_terms(terms))}
    return parser().render(text, env)


def test_first_use_links_once_and_whole_words_only() -> None:
    html = render("The DEA said so. The DEA again. DEADLINE is not a term.", [("dea", ["DEA"])])
    links = parse(html).css("a.term")
    assert [a.attributes["href"] for a in links] == ["/en/glossary/#dea"]
    assert links[0].text() == "DEA"


def test_term_wrapped_across_lines_still_links() -> None:
    html = render(
        "the Immigration\nLiaison Officer approves.", [("ilo", ["Immigration Liaison Officer"])]
    )
    link = parse(html).css_first("a.term")
    assert " ".join(link.text().split()) == "Immigration Liaison Officer"


def test_no_links_inside_headings_or_existing_links() -> None:
    html = render("## The DEA {#dea}\n\nSee [the DEA page](/en/x/).", [("dea", ["DEA"])])
    assert not parse(html).css("a.term")
