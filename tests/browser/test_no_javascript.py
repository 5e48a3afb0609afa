"""Pages are complete without JavaScript: the same text, excerpts and links as with it."""

from __future__ import annotations

import difflib

import pytest

from .helpers import report
from .survey import Survey

pytestmark = pytest.mark.browser


def test_without_javascript_every_page_shows_the_same_text_excerpts_and_links(
    main_survey: Survey, plain_survey: Survey
) -> None:
    problems = main_survey.errors + plain_survey.errors
    dropped = 0
    for path, plain in plain_survey.each("snapshot"):
        if path not in main_survey.records:
            continue
        record = main_survey.records[path]
        enhanced = record["snapshot"]
        dropped += record["script_buttons"]
        # Proof that scripts really were off: the no-JS page lacks exactly the script's buttons.
        if plain_survey.records[path]["buttons"] != record["buttons"] - record["script_buttons"]:
            problems.append(f"{path}: without JavaScript the buttons are not the page's own")
        if not plain["text"]:
            problems.append(f"{path}: no text in main without JavaScript")
        if plain["text"] != enhanced["text"]:
            diff = list(difflib.unified_diff(plain["text"], enhanced["text"], "no-js", "js", n=0))
            problems.append(f"{path}: main text differs: {' | '.join(diff[2:8])}")
        if plain["quotes"] != enhanced["quotes"]:
            only = sorted(set(plain["quotes"]) ^ set(enhanced["quotes"]))
            problems.append(f"{path}: blockquotes differ: {only[:3]}")
        if plain["links"] != enhanced["links"]:
            only = sorted(set(plain["links"]) ^ set(enhanced["links"]))
            problems.append(f"{path}: links differ: {only[:5]}")
    assert dropped > 0, "scripts added no buttons anywhere: is site.js loading?"
    assert not problems, report(problems, "differences without JavaScript")
