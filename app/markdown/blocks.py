"""Markdown-it plugins for headings and components.

`heading_ids_plugin`: `## Title {#id}` sets the heading's id; an h2/h3 with an id gets a self-link
after it, outside its accessible name. `component_plugin`: a line holding only `[[name]]` inserts
a pre-rendered component (timeline, glossary...).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import escape

from .citations import COMPONENT_RE, context

HEADING_ID_RE = re.compile(r"\s*\{#([^{}\s]*)\}\s*$")
Renderer = RendererHTML  # its rules receive it as `self`


def heading_ids_plugin(md: MarkdownIt) -> None:
    """Take `{#id}` off the end of headings, set it as the id, and add a link to the section."""
    md.core.ruler.before("inline", "heading_ids", _heading_ids)
    md.add_render_rule("heading_open", render_heading_open)
    md.add_render_rule("heading_close", render_heading_close)


def component_plugin(md: MarkdownIt) -> None:
    """A line holding only `[[name]]` inserts a pre-rendered component (timeline, glossary...)."""
    md.block.ruler.before("paragraph", "component", _component_rule)
    md.add_render_rule("component", render_component)


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


def render_heading_open(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if token.tag not in ("h2", "h3") or not token.attrGet("id"):
        return str(self.renderToken(tokens, idx, options, env))
    return f'<div class="section-head">{self.renderToken(tokens, idx, options, env)}'


def render_heading_close(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Close the heading, then its self-link: outside the heading, so not part of its name."""
    token = tokens[idx]
    section = token.meta.get("id")
    if not section or token.tag not in ("h2", "h3"):
        return f"</{token.tag}>\n"
    ctx = context(env) if "citations" in env else None
    gettext = ctx.gettext if ctx else (lambda s: s)
    href = ctx.section_url(section) if ctx else f"#{section}"
    label = gettext("Link to section: {title}").format(title=token.meta.get("title", ""))
    # an f-string with escape(): the same text as Markup.format, at a tenth of the cost
    return (
        f'</{escape(token.tag)}><a class="anchor" href="{escape(href)}" '
        f'aria-label="{escape(label)}"></a></div>\n'
    )


def render_component(
    self: Renderer, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return str(context(env).component(tokens[idx].meta["name"]))
