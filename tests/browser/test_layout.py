"""Layout in a real browser: reflow at 320 CSS px, no overlap at 200 % zoom, and print."""

from __future__ import annotations

import pytest

from .helpers import report
from .survey import Survey

pytestmark = pytest.mark.browser


def test_no_page_scrolls_sideways_at_320_css_px(narrow_survey: Survey) -> None:
    problems = list(narrow_survey.errors)
    for path, found in narrow_survey.each("sideways"):
        if found:
            problems.append(f"{path}: {'; '.join(found)}")
    assert len(narrow_survey.each("sideways")) == len(narrow_survey.records) > 0
    assert not problems, report(problems, "pages that scroll sideways at 320 px")


def test_nothing_overlaps_at_200_percent_zoom(zoom_survey: Survey) -> None:
    problems = list(zoom_survey.errors)
    checked = 0
    for path, found in zoom_survey.each("overlaps"):
        checked += found["checked"]
        problems += [f"{path}: {problem}" for problem in found["problems"]]
    assert checked >= len(zoom_survey.records), "too few text blocks were checked"
    assert not problems, report(problems, "overlaps at 200 % zoom")


def test_print_hides_navigation_and_shows_link_addresses(zoom_survey: Survey) -> None:
    problems = list(zoom_survey.errors)
    navs = links = 0
    for path, found in zoom_survey.each("print"):
        navs += found["navs"]
        links += found["links"]
        problems += [f"{path}: {problem}" for problem in found["problems"]]
    assert navs >= len(zoom_survey.records), "pages without navigation: nothing was checked"
    assert links > 0, "no page has an off-site link in main: the address check saw nothing"
    assert not problems, report(problems, "print problems")
