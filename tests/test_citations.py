"""Fixture tests for the markdown-it plugins: input Markdown -> expected HTML."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it.utils import read_fixture_file
from markupsafe import Markup

from app.citations import CitationContext, CiteKey, QuoteView, parse_key
from app.markdown import parser

FIXTURES = Path(__file__).parent / "fixtures" / "citations.md"


def fake_quote(key: CiteKey) -> QuoteView:
    """A small, predictable look-up so the fixtures show the plugin's own output."""
    if key.kind == "excerpt":
        return QuoteView(
            f"Words of {key.excerpt} & more",
            "en",
            f"/en/sources/{key.target}/#{key.excerpt}",
            Markup("<cite>A source</cite>"),
            translation="Palabras" if key.target == "translated" else None,
            claim=Markup("The article claims (not confirmed)"),
            status="unconfirmed",
            original_label="Original",
            link_label="Read quote {n} in context",
        )
    return QuoteView(
        f"Quote of {key.target}",
        "en",
        "https://example.org/doc",
        Markup("From a document"),
        translation="Traducción",
        original_label="Original",
        link_label="Open the source of quote {n}",
    )


def new_context(figures: bool = True) -> CitationContext:
    return CitationContext(
        lang="en",
        quote=fake_quote,
        figures=figures,
        component=lambda name: Markup('<div class="component">{}</div>\n').format(name),
        section_url=lambda section: f"/en/page/{section}/",
    )


def render(text: str, figures: bool = True) -> str:
    return parser().render(text, {"citations": new_context(figures)})


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    read_fixture_file(FIXTURES),
    ids=[f"{case[0]}-{case[1]}" for case in read_fixture_file(FIXTURES)],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    assert render(text) == expected


@pytest.mark.parametrize(
    ("raw", "kind", "target", "excerpt"),
    [
        ("@article-000#allen", "excerpt", "article-000", "allen"),
        ("@ref:cbs-la", "ref", "cbs-la", ""),
        ("@quote:so40-rule", "quote", "so40-rule", ""),
        (" @ref:spaced ", "ref", "spaced", ""),
        ("article-000#allen", "invalid", "article-000#allen", ""),
        ("@article-000", "invalid", "@article-000", ""),
        ("@#x", "invalid", "@#x", ""),
    ],
)
def test_parse_key(raw: str, kind: str, target: str, excerpt: str) -> None:
    key = parse_key(raw)
    assert (key.kind, key.target, key.excerpt) == (kind, target, excerpt)


def test_data_file_mode_numbers_quotes_as_notes_without_figures() -> None:
    ctx = new_context(figures=False)
    html = parser().renderInline("Said so. [@src#one; @ref:r]", {"citations": ctx})
    assert html == (
        'Said so.\u2060<sup class="cite">'
        '<a class="cite-marker" href="#note-1" id="cite-1-1" aria-label="Quote 1">1</a>,'
        '<a class="ref" data-reference="r" href="#note-2" id="cite-2-1" aria-label="Note 2">2</a>'
        "</sup>"
    )
    assert [(n.number, n.key.label, n.markers, n.figure) for n in ctx.notes()] == [
        (1, "@src#one", ("cite-1-1",), False),
        (2, "@ref:r", ("cite-2-1",), False),
    ]


def test_notes_share_one_numbering_and_list_every_marker() -> None:
    ctx = new_context()
    parser().render(
        "A. [@ref:r]\n\nB. [@src#x; @ref:r]\n\nC. [@ref:s; @src#x]\n", {"citations": ctx}
    )
    assert [(n.number, n.key.label, n.markers, n.figure) for n in ctx.notes()] == [
        (1, "@ref:r", ("cite-1-1", "cite-1-2"), False),
        (2, "@src#x", ("cite-2-1", "cite-2-2"), True),
        (3, "@ref:s", ("cite-3-1",), False),
    ]
