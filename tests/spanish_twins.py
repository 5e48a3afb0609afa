"""Spanish twins for the small fixture tree, written only into a test's tmp copy (`content_dir`).

After `add_spanish(content_dir)` the tree is valid in both languages: each English page has a
Spanish twin with the same key, section ids and citations, and every quote they show is translated.
Tests then break one thing.
"""

from __future__ import annotations

from pathlib import Path

FRONT = """---
key: {key}
title: {title}
summary: {summary}
nav: {nav}
updated: 2025-01-26
checked: 2025-01-26
review_by: 2025-04-26
changes:
  - date: 2025-01-26
    note: Primera publicación.
---
"""

INDEX_ES = FRONT.format(key="overview", title="Resumen", summary="Un sitio pequeño.", nav=0) + (
    "El concejo votó, dice el artículo. [@sample#first]\n"
    "\n"
    "## Contexto {#background}\n"
    "\n"
    "Sample News lo informó. [@ref:sample-ref]\n"
)

# A Spanish slug: twins are paired by `key`, not by file name.
TOPIC_ES = FRONT.format(key="topic", title="Un tema", summary="Una página de prueba.", nav=1) + (
    "Introducción con una cita. [@quote:sample-fact; @ref:sample-ref]\n"
    "\n"
    "## Primera parte {#first-part}\n"
    "\n"
    "Pasó dos veces. [@sample#second]\n"
    "\n"
    "### Detalle {#detail}\n"
    "\n"
    "Más detalle. [@ref:sample-ref]\n"
)

FIRST_ES = "El concejo votó “sí” el martes."
SECOND_ES = "Fue la segunda votación."
FACT_ES = "Los agentes no harán eso."
SOURCE_NOTES_ES = """translations:
  es:
    title_basis: La primera línea del texto.
    reliability: Una fuente de prueba.
    copy_notes: [Una copia sin fecha.]
"""


def add_spanish(content_dir: Path) -> None:
    """Add content/pages/es/ twins and the Spanish translations of every quote they show."""
    pages = content_dir / "pages" / "es"
    pages.mkdir()
    (pages / "index.md").write_text(INDEX_ES, encoding="utf-8")
    (pages / "tema.md").write_text(TOPIC_ES, encoding="utf-8")
    source = content_dir / "sources" / "sample.md"
    text = source.read_text(encoding="utf-8")
    for exact, spanish in (
        ('    exact: "The council voted “yes” on Tuesday."\n', FIRST_ES),
        ('    exact: "It was the second vote."\n', SECOND_ES),
    ):
        assert text.count(exact) == 1, exact
        text = text.replace(exact, f'{exact}    translation:\n      es: "{spanish}"\n')
    text = text.replace("excerpts:\n", SOURCE_NOTES_ES + "excerpts:\n", 1)
    source.write_text(text, encoding="utf-8")
    (content_dir / "research" / "translations.es.yaml").write_text(
        f'sample-fact: "{FACT_ES}"\n', encoding="utf-8"
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture text {old!r} not once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)
