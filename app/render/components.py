"""The `[[name]]` components: timeline, glossary and who's-who, rendered from data files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from markupsafe import Markup

from ..content.records import Content
from ..i18n import long_date


class Renderer(Protocol):
    """What a component needs of the page renderer (app/render/pages.py)."""

    content: Content
    lang: str
    gettext: Callable[[str], str]
    contact_email: str | None
    publisher: str | None

    def inline(self, text: str) -> Markup: ...
    def text(self, localized: Any) -> str: ...
    def text_of(self, entry: Any) -> Any: ...


# The components that show the data files (timeline, glossary, who's who): a page's version must
# change with that data. `contact` and `publisher` show settings, which versions leave out.
DATA_COMPONENTS = frozenset({"timeline", "timeline-compact", "glossary", "whos-who"})


def render(name: str, r: Renderer) -> Markup:
    if name == "timeline":
        return timeline(r, compact=False)
    if name == "timeline-compact":
        return timeline(r, compact=True)
    if name == "glossary":
        return glossary(r)
    if name == "whos-who":
        return whos_who(r)
    if name == "contact":
        return contact(r)
    if name == "publisher":
        return publisher(r)
    raise KeyError(name)  # the loader rejects unknown names, so this is a programming error


def timeline(r: Renderer, compact: bool) -> Markup:
    events = sorted(
        (e for e in r.content.timeline if e.compact or not compact), key=lambda e: e.date
    )
    items = [
        Markup(
            '<li><time datetime="{iso}">{date}</time> '
            '<span class="event">{text} {cites}</span></li>'
        ).format(
            iso=e.date.isoformat(),
            date=long_date(e.date, r.lang),
            text=r.inline(r.text(e.event)),
            cites=r.inline("[" + "; ".join("@" + k for k in e.cite) + "]"),
        )
        for e in events
    ]
    css = "timeline timeline-compact" if compact else "timeline"
    return Markup('<ol class="{}">\n{}\n</ol>\n').format(css, Markup("\n").join(items))


def glossary(r: Renderer) -> Markup:
    entries = []
    for entry in sorted(r.content.glossary, key=lambda e: r.text_of(e).term.casefold()):
        text = r.text_of(entry)
        entries.append(
            Markup(
                '<div class="term"><dt id="{id}"><dfn>{term}</dfn></dt><dd>{definition}</dd></div>'
            ).format(id=entry.id, term=text.term, definition=r.inline(text.definition))
        )
    return Markup('<dl class="glossary">\n{}\n</dl>\n').format(Markup("\n").join(entries))


def whos_who(r: Renderer) -> Markup:
    groups = []
    for group in r.content.groups:
        members = Markup("").join(
            Markup(
                '<li><span class="who">{name}</span> <span class="role">{role}</span></li>'
            ).format(name=r.text(m.name), role=r.inline(r.text(m.role)))
            for m in group.members
        )
        groups.append(
            Markup(
                '<li class="group group-{id}"><span class="group-name">{name}</span>'
                "<ul>{members}</ul></li>"
            ).format(id=group.id, name=r.text(group.name), members=members)
        )
    return Markup('<ul class="whos-who" aria-label="{label}">\n{groups}\n</ul>\n').format(
        label=r.gettext("Who is who"), groups=Markup("\n").join(groups)
    )


def contact(r: Renderer) -> Markup:
    """The corrections address when the site has one set (CONTACT_EMAIL); otherwise a line
    saying there is none yet, so the corrections section never ends in nothing."""
    if not r.contact_email:
        return Markup('<p class="no-contact">{text}</p>\n').format(
            text=r.gettext("This copy of the site has no address for reports yet.")
        )
    return Markup('<p class="contact">{label} <a href="mailto:{email}">{email}</a></p>\n').format(
        label=r.gettext("To report an error, write to:"), email=r.contact_email
    )


def publisher(r: Renderer) -> Markup:
    """Who publishes the site (PUBLISHER); when unset, a plain line saying it is not named,
    so the section never stands empty."""
    if not r.publisher:
        return Markup('<p class="publisher">{text}</p>\n').format(
            text=r.gettext("This copy of the site does not name its publisher.")
        )
    return Markup('<p class="publisher">{label} <strong>{name}</strong></p>\n').format(
        label=r.gettext("This site is published by:"), name=r.publisher
    )
