"""Language parity: a translation mirrors its English page, and every quote it shows is translated.

The rules, run by the loader after the pages are parsed:

- once `content/pages/<lang>/` holds at least one page, every English page has a twin there with
  the same `key` (and every page there has an English original);
- twins have the same set of section ids and the same set of citation keys;
- every excerpt or research quote cited on a translated page has a translation into that language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..markdown.citations import CiteKey
from .errors import Problems
from .records import Page, Source
from .schema import LANGS

BASE = LANGS[0]  # pages are written in English first, then translated
LANG_NAMES = {"en": "English", "es": "Spanish"}


@dataclass(frozen=True)
class _Outline:
    """Where a page's section ids and citation keys are (file lines)."""

    sections: dict[str, int]
    citations: dict[CiteKey, int]


def check_parity(
    folder: Path,
    pages: Mapping[tuple[str, str], Page],
    sources: Mapping[str, Source],
    quote_translations: Mapping[str, Mapping[str, str]],
    problems: Problems,
) -> None:
    """Report every parity problem between `folder/en/` and each other language folder."""
    base = {p.key: p for (lang, _), p in pages.items() if lang == BASE}
    for lang in LANGS:
        if lang == BASE:
            continue
        translated = {p.key: p for (page_lang, _), p in pages.items() if page_lang == lang}
        for page in translated.values():
            _check_quotes(page, _outline(page), sources, quote_translations, problems)
        if not any((folder / lang).glob("*.md")):
            continue  # no pages in this language yet: the site is served without it
        _check_twins(folder, lang, base, translated, problems)
        _check_source_notes(lang, sources, problems)


def _check_source_notes(lang: str, sources: Mapping[str, Source], problems: Problems) -> None:
    """A source in another language than `lang` needs its notes translated into `lang`."""
    for source in sources.values():
        meta = source.meta
        if meta.language == lang:
            continue
        notes = meta.translations.get(lang)
        if notes is None:
            problems.add(
                source.path,
                f"no '{lang}' text for this source's notes.",
                field=f"translations.{lang}",
                hint=f"add translations: {{{lang}: {{title_basis, dating, reliability, "
                "copy_notes}} in the reader's language.",
            )
        elif len(notes.copy_notes) != len(meta.copies):
            problems.add(
                source.path,
                f"translations.{lang}.copy_notes has {len(notes.copy_notes)} notes for "
                f"{len(meta.copies)} copies.",
                field=f"translations.{lang}.copy_notes",
                hint="give one note per entry of 'copies', in the same order.",
            )


def _check_twins(
    folder: Path, lang: str, base: dict[str, Page], translated: dict[str, Page], problems: Problems
) -> None:
    name, base_name = LANG_NAMES.get(lang, lang), LANG_NAMES[BASE]
    where = _shown(problems, folder / lang) + "/"
    for key, page in sorted(base.items()):
        twin = translated.get(key)
        if twin is None:
            problems.add(
                page.path,
                f"has no {name} twin: no page in {where} has key '{key}'.",
                hint=f"add {where}<slug>.md with 'key: {key}', the same section ids and the same "
                f"citations. (This check applies once {where} holds at least one page; until "
                f"then the site is served in {base_name} only.)",
            )
            continue
        _compare(page, twin, problems)
    for key, page in sorted(translated.items()):
        if key not in base:
            problems.add(
                page.path,
                f"key '{key}' matches no {base_name} page.",
                field="key",
                hint=f"use the 'key' of the {base_name} page this translates, or add that page "
                f"to {_shown(problems, folder / BASE)}/ first.",
            )


def _compare(page: Page, twin: Page, problems: Problems) -> None:
    """Report section ids and citation keys that one twin has and the other lacks."""
    mine, theirs = _outline(page), _outline(twin)
    page_file = _shown(problems, page.path)
    missing = [s for s in mine.sections if s not in theirs.sections]
    extra = [s for s in theirs.sections if s not in mine.sections]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing here: {_ids(missing)}")
        if extra:
            parts.append(f"not in {page_file}: {_ids(extra)}")
        problems.add(
            twin.path,
            f"section ids differ from its twin {page_file} ({'; '.join(parts)}).",
            line=theirs.sections[extra[0]] if extra else None,
            hint="give the matching '##'/'###' headings the same '{#id}' in both files; "
            "ids are never translated.",
        )
    for key, line in mine.citations.items():
        if key not in theirs.citations:
            problems.add(
                twin.path,
                f"citation '{key.label}' is in its twin {page_file} (line {line}) but not here.",
                hint="cite it here too, where the same point is made: both languages cite "
                "the same sources.",
            )
    for key, line in theirs.citations.items():
        if key not in mine.citations:
            problems.add(
                twin.path,
                f"citation '{key.label}' is not in its twin {page_file}.",
                line=line,
                hint=f"remove it, or cite it in {page_file} too: both languages cite the same "
                "sources.",
            )


def _check_quotes(
    page: Page,
    outline: _Outline,
    sources: Mapping[str, Source],
    quote_translations: Mapping[str, Mapping[str, str]],
    problems: Problems,
) -> None:
    """Every excerpt or research quote a translated page shows needs a translation."""
    name = LANG_NAMES.get(page.lang, page.lang)
    for key, line in outline.citations.items():
        if key.kind == "excerpt":
            source = sources.get(key.target)
            excerpt = source.excerpts.get(key.excerpt) if source else None
            if source is None or excerpt is None or source.meta.language == page.lang:
                continue  # unknown ids are reported by the citation check
            if not excerpt.translation.get(page.lang, "").strip():
                index = list(source.excerpts).index(excerpt.id)
                problems.add(
                    page.path,
                    f"quote '{key.label}' has no {name} translation.",
                    line=line,
                    hint=f"in {_shown(problems, source.path)}, add to excerpt '{excerpt.id}' "
                    f"(excerpts.{index}) the line 'translation: {{{page.lang}: \"...\"}}'.",
                )
        elif key.kind == "quote" and not quote_translations.get(key.target, {}).get(page.lang):
            translations = problems.root / "research" / f"translations.{page.lang}.yaml"
            problems.add(
                page.path,
                f"quote '{key.label}' has no {name} translation.",
                line=line,
                hint=f"add '{key.target}: \"...\"' to {_shown(problems, translations)}.",
            )


def _outline(page: Page) -> _Outline:
    """Section ids and citation keys of a page, each with the file line of its first use."""
    body_line = page.body_line
    sections: dict[str, int] = {}
    citations: dict[CiteKey, int] = {}
    for token in page.tokens:
        line = body_line + token.map[0] if token.map else body_line
        if token.type == "heading_open" and token.tag in ("h2", "h3") and token.attrGet("id"):
            sections.setdefault(str(token.attrGet("id")), line)
        for child in token.children or ():
            if child.type == "citation":
                at = line + token.content[: child.meta["offset"]].count("\n")
                for key in child.meta["keys"]:
                    if key.kind != "invalid":
                        citations.setdefault(key, at)
    return _Outline(sections, citations)


def _ids(ids: list[str]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def _shown(problems: Problems, path: Path) -> str:
    """A path as the problem list shows files (relative to the content folder's parent)."""
    try:
        return path.relative_to(problems.root.parent).as_posix()
    except ValueError:
        return str(path)
