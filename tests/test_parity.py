"""Language parity rules of the validator: one broken Spanish twin per rule.

Each test starts from the small fixture tree plus valid Spanish twins (tests/spanish_twins.py),
breaks one thing, and checks the problem names the file, the line or field, and a fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from spanish_twins import add_spanish, edit, line_of

from app.content.errors import ContentError, ContentProblem
from app.content.loader import load_content

EN_TOPIC = "content/pages/en/topic.md"
ES_TOPIC = "content/pages/es/tema.md"


def problems_for(content_dir: Path) -> list[ContentProblem]:
    with pytest.raises(ContentError) as info:
        load_content(content_dir)
    return info.value.problems


def only(problems: list[ContentProblem]) -> ContentProblem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_english_only_tree_needs_no_twins(content_dir: Path) -> None:
    (content_dir / "pages" / "es").mkdir()  # an empty folder does not switch the rule on
    content = load_content(content_dir)
    assert content.langs == ["en"]


def test_spanish_twins_are_valid(content_dir: Path) -> None:
    add_spanish(content_dir)
    content = load_content(content_dir)
    assert content.langs == ["en", "es"]
    twin = content.twin(content.pages[("en", "topic")], "es")
    assert twin is not None and twin.slug == "tema"


def test_missing_twin_names_the_english_page_and_the_key(content_dir: Path) -> None:
    add_spanish(content_dir)
    (content_dir / "pages" / "es" / "tema.md").unlink()
    problem = only(problems_for(content_dir))
    assert problem.file == EN_TOPIC
    assert "no Spanish twin" in problem.message and "key 'topic'" in problem.message
    assert "content/pages/es/<slug>.md with 'key: topic'" in problem.hint
    assert "at least one page" in problem.hint  # says why it applies only now


def test_spanish_page_without_english_original(content_dir: Path) -> None:
    add_spanish(content_dir)
    page = content_dir / "pages" / "es" / "tema.md"
    edit(page, "key: topic", "key: tema")
    problems = problems_for(content_dir)
    assert {(p.file, p.field) for p in problems} == {(EN_TOPIC, None), (ES_TOPIC, "key")}
    orphan = next(p for p in problems if p.file == ES_TOPIC)
    assert "key 'tema' matches no English page" in orphan.message
    assert "'key' of the English page" in orphan.hint


def test_section_ids_differ(content_dir: Path) -> None:
    add_spanish(content_dir)
    page = content_dir / "pages" / "es" / "tema.md"
    edit(page, "{#detail}", "{#detalle}")
    problem = only(problems_for(content_dir))
    assert problem.file == ES_TOPIC
    assert EN_TOPIC in problem.message  # names both files
    assert "missing here: #detail" in problem.message
    assert f"not in {EN_TOPIC}: #detalle" in problem.message
    assert problem.line == line_of(page, "{#detalle}")
    assert "same '{#id}'" in problem.hint


def test_section_missing_from_twin(content_dir: Path) -> None:
    add_spanish(content_dir)
    edit(content_dir / "pages" / "es" / "index.md", "## Contexto {#background}\n", "")
    problem = only(problems_for(content_dir))
    assert problem.file == "content/pages/es/index.md"
    assert "missing here: #background" in problem.message and "not in" not in problem.message


def test_citation_only_in_english(content_dir: Path) -> None:
    add_spanish(content_dir)
    edit(content_dir / "pages" / "es" / "tema.md", " [@sample#second]", "")
    problem = only(problems_for(content_dir))
    assert problem.file == ES_TOPIC
    line = line_of(content_dir / "pages" / "en" / "topic.md", "[@sample#second]")
    assert f"'@sample#second' is in its twin {EN_TOPIC} (line {line}) but not here" in (
        problem.message
    )
    assert "cite it here too" in problem.hint


def test_citation_only_in_spanish(content_dir: Path) -> None:
    add_spanish(content_dir)
    page = content_dir / "pages" / "es" / "tema.md"
    edit(page, "Más detalle. [@ref:sample-ref]", "Más detalle. [@ref:sample-ref; @sample#first]")
    problem = only(problems_for(content_dir))
    assert problem.file == ES_TOPIC
    assert f"'@sample#first' is not in its twin {EN_TOPIC}" in problem.message
    assert problem.line == line_of(page, "@sample#first")


def test_cited_excerpt_without_spanish_translation(content_dir: Path) -> None:
    add_spanish(content_dir)
    source = content_dir / "sources" / "sample.md"
    edit(source, '    translation:\n      es: "Fue la segunda votación."\n', "")
    problem = only(problems_for(content_dir))
    assert problem.file == ES_TOPIC  # where it is cited ...
    assert problem.message == "quote '@sample#second' has no Spanish translation."
    assert problem.line == line_of(content_dir / "pages" / "es" / "tema.md", "@sample#second")
    assert "content/sources/sample.md" in problem.hint  # ... and where to fix it
    assert "excerpt 'second' (excerpts.1)" in problem.hint and "translation: {es:" in problem.hint


def test_cited_quote_without_spanish_translation(content_dir: Path) -> None:
    add_spanish(content_dir)
    (content_dir / "research" / "translations.es.yaml").write_text("{}\n", encoding="utf-8")
    problem = only(problems_for(content_dir))
    assert problem.file == ES_TOPIC
    assert problem.message == "quote '@quote:sample-fact' has no Spanish translation."
    assert problem.line == line_of(content_dir / "pages" / "es" / "tema.md", "@quote:sample-fact")
    assert "content/research/translations.es.yaml" in problem.hint


def test_english_pages_need_no_translations(content_dir: Path) -> None:
    """The fixture's English pages cite untranslated quotes; only Spanish pages need them."""
    content = load_content(content_dir)
    assert content.quote_translations == {}
    assert all(not e.translation for e in content.sources["sample"].excerpts.values())


