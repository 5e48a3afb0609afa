"""Split a content file into YAML front matter and body, and validate the front matter."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Problems
from .yamlfile import Path_, YamlSyntaxError, line_for, parse_with_lines

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Document:
    data: dict[str, Any]
    lines: dict[Path_, int]
    body: str
    body_line: int  # the file line on which the body starts (1-based)


def split(path: Path, text: str, problems: Problems) -> Document | None:
    """Front matter between a first line `---` and the next `---` line; None if malformed."""
    if not text.startswith("---\n"):
        problems.add(
            path,
            "malformed front matter: the file must start with a line '---'.",
            line=1,
            hint="put the YAML metadata between two '---' lines at the top of the file.",
        )
        return None
    end = text.find("\n---\n", 3)
    if end == -1:
        problems.add(
            path,
            "malformed front matter: no closing '---' line.",
            line=1,
            hint="end the metadata block with a line holding only '---'.",
        )
        return None
    front = text[4 : end + 1]
    body = text[end + 5 :]
    try:
        data, lines = parse_with_lines(front, first_line=2)
    except YamlSyntaxError as exc:
        problems.add(
            path,
            f"malformed front matter: {exc}.",
            line=exc.line,
            hint="check the YAML syntax: indentation, colons, and quotes around text with ':'.",
        )
        return None
    if not isinstance(data, dict):
        problems.add(
            path,
            "malformed front matter: it must be a set of 'name: value' fields.",
            line=2,
            hint="write one 'field: value' per line.",
        )
        return None
    body_line = text[: end + 5].count("\n") + 1
    return Document(data, lines, body, body_line)


def validate(
    model: type[M],
    data: Any,
    lines: dict[Path_, int],
    path: Path,
    problems: Problems,
    prefix: Path_ = (),
) -> M | None:
    """Validate `data` against `model`, turning each error into a problem with line and hint."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = prefix + tuple(error["loc"])
            name = ".".join(str(part) for part in loc)
            message, hint = _explain(error, model, loc)
            problems.add(path, message, line=line_for(lines, loc), hint=hint, field=name)
        return None


def _explain(error: Any, model: type[BaseModel], loc: Path_) -> tuple[str, str]:
    kind = error["type"]
    last = str(loc[-1]) if loc else ""
    if kind == "missing":
        return "required field is missing.", f"add '{last}: ...' to the metadata."
    if kind == "extra_forbidden":
        valid = _fields_at(model, error["loc"][:-1])
        close = difflib.get_close_matches(last, valid, n=1, cutoff=0.5)
        suggestion = f"did you mean '{close[0]}'? " if close else ""
        return "unknown field.", f"{suggestion}Valid fields: {', '.join(sorted(valid))}."
    if kind.startswith("date"):
        return (
            f"'{error.get('input')}' is not a valid date.",
            "write a real calendar date as YYYY-MM-DD, e.g. 2025-01-26.",
        )
    return f"{error['msg']}.", "see docs/content-format.md for this field."


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names valid at `loc` inside `model` (following nested models)."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = _model_in(info.annotation)
        if current is None:
            return []
    return list(current.model_fields)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
