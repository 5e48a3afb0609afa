"""Link the first use of each glossary term on a page to its glossary entry."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


@dataclass
class GlossaryLinks:
    """Per-document state in `env['glossary']`: terms to link, and those already linked."""

    href: str  # the glossary page's URL, e.g. /en/glossary/
    terms: Sequence[Term]  # entry id, pattern of its match words
    linked: set[str] = field(default_factory=set)
    anywhere: re.Pattern[str] | None = field(init=False, default=None)  # any term, unlinked or not

    def __post_init__(self) -> None:
        self.anywhere = _anywhere(tuple(self.terms))


class Term(NamedTuple):
    id: str
    pattern: re.Pattern[str]
    # The first word of each alternative: a text holding none of them cannot match, and `in`
    # says so far faster than the pattern (most text holds no term at all).
    firsts: tuple[str, ...] = ()
    alternatives: str = ""  # the pattern's alternation, without the word boundaries


WORD_START, WORD_END = r"(?<![\w-])", r"(?![\w-])"


def compile_terms(entries: Sequence[tuple[str, Sequence[str]]]) -> list[Term]:
    """One pattern per entry; whole words only, longest alternative first."""
    out = []
    for entry_id, words in entries:
        if words:
            alternatives = "|".join(
                r"\s+".join(re.escape(part) for part in w.split())  # a term may wrap lines
                for w in sorted(words, key=len, reverse=True)
            )
            pattern = re.compile(rf"{WORD_START}(?:{alternatives}){WORD_END}")
            firsts = tuple({(w.split() or [""])[0] for w in words})
            out.append(Term(entry_id, pattern, firsts, alternatives))
    return out


@functools.lru_cache(maxsize=16)
def _anywhere(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    """One pattern that matches where any of the terms' patterns would: a text it does not
    match (most text) is passed over with one search instead of a scan per term."""
    if not terms or not all(t.alternatives for t in terms):
        return None
    return re.compile(rf"{WORD_START}(?:{'|'.join(t.alternatives for t in terms)}){WORD_END}")


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
    if links.anywhere is not None and links.anywhere.search(text) is None:
        return [token]  # no term here (linked or not)
    for entry_id, pattern, firsts, _ in links.terms:
        if entry_id in links.linked or not any(first in text for first in firsts):
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
