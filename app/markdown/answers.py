"""Question pages (the FAQ): each answer's first block in plain view, the rest one tap away.

A page whose front matter says `fold_answers: true` is a list of questions (h3 headings). Its
answers start with a direct answer; `fold_answers` keeps that first block (a paragraph, a list,
a quote) in view and puts the detail after it in a `<details class="answer-more">`, which works
without JavaScript. A reader tabbing down the page meets each question's link, its direct
answer and one "full answer" control, not every marker of every detail. The page's own token
list is never changed (sections, search and section pages read it): the full-page render gets
a folded copy, and section pages show the whole answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

OPEN, CLOSE = "answer_more_open", "answer_more_close"


def answers_plugin(md: MarkdownIt) -> None:
    md.add_render_rule(OPEN, render_open)
    md.add_render_rule(CLOSE, render_close)


def fold_answers(tokens: Sequence[Token], summary: str, open_summary: str = "") -> list[Token]:
    """A copy of `tokens` with each h3 answer's blocks after its first inside a details element.

    `summary` is the control's text, e.g. "Read the full answer", and `open_summary` its text
    once open ("Hide the full answer"); a hidden ": <question>" after it makes each control's
    name unique. An answer of one block is left as it is. A fold ends at the
    next h2 or h3, or at the end.
    """
    out: list[Token] = []
    question: str | None = None  # the h3 whose answer is being read
    depth = 0  # open block tokens (counted by nesting: wrappers such as `cited` keep level 0)
    folded = False
    for token in tokens:
        if token.type == "heading_open" and token.tag in ("h2", "h3"):
            if folded:
                out.append(Token(CLOSE, "details", -1))
            folded, question = False, None
        out.append(token)
        if token.type == "heading_close" and token.tag == "h3":
            question, depth = str(token.meta.get("title", "")), 0
            continue
        if question is None or token.type.startswith("heading") or token.type == "inline":
            continue
        depth += token.nesting
        if depth == 0 and token.nesting <= 0 and not folded:
            # The answer's first top-level block has just ended: the detail starts here.
            opener = Token(OPEN, "details", 1)
            opener.meta = {
                "summary": summary,
                "open": open_summary or summary,
                "question": question,
            }
            out.append(opener)
            folded = True
    if folded:
        out.append(Token(CLOSE, "details", -1))
    return _drop_empty(out)


def _drop_empty(tokens: list[Token]) -> list[Token]:
    """An opener followed at once by its closer (a one-block answer) is taken out again."""
    kept: list[Token] = []
    for token in tokens:
        if token.type == CLOSE and kept and kept[-1].type == OPEN:
            kept.pop()
            continue
        kept.append(token)
    return kept


def render_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    return str(
        Markup(
            '<details class="answer-more"><summary><span class="fold-closed">{summary}</span>'
            '<span class="fold-open">{open}</span>'
            '<span class="visually-hidden">: {question}</span></summary>\n'
        ).format(summary=meta["summary"], open=meta["open"], question=meta["question"])
    )


def render_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</details>\n"
