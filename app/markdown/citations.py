"""Markdown-it plugins: Pandoc-style citations, explicit heading ids, and component lines.

Written the mdit-py-plugins way: each `*_plugin(md)` registers rules; rules only parse and put data
on `token.meta`; render functions escape; per-document state lives in `env` behind `context(env)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
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


@dataclass
class CitationContext:
    """Per-document state and site look-ups, kept in `env['citations']`.

    `quote` resolves an excerpt or quote key to a QuoteView; `reference` renders a reference key as
    the contract's `a.ref`; `component` returns pre-rendered HTML for `[[name]]`.
    """

    lang: str
    quote: Callable[[CiteKey], QuoteView]
    reference: Callable[[CiteKey], Markup]
    gettext: Callable[[str], str] = lambda s: s
    component: Callable[[str], Markup] = lambda name: Markup("")
    figures: bool = True  # False in data files: quotes become plain links to their context
    after_heading: Callable[[str], str | None] = lambda section_id: None  # HTML after a heading
    numbers: dict[CiteKey, int] = field(default_factory=dict)
    pending: list[tuple[int, CiteKey]] = field(default_factory=list)
    cited: list[CiteKey] = field(default_factory=list)

    def number(self, key: CiteKey) -> tuple[int, bool]:
        """The key's figure number on this page, and whether this is its first use."""
        if key in self.numbers:
            return self.numbers[key], False
        self.numbers[key] = len(self.numbers) + 1
        return self.numbers[key], True


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


def heading_ids_plugin(md: MarkdownIt) -> None:
    """Take `{#id}` off the end of headings, set it as the id, and add a link to the section."""
    md.core.ruler.before("inline", "heading_ids", _heading_ids)
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
    if state.is_code_block(start):
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

Renderer = RendererProtocol  # markdown-it's RendererHTML; its rules receive it as `self`


def render_citation(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    ctx = context(env)
    _ = ctx.gettext
    markers: list[str] = []
    refs: list[str] = []
    for key in tokens[idx].meta["keys"]:
        if key.kind == "site":
            continue
        ctx.cited.append(key)
        if key.kind == "ref":
            refs.append(ctx.reference(key))
            continue
        if not ctx.figures:
            view = ctx.quote(key)
            refs.append(
                Markup('<a class="quote-link" href="{}">{}</a>').format(
                    view.cite_url, _("quoted source")
                )
            )
            continue
        number, first = ctx.number(key)
        if first:
            ctx.pending.append((number, key))
        markers.append(
            Markup(
                '<a class="cite-marker" href="#quote-{n}">'
                '<span class="visually-hidden">{label} </span>{n}</a>'
            ).format(n=number, label=_("Quote"))
        )
    html = Markup("")
    if markers:
        html += Markup('<sup class="cite">{}</sup>').format(Markup(", ").join(markers))
    if refs:
        html += Markup(' <span class="cite-refs">({})</span>').format(Markup("; ").join(refs))
    return html


def render_cited_open(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<div class="cited"><div class="cited-text">\n'


def render_cited_close(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    ctx = context(env)
    figures = [render_figure(number, ctx.quote(key), ctx.gettext) for number, key in ctx.pending]
    ctx.pending.clear()
    if not figures:
        return "</div></div>\n"
    return '</div>\n<div class="cited-notes">\n' + "".join(figures) + "</div></div>\n"


def render_figure(number: int, view: QuoteView, gettext: Callable[[str], str]) -> str:
    """The contract's excerpt figure: only the quoted words inside the blockquote."""
    translation = ""
    if view.translation:
        translation = Markup(
            '<p class="translation"><span class="translation-label">{}</span> {}</p>\n'
        ).format(gettext("Unofficial translation by this site:"), view.translation)
    return Markup(
        '<figure class="excerpt" id="quote-{n}">\n'
        '<blockquote cite="{cite}" lang="{lang}">{text}</blockquote>\n'
        "{translation}"
        '<figcaption><span class="quote-number">{n}</span> {caption}</figcaption>\n'
        "</figure>\n"
    ).format(
        n=number,
        cite=view.cite_url,
        lang=view.lang,
        text=view.text,
        translation=translation,
        caption=view.caption,
    )


def render_heading_close(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    section = token.meta.get("id")
    if not section or token.tag not in ("h2", "h3"):
        return f"</{token.tag}>\n"
    ctx = context(env) if "citations" in env else None
    gettext = ctx.gettext if ctx else (lambda s: s)
    html = Markup(
        ' <a class="anchor" href="#{id}"><span aria-hidden="true">#</span>'
        '<span class="visually-hidden">{label}</span></a></{tag}>\n'
    ).format(id=section, label=gettext("Link to this section"), tag=token.tag)
    extra = ctx.after_heading(section) if ctx else None
    return str(html) + (f"{extra}\n" if extra else "")


def render_component(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return str(context(env).component(tokens[idx].meta["name"]))
