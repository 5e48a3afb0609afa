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

from markupsafe import Markup

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


REPORT_KINDS = (
    "news",
    "court",
)  # reports of events; primary documents and reference works back them


def sole_source_refs(content: Content) -> frozenset[str]:
    """References that are the only report behind some medium-confidence fact ("one news report").

    A primary document or a reference work beside it (the state law a city rule mirrors, an
    encyclopedia as a secondary check) does not make the fact rest on more than that one report.
    """
    found = set()
    for fact in content.facts.values():
        if fact.confidence != "medium":
            continue
        reports = [r for r in fact.references if content.references[r].kind in REPORT_KINDS]
        if len(reports) == 1:
            found.add(reports[0])
    return frozenset(found)


def evidence(r: Renderer, ref: Reference) -> str:
    """What kind of evidence a reference is: its `kind`, and the confidence of its facts."""
    _ = r.gettext
    if ref.kind == "primary-document":
        return _("Primary document.")
    if ref.kind == "reference":
        return _("Reference work, used as a secondary check.")
    sole = ref.id in sole_source_refs(r.content)
    if ref.kind == "court":  # the research file's court sources are case summaries and records
        if sole:
            return _("One case summary: for some facts it is the only source found.")
        return _("Court case record.")
    if sole:
        return _("One news report: for some facts it is the only source found.")
    return _("News report.")


def backlinks(r: Renderer, note: Note) -> Markup:
    _ = r.gettext
    if len(note.markers) == 1:
        return Markup('<a class="backlink" href="#{id}" aria-label="{label}">↩</a>').format(
            id=note.markers[0], label=_("Back to the text of note {n}").format(n=note.number)
        )
    links = Markup(" ").join(
        Markup('<a class="backlink" href="#{id}" aria-label="{label}">{letter}</a>').format(
            id=marker,
            letter=BACKLINK_LETTERS[i] if i < len(BACKLINK_LETTERS) else str(i + 1),
            label=_("Back to citation {k} of note {n}").format(k=i + 1, n=note.number),
        )
        for i, marker in enumerate(note.markers)
    )
    # The words say what the letters are (each link also has its own name).
    return Markup('<span class="backlinks">↩ {label} {links}</span>').format(
        label=_("Back to the text:"), links=links
    )


def reference_note(r: Renderer, ref: Reference) -> Markup:
    return Markup(
        '{publisher}, <cite><a href="{url}">{title}</a></cite>, {date}. '
        '<span class="evidence">{evidence}</span>'
    ).format(
        publisher=ref.publisher,
        url=ref.url,
        title=ref.title,
        date=r.ref_date(ref.published),
        evidence=evidence(r, ref),
    )


def note_body(r: Renderer, note: Note) -> Markup:
    _ = r.gettext
    key = note.key
    if key.kind == "ref":
        return reference_note(r, r.content.references[key.target])
    if key.kind == "quote":
        fact = r.content.facts[key.target]
        ref = r.content.references[str(fact.quote_reference)]
        return Markup("{label} {note}").format(
            label=_("Quote {n}:").format(n=note.number), note=reference_note(r, ref)
        )
    source = r.content.sources[key.target]
    return Markup(
        '{label} {article}: <cite>{title}</cite>. {unknown} <a href="{href}">{link}</a>'
    ).format(
        label=_("Quote {n}:").format(n=note.number),
        article=_("Source article"),
        title=source.meta.title,
        unknown=_("Publisher and date not recorded."),
        href=urls.source(r.lang, source.id, key.excerpt),
        link=_("Read quote {n} in context").format(n=note.number),
    )


def render_notes(r: Renderer, notes: Sequence[Note]) -> Markup:
    """The `<ol>` of a page's notes; empty when nothing is cited.

    Each note's text is a `<p>`: reader views (Readability) score paragraphs, so the list counts as
    content even where another block (the glossary's `dl`) becomes the top candidate.
    """
    if not notes:
        return Markup("")
    items = Markup("\n").join(
        Markup('<li id="note-{n}"><p>{body} {back}</p></li>').format(
            n=note.number, body=note_body(r, note), back=backlinks(r, note)
        )
        for note in notes
    )
    return Markup('<ol class="notes-list">\n{}\n</ol>\n').format(items)
