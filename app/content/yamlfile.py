"""YAML parsing that remembers the line of every key, so errors can point at it."""

from __future__ import annotations

from typing import Any

import yaml

Path_ = tuple[str | int, ...]


# libyaml's parser when PyYAML has it (about ten times faster), with PyYAML's safe constructor.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader that leaves dates as text, so the schema (not PyYAML) reports a bad date."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def parse_with_lines(text: str, first_line: int = 1) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text; return the data and a map from key paths to 1-based file lines.

    `first_line` is the file line on which `text` starts (front matter starts after `---`).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()  # one parse: the nodes carry their lines
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # An unclosed bracket or quote is noticed lines later; its opening is where to look.
        start = getattr(exc, "context_mark", None) or mark
        line = start.line + first_line if start is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is not None and "cannot start any token" in problem:  # libyaml omits which
            row = text.splitlines()[mark.line] if mark.line < len(text.splitlines()) else ""
            found = row[mark.column : mark.column + 1]
            problem = problem.replace("character", f"character {found!r}", 1)
            if found == "\t":
                problem += " (a tab: indent with spaces)"
        raise YamlSyntaxError(str(problem), line) from exc
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines, first_line)
    return data, lines


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], offset: int) -> None:
    lines[path] = node.start_mark.line + offset
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*path, str(key_node.value))
            _walk(value_node, key, lines, offset)
            lines[key] = key_node.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, offset)


def line_for(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of `path`, or of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
