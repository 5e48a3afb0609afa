"""Screenshots for review: the overview and an explainer, 390 and 1280 px wide, light and dark."""

from __future__ import annotations

import struct
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from app import urls
from app.build.site import Site

from .helpers import BUILD, first_explainer

pytestmark = pytest.mark.browser


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_screenshots_of_overview_and_explainer(
    new_context: Callable[..., BrowserContext], site: Site
) -> None:
    folder = BUILD / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    backgrounds: dict[tuple[str, int, str], str] = {}
    for width in (390, 1280):
        for scheme in ("light", "dark"):
            context = new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page = context.new_page()
            for lang in site.langs:
                for name, path in (
                    ("overview", urls.page(lang, "")),
                    ("explainer", first_explainer(site, lang)),
                ):
                    response = page.goto(path, wait_until="load")
                    assert response is not None and response.status == 200, path
                    file = folder / f"{lang}-{name}-{width}-{scheme}.png"
                    shot = png_size(page.screenshot(path=file, full_page=True))
                    assert shot[0] == width and shot[1] >= 900, (file, shot)
                    backgrounds[(f"{lang}-{name}", width, scheme)] = page.evaluate(
                        "getComputedStyle(document.body).backgroundColor"
                    )
            context.close()
    assert len(backgrounds) == 8 * len(site.langs)
    for (name, width, scheme), colour in backgrounds.items():
        if scheme == "dark":  # the dark scheme really is another colour scheme
            assert colour != backgrounds[(name, width, "light")], (name, width)
