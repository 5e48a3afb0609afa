"""Citation downloads: BibTeX (BibLaTeX @online), RIS and CSL-JSON of a page or section."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

from babel import Locale

from .citing import Citable, csl_item

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
