"""The validator: one broken fixture per error class, each naming file, line or field, and a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.content.errors import ContentError, ContentProblem
from app.content.loader import load_content


def problems_for(content_dir: Path) -> list[ContentProblem]:
    with pytest.raises(ContentError) as info:
        load_content(content_dir)
    return info.value.problems


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def only(problems: list[ContentProblem]) -> ContentProblem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_fixture_content_is_valid(content_dir: Path) -> None:
    content = load_content(content_dir)
    assert sorted(content.pages) == [("en", ""), ("en", "topic")]
    excerpt = content.sources["sample"].excerpts["second"]
    body = content.sources["sample"].body
    assert body[excerpt.start : excerpt.end] == excerpt.exact
    assert body[: excerpt.start].endswith("Later, ")


def test_malformed_front_matter(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "title: A topic", "title: [unclosed")
    problem = only(problems_for(content_dir))
    assert problem.file == "content/pages/en/topic.md"
    assert "malformed front matter" in problem.message
    assert problem.line == line_of(page, "[unclosed")
    assert "YAML" in problem.hint


def test_missing_closing_fence(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    page.write_text(page.read_text().replace("---\nIntro", "Intro"), encoding="utf-8")
    problem = only(problems_for(content_dir))
    assert "no closing '---'" in problem.message and problem.line == 1


def test_missing_required_field(content_dir: Path) -> None:
    edit(content_dir / "pages/en/topic.md", "summary: A topic page for tests.\n", "")
    problem = only(problems_for(content_dir))
    assert problem.field == "summary"
    assert "missing" in problem.message
    assert "add 'summary:" in problem.hint


def test_unknown_field_suggests_nearest(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "summary:", "sumary:")
    problems = problems_for(content_dir)
    unknown = next(p for p in problems if p.field == "sumary")
    assert "unknown field" in unknown.message
    assert "did you mean 'summary'?" in unknown.hint
    assert unknown.line == line_of(page, "sumary:")


def test_excerpt_not_found(content_dir: Path) -> None:
    source = content_dir / "sources/sample.md"
    edit(
        source,
        'exact: "The council voted “yes” on Tuesday."',
        'exact: "The council voted "yes" on Tuesday."'.replace('"yes"', "'yes'"),
    )
    problem = only(problems_for(content_dir))
    assert problem.file == "content/sources/sample.md"
    assert problem.message == "excerpt 'first' not found: the text is not in the body."
    assert problem.field == "excerpts.0.exact"
    assert problem.line == line_of(source, "The council voted 'yes'")
    assert "character for character" in problem.hint


def test_excerpt_found_twice_without_prefix(content_dir: Path) -> None:
    source = content_dir / "sources/sample.md"
    edit(source, '    prefix: "Later, "\n', "")
    problem = only(problems_for(content_dir))
    assert "occurs 2 times" in problem.message
    assert "prefix" in problem.hint and "suffix" in problem.hint
    assert problem.line == line_of(source, "It was the second vote.")


def test_excerpt_prefix_that_does_not_match(content_dir: Path) -> None:
    edit(content_dir / "sources/sample.md", 'prefix: "Later, "', 'prefix: "Sooner, "')
    problem = only(problems_for(content_dir))
    assert problem.message == "excerpt 'second' not found: its prefix/suffix do not match."


@pytest.mark.parametrize(
    ("bad", "message", "hint"),
    [
        ("[@sampel#first]", "unknown source 'sampel'", "did you mean 'sample'?"),
        ("[@sample#frist]", "unknown excerpt 'frist' in source 'sample'", "did you mean 'first'?"),
        ("[@ref:sample-rf]", "unknown reference 'sample-rf'", "did you mean 'sample-ref'?"),
        (
            "[@quote:sample-fcat]",
            "'sample-fcat' is not a research fact with a quote",
            "did you mean 'sample-fact'?",
        ),
        ("[@sample]", "malformed citation item '@sample'", "[@ref:reference-id]"),
    ],
)
def test_unknown_citation_names_the_markdown_line(
    content_dir: Path, bad: str, message: str, hint: str
) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "More detail. [@ref:sample-ref]", f"More detail,\nacross lines. {bad}")
    problem = only(problems_for(content_dir))
    assert problem.file == "content/pages/en/topic.md"
    assert message in problem.message
    assert hint in problem.hint
    assert problem.line == line_of(page, "across lines.")


def test_heading_without_id(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "## First part {#first-part}", "## First part")
    problem = only(problems_for(content_dir))
    assert problem.message == "heading 'First part' has no explicit id."
    assert problem.line == line_of(page, "## First part")
    assert "{#first-part}" in problem.hint


def test_duplicate_id_in_a_page(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "### Detail {#detail}", "### Detail {#first-part}")
    problem = only(problems_for(content_dir))
    assert "duplicate id 'first-part'" in problem.message
    assert f"first used on line {line_of(page, '## First part')}" in problem.message
    assert problem.line == line_of(page, "### Detail")


def test_summary_over_160_characters(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "summary: A topic page for tests.", "summary: " + "x" * 161)
    problem = only(problems_for(content_dir))
    assert problem.field == "summary"
    assert problem.message == "is 161 characters; the limit is 160."
    assert problem.line == line_of(page, "summary:")


def test_invalid_date(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "updated: 2026-11-22", "updated: 2026-13-45")
    problem = only(problems_for(content_dir))
    assert problem.field == "updated"
    assert "'2026-13-45' is not a valid date" in problem.message
    assert "YYYY-MM-DD" in problem.hint
    assert problem.line == line_of(page, "updated:")


def test_every_problem_is_reported_in_one_pass(content_dir: Path) -> None:
    edit(content_dir / "pages/en/topic.md", "## First part {#first-part}", "## First part")
    edit(
        content_dir / "pages/en/index.md",
        "summary: A small site for tests.",
        "summary: " + "y" * 170,
    )
    edit(content_dir / "sources/sample.md", 'prefix: "Later, "', 'prefix: "Sooner, "')
    files = sorted(p.file for p in problems_for(content_dir))
    assert files == [
        "content/pages/en/index.md",
        "content/pages/en/topic.md",
        "content/sources/sample.md",
    ]


def test_report_lists_file_line_and_fix(content_dir: Path) -> None:
    edit(content_dir / "pages/en/topic.md", "## First part {#first-part}", "## First part")
    with pytest.raises(ContentError) as info:
        load_content(content_dir)
    report = info.value.report().splitlines()
    assert report[0] == "1 content problem(s):"
    assert report[1].startswith("  content/pages/en/topic.md:")
    assert "Fix: end the heading with an id" in report[1]


def test_unclosed_citation_is_not_left_as_text(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "More detail. [@ref:sample-ref]", "More detail. [@ref:sample-ref")
    problem = only(problems_for(content_dir))
    assert "not recognised" in problem.message
    assert problem.line == line_of(page, "More detail.")


def test_excerpt_status_basis_names_an_unknown_research_id(content_dir: Path) -> None:
    source = content_dir / "sources/sample.md"
    edit(source, "    basis: [sample-conflict]\n", "    basis: [no-such-conflict]\n")
    problem = only(problems_for(content_dir))
    assert problem.file == "content/sources/sample.md"
    assert (
        problem.message == "excerpt 'first': unknown research id 'no-such-conflict' in its basis."
    )
    assert problem.field == "excerpts.0.basis"
    assert problem.line == line_of(source, "no-such-conflict")
    assert "research/context.yaml" in problem.hint


def test_excerpt_status_must_be_one_of_three(content_dir: Path) -> None:
    source = content_dir / "sources/sample.md"
    edit(source, "    status: unconfirmed\n", "    status: maybe\n")
    # the source cannot load, so the pages citing it report that too; the source's own problem:
    problem = only([p for p in problems_for(content_dir) if p.file.startswith("content/sources")])
    assert "'supported', 'unconfirmed' or 'contradicted'" in problem.message
    assert problem.file == "content/sources/sample.md"
    assert problem.field == "excerpts.0.status"
    assert problem.line == line_of(source, "status: maybe")


def test_excerpt_without_a_status_is_an_error(content_dir: Path) -> None:
    source = content_dir / "sources/sample.md"
    edit(source, "    status: unconfirmed\n    basis: [sample-conflict]\n", "")
    problems = [p for p in problems_for(content_dir) if p.file.startswith("content/sources")]
    assert {p.field for p in problems} == {"excerpts.0.status", "excerpts.0.basis"}


def test_search_synonyms_are_loaded(content_dir: Path) -> None:
    content = load_content(content_dir)
    assert content.search_synonyms == {"en": (("topic", "subject"), ("detail", "particulars"))}


@pytest.mark.parametrize(
    ("old", "new", "field", "needle", "message", "hint"),
    [
        (
            "  - [detail, particulars]",
            "  - [detail]",
            "en[1]",
            "[detail]",
            "at least two",
            "'- [word",
        ),
        (
            "  - [detail, particulars]",
            "  - [detail, Tópic]",
            "en[1]",
            "Tópic",
            "already in group 1",
            "merge",
        ),
        (
            "  - [detail, particulars]",
            "  - [detail, '?!']",
            "en[1]",
            "'?!'",
            "not a word",
            "letters",
        ),
        ("en:", "fr:", "fr", "fr:", "not a language", "use one of: en"),
    ],
)
def test_broken_search_synonyms(
    content_dir: Path, old: str, new: str, field: str, needle: str, message: str, hint: str
) -> None:
    path = content_dir / "search-synonyms.yaml"
    edit(path, old, new)
    problem = only(problems_for(content_dir))
    assert problem.file == "content/search-synonyms.yaml"
    assert problem.field == field
    assert problem.line == line_of(path, needle)
    assert message in problem.message
    assert hint in problem.hint
