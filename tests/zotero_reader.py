"""What Zotero's "Embedded Metadata" web translator (and the "RDF" import translator it hands
the tags to) makes of a page's <head>, for the fields this site cares about.

A re-statement in Python of the rules in zotero/translators `Embedded Metadata.js` and `RDF.js`
(read as reference; none of their code is copied), reduced to what a page of this site can
trigger. The rule each step follows is named in its comment:

- every <meta name|property=... content=...>; a tag is `prefix` + one of `.:_` + property, with
  the prefixes Embedded Metadata knows (dc, dcterms, og, article, z, ...) plus any declared by a
  `<link rel="schema.X" href>`; such tags become RDF statements about the page;
- Highwire tags are matched by the end of their name (`meta[name$="citation_title"]`):
  citation_title -> title, citation_publication_date / citation_date -> date, citation_language
  -> language, citation_public_url -> url, citation_abstract -> abstractNote, citation_publisher
  -> publisher; citation_title alone makes the type guess "journalArticle";
- item type (RDF detectType): z:itemType, then og:type "website" or dc:type "webpage" ->
  webpage, then the default: the Highwire guess, else "webpage" when there are RDF statements;
- "Zotero RDF" (a z:itemType or z:type is present): Extra = dc:description; otherwise
  dc:description is the abstract when nothing else gave one;
- abstract: og:description (among others) first; websiteType = dc:type;
- creators: citation_author (split on ";", a single name is split into first and last name)
  else dc:creator (split into first and last name); with none, meta name=author, then
  article:author, then a byline element (class byline, bylines, vcard, article-byline);
- publicationTitle (a web page's "Website Title"): og:site_name or dc:source;
- every other z:<field> statement sets that field (z:extra -> Extra), last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

PREFIXES = {
    "bib": "http://purl.org/net/biblio#",
    "bibo": "http://purl.org/ontology/bibo/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "prism": "http://prismstandard.org/namespaces/1.2/basic/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "z": "http://www.zotero.org/namespaces/export#",
    "og": "http://ogp.me/ns#",
    "article": "http://ogp.me/ns/article#",
    "so": "http://schema.org/",
}
HIGHWIRE = {
    "citation_title": "title",
    "citation_publication_date": "date",
    "citation_cover_date": "date",
    "citation_date": "date",
    "citation_publisher": "publisher",
    "citation_abstract": "abstractNote",
    "citation_public_url": "url",
    "citation_language": "language",
}
BYLINE_CLASSES = ("byline", "bylines", "vcard", "article-byline")


@dataclass
class Item:
    itemType: str | None = None  # Zotero's field names
    title: str | None = None
    creators: list[dict[str, str]] = field(default_factory=list)
    date: str | None = None
    language: str | None = None
    url: str | None = None
    abstractNote: str | None = None
    publicationTitle: str | None = None
    websiteType: str | None = None
    publisher: str | None = None
    extra: str | None = None


def clean_author(name: str) -> dict[str, str]:
    """Zotero's cleanAuthor for a name without a comma: the last word is the last name."""
    words = name.split()
    if len(words) == 1:
        return {"lastName": words[0], "creatorType": "author", "fieldMode": "1"}
    return {"firstName": " ".join(words[:-1]), "lastName": words[-1], "creatorType": "author"}


