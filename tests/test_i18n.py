"""UI strings in Spanish: the catalog covers every string the code and templates use.

Extraction runs here with Babel's API and the project's babel.cfg (what `make messages` runs), so a
newly added `_("...")` without a Spanish translation fails this test before `make messages` is run.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from conftest import FIXTURE_CONTENT, parse
from fastapi.testclient import TestClient
from spanish_twins import FACT_ES, FIRST_ES, add_spanish

import app.build.site
from app.build.site import Site
from app.i18n import load_translations, long_date
from app.serve.app import build as build_served
from app.serve.app import create_app
from app.settings import ROOT, Settings

SPANISH_PO = ROOT / "locales" / "es" / "LC_MESSAGES" / "messages.po"


def extracted() -> dict[str, list[str]]:
    """msgid -> where it is used, from every file babel.cfg names."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle, "babel.cfg")
    tops = {pattern.split("/")[0] for pattern, _method in method_map}  # app, templates
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        directory_filter=lambda path: Path(path).relative_to(ROOT).parts[0] in tops,
    ):
        msgid = message if isinstance(message, str) else message[0]  # plurals: by singular
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def spanish_catalog() -> Catalog:
    with SPANISH_PO.open("rb") as handle:
        return read_po(handle, locale="es")


def test_extraction_reads_templates_and_python() -> None:
    found = extracted()
    assert any(w.startswith("templates/") for w in found["Skip to content"])
    assert any(w.startswith("app/") for w in found["Unofficial translation by this site:"])
    assert any(w.startswith("app/") for w in found["Who is who"])


def test_every_ui_string_has_a_spanish_translation() -> None:
    catalog = spanish_catalog()
    gaps = []
    for msgid, where in sorted(extracted().items()):
        message = catalog.get(msgid)
        if message is None:
            gaps.append(f"{msgid!r} ({where[0]}): not in the catalog; run `make messages`")
        elif message.fuzzy:
            gaps.append(f"{msgid!r} ({where[0]}): marked fuzzy; check it and drop the flag")
        elif not all(message.string) if isinstance(message.string, tuple) else not message.string:
            gaps.append(f"{msgid!r} ({where[0]}): empty translation")
    assert not gaps, f"translate in {SPANISH_PO.relative_to(ROOT)}:\n" + "\n".join(gaps)


def brace_fields(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


def test_catalog_placeholders_match() -> None:
    """A translation keeps the placeholders of its msgid: %(name)s (Babel's own check) and
    {name} (for strings the code fills with str.format)."""
    catalog = spanish_catalog()
    problems = [(m.id, errors) for m, errors in catalog.check()]
    assert not problems
    brace = [m for m in catalog if m.id and "python-brace-format" in m.flags]
    assert brace, "expected some {name} strings, e.g. 'Share this section: {title}'"
    for message in brace:
        assert isinstance(message.id, str) and isinstance(message.string, str)
        assert brace_fields(message.string) == brace_fields(message.id), message.id


def test_compiled_catalog_translates() -> None:
    translations = load_translations(ROOT / "locales", "es")
    assert translations.gettext("Sources") == "Fuentes"
    assert translations.gettext("Unofficial translation by this site:") == (
        "Traducción no oficial de este sitio:"
    )


def test_long_date_per_locale() -> None:
    day = dt.date(2025, 1, 26)
    assert long_date(day, "es") == "26 de enero de 2025"
    assert long_date(day, "en") == "January 26, 2025"


class Recording:
    """Wraps a language's translations and records every msgid the build asks for."""

    def __init__(self, inner: object):
        self.inner, self.asked = inner, set[str]()

    def gettext(self, message: str) -> str:
        self.asked.add(message)
        return str(self.inner.gettext(message))  # type: ignore[attr-defined]

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self.asked.add(singular)  # the catalog keys plural entries by their singular
        return str(self.inner.ngettext(singular, plural, n))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def spanish_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Recording]:
    """The small fixture site with Spanish twins, built once with a recording Spanish catalog."""
    content_dir = tmp_path_factory.mktemp("i18n") / "content"
    shutil.copytree(FIXTURE_CONTENT, content_dir)
    add_spanish(content_dir)
    recorders: dict[str, Recording] = {}
    real: Callable[[Path, str], object] = load_translations

    def recording(locales_dir: Path, lang: str) -> object:
        recorders[lang] = Recording(real(locales_dir, lang))
        return recorders[lang]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app.build.site, "load_translations", recording)
        site = build_served(Settings(content_dir=content_dir, site_url="https://example.test"))
    return site, recorders["es"]


def test_spanish_build_asks_only_for_translated_strings(spanish_site) -> None:
    """Every string translated at run time is in the catalog (so none is left unmarked)."""
    _site, recorder = spanish_site
    catalog = spanish_catalog()
    assert "Unofficial translation by this site:" in recorder.asked  # the build really asked
    untranslated = sorted(
        m for m in recorder.asked if catalog.get(m) is None or not catalog.get(m).string
    )
    assert not untranslated, "mark these with _() and run `make messages`: " + repr(untranslated)


def test_spanish_page_shows_translated_ui_and_quotes(spanish_site) -> None:
    site, _recorder = spanish_site
    client = TestClient(create_app(site.settings, site), follow_redirects=False)
    doc = parse(client.get("/es/tema/").text)
    assert doc.css_first("html").attributes["lang"] == "es"
    meta = doc.css_first("p.page-meta")
    assert meta.text().startswith("Actualizado el 26 de enero de 2025")
    assert meta.css_first("time").attributes["datetime"] == "2025-01-26"
    figures = doc.css("figure.excerpt")
    quotes = {f.css_first("blockquote").text(strip=True): f for f in figures}
    fact = quotes["Officers shall not do that."]
    assert fact.css_first("blockquote").attributes["lang"] == "en"
    label = fact.css_first("p.translation .translation-label").text()
    assert label == "Traducción no oficial de este sitio:"
    assert fact.css_first("p.translation").text().removeprefix(label).strip() == FACT_ES

    overview = parse(client.get("/es/").text)
    first = overview.css_first("figure.excerpt")
    assert first.css_first("blockquote").text(strip=True) == "The council voted “yes” on Tuesday."
    translation = first.css_first("p.translation")
    assert translation.text().endswith(FIRST_ES)


def test_english_page_shows_no_translation(spanish_site) -> None:
    site, _recorder = spanish_site
    client = TestClient(create_app(site.settings, site), follow_redirects=False)
    doc = parse(client.get("/en/topic/").text)
    assert doc.css("figure.excerpt") and not doc.css("p.translation")
