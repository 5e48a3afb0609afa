"""The gates cover what the issue names: the sitemap, search, a section, a source, the 404 page."""

from __future__ import annotations

import pytest

from .helpers import Pages

pytestmark = pytest.mark.browser


def test_every_kind_of_page_under_test_is_served(pages: Pages) -> None:
    assert not pages.missing, f"these pages the gates must check do not answer 200: {pages.missing}"
    langs = {pages.lang(path) for path in pages.all}
    assert all(any(p.startswith(f"/{lang}/search") for p in pages.all) for lang in langs)
    assert set(pages.not_found) <= set(pages.all)
    assert {pages.lang(path) for path in pages.not_found} == langs
