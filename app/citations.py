"""Markdown-it plugins: Pandoc-style citations, explicit heading ids, and component lines.

Written the mdit-py-plugins way: each `*_plugin(md)` registers rules; rules only parse and put data
on `token.meta`; render functions escape; per-document state lives in `env` behind `context(env)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from markupsafe import Markup

CITATION_RE = re.compile(r"\[(@[^\[\]]*)\]")  # may wrap across lines
HEADING_ID_RE = re.compile(r"\s*\{#([^{}\s]*)\}\s*$")
COMPONENT_RE = re.compile(r"\[\[([a-z][a-z-]*)\]\]")


# --------------------------------------------------------------------------- citation keys


@dataclass(frozen=True)
class CiteKey:
    """One item of a citation: `@source#excerpt`, `@ref:id` or `@quote:fact-id`."""

    kind: str  # "excerpt" | "ref" | "quote" | "site" | "invalid"
    target: str
    excerpt: str = ""

    @property
    def label(self) -> str:
        if self.kind == "excerpt":
            return f"@{self.target}#{self.excerpt}"
        if self.kind in ("invalid", "site"):
            return self.target or "@site"
        return f"@{self.kind}:{self.target}"

    @property
    def shows_quote(self) -> bool:
        return self.kind in ("excerpt", "quote")


def parse_key(raw: str) -> CiteKey:
    """Parse one citation item; a malformed item becomes kind 'invalid' for the validator."""
    item = raw.strip()
    if not item.startswith("@") or len(item) < 2:
        return CiteKey("invalid", item)
    body = item[1:]
    if body == "site":
        return CiteKey("site", "")  # marks a statement about this website itself; renders nothing
    for kind in ("ref", "quote"):
        if body.startswith(kind + ":"):
            return CiteKey(kind, body[len(kind) + 1 :])
    source, sep, excerpt = body.partition("#")
    if not sep or not source or not excerpt:
        return CiteKey("invalid", item)
    return CiteKey("excerpt", source, excerpt)


def parse_keys(inner: str) -> tuple[CiteKey, ...]:
    return tuple(parse_key(part) for part in inner.split(";"))


def find_keys(text: str) -> list[CiteKey]:
    """Every citation key in a plain Markdown string (used for data-file fields)."""
    return [key for m in CITATION_RE.finditer(text) for key in parse_keys(m.group(1))]


# --------------------------------------------------------------------------- render context


@dataclass(frozen=True)
class QuoteView:
    """What a figure needs to show one verbatim quote."""

    text: str
    lang: str
    cite_url: str
    caption: Markup
    translation: str | None = None
    claim: Markup | None = None  # an article's excerpt: "The article claims" plus its status
    status: str | None = None  # supported | unconfirmed | contradicted (article excerpts)
    original_label: str = ""  # the summary of the original's details, when translated first
    link_label: str = "{n}"  # the caption's link to the quote's context, named by its number


@dataclass(frozen=True)
class Note:
    """One numbered note of a page: the work a marker cites, and the ids of every marker."""

    number: int
    key: CiteKey
    markers: tuple[str, ...]
    figure: bool  # an excerpt or quote shown as a figure on this page


@dataclass
class CitationContext:
    """Per-document state and site look-ups, kept in `env['citations']`.

    `quote` resolves an excerpt or quote key to a QuoteView; `component` returns pre-rendered HTML
    for `[[name]]`; `section_url` is where a heading's self-link points. Excerpts, quotes and
    references share one numbering per page: each work gets a number on first use, and every
    marker that cites it gets an id the note links back to.
    """

    lang: str
    quote: Callable[[CiteKey], QuoteView]
    gettext: Callable[[str], str] = lambda s: s
    component: Callable[[str], Markup] = lambda name: Markup("")
    section_url: Callable[[str], str] = lambda section: f"#{section}"
    figures: bool = True  # False in data files: quotes become notes without figures
    numbers: dict[CiteKey, int] = field(default_factory=dict)
    markers: dict[CiteKey, list[str]] = field(default_factory=dict)
    shown: set[CiteKey] = field(default_factory=set)  # keys whose figure is on the page
    cited: list[CiteKey] = field(default_factory=list)

    def number(self, key: CiteKey) -> tuple[int, bool]:
        """The key's note number on this page, and whether this is its first use."""
        if key in self.numbers:
            return self.numbers[key], False
        self.numbers[key] = len(self.numbers) + 1
        self.markers[key] = []
        return self.numbers[key], True

    def marker_id(self, key: CiteKey) -> str:
        """A new id for one marker of `key` (`cite-3-2`: the second marker of note 3)."""
        ids = self.markers[key]
        ids.append(f"cite-{self.numbers[key]}-{len(ids) + 1}")
        return ids[-1]

    def notes(self) -> list[Note]:
        return [
            Note(n, key, tuple(self.markers[key]), key in self.shown)
            for key, n in self.numbers.items()
        ]


