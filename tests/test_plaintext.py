"""The words the search index gets, read from a page's tokens (app/render/plaintext.py)."""

from __future__ import annotations

from pathlib import Path

from app.content.loader import load_content
from app.i18n import load_translations
from app.render.pages import Renderer
from app.render.plaintext import component_text, inline_text, section_texts
from app.settings import ROOT


def test_sections_keep_words_and_quotes_but_not_markers_or_headings(content_dir: Path) -> None:
    content = load_content(content_dir)
    page = content.pages[("en", "topic")]
    renderer = Renderer(content, "en", lambda s: s)
    excerpt = content.sources["sample"].excerpts["second"]
    quote = content.facts["sample-fact"].quote
    assert section_texts(page, renderer) == {
        "": f"{quote} Intro paragraph with a quote.",  # a block's figures come first
        "first-part": f"{excerpt.exact} It happened twice.",  # labels are not content
        "detail": "More detail.",
    }


def test_a_quote_shown_twice_is_indexed_once(content_dir: Path) -> None:
    page = content_dir / "pages" / "en" / "topic.md"
    page.write_text(page.read_text() + "\nAgain. [@sample#second]\n")
    content = load_content(content_dir)
    texts = section_texts(content.pages[("en", "topic")], Renderer(content, "en", lambda s: s))
    exact = content.sources["sample"].excerpts["second"].exact
    assert texts["detail"] == "More detail. Again."  # no second figure, so no second copy
    assert texts["first-part"].count(exact) == 1


def test_translated_quotes_come_with_their_label() -> None:
    content = load_content(ROOT / "content")
    gettext = load_translations(ROOT / "locales", "es").gettext
    renderer = Renderer(content, "es", gettext)
    label = gettext("Unofficial translation by this site:")
    page = next(p for p in content.pages_in("es") if "[@article-" in p.body)
    text = " ".join(section_texts(page, renderer).values())
    assert label in text and label != "Unofficial translation by this site:"


def test_inline_text_drops_citations_and_markup() -> None:
    assert (
        inline_text("The *city* said so. [@ref:x] Then `code`.") == "The city said so.  Then code."
    )


def test_components_show_their_data(content_dir: Path) -> None:
    content = load_content(content_dir)
    renderer = Renderer(content, "en", lambda s: s, contact_email="fix@example.test")
    assert component_text("contact", renderer).endswith("fix@example.test")
    assert component_text("no-such-component", renderer) == ""
    for entry in content.glossary:
        assert entry.en.term in component_text("glossary", renderer)
