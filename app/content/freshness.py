"""When facts were checked: the research file's date of checking, and each page's `checked`
and `review_by` dates measured against it.

The research file's date of checking lives in one place, `content/research/checked.yaml`
(`date_of_checking`), copied from the "Date of checking:" line of the research README. A page
may not claim a check later than the research file itself was checked; a page whose
`review_by` date has passed is a warning, not an error, so an overdue review never stops the site.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import Problems
from .schema import PageMeta
from .yamlfile import YamlSyntaxError, line_for, parse_with_lines

CHECKED_FILE = "checked.yaml"  # under content/research/


def load_research_date(folder: Path, problems: Problems) -> dt.date | None:
    """The research file's date of checking, from `research/checked.yaml`."""
    path = folder / CHECKED_FILE
    hint = (
        "create it with one line, 'date_of_checking: YYYY-MM-DD', the date on the "
        "'Date of checking:' line of the research README."
    )
    try:
        data, lines = parse_with_lines(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add(path, "the research file's date of checking is missing.", hint=hint)
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(path, f"cannot read the file ({exc}).", hint="restore the file as UTF-8.")
        return None
    except YamlSyntaxError as exc:
        problems.add(path, f"malformed YAML: {exc}.", line=exc.line, hint=hint)
        return None
    value = data.get("date_of_checking") if isinstance(data, dict) else None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # reported below as "must be a date"
            value = dt.date.fromisoformat(value)
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        problems.add(
            path,
            f"'date_of_checking' must be a date (YYYY-MM-DD), not {value!r}.",
            line=line_for(lines, ("date_of_checking",)) or 1,
            field="date_of_checking",
            hint=hint,
        )
        return None
    return value


def check_page(
    path: Path,
    lines: dict[Any, int],
    meta: PageMeta,
    research_date: dt.date | None,
    problems: Problems,
) -> None:
    """A page's `checked` is no later than the research file's; `review_by` comes after it."""
    if research_date is not None and meta.checked > research_date:
        problems.add(
            path,
            f"is {meta.checked.isoformat()}, after the research file's date of checking "
            f"({research_date.isoformat()}): a page cannot be checked against facts newer "
            "than the research file.",
            line=line_for(lines, ("checked",)),
            field="checked",
            hint=f"set 'checked' to {research_date.isoformat()} or earlier, or update "
            f"content/research/ (and research/{CHECKED_FILE}) first.",
        )
    if meta.review_by <= meta.checked:
        problems.add(
            path,
            f"is {meta.review_by.isoformat()}, not after 'checked' ({meta.checked.isoformat()}).",
            line=line_for(lines, ("review_by",)),
            field="review_by",
            hint="set 'review_by' to the date by which the page's facts should be checked "
            "again, after 'checked' (for example three months later).",
        )


def overdue(pages: Iterable[Any], today: dt.date) -> list[str]:
    """One warning per page whose `review_by` date has passed (pages are content Pages)."""
    out = []
    for page in sorted(pages, key=lambda p: (p.lang, p.slug)):
        meta: PageMeta = page.meta
        if meta.review_by < today:
            out.append(
                f"{page.lang}/{page.path.name}: field 'review_by': {meta.review_by.isoformat()} "
                f"has passed (facts checked {meta.checked.isoformat()}). Fix: check the page's "
                "facts against content/research/, then update 'checked' and 'review_by'."
            )
    return out
