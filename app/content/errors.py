"""Content problems: collected during loading and reported all at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentProblem:
    """One problem in one content file, with where it is and how to fix it."""

    file: str
    line: int | None
    message: str
    hint: str = ""
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        what = f"field '{self.field}': {self.message}" if self.field else self.message
        return f"{where}: {what}" + (f" Fix: {self.hint}" if self.hint else "")


@dataclass
class Problems:
    """A collector shared by every loader step, so one pass reports everything."""

    root: Path
    items: list[ContentProblem] = field(default_factory=list)

    def add(
        self,
        path: Path,
        message: str,
        *,
        line: int | None = None,
        hint: str = "",
        field: str | None = None,
    ) -> None:
        try:
            shown = str(path.relative_to(self.root.parent))
        except ValueError:
            shown = str(path)
        self.items.append(ContentProblem(shown, line, message, hint, field))

    def __bool__(self) -> bool:
        return bool(self.items)


class ContentError(Exception):
    """Raised when content is invalid; carries every problem found."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.message))
        super().__init__(self.report())

    def report(self) -> str:
        lines = [f"{len(self.problems)} content problem(s):"]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)
