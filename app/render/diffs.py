"""Word-level differences between two versions of a page's article, from their archived HTML.

An old version exists only as the HTML it was published with (app/build/archive.py), so its words
are read back from that HTML here; the current pages never are.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser

from markupsafe import Markup, escape


class _Text(HTMLParser):
    """The readable text of a stored article, one string per block (heading, paragraph, item),
    leaving out what only assistive technology or the page's chrome shows (labels, anchors)."""

    BLOCKS = frozenset(
        {"p", "li", "h1", "h2", "h3", "h4", "blockquote", "figcaption", "dt", "dd", "td"}
    )
    VOID = frozenset({"br", "img", "hr", "input", "meta", "link", "wbr", "source", "col", "area"})
    HIDDEN = frozenset({"visually-hidden", "anchor", "share"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.stack: list[bool] = []  # per open element: is its text left out?

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.flush()
        if tag in self.VOID:
            if tag == "br":
                self.current.append(" ")
            return
        classes = set((dict(attrs).get("class") or "").split())
        self.stack.append(tag in ("script", "style") or bool(classes & self.HIDDEN))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.flush()
        if self.stack and tag not in self.VOID:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.current.append(data)

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []


def text_blocks(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    parser.close()
    parser.flush()
    return parser.blocks


BREAK = "\n"


def _tokens(blocks: Sequence[str]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        out += re.findall(r"\S+|\s+", block)
        out.append(BREAK)
    return out


def word_diff(old: Sequence[str], new: Sequence[str], labels: Mapping[str, str]) -> Markup:
    """Paragraphs with removed words in <del> and added ones in <ins>, each with a label that a
    screen reader reads out (most announce no change for <ins>/<del> themselves)."""
    a, b = _tokens(old), _tokens(new)
    paragraphs: list[str] = []
    line: list[str] = []

    def emit(words: Sequence[str], tag: str | None) -> None:
        nonlocal line
        parts = "".join(words).split(BREAK)
        for index, part in enumerate(parts):
            if index:
                paragraphs.append("".join(line))
                line = []
            if not part.strip() and tag:
                continue
            text = str(escape(part))
            if tag:
                start = f'<span class="visually-hidden">[{labels[tag]}: </span>'
                end = '<span class="visually-hidden">]</span>'
                text = f"<{tag}>{start}{text}{end}</{tag}>"
            line.append(text)

    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            emit(a[i1:i2], None)
        else:
            if i2 > i1:
                emit(a[i1:i2], "del")
            if op == "replace":
                emit([" "], None)  # keep the removed and added words apart on screen
            if j2 > j1:
                emit(b[j1:j2], "ins")
    if line:
        paragraphs.append("".join(line))
    return Markup("\n".join(f"<p>{p}</p>" for p in paragraphs if p.strip()))
