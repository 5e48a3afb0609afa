"""`content/search-synonyms.yaml`: the words readers use, grouped per language, for site search.

The file maps a language code to a list of groups; each group is a list of words or phrases that
mean the same thing to a reader (`- [la migra, ICE, inmigración]`). A search for any of them finds
the others. Every problem is reported with its line and a fix, like the other content files.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from pathlib import Path
from typing import Any

from .errors import Problems
from .yamlfile import line_for

Groups = dict[str, tuple[tuple[str, ...], ...]]
FILE = "search-synonyms.yaml"


def _key(term: str) -> str:
    decomposed = unicodedata.normalize("NFKD", term.lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


# long: one check after another for each group and term, each with its own message and fix
def validate_synonyms(
    path: Path, data: Any, lines: dict[Any, int], langs: Collection[str], problems: Problems
) -> Groups:
    """The synonym groups of `data` (parsed YAML), adding a problem for each mistake."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.add(
            path,
            "must map language codes to lists of synonym groups.",
            line=1,
            hint="start with a line 'en:' and list groups under it as '- [word, other word]'.",
        )
        return {}
    out: Groups = {}
    for lang, groups in data.items():
        lang = str(lang)
        where = line_for(lines, (lang,))
        if lang not in langs:
            problems.add(
                path,
                f"'{lang}' is not a language of the site's pages.",
                line=where,
                field=lang,
                hint=f"use one of: {', '.join(sorted(langs))}.",
            )
            continue
        if not isinstance(groups, list):
            problems.add(
                path,
                "must be a list of synonym groups.",
                line=where,
                field=lang,
                hint="write each group as '- [word, other word]'.",
            )
            continue
        seen: dict[str, int] = {}
        kept = []
        for index, group in enumerate(groups):
            line = line_for(lines, (lang, index))
            name = f"{lang}[{index}]"
            if not isinstance(group, list) or len(group) < 2:
                problems.add(
                    path,
                    "a synonym group needs at least two words or phrases.",
                    line=line,
                    field=name,
                    hint="write it as '- [word, other word]', or delete it.",
                )
                continue
            terms = []
            for term in group:
                if not isinstance(term, str) or not any(ch.isalnum() for ch in term):
                    problems.add(
                        path,
                        f"{term!r} is not a word or phrase.",
                        line=line,
                        field=name,
                        hint="use words with letters or digits, in quotes if they hold ':' or '#'.",
                    )
                    continue
                key = _key(term)
                if key in seen:
                    other = "this group" if seen[key] == index else f"group {seen[key] + 1}"
                    problems.add(
                        path,
                        f"'{term}' is already in {other} of '{lang}'.",
                        line=line,
                        field=name,
                        hint="list each word once per language; merge the groups if they mean "
                        "the same thing.",
                    )
                    continue
                seen[key] = index
                terms.append(term.strip())
            if len(terms) >= 2:
                kept.append(tuple(terms))
        out[lang] = tuple(kept)
    return out