def context(env: dict[str, Any]) -> CitationContext:
    ctx = env.get("citations")
    if not isinstance(ctx, CitationContext):
        raise TypeError("env['citations'] must hold a CitationContext")
    return ctx


# --------------------------------------------------------------------------- plugins


def citation_plugin(md: MarkdownIt) -> None:
    """Parse `[@key; @key]` citations and place quoted excerpts beside their paragraph."""
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.core.ruler.after("inline", "citation_blocks", _citation_blocks)
    md.add_render_rule("citation", render_citation)
    md.add_render_rule("cited_open", render_cited_open)
    md.add_render_rule("cited_close", render_cited_close)


def heading_ids_plugin(md: MarkdownIt) -> None:
    """Take `{#id}` off the end of headings, set it as the id, and add a link to the section."""
    md.core.ruler.before("inline", "heading_ids", _heading_ids)
    md.add_render_rule("heading_open", render_heading_open)
    md.add_render_rule("heading_close", render_heading_close)


def component_plugin(md: MarkdownIt) -> None:
    """A line holding only `[[name]]` inserts a pre-rendered component (timeline, glossary...)."""
    md.block.ruler.before("paragraph", "component", _component_rule)
    md.add_render_rule("component", render_component)


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = CITATION_RE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        state.pending = state.pending.rstrip(" \t")  # the marker hugs the sentence's last mark
        token = state.push("citation", "", 0)
        token.meta = {"keys": parse_keys(match.group(1)), "offset": state.pos}
    state.pos = match.end()
    return True


