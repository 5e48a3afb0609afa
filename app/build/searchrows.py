"""What the search index holds of each section: its entry, and its words folded and stemmed.

A page's entries are analyzed when the page is built (in a build worker, or read from the build
cache), so making the index is only counting postings (app/build/search.py `Index`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .. import urls
from ..render.pages import RenderedPage, Renderer
from ..render.plaintext import SectionRecord, section_records
from .searchtext import Analyzer
from .snippets import HIT_CLOSE, HIT_OPEN


@dataclass(frozen=True)
class Entry:
    """One searchable unit: a section of a page (or a page's introduction, or a source text)."""

    lang: str
    page_title: str
    section_title: str  # "" for a page's introduction or a source
    url: str
    text: str
    kind: str = "section"  # "section" | "source"
    question: bool = False  # the heading is a reader's question (an FAQ entry)
    claims: tuple[str, ...] = ()  # source articles whose claims it quotes, with no other source
    quoted: str = ""  # words quoted in another language (indexed, never used for snippets)


@dataclass(frozen=True)
class Analyzed:
    """An entry with each column's folded words and their Snowball stems, as the index reads them
    (page title, heading, FAQ question, body, quoted words in another language)."""

    entry: Entry
    columns: tuple[tuple[list[str], list[str]], ...]


def analyze(entry: Entry, analyzer: Analyzer) -> Analyzed:
    # a page's introduction, or a source, has the page's title as its heading
    heading = entry.section_title or entry.page_title
    texts = [entry.page_title, heading, entry.section_title if entry.question else ""]
    texts += [entry.text, entry.quoted]
    return Analyzed(entry, tuple(analyzer.analyzed(text) for text in texts))


# --------------------------------------------------------------------------- section text


def clean_text(text: str) -> str:
    for marker in (HIT_OPEN, HIT_CLOSE, "\x00"):
        text = text.replace(marker, " ")
    return " ".join(text.split())


def entry(
    lang: str, page_title: str, url: str, heading: str, record: SectionRecord, question: bool
) -> Entry:
    """The one place a section becomes an index entry (page, section id, heading, text, flags)."""
    return Entry(
        lang,
        page_title,
        heading,
        url,
        record.text,
        question=question,
        claims=record.claims,
        quoted=record.quoted,
    )


def page_entries(result: RenderedPage, renderer: Renderer) -> Iterator[Entry]:
    page, lang = result.page, result.page.lang
    base = urls.page(lang, page.slug)
    records = section_records(page, renderer)
    intro = records.get("", SectionRecord("", ""))
    if intro.text or intro.quoted:
        text = clean_text(page.meta.summary + " " + intro.text)
        yield entry(lang, page.meta.title, base, "", SectionRecord("", text, intro.quoted), False)
    headed = {s.id for s in result.sections}
    for section in result.sections:
        record = records.get(section.id, SectionRecord(section.id, ""))
        question = section.title.rstrip().endswith("?")
        yield entry(lang, page.meta.title, base + "#" + section.id, section.title, record, question)
    for key, record in records.items():  # glossary terms: a <dt id> is a section of its own
        if key and key not in headed and record.title:
            yield entry(lang, page.meta.title, base + "#" + key, record.title, record, False)
