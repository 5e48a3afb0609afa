"""Preview cards: one 1200x630 PNG per page and section, drawn with Pillow at startup.

Cards are drawn in greyscale ("L") and stored as an 8-bit palette PNG whose palette maps each grey
level onto a colour ramp. That keeps the text antialiased, skips colour quantisation (the slow
part of making small PNGs), and gives files of a few tens of kilobytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..settings import ROOT

if TYPE_CHECKING:  # Pillow is imported when a card is first drawn, not at every start
    from PIL import ImageFont

WIDTH, HEIGHT = 1200, 630
MEDIA_TYPE = "image/png"
CACHE_CONTROL = "public, max-age=3600"  # the URL is stable while the title may change
FONTS_DIR = ROOT / "fonts"
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"

# Grey levels 0..TEXT map to a ramp from the background to white; ACCENT is the accent colour.
BACKGROUND = (20, 33, 61)
FOREGROUND = (255, 255, 255)
ACCENT_COLOUR = (252, 163, 17)
TEXT = 200
MUTED = 150  # grey level of secondary text: a light blue-grey on the ramp
ACCENT = 255
MARGIN = 72


@dataclass(frozen=True)
class Card:
    """What one card shows."""

    title: str  # the page title, or the section title on a section card
    site_name: str
    language: str  # the language's own name, e.g. "Español"
    kicker: str = ""  # on a section card, the page the section belongs to
    footer: str = ""  # the site's address, e.g. "example.org"


def path(lang: str, slug: str, section: str | None = None) -> str:
    """The card's URL: /cards/en/faq.png, /cards/en/faq/rights.png (the overview is 'index')."""
    name = slug or "index"
    return f"/cards/{lang}/{name}/{section}.png" if section else f"/cards/{lang}/{name}.png"


@cache
def _palette() -> list[int]:
    palette: list[int] = []
    for level in range(256):
        if level == ACCENT:
            palette.extend(ACCENT_COLOUR)
            continue
        t = min(level, TEXT) / TEXT
        palette.extend(round(b + (f - b) * t) for b, f in zip(BACKGROUND, FOREGROUND, strict=True))
    return palette


@cache
def _font(name: str, size: int, fonts_dir: Path = FONTS_DIR) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(fonts_dir / name), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to `width` pixels; a word wider than the line is left to overflow."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if line and font.getlength(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def fit_title(
    text: str, width: int, max_lines: int, sizes: tuple[int, ...]
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which `text` fits in `max_lines`; at the smallest, cut it short."""
    for size in sizes:
        font = _font(BOLD, size)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines:
            return font, lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and font.getlength(last + "…") > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = last.rstrip(" ,;:—-") + "…"
    return font, lines


def one_line(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def render(card: Card) -> bytes:
    """The card as PNG bytes."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (WIDTH, HEIGHT), 0)
    draw = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    small = _font(BOLD, 30)
    language = _font(REGULAR, 28)
    lang_width = int(language.getlength(card.language))
    draw.text(
        (MARGIN, 64),
        one_line(card.site_name, small, inner - lang_width - 40),
        font=small,
        fill=TEXT,
    )
    draw.text((WIDTH - MARGIN - lang_width, 66), card.language, font=language, fill=MUTED)
    draw.rectangle((MARGIN, 122, MARGIN + 96, 129), fill=ACCENT)

    y = 176
    if card.kicker:
        kicker = _font(REGULAR, 34)
        draw.text((MARGIN, y), one_line(card.kicker, kicker, inner), font=kicker, fill=MUTED)
        y += 64
    max_lines = 3 if card.kicker else 4
    font, lines = fit_title(card.title, inner, max_lines, (72, 64, 58, 52, 46))
    line_height = round(font.size * 1.2)
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=TEXT)
        y += line_height

    if card.footer:
        footer = _font(REGULAR, 26)
        draw.text(
            (MARGIN, HEIGHT - 84), one_line(card.footer, footer, inner), font=footer, fill=MUTED
        )
    draw.rectangle((0, HEIGHT - 18, WIDTH, HEIGHT), fill=ACCENT)

    palette = Image.frombytes("P", image.size, image.tobytes())
    palette.putpalette(_palette())
    out = io.BytesIO()
    palette.save(out, "PNG", compress_level=3)  # level 9 is ~15x slower for 25% less
    return out.getvalue()
