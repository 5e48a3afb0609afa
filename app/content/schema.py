"""Schemas of the content files. Pydantic checks types; the loader turns errors into hints."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGS = ("en", "es")
SUMMARY_MAX = 160


def _check_id(value: str) -> str:
    if not ID_RE.match(value):
        raise ValueError("use lowercase ASCII letters, digits and single hyphens (like 'dea-post')")
    return value


Id = Annotated[str, AfterValidator(_check_id)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Copy(Strict):
    url: str
    note: str = ""


class ExcerptSpec(Strict):
    id: Id
    exact: str = Field(min_length=1)
    prefix: str | None = None
    suffix: str | None = None
    translation: dict[str, str] = Field(default_factory=dict)
    # How established sources bear on the claim, and the research-file conflict/fact ids behind it.
    status: Literal["supported", "unconfirmed", "contradicted"]
    basis: tuple[str, ...] = Field(min_length=1)


class SourceNotes(Strict):
    """What this site says about a source, in one reader's language (the article keeps its own)."""

    title_basis: str
    dating: str = ""
    reliability: str
    copy_notes: tuple[str, ...] = ()  # one per entry of `copies`, in the same order


class SourceMeta(Strict):
    title: str
    title_basis: str
    publisher: str | None
    author: str | None
    published: dt.date | None
    url: str | None
    language: str = "en"
    original_file: str | None = None
    copies: tuple[Copy, ...] = ()
    dating: str = ""
    reliability: str
    conflicts: tuple[str, ...] = ()
    checked: dt.date
    excerpts: tuple[ExcerptSpec, ...]
    # The notes above (title_basis, dating, reliability, each copy's note) in every other language
    # the site has pages in: a Spanish reader gets the warning about a weak source in Spanish.
    translations: dict[str, SourceNotes] = Field(default_factory=dict)

    def notes_in(self, lang: str) -> SourceNotes:
        """The site's notes on this source in `lang`; its own language's when none is given."""
        found = self.translations.get(lang)
        if found is not None and lang != self.language:
            return found
        return SourceNotes(
            title_basis=self.title_basis,
            dating=self.dating,
            reliability=self.reliability,
            copy_notes=tuple(c.note for c in self.copies),
        )


class Change(Strict):
    date: dt.date
    note: str


class PageMeta(Strict):
    key: Id
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    nav: int | None = None  # position in the site menu; without it, not in the menu
    updated: dt.date
    checked: dt.date  # when the page's facts were last checked against the research file
    review_by: dt.date  # check them again by this date (make check warns once it has passed)
    changes: tuple[Change, ...] = Field(min_length=1)
    # A page of questions (h3s): each answer's first block shows, the rest is one tap away.
    fold_answers: bool = False


class Reference(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    title: str
    publisher: str
    url: str
    published: dt.date | None
    kind: str
    note: str = ""


class Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    topic: str
    statement: str
    date: dt.date | None = None
    references: tuple[str, ...]
    confidence: str
    quote: str | None = None
    quote_reference: str | None = None


class Conflict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    topic: str
    statement: str
    references: tuple[str, ...]


class Research(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    references: tuple[Reference, ...]
    facts: tuple[Fact, ...]
    conflicts: tuple[Conflict, ...]


class Localized(Strict):
    en: str
    es: str | None = None


class TimelineEvent(Strict):
    date: dt.date
    event: Localized
    cite: tuple[str, ...] = Field(min_length=1)
    compact: bool = False


class GlossaryText(Strict):
    term: str
    match: tuple[str, ...] = ()
    definition: str


class GlossaryEntry(Strict):
    id: Id
    en: GlossaryText
    es: GlossaryText | None = None


class Member(Strict):
    name: Localized
    role: Localized


class Group(Strict):
    id: Id
    name: Localized
    members: tuple[Member, ...]
