"""Markdown-it plugin: label each table cell with its column's header (`data-label`).

On narrow screens the stylesheet shows each row as a card and each cell's label before it, so a
comparison table needs no sideways scrolling. The label is plain text; the renderer escapes it.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


def table_labels_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("table_labels", _label_cells)


def _label_cells(state: StateCore) -> None:
    headers: list[str] = []
    column = 0
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            headers = []
        elif token.type == "tr_open":
            column = 0
        elif token.type == "th_open":
            headers.append(_text(tokens, index))
        elif token.type == "td_open":
            if column < len(headers) and headers[column]:
                token.attrSet("data-label", headers[column])
            column += 1


def _text(tokens: list[Token], index: int) -> str:
    inline = tokens[index + 1]
    if inline.type != "inline":
        return ""
    parts = [c.content for c in inline.children or () if c.type in ("text", "code_inline")]
    return " ".join("".join(parts).split())
