"""Fixture tests for the markdown-it plugins: input Markdown -> expected HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from markdown_it.utils import read_fixture_file
from markupsafe import Markup

from app.markdown import parser
from app.markdown.citations import CitationContext, CiteKey, QuoteView, parse_key

FIXTURES = Path(__file__).parent / "fixtures" / "citations.md"


def fake_quote(key: CiteKey) -> QuoteView:
    """A small, predictable look-up so the fixtures show the plugin's own output."""
    if key.kind == "excerpt":
        return QuoteView(
            f"Words of {key.excerpt} & more",
            "en",
            f"/en/sources/{key.target}/#{key.excerpt}",
            Markup("<cite>A source</cite>"),
        )
    return QuoteView(
        f"Quote of {key.target}",
        "en",
        "https://example.org/doc",
        Markup("From a document"),
        translation="Traducción",
    )


def fake_reference(key: CiteKey) -> Markup:
    return Markup(
        '<a class="ref" data-reference="{0}" href="https://example.org/{0}">Pub, 2025</a>'
    ).format(key.target)


def render(text: str, figures: bool = True) -> str:
    env: dict[str, Any] = {
        "citations": CitationContext(
            lang="en",
            quote=fake_quote,
            reference=fake_reference,
            figures=figures,
            component=lambda name: Markup('<div class="component">{}</div>\n').format(name),
        )
    }
    return parser().render(text, env)


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


def test_data_file_mode_links_quotes_instead_of_figures() -> None:
    html = parser().renderInline(
        "Said so. [@src#one; @ref:r]",
        {
            "citations": CitationContext(
                lang="en", quote=fake_quote, reference=fake_reference, figures=False
            )
        },
    )
    assert html == (
        'Said so. <span class="cite-refs">(<a class="quote-link" href="/en/sources/src/#one">'
        'quoted source</a>; <a class="ref" data-reference="r" href="https://example.org/r">'
        "Pub, 2025</a>)</span>"
    )
