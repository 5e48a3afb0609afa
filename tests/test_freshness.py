"""Dated facts: the research file's date of checking, each page's `checked` and `review_by`,
the overdue-review warning of `make check`, and the dates on pages and in the API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from conftest import parse
from test_cli import run
from test_loader import edit, line_of, only, problems_for

from app.build.site import Site
from app.content.loader import load_content

ROOT = Path(__file__).resolve().parents[1]


def test_research_date_is_the_date_the_research_file_says() -> None:
    content = load_content(ROOT / "content")
    header = (ROOT / "content/research/context.yaml").read_text(encoding="utf-8")
    stated = re.search(r"^# Checked (\d{4}-\d{2}-\d{2})\.", header, re.M)
    assert stated is not None
    assert content.research_checked == dt.date.fromisoformat(stated.group(1))


def test_every_real_page_has_both_dates_within_the_research_date() -> None:
    content = load_content(ROOT / "content")
    assert content.research_checked is not None
    for page in content.pages.values():
        assert page.meta.checked <= content.research_checked, page.path
        assert page.meta.review_by > page.meta.checked, page.path


def test_checked_after_the_research_date_is_an_error(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "checked: 2026-11-22", "checked: 2026-11-23")
    problem = only(problems_for(content_dir))
    assert problem.file == "content/pages/en/topic.md"
    assert problem.field == "checked"
    assert problem.line == line_of(page, "checked:")
    assert "2026-11-22" in problem.message and "after the research file" in problem.message
    assert "set 'checked' to 2026-11-22 or earlier" in problem.hint


def test_review_by_not_after_checked_is_an_error(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    edit(page, "review_by: 2027-02-22", "review_by: 2026-11-22")
    problem = only(problems_for(content_dir))
    assert problem.field == "review_by"
    assert problem.line == line_of(page, "review_by:")
    assert "not after 'checked'" in problem.message
    assert "after 'checked'" in problem.hint


def test_missing_checked_field_names_it(content_dir: Path) -> None:
    edit(content_dir / "pages/en/topic.md", "checked: 2026-11-22\n", "")
    problem = only(problems_for(content_dir))
    assert problem.field == "checked"
    assert "missing" in problem.message


def test_missing_research_date_file_is_an_error(content_dir: Path) -> None:
    (content_dir / "research/checked.yaml").unlink()
    problem = only(problems_for(content_dir))
    assert problem.file == "content/research/checked.yaml"
    assert "date of checking is missing" in problem.message
    assert "date_of_checking: YYYY-MM-DD" in problem.hint


def test_research_date_that_is_not_a_date_is_an_error(content_dir: Path) -> None:
    path = content_dir / "research/checked.yaml"
    path.write_text("date_of_checking: soon\n", encoding="utf-8")
    problem = only(problems_for(content_dir))
    assert problem.field == "date_of_checking"
    assert problem.line == 1
    assert "'soon'" in problem.message


def test_overdue_review_warns_without_failing(content_dir: Path) -> None:
    edit(content_dir / "pages/en/topic.md", "review_by: 2027-02-22", "review_by: 2026-11-23")
    result = run(["check"], content_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("content OK:")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: en/topic.md: field 'review_by': 2026-11-23 has passed (facts checked "
        "2026-11-22). Fix: check the page's facts against content/research/, then update "
        "'checked' and 'review_by'."
    ]


def test_review_not_yet_due_gives_no_warning(content_dir: Path) -> None:
    edit(content_dir / "pages/en/topic.md", "review_by: 2027-02-22", "review_by: 2999-01-01")
    edit(content_dir / "pages/en/index.md", "review_by: 2027-02-22", "review_by: 2999-01-01")
    result = run(["check"], content_dir)
    assert result.returncode == 0 and "warning:" not in result.stderr


def test_pages_show_facts_checked_in_both_languages(client, site: Site) -> None:
    labels = {"en": "Facts checked on", "es": "Datos verificados el"}
    shown = {"en": "November 22, 2026", "es": "22 de noviembre de 2026"}
    for (lang, slug), result in site.rendered.items():
        path = f"/{lang}/{slug}/" if slug else f"/{lang}/"
        meta = parse(client.get(path).text).css_first("header.page-head p.page-meta")
        assert meta is not None, path
        times = {t.attributes.get("datetime"): t.text() for t in meta.css("time")}
        checked = result.page.meta.checked.isoformat()
        assert checked in times, path
        assert times[checked] == shown[lang], path
        assert labels[lang] in meta.text(), path


def test_api_page_documents_carry_both_dates(client, site: Site) -> None:
    listing = client.get("/api/v1/pages.json").json()["pages"]
    assert len(listing) == len(site.rendered)
    for summary in listing:
        page = site.rendered[(summary["lang"], summary["slug"])].page
        assert summary["checked"] == page.meta.checked.isoformat()
        assert summary["review_by"] == page.meta.review_by.isoformat()
        detail = client.get(summary["api"].removeprefix(site.settings.site_url)).json()
        assert (detail["checked"], detail["review_by"]) == (
            page.meta.checked.isoformat(),
            page.meta.review_by.isoformat(),
        )


def test_section_pages_show_facts_checked_too(client) -> None:
    for path, label in (
        ("/en/faq/in-force/", "Facts checked on"),
        ("/es/preguntas-frecuentes/in-force/", "Datos verificados el"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        meta = parse(response.text).css_first("header.page-head p.page-meta")
        assert meta is not None and label in meta.text(), path
        assert "2026-11-22" in {t.attributes.get("datetime") for t in meta.css("time")}, path
