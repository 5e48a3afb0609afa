"""Markdown-it plugins: Pandoc-style citations, explicit heading ids, and component lines.

Written the mdit-py-plugins way: each `*_plugin(md)` registers rules; rules only parse and put data
on `token.meta`; render functions escape; per-document state lives in `env` behind `context(env)`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

CITATION_RE = re.compile(r"\[(@[^\[\]]*)\]")  # may wrap across lines
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


@functools.lru_cache(maxsize=8192)  # pages cite the same few hundred works, again and again
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
    cite_article: tuple[str, str] | None = None  # (href, label with {n}): citing the article


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


def context(env: EnvType) -> CitationContext:
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


# --------------------------------------------------------------------------- renderers

Renderer = RendererHTML  # its rules receive it as `self`


def render_citation(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Numbered markers in one `sup`, glued to the word before them (U+2060 WORD JOINER)."""
    ctx = context(env)
    _ = ctx.gettext
    markers: list[str] = []  # plain f-strings with escape(): Markup.format costs 10x
    for key in tokens[idx].meta["keys"]:
        if key.kind == "site":
            continue
        ctx.cited.append(key)
        number, _first = ctx.number(key)
        marker_id = ctx.marker_id(key)
        if key.kind == "ref":
            label = escape(_("Note {n}").format(n=number))
            markers.append(
                f'<a class="ref" data-reference="{escape(key.target)}" href="#note-{number}" '
                f'id="{escape(marker_id)}" aria-label="{label}">{number}</a>'
            )
            continue
        target = "quote" if key in ctx.shown else "note"
        label = escape(_("Quote {n}").format(n=number))
        markers.append(
            f'<a class="cite-marker" href="#{target}-{number}" id="{escape(marker_id)}" '
            f'aria-label="{label}">{number}</a>'
        )
    if not markers:
        return ""
    return '\u2060<sup class="cite">' + ",".join(markers) + "</sup>"


def render_cited_open(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
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
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</div></div>\n"


def render_figure(number: int, view: QuoteView, gettext: Callable[[str], str]) -> str:
    """The contract's excerpt figure: only the quoted words inside the blockquote.

    An article's excerpt says first that it is the article's claim, and its status. Where the
    page's language differs from the quote's, the site's translation comes first and the exact
    original stays one tap away in `details` (works without JavaScript).
    """
    e = escape  # f-strings with escape(): the same text as Markup.format, at a tenth of the cost
    label = e(gettext("Quote {n}").format(n=number))
    quote = (
        f'<blockquote cite="{e(view.cite_url)}" lang="{e(view.lang)}">{e(view.text)}</blockquote>\n'
    )
    if view.translation:
        quote = (
            '<p class="translation"><span class="translation-label">'
            f"{e(gettext('Unofficial translation by this site:'))}</span> {e(view.translation)}"
            "</p>\n"
            f'<details class="original"><summary>{e(view.original_label)}</summary>\n{quote}'
            "</details>\n"
        )
    kind = "excerpt-claim" if view.claim else "excerpt-primary"
    status = f" status-{e(view.status)}" if view.status else ""
    claim = f'<p class="claim">{e(view.claim)}</p>\n' if view.claim else ""
    return (
        f'<figure class="excerpt {kind}{status}" id="quote-{number}" aria-label="{label}">\n'
        f"{claim}{quote}"
        f'<figcaption><span class="quote-number">{number}</span> {e(view.caption)} '
        f'<a href="{e(view.cite_url)}">{e(view.link_label.format(n=number))}</a>'
        f"{_cite_article(view, number)}</figcaption>\n"
        "</figure>\n"
    )


def _cite_article(view: QuoteView, number: int) -> Markup:
    """An article's figure links to the citation of the article as found (its source page)."""
    if view.cite_article is None:
        return Markup("")
    href, label = view.cite_article
    return Markup(' · <a class="cite-article" href="{}">{}</a>').format(
        href, label.format(n=number)
    )
