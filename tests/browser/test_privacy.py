"""Privacy in a real browser: loading and using pages sends nothing off-site and sets no cookie."""

from __future__ import annotations

import pytest

from .helpers import report
from .survey import Survey

pytestmark = pytest.mark.browser


def test_no_request_leaves_the_origin_and_no_cookie_is_set(
    main_survey: Survey, narrow_survey: Survey, zoom_survey: Survey, plain_survey: Survey
) -> None:
    problems: list[str] = []
    for name, survey in [
        ("desktop", main_survey),
        ("320px", narrow_survey),
        ("zoom", zoom_survey),
        ("no-js", plain_survey),
    ]:
        assert survey.traffic is not None
        problems += survey.errors
        problems += [f"[{name}] {p}" for p in survey.traffic.off_site + survey.traffic.set_cookie]
        problems += [f"[{name}] cookie {c['name']} for {c['domain']}" for c in survey.cookies]
    problems += [
        f"{path}: document.cookie is {value!r}"
        for path, value in main_survey.each("document_cookie")
        if value
    ]
    clicked = sum(count for _, count in main_survey.each("clicked"))
    assert clicked > 0, "no page had a script button to press: the pages were not used"
    assert not problems, report(problems, "privacy problems")


def test_no_console_errors_while_loading_and_using_pages(
    main_survey: Survey, narrow_survey: Survey, zoom_survey: Survey
) -> None:
    problems: list[str] = []
    for name, survey in [("desktop", main_survey), ("320px", narrow_survey), ("zoom", zoom_survey)]:
        assert survey.traffic is not None
        problems += survey.errors + [f"[{name}] {p}" for p in survey.traffic.console]
    assert not problems, report(problems, "console errors")
