"""A page's numbered notes: the "Sources" list that every citation marker jumps to.

One note per cited work, in the order of first use, numbered in the same sequence as the page's
quote figures. Each note names the outlet, the title, the date (or "no date shown", said once here
instead of beside every marker), links to the work, says what kind of evidence it is, and links
back to every marker that cites it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Protocol

from markupsafe import Markup, escape

from .. import urls
from ..content.records import Content
from ..content.schema import Reference
from ..markdown.citations import Note


class Renderer(Protocol):
    """What the notes need of the page renderer (app/render/pages.py)."""

    content: Content
    lang: str
    gettext: Callable[[str], str]

    def ref_date(self, value: dt.date | None) -> str: ...


BACKLINK_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def evidence(r: Renderer, ref: Reference) -> str:
    """What kind of evidence a reference is: its `kind`, and the confidence of its facts."""
    _ = r.gettext
    if ref.kind == "primary-document":
        return _("Primary document.")
    if ref.kind == "reference":
        return _("Reference work, used as a secondary check.")
    sole = ref.id in r.content.sole_source_refs  # computed once per content
    if ref.kind == "court":  # the research file's court sources are case summaries and records
        if sole:
            return _("One case summary: for some facts it is the only source found.")
        return _("Court case record.")
    if sole:
        return _("One news report: for some facts it is the only source found.")
    return _("News report.")


# The notes are f-strings with escape(): the same text as Markup.format, at a tenth of the cost
# (a 1,000-page site has about 30,000 notes).
e = escape


def backlinks(r: Renderer, note: Note) -> Markup:
    _ = r.gettext
    if len(note.markers) == 1:
        label = e(_("Back to the text of note {n}").format(n=note.number))
        return Markup(
            f'<a class="backlink" href="#{e(note.markers[0])}" aria-label="{label}">↩</a>'
        )
    links = " ".join(
        f'<a class="backlink" href="#{e(marker)}" '
        f'aria-label="{e(_("Back to citation {k} of note {n}").format(k=i + 1, n=note.number))}">'
        f"{BACKLINK_LETTERS[i] if i < len(BACKLINK_LETTERS) else str(i + 1)}</a>"
        for i, marker in enumerate(note.markers)
    )
    # The words say what the letters are (each link also has its own name).
    return Markup(f'<span class="backlinks">↩ {e(_("Back to the text:"))} {links}</span>')


def reference_note(r: Renderer, ref: Reference) -> Markup:
    return Markup(
        f'{e(ref.publisher)}, <cite><a href="{e(ref.url)}">{e(ref.title)}</a></cite>, '
        f'{e(r.ref_date(ref.published))}. <span class="evidence">{e(evidence(r, ref))}</span>'
    )


def note_body(r: Renderer, note: Note) -> Markup:
    _ = r.gettext
    key = note.key
    if key.kind == "ref":
        return reference_note(r, r.content.references[key.target])
    label = e(_("Quote {n}:").format(n=note.number))
    if key.kind == "quote":
        fact = r.content.facts[key.target]
        ref = r.content.references[str(fact.quote_reference)]
        return Markup(f"{label} {reference_note(r, ref)}")
    source = r.content.sources[key.target]
    return Markup(
        f"{label} {e(_('Source article'))}: <cite>{e(source.meta.title)}</cite>. "
        f"{e(_('Publisher and date not recorded.'))} "
        f'<a href="{e(urls.source(r.lang, source.id, key.excerpt))}">'
        f"{e(_('Read quote {n} in context').format(n=note.number))}</a>"
    )


def render_notes(r: Renderer, notes: Sequence[Note]) -> Markup:
    """The `<ol>` of a page's notes; empty when nothing is cited.

    Each note's text is a `<p>`: reader views (Readability) score paragraphs, so the list counts as
    content even where another block (the glossary's `dl`) becomes the top candidate.
    """
    if not notes:
        return Markup("")
    items = "\n".join(
        f'<li id="note-{note.number}"><p>{note_body(r, note)} {backlinks(r, note)}</p></li>'
        for note in notes
    )
    return Markup(f'<ol class="notes-list">\n{items}\n</ol>\n')