def read(html: str) -> Item:
    doc = LexborHTMLParser(html)
    prefixes = dict(PREFIXES)
    for link in doc.css("link[rel]"):
        match = re.match(r"^schema\.([a-zA-Z]+)", str(link.attributes.get("rel") or ""))
        if match:
            prefixes[match.group(1).lower()] = str(link.attributes.get("href"))
    statements: dict[str, list[str]] = {}  # predicate URI -> values, in document order
    metas: list[tuple[str, str]] = []
    type_guess = None
    for meta in doc.css("meta"):
        names = meta.attributes.get("name") or meta.attributes.get("property")
        value = meta.attributes.get("content")
        if not names or not value:
            continue
        for tag in str(names).split():
            metas.append((tag, str(value)))
            parts = re.split(r"[.:_]", tag)
            prefix, length = None, 0
            if len(parts) > 2 and parts[1].lower() in prefixes:
                prefix, length = parts[1].lower(), len(parts[0]) + len(parts[1]) + 1
            if prefix is None:
                prefix, length = parts[0].lower(), len(parts[0])
            if prefix in prefixes:
                prop = tag[length + 1 :]
                prop = prop[:1].lower() + prop[1:]
                statements.setdefault(prefixes[prefix] + prop, []).append(str(value))
            elif tag[tag.rfind("citation_") :] == "citation_title" and "citation_" in tag:
                type_guess = type_guess or "journalArticle"

    def first(*predicates: str) -> str | None:
        for predicate in predicates:
            if statements.get(predicate):
                return statements[predicate][0]
        return None

    def highwire(name: str) -> list[str]:
        return [v for tag, v in metas if tag.endswith(name)]

    dc, z, og = PREFIXES["dc"], PREFIXES["z"], PREFIXES["og"]
    item = Item()
    og_type = first(og + "type")
    dc_type = (first(dc + "type", PREFIXES["dcterms"] + "type") or "").lower().replace(" ", "")
    item.itemType = (  # RDF.js: zotero, og, dc; then the default (Highwire guess); then guesses
        first(z + "itemType", z + "type")
        or ("webpage" if og_type == "website" else None)
        or ("webpage" if dc_type in ("webpage", "homepage") else None)
        or type_guess
        or ("webpage" if statements else None)
    )
    zotero_rdf = first(z + "itemType", z + "type") is not None
    item.title = first(dc + "title", PREFIXES["dcterms"] + "title", og + "title")
    item.publicationTitle = first(dc + "source", og + "site_name")
    item.abstractNote = first(og + "description", PREFIXES["dcterms"] + "abstract")
    item.websiteType = first(dc + "type", PREFIXES["dcterms"] + "type")
    item.language = first(dc + "language", PREFIXES["dcterms"] + "language")
    item.date = first(og + "published_time", dc + "date", PREFIXES["dcterms"] + "date")
    item.publisher = first(dc + "publisher", PREFIXES["dcterms"] + "publisher")
    if zotero_rdf:
        item.extra = first(dc + "description")
    elif not item.abstractNote:
        item.abstractNote = first(dc + "description", PREFIXES["dcterms"] + "description")
    rdf_creators = [
        clean_author(name)
        for name in statements.get(dc + "creator", []) + statements.get(dc + "contributor", [])
    ]
    for name, target in HIGHWIRE.items():  # Highwire wins over RDF for these
        values = highwire(name)
        if values and values[0].strip():
            setattr(item, target, " ".join(values[0].split()))
    authors = highwire("citation_author") or highwire("citation_authors")
    item.creators = [
        clean_author(part.strip())
        for value in authors
        for part in value.split(";")
        if re.search(r"[^\s,\-.;]", part)
    ] or rdf_creators
    if not item.creators:
        w3 = [v for t, v in metas if t.lower() == "author"]
        og_authors = [v for t, v in metas if t == "article:author" and "." not in v]
        bylines = [n for c in BYLINE_CLASSES for n in doc.css(f".{c}") if n.text(strip=True)]
        if w3:
            item.creators = [clean_author(v) for v in w3]
        elif og_authors:
            item.creators = [clean_author(v) for v in og_authors]
        elif len(bylines) == 1:
            item.creators = [clean_author(bylines[0].text(strip=True))]
    if not item.abstractNote:
        description = [v for t, v in metas if t.lower() == "description"]
        item.abstractNote = description[0] if description else None
    if not item.language:
        html_node = doc.css_first("html")
        item.language = html_node.attributes.get("lang") if html_node else None
    for predicate, values in statements.items():  # RDF.js "OTHER FIELDS": z:<field> sets it
        if predicate.startswith(z) and predicate[len(z) :] not in ("itemType", "type"):
            setattr(item, predicate[len(z) :], values[0])
    return item


def extra_fields(extra: str | None) -> dict[str, str]:
    """Zotero reads `name: value` lines in Extra as CSL variables (the version among them)."""
    out = {}
    for line in (extra or "").splitlines():
        name, sep, value = line.partition(": ")
        if sep and re.fullmatch(r"[a-zA-Z][a-zA-Z -]*", name):
            out[name.strip().lower()] = value.strip()
    return out