def test_every_problem_is_reported_in_one_pass(content_dir: Path) -> None:
    add_spanish(content_dir)
    edit(content_dir / "pages" / "es" / "tema.md", "{#detail}", "{#detalle}")
    (content_dir / "research" / "translations.es.yaml").write_text("{}\n", encoding="utf-8")
    (content_dir / "pages" / "es" / "index.md").unlink()
    messages = [p.message for p in problems_for(content_dir)]
    assert len(messages) == 3, messages


def test_a_source_needs_its_notes_in_each_page_language(content_dir: Path) -> None:
    add_spanish(content_dir)
    source = content_dir / "sources" / "sample.md"
    text = source.read_text(encoding="utf-8")
    start = text.index("translations:\n  es:")
    end = text.index("excerpts:\n")
    source.write_text(text[:start] + text[end:], encoding="utf-8")
    problem = only(problems_for(content_dir))
    assert problem.file.endswith("sources/sample.md")
    assert problem.field == "translations.es" and "reliability" in problem.hint


def test_a_source_note_missing_in_spanish_names_its_field(content_dir: Path) -> None:
    add_spanish(content_dir)
    edit(content_dir / "sources" / "sample.md", "    reliability: Una fuente de prueba.\n", "")
    found = [p for p in problems_for(content_dir) if p.file.endswith("sources/sample.md")]
    assert [p.field for p in found] == ["translations.es.reliability"]
    assert found[0].line is not None and "reliability" in found[0].hint


def test_spanish_copy_notes_must_match_the_copies(content_dir: Path) -> None:
    add_spanish(content_dir)
    source = content_dir / "sources" / "sample.md"
    edit(source, "    copy_notes: [Una copia sin fecha.]\n", "    copy_notes: []\n")
    problem = only(problems_for(content_dir))
    assert problem.field == "translations.es.copy_notes"
    assert "1 copies" in problem.message and "one note per entry" in problem.hint