def _block_spans(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(start, end) index pairs of the top-level blocks of a token stream."""
    spans, depth, start = [], 0, 0
    for index, token in enumerate(tokens):
        if depth == 0:
            start = index
        depth += token.nesting
        if depth == 0:
            spans.append((start, index))
    return spans


def _cites_quote(tokens: Sequence[Token]) -> bool:
    return any(
        child.type == "citation" and any(k.shows_quote for k in child.meta["keys"])
        for token in tokens
        if token.type == "inline"
        for child in token.children or ()
    )


def _citation_blocks(state: StateCore) -> None:
    """Wrap each top-level block that cites a quote, so its figures can sit beside it."""
    if state.inlineMode:
        return
    out: list[Token] = []
    for start, end in _block_spans(state.tokens):
        block = state.tokens[start : end + 1]
        if _cites_quote(block):
            out.append(Token("cited_open", "div", 1))
            out.extend(block)
            out.append(Token("cited_close", "div", -1))
        else:
            out.extend(block)
    state.tokens = out


def _heading_ids(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        match = HEADING_ID_RE.search(inline.content)
        if match is None:
            continue
        inline.content = inline.content[: match.start()]
        token.attrSet("id", match.group(1))
        tokens[index + 2].meta["id"] = match.group(1)
        tokens[index + 2].meta["title"] = inline.content


def _component_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]].strip()
    match = COMPONENT_RE.fullmatch(line)
    if match is None:
        return False
    if silent:
        return True
    token = state.push("component", "", 0)
    token.meta = {"name": match.group(1)}
    token.map = [start, start + 1]
    state.line = start + 1
    return True


# --------------------------------------------------------------------------- renderers

Renderer = Any  # markdown-it's RendererHTML; its rules receive it as `self`


def render_citation(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    """Numbered markers in one `sup`, glued to the word before them (U+2060 WORD JOINER)."""
    ctx = context(env)
    _ = ctx.gettext
    markers: list[Markup] = []
    for key in tokens[idx].meta["keys"]:
        if key.kind == "site":
            continue
        ctx.cited.append(key)
        number, _first = ctx.number(key)
        marker_id = ctx.marker_id(key)
        if key.kind == "ref":
            markers.append(
                Markup(
                    '<a class="ref" data-reference="{ref}" href="#note-{n}" id="{id}" '
                    'aria-label="{label}">{n}</a>'
                ).format(
                    ref=key.target, n=number, id=marker_id, label=_("Note {n}").format(n=number)
                )
            )
            continue
        figure = key in ctx.shown
        markers.append(
            Markup(
                '<a class="cite-marker" href="#{target}-{n}" id="{id}" aria-label="{label}">{n}</a>'
            ).format(
                target="quote" if figure else "note",
                n=number,
                id=marker_id,
                label=_("Quote {n}").format(n=number),
            )
        )
    if not markers:
        return ""
    return str(Markup('\u2060<sup class="cite">{}</sup>').format(Markup(",").join(markers)))


def render_cited_open(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    """Open a cited block with its figures first, so wide screens can float them into the margin
    beside the paragraph (Tufte-style margin notes) and narrow ones can show them under it.

    The block's citations are numbered here, in reading order, so the figures know their numbers
    before the text that cites them is rendered.
    """
    ctx = context(env)
    figures = []
    for key in _block_keys(tokens, idx):
        if key.kind == "site":
            continue
        number, first = ctx.number(key)
        if first and key.shows_quote and ctx.figures:
            ctx.shown.add(key)
            figures.append(render_figure(number, ctx.quote(key), ctx.gettext))
    # "cited-content": a class name reader views (Readability) score as content, so a short
    # paragraph with its quote is never dropped as a link-heavy block.
    notes = (
        '<div class="cited-notes cited-content">\n' + "".join(figures) + "</div>\n"
        if figures
        else ""
    )
    return f'<div class="cited cited-content">\n{notes}<div class="cited-text">\n'


def _block_keys(tokens: Sequence[Token], idx: int) -> Iterator[CiteKey]:
    """The citation keys from `tokens[idx]` (a cited_open) to its cited_close, in order."""
    for token in tokens[idx + 1 :]:
        if token.type == "cited_close":
            return
        for child in token.children or ():
            if child.type == "citation":
                yield from child.meta["keys"]


def render_cited_close(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    return "</div></div>\n"


def render_figure(number: int, view: QuoteView, gettext: Callable[[str], str]) -> str:
    """The contract's excerpt figure: only the quoted words inside the blockquote.

    An article's excerpt says first that it is the article's claim, and its status. Where the
    page's language differs from the quote's, the site's translation comes first and the exact
    original stays one tap away in `details` (works without JavaScript).
    """
    label = gettext("Quote {n}").format(n=number)
    quote = Markup('<blockquote cite="{cite}" lang="{lang}">{text}</blockquote>\n').format(
        cite=view.cite_url, lang=view.lang, text=view.text
    )
    if view.translation:
        quote = Markup(
            '<p class="translation"><span class="translation-label">{label}</span> {text}</p>\n'
            '<details class="original"><summary>{summary}</summary>\n{quote}</details>\n'
        ).format(
            label=gettext("Unofficial translation by this site:"),
            text=view.translation,
            summary=view.original_label,
            quote=quote,
        )
    kind = "excerpt-claim" if view.claim else "excerpt-primary"
    status = Markup(" status-{}").format(view.status) if view.status else ""
    claim = Markup('<p class="claim">{}</p>\n').format(view.claim) if view.claim else ""
    return str(
        Markup(
            '<figure class="excerpt {kind}{status}" id="quote-{n}" aria-label="{label}">\n'
            "{claim}{quote}"
            '<figcaption><span class="quote-number">{n}</span> {caption} '
            '<a href="{href}">{link}</a></figcaption>\n'
            "</figure>\n"
        ).format(
            kind=kind,
            status=status,
            n=number,
            label=label,
            claim=claim,
            quote=quote,
            caption=view.caption,
            href=view.cite_url,
            link=view.link_label.format(n=number),
        )
    )


def render_heading_open(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    token = tokens[idx]
    if token.tag not in ("h2", "h3") or not token.attrGet("id"):
        return str(self.renderToken(tokens, idx, options, env))
    return f'<div class="section-head">{self.renderToken(tokens, idx, options, env)}'


def render_heading_close(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    """Close the heading, then its self-link: outside the heading, so not part of its name."""
    token = tokens[idx]
    section = token.meta.get("id")
    if not section or token.tag not in ("h2", "h3"):
        return f"</{token.tag}>\n"
    ctx = context(env) if "citations" in env else None
    gettext = ctx.gettext if ctx else (lambda s: s)
    href = ctx.section_url(section) if ctx else f"#{section}"
    return str(
        Markup('</{tag}><a class="anchor" href="{href}" aria-label="{label}"></a></div>\n').format(
            tag=token.tag,
            href=href,
            label=gettext("Link to section: {title}").format(title=token.meta.get("title", "")),
        )
    )


def render_component(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    return str(context(env).component(tokens[idx].meta["name"]))
