"""Handouts: key points with numbered notes, the date and version, and a QR code that a real
decoder (zxing-cpp) reads back as the page's canonical URL."""

from __future__ import annotations

import re

import pytest
import zxingcpp
from conftest import parse
from PIL import Image, ImageDraw

from app import urls
from app.build.site import Site

SITE = "https://example.test"
SCALE = 8  # pixels per module when the QR code is drawn for decoding


def rasterize(svg) -> tuple[Image.Image, int, tuple[int, int, int, int]]:
    """Draw the served inline SVG (segno's path of horizontal runs) as a picture.

    Returns the image, the symbol's size in modules (viewBox) and the bounding box of the dark
    modules, so the quiet zone can be checked.
    """
    box = svg.attributes.get("viewbox") or svg.attributes.get("viewBox")
    _x, _y, width, height = (int(float(v)) for v in box.split())
    assert width == height
    image = Image.new("L", (width * SCALE, height * SCALE), 255)
    draw = ImageDraw.Draw(image)
    dark = [p for p in svg.css("path") if p.attributes.get("stroke")]
    assert len(dark) == 1
    x = y = 0.0
    xs, ys = [], []
    for command, a, b in re.findall(
        r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", dark[0].attributes["d"]
    ):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            end = float(a) if command == "H" else x + float(a)
            row = int(y - 0.5)  # a stroke of width 1 centred on the row's middle
            draw.rectangle(
                (int(x) * SCALE, row * SCALE, int(end) * SCALE - 1, (row + 1) * SCALE - 1), fill=0
            )
            xs += [int(x), int(end)]
            ys.append(row)
            x = end
    return image, width, (min(xs), min(ys), max(xs), max(ys) + 1)


def handout_doc(client, path: str):
    response = client.get(path)
    assert response.status_code == 200
    return parse(response.text)


@pytest.mark.parametrize("slug", ["sanctuary-ordinance", "faq", ""])
def test_qr_code_decodes_to_the_canonical_url(client, slug: str) -> None:
    doc = handout_doc(client, f"{urls.page('en', slug)}handout/")
    svg = doc.css_first("figure.qr svg")
    assert svg is not None
    for node in [svg, *svg.css("*")]:
        assert "style" not in node.attributes  # the CSP forbids style attributes
    image, size, (left, top, right, bottom) = rasterize(svg)
    # a quiet zone of at least four modules on every side
    assert min(left, top, size - right, size - bottom) >= 4
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    code = results[0]
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    assert code.text == SITE + urls.page("en", slug)
    assert code.ec_level in ("M", "Q", "H")
    # the page the code leads to is the one this handout summarises
    page_doc = parse(client.get(urls.page("en", slug)).text)
    assert page_doc.css_first('link[rel="canonical"]').attributes["href"] == code.text


def test_qr_code_prints_large_enough(client) -> None:
    """The print stylesheet gives the code a physical size: at least 0.5 mm a module."""
    doc = handout_doc(client, "/en/sanctuary-ordinance/handout/")
    print_css = next(
        link.attributes["href"]
        for link in doc.css('link[rel="stylesheet"]')
        if link.attributes.get("media") == "print"
    )
    css = client.get(print_css).text
    match = re.search(r"\.handout \.qr svg \{ width: (\d+)mm; height: (\d+)mm; \}", css)
    assert match, "the print stylesheet sizes the QR code in millimetres"
    svg = doc.css_first("figure.qr svg")
    modules = int((svg.attributes.get("viewbox") or svg.attributes["viewBox"]).split()[2])
    assert int(match.group(1)) / modules >= 0.5


def test_handout_has_key_points_notes_date_and_version(client, site: Site) -> None:
    page = site.content.pages[("en", "sanctuary-ordinance")]
    doc = handout_doc(client, "/en/sanctuary-ordinance/handout/")
    assert doc.css_first("h1").text(strip=True) == page.meta.title
    meta = doc.css_first(".handout-head .page-meta")
    assert meta.css_first("time").attributes["datetime"] == page.meta.updated.isoformat()
    assert meta.css_first("code").text() == site.rendered[("en", page.slug)].version
    points = doc.css(".key-points h3")
    assert len(points) >= 3
    notes = doc.css(".notes li")
    assert [n.attributes["id"] for n in notes] == [f"note-{i}" for i in range(1, len(notes) + 1)]
    markers = doc.css("sup.note-ref a")
    assert markers
    targets = {a.attributes["href"] for a in markers}
    assert targets == {f"#note-{i}" for i in range(1, len(notes) + 1)}
    # notes are the cited works: each names a reference or source address
    for note in notes:
        assert note.css_first("a").attributes["href"].startswith(("http://", "https://"))
    # no raw citation syntax leaks into the handout
    assert "[@" not in doc.css_first("article.handout").text()


def test_handout_canonical_and_link_from_the_page(client) -> None:
    doc = handout_doc(client, "/en/faq/handout/")
    assert doc.css_first('link[rel="canonical"]').attributes["href"] == SITE + "/en/faq/handout/"
    page = parse(client.get("/en/faq/").text)
    assert page.css_first(".handout-link a").attributes["href"] == "/en/faq/handout/"


def test_small_site_handout(small_site) -> None:
    client = small_site()
    doc = parse(client.get("/en/topic/handout/").text)
    assert [h.attributes["id"] for h in doc.css(".key-points h3")] == ["point-first-part"]
    assert doc.css_first("p.lead sup.note-ref") is not None  # the intro paragraph's citations
    assert len(doc.css(".notes li")) == 2  # the sample source and the sample reference
