"""What the search index holds of each section: its entry, and its words folded and stemmed.

A page's entries are analyzed when the page is built (in a build worker, or read from the build
cache), so making the index is only inserting rows (app/build/search.py `Index`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .searchtext import Analyzer


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
    """An entry with its columns' stems (title, heading, question, body, quoted; each joined by
    spaces) and every folded word of every column, as the index stores them."""

    entry: Entry
    columns: tuple[str, ...]
    words: str


def analyze(entry: Entry, analyzer: Analyzer) -> Analyzed:
    heading = entry.section_title
    columns = [entry.page_title, heading, heading if entry.question else "", entry.text]
    words = [analyzer.words(column) for column in (*columns, entry.quoted)]
    stems = tuple(" ".join(analyzer.stem(w) for w in found) for found in words)
    return Analyzed(entry, stems, " ".join(w for found in words for w in found))
