"""The checks of one page's parsed body: heading ids, components, citation keys."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it.token import Token

from ..markdown.citations import COMPONENT_RE
from .errors import Problems
from .keycheck import KeyCheck
from .schema import ID_RE

COMPONENTS = {"timeline", "timeline-compact", "glossary", "whos-who", "contact", "publisher"}
RESERVED_ID = re.compile(r"^(quote-\d+|main|site-nav|history|page-sources)$")


# long: one walk over the tokens, one branch per content problem with its message and fix
def check_tokens(
    path: Path, body_line: int, tokens: list[Token], lookup: KeyCheck, problems: Problems
) -> None:
    ids: dict[str, int] = {}
    for index, token in enumerate(tokens):
        line = body_line + token.map[0] if token.map else None
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            section = token.attrGet("id")
            title = tokens[index + 1].content.strip()
            if section is None:
                problems.add(
                    path,
                    f"heading '{title}' has no explicit id.",
                    line=line,
                    hint=f"end the heading with an id, e.g. '{{#{_slugify(title)}}}'.",
                )
            elif not ID_RE.match(str(section)) or RESERVED_ID.match(str(section)):
                problems.add(
                    path,
                    f"heading id '{section}' is not allowed.",
                    line=line,
                    hint="use lowercase letters, digits and hyphens; avoid 'quote-N'.",
                )
            elif section in ids:
                problems.add(
                    path,
                    f"duplicate id '{section}' (first used on line {ids[section]}).",
                    line=line,
                    hint="give each heading its own id.",
                )
            else:
                ids[str(section)] = line or 0
        elif token.type == "heading_open" and token.tag == "h1":
            problems.add(
                path,
                "a '#' heading is not allowed in the body.",
                line=line,
                hint="the page title comes from 'title'; use '##' for sections.",
            )
        elif token.type == "component" and token.meta["name"] not in COMPONENTS:
            problems.add(
                path,
                f"unknown component '[[{token.meta['name']}]]'.",
                line=line,
                hint=f"use one of: {', '.join(sorted(COMPONENTS))}.",
            )
        elif token.type == "inline" and line is not None:
            for child in token.children or ():
                if child.type != "citation":
                    continue
                at = line + token.content[: child.meta["offset"]].count("\n")
                for key in child.meta["keys"]:
                    found = lookup.problem(key)
                    if found:
                        problems.add(path, f"citation: {found[0]}", line=at, hint=found[1])
        if token.type == "inline" and line is not None:
            for child in token.children or ():
                if child.type == "text" and "[@" in child.content:
                    problems.add(
                        path,
                        "a citation was not recognised: '[@' is left as text.",
                        line=line,
                        hint="close it with ']' and use only ';' between "
                        "items, like [@ref:a; @ref:b].",
                    )
                elif child.type == "text" and COMPONENT_RE.search(child.content):
                    problems.add(
                        path,
                        "a component must stand alone on its own line.",
                        line=line,
                        hint="put [[name]] on a line by itself.",
                    )


def _slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "section"
