"""A page's words as plain text, section by section, from its tokens (for the search index).

The text is what a reader sees in the main column: paragraphs, lists, tables, the components
(timeline, glossary, who's who) and the quoted words with their translations. Headings (they are
the section titles), citation markers, captions and links to sections are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from markdown_it.token import Token
from markupsafe import Markup

from ..content.records import Page
from ..i18n import long_date
from ..markdown import parser
from ..markdown.citations import CiteKey
from ..markdown.tokens import SECTION_TAGS
from .pages import Renderer


def section_texts(page: Page, r: Renderer) -> dict[str, str]:
    """Section id ("" for the text before the first heading) -> its plain text."""
    parts: dict[str, list[str]] = {"": []}
    current = ""
    seen: set[CiteKey] = set()  # quotes already shown: a figure appears at its first citation
    in_section_heading = False
    for index, token in enumerate(page.tokens):
        if token.type == "heading_open" and token.tag in SECTION_TAGS and token.attrGet("id"):
            current = str(token.attrGet("id"))
            parts.setdefault(current, [])
            in_section_heading = True
        elif token.type == "heading_close":
            in_section_heading = False
        elif token.type == "inline" and not in_section_heading:
            parts[current].append(_inline(token.children or ()))
        elif token.type in ("code_block", "fence"):
            parts[current].append(token.content)
        elif token.type == "component":
            parts[current].append(component_text(token.meta["name"], r))
        elif token.type == "cited_open":  # the block's figures come first, as on the page
            for key in _block_keys(page.tokens, index):
                if key.shows_quote and key not in seen:
                    seen.add(key)
                    parts[current].append(_quote_text(key, r))
    return {key: " ".join(" ".join(texts).split()) for key, texts in parts.items()}


def _inline(children: Iterable[Token]) -> str:
    out = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak", "citation"):
            out.append(" ")
    return "".join(out)


def _block_keys(tokens: Sequence[Token], start: int) -> Iterator[CiteKey]:
    """The citation keys of the cited block opened at `tokens[start]`, in order."""
    for token in tokens[start + 1 :]:
        if token.type == "cited_close":
            return
        for child in token.children or ():
            if child.type == "citation":
                yield from child.meta["keys"]


def _quote_text(key: CiteKey, r: Renderer) -> str:
    """A figure's words: its claim label, then the translation (where shown) and the original."""
    view = r.quote(key)
    parts = [plain(view.claim)] if view.claim else []
    if view.translation:
        parts += [r.gettext("Unofficial translation by this site:"), view.translation]
    return " ".join([*parts, view.text])


def plain(html: Markup) -> str:
    """The text of a short label the renderer made (markup stripped, entities decoded)."""
    return html.striptags()


def inline_text(text: str) -> str:
    """A data-file string's words (inline Markdown), without its citations."""
    tokens = parser().parseInline(text, {})
    return " ".join(_inline(t.children or ()) for t in tokens)


def component_text(name: str, r: Renderer) -> str:
    """The words a `[[name]]` component shows (app/render/components.py draws them)."""
    content = r.content
    if name in ("timeline", "timeline-compact"):
        compact = name == "timeline-compact"
        events = sorted(
            (e for e in content.timeline if e.compact or not compact), key=lambda e: e.date
        )
        return " ".join(
            f"{long_date(e.date, r.lang)} {inline_text(r.text(e.event))}" for e in events
        )
    if name == "glossary":
        entries = sorted(content.glossary, key=lambda e: r.text_of(e).term.casefold())
        return " ".join(
            f"{r.text_of(e).term} {inline_text(r.text_of(e).definition)}" for e in entries
        )
    if name == "whos-who":
        return " ".join(
            r.text(g.name)
            + " "
            + " ".join(f"{r.text(m.name)} {inline_text(r.text(m.role))}" for m in g.members)
            for g in content.groups
        )
    if name == "contact" and r.contact_email:
        return f"{r.gettext('To report an error, write to:')} {r.contact_email}"
    return ""
