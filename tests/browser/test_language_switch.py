"""Switching language keeps the reader's place: the same section on the twin page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_switch_carries_the_section_to_the_twin_page(new_context, server) -> None:
    page = new_context().new_page()
    page.goto(server.url("/en/sanctuary-ordinance/#lawsuit"))
    page.click("a.lang-switch")
    page.wait_for_url("**/es/ordenanza-santuario/**")
    assert page.evaluate("window.location.pathname + window.location.hash") == (
        "/es/ordenanza-santuario/#lawsuit"
    )
    assert page.locator("#lawsuit").count() == 1
