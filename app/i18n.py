"""UI translations: Babel catalogs (locales/<lang>/LC_MESSAGES/messages.po) compiled at startup."""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

Gettext = Callable[[str], str]


def load_translations(locales_dir: Path, lang: str) -> NullTranslations:
    """Compile the language's .po catalog in memory; English is the source language."""
    po = locales_dir / lang / "LC_MESSAGES" / "messages.po"
    if lang == "en" or not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@functools.cache  # a site shows a few dozen distinct dates thousands of times
def long_date(value: dt.date, lang: str) -> str:
    """'January 26, 2025' / '26 de enero de 2025'."""
    return format_date(value, format="long", locale=lang)


def language_name(lang: str, in_lang: str | None = None) -> str:
    """A language's name, capitalised, in its own language ('Español') or in `in_lang`."""
    name = Locale.parse(lang).get_display_name(in_lang or lang) or lang
    return name[:1].upper() + name[1:]
