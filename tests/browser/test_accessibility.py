"""Accessibility in a real browser: axe-core (WCAG 2.0/2.1/2.2 A and AA), keyboard, target size."""

from __future__ import annotations

import pytest

from .helpers import report
from .survey import Survey

pytestmark = pytest.mark.browser


def test_axe_finds_no_wcag_a_or_aa_violations_in_light_and_dark(main_survey: Survey) -> None:
    problems = list(main_survey.errors)
    for path, by_scheme in main_survey.each("axe"):
        for scheme, violations in by_scheme.items():
            for violation in violations:
                nodes = [" ".join(node["target"]) for node in violation["nodes"]]
                problems.append(
                    f"{path} [{scheme}] {violation['id']} ({violation['impact']}): "
                    f"{violation['help']} at {', '.join(nodes[:5])}"
                )
    assert len(main_survey.each("axe")) == len(main_survey.records) > 0
    assert not problems, report(problems, "axe-core violations")


def test_first_tab_reaches_a_visible_skip_link_that_moves_focus_to_main(
    main_survey: Survey,
) -> None:
    problems = list(main_survey.errors)
    for path, first in main_survey.each("first_tab"):
        if first["tag"] != "A" or not first["mainId"] or first["href"] != f"#{first['mainId']}":
            problems.append(f"{path}: the first Tab reaches {first['what']}, not a link to main")
        elif not (first["inView"] and first["onTop"] and first["shown"] and first["text"]):
            problems.append(f"{path}: the skip link is not visible when focused: {first}")
        elif not main_survey.records[path]["skip_to_main"]:
            problems.append(f"{path}: following the skip link does not move focus to main")
    assert not problems, report(problems, "skip-link problems")


def test_every_interactive_element_shows_a_visible_focus_style(main_survey: Survey) -> None:
    problems = list(main_survey.errors)
    checked = 0
    for path, found in main_survey.each("focus"):
        checked += found["checked"]
        problems += [f"{path}: {problem}" for problem in found["problems"]]
    assert checked >= len(main_survey.records), "too few elements were checked"
    assert not problems, report(problems, "elements without a visible focus style")


@pytest.mark.parametrize("width", [1280, 320])
def test_targets_are_at_least_24_css_px_unless_inline_in_text(
    main_survey: Survey, narrow_survey: Survey, width: int
) -> None:
    survey = main_survey if width == 1280 else narrow_survey
    problems = list(survey.errors)
    checked = 0
    for path, found in survey.each("targets"):
        checked += found["checked"]
        problems += [f"{path} @{width}px: {problem}" for problem in found["problems"]]
    assert checked >= len(survey.records), "too few targets were checked"
    assert not problems, report(problems, "targets smaller than 24x24 CSS px")
