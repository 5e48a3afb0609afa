"""Link the first use of each glossary term on a page to its glossary entry."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


@dataclass
class GlossaryLinks:
    """Per-document state in `env['glossary']`: terms to link, and those already linked."""

    href: str  # the glossary page's URL, e.g. /en/glossary/
    terms: Sequence[tuple[str, re.Pattern[str]]]  # (entry id, pattern of its match words)
    linked: set[str] = field(default_factory=set)
    # Any term at all: most text has none, and one search says so (instead of one per term).
    any_term: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.any_term = re.compile("|".join(f"(?:{p.pattern})" for _, p in self.terms) or "(?!)")


def compile_terms(
    entries: Sequence[tuple[str, Sequence[str]]],
) -> list[tuple[str, re.Pattern[str]]]:
    """One pattern per entry; whole words only, longest alternative first."""
    out = []
    for entry_id, words in entries:
        if words:
            alternatives = "|".join(
                r"\s+".join(re.escape(part) for part in w.split())  # a term may wrap lines
                for w in sorted(words, key=len, reverse=True)
            )
            out.append((entry_id, re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")))
    return out


def glossary_links_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "glossary_links", _link_terms)


def _link_terms(state: StateCore) -> None:
    links = state.env.get("glossary")
    if not isinstance(links, GlossaryLinks):
        return
    in_heading = False
    for token in state.tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "inline" and not in_heading and token.children:
            token.children = _link_children(token.children, links)


def _link_children(children: list[Token], links: GlossaryLinks) -> list[Token]:
    out: list[Token] = []
    link_depth = 0
    for child in _join_soft_breaks(children):
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        if child.type != "text" or link_depth:
            out.append(child)
            continue
        out.extend(_split_text(child, links))
    return out


def _join_soft_breaks(children: list[Token]) -> list[Token]:
    """Merge text split by soft line breaks into one text token (a soft break renders as a
    newline either way), so a term that wraps onto the next source line still matches."""
    out: list[Token] = []
    for child in children:
        previous = out[-1] if out else None
        if child.type == "softbreak" and previous is not None and previous.type == "text":
            previous.content += "\n"
        elif child.type == "text" and previous is not None and previous.type == "text":
            previous.content += child.content
        else:
            out.append(child)
    return out


def _split_text(token: Token, links: GlossaryLinks) -> list[Token]:
    text = token.content
    if links.any_term.search(text) is None:
        return [token]
    for entry_id, pattern in links.terms:
        if entry_id in links.linked:
            continue
        match = pattern.search(text)
        if match is None:
            continue
        links.linked.add(entry_id)
        before, word, after = text[: match.start()], match.group(0), text[match.end() :]
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": f"{links.href}#{entry_id}", "class": "term"}
        closing = Token("link_close", "a", -1)
        return [
            *_split_text(_text(before), links),
            opening,
            _text(word),
            closing,
            *_split_text(_text(after), links),
        ]
    return [token]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token
