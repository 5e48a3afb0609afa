"""Source records: read each article, validate its metadata, and locate every excerpt in it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import frontmatter
from .content import Excerpt, Source
from .errors import Problems
from .models import ID_RE, SourceMeta
from .yamlfile import line_for

SOURCE_PAGE_IDS = {"reliability", "excerpts", "full-text", "main", "site-nav"}  # used by the page


def load_sources(
    folder: Path,
    conflicts: dict[str, Any],
    problems: Problems,
    facts: dict[str, Any] | None = None,
) -> dict[str, Source]:
    """Every `<source-id>.md` in `folder`, with excerpts located (W3C text position selectors).

    Each excerpt's `basis` must name conflicts or facts of the research file.
    """
    sources: dict[str, Source] = {}
    for path in sorted(folder.glob("*.md")):
        source_id = path.stem
        if not ID_RE.match(source_id):
            problems.add(path, "the file name must be a lowercase id like 'article-000.md'.")
            continue
        doc = frontmatter.split(path, path.read_text(encoding="utf-8"), problems)
        if doc is None:
            continue
        meta = frontmatter.validate(SourceMeta, doc.data, doc.lines, path, problems)
        if meta is None:
            continue
        for index, conflict in enumerate(meta.conflicts):
            if conflict not in conflicts:
                problems.add(
                    path,
                    f"unknown conflict '{conflict}'.",
                    line=line_for(doc.lines, ("conflicts", index)),
                    field="conflicts",
                    hint="use an id from 'conflicts' in research/context.yaml.",
                )
        known = set(conflicts) | set(facts or {})
        for index, spec in enumerate(meta.excerpts):
            for n, ident in enumerate(spec.basis):
                if ident not in known:
                    problems.add(
                        path,
                        f"excerpt '{spec.id}': unknown research id '{ident}' in its basis.",
                        line=line_for(doc.lines, ("excerpts", index, "basis", n)),
                        field=f"excerpts.{index}.basis",
                        hint="use the id of a conflict or a fact in research/context.yaml.",
                    )
        excerpts = dict(_locate_excerpts(path, meta, doc, problems))
        declared = frozenset(e.id for e in meta.excerpts)
        sources[source_id] = Source(source_id, path, meta, doc.body, excerpts, declared)
    return sources


def _locate_excerpts(
    path: Path, meta: SourceMeta, doc: frontmatter.Document, problems: Problems
) -> Iterator[tuple[str, Excerpt]]:
    seen: set[str] = set()
    for index, spec in enumerate(meta.excerpts):
        line = line_for(doc.lines, ("excerpts", index, "exact"))
        where = f"excerpts.{index}"
        if spec.id in SOURCE_PAGE_IDS:
            problems.add(
                path,
                f"excerpt id '{spec.id}' is used by the source page itself.",
                line=line,
                field=f"{where}.id",
                hint="choose another id.",
            )
            continue
        if spec.id in seen:
            problems.add(
                path,
                f"duplicate excerpt id '{spec.id}'.",
                line=line,
                field=where,
                hint="give each excerpt its own id.",
            )
            continue
        seen.add(spec.id)
        starts = [m.start() for m in re.finditer(re.escape(spec.exact), doc.body)]
        prefix, suffix = spec.prefix or "", spec.suffix or ""
        matches = [
            s
            for s in starts
            if doc.body[:s].endswith(prefix) and doc.body[s + len(spec.exact) :].startswith(suffix)
        ]
        if not matches:
            found = "its prefix/suffix do not match" if starts else "the text is not in the body"
            problems.add(
                path,
                f"excerpt '{spec.id}' not found: {found}.",
                line=line,
                field=f"{where}.exact",
                hint="copy the words from the article character for character, "
                "including typographic quotes and apostrophes, and punctuation.",
            )
            continue
        if len(matches) > 1:
            problems.add(
                path,
                f"excerpt '{spec.id}' occurs {len(matches)} times in the body.",
                line=line,
                field=f"{where}.exact",
                hint="add a 'prefix' (the words just before) or 'suffix' (just after) "
                "that picks out one place.",
            )
            continue
        start = matches[0]
        end = start + len(spec.exact)
        yield (
            spec.id,
            Excerpt(
                id=spec.id,
                exact=spec.exact,
                prefix=prefix or doc.body[max(0, start - 32) : start],
                suffix=suffix or doc.body[end : end + 32],
                start=start,
                end=end,
                translation=dict(spec.translation),
                status=spec.status,
                basis=spec.basis,
            ),
        )
