"""Preview cards: every og:image is a 1200x630 PNG the app serves, one per page and section."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

from conftest import parse
from PIL import Image

from app import urls
from app.build.site import Site
from app.markdown.tokens import sections
from app.render import cards
from app.settings import ROOT


def open_png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_card_is_a_1200_by_630_png(client) -> None:
    response = client.get("/cards/en/sanctuary-ordinance.png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    image = open_png(response.content)
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert len(response.content) < 80_000  # small enough for any link preview


def test_every_page_and_section_has_its_own_card(client, site: Site) -> None:
    seen: set[bytes] = set()
    for (lang, slug), page in site.content.pages.items():
        paths = [urls.page(lang, slug)] + [
            urls.section(lang, slug, s.id) for s in sections(page.tokens)
        ]
        for path in paths:
            doc = parse(client.get(path).text)
            image_url = doc.css_first('meta[property="og:image"]').attributes["content"]
            response = client.get(urlsplit(image_url).path)
            assert response.status_code == 200, image_url
            assert open_png(response.content).size == (cards.WIDTH, cards.HEIGHT)
            seen.add(response.content)
    # no two pages or sections share a card
    count = sum(1 + len(sections(p.tokens)) for p in site.content.pages.values())
    assert len(seen) == count


def test_card_text_changes_the_picture() -> None:
    one = cards.render(cards.Card("Special Order 40", "Site", "English"))
    two = cards.render(cards.Card("Special Order 40", "Site", "English", kicker="A page"))
    three = cards.render(cards.Card("Special Order 41", "Site", "English"))
    assert len({one, two, three}) == 3
    # text is drawn: the card is not a flat background
    colours = open_png(one).convert("RGB").getcolors(maxcolors=100_000)
    assert colours is not None and len(colours) > 10


def test_long_titles_fit_the_card() -> None:
    title = "A very long title " * 20
    image = open_png(cards.render(cards.Card(title.strip(), "Site", "Español", kicker="Page")))
    assert image.size == (1200, 630)


def test_a_title_too_long_for_the_card_is_cut_short_with_an_ellipsis() -> None:
    title = " ".join(f"word{n}" for n in range(80))
    font, lines = cards.fit_title(title, 900, 3, (72, 46))
    assert font.size == 46 and len(lines) == 3
    assert lines[-1].endswith("…") and not lines[-1].endswith(" …")
    assert all(font.getlength(line) <= 900 for line in lines)
    assert " ".join(lines).rstrip("…") in title


def test_a_title_that_fits_keeps_every_word_at_the_largest_size() -> None:
    font, lines = cards.fit_title("Special Order 40", 900, 3, (72, 46))
    assert (font.size, lines) == (72, ["Special Order 40"])


def test_one_line_text_is_cut_to_the_width() -> None:
    font = cards.fit_title("x", 900, 1, (30,))[0]
    assert cards.one_line("short", font, 900) == "short"
    cut = cards.one_line("a long footer " * 30, font, 300)
    assert cut.endswith("…") and font.getlength(cut) <= 300


def test_fonts_ship_with_their_licence() -> None:
    fonts = ROOT / "fonts"
    assert (fonts / cards.REGULAR).is_file() and (fonts / cards.BOLD).is_file()
    licence = (fonts / "LICENSE").read_text()
    assert "Bitstream" in licence and "Permission is hereby granted" in licence
    assert Path(cards.FONTS_DIR) == fonts
