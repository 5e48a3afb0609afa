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


def test_fonts_ship_with_their_licence() -> None:
    fonts = ROOT / "fonts"
    assert (fonts / cards.REGULAR).is_file() and (fonts / cards.BOLD).is_file()
    licence = (fonts / "LICENSE").read_text()
    assert "Bitstream" in licence and "Permission is hereby granted" in licence
    assert Path(cards.FONTS_DIR) == fonts
