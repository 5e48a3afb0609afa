"""Question pages: each answer's first block in view, the rest folded; the notes list folded."""

from __future__ import annotations

from conftest import parse
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser, LexborNode

from app.build.site import Site
from app.markdown import parser
from app.markdown.answers import CLOSE, OPEN, fold_answers
from app.urls import page as page_url
from app.urls import section as section_url


def _folded_types(markdown: str) -> list[str]:
    tokens = fold_answers(parser().parse(markdown, {}), "More")
    return [t.type for t in tokens if t.type != "inline"]


def test_an_answer_keeps_its_first_block_in_view_and_folds_the_rest() -> None:
    types = _folded_types("### Q?\n\nDirect.\n\nDetail one.\n\n- a\n- b\n\n### Next?\n\nOnly.\n")
    first = types.index("paragraph_close")
    assert types[first + 1] == OPEN
    # The detail (a paragraph and a list) is inside; the fold closes before the next question.
    assert types[first + 1 : types.index("heading_open", first)] == [
        OPEN,
        "paragraph_open",
        "paragraph_close",
        "bullet_list_open",
        "list_item_open",
        "paragraph_open",
        "paragraph_close",
        "list_item_close",
        "list_item_open",
        "paragraph_open",
        "paragraph_close",
        "list_item_close",
        "bullet_list_close",
        CLOSE,
    ]
    # A one-block answer gets no empty fold.
    assert types.count(OPEN) == types.count(CLOSE) == 1


def test_a_fold_ends_at_an_h2_and_text_under_an_h2_is_never_folded() -> None:
    types = _folded_types(
        "## Group\n\nIntro.\n\nMore intro.\n\n### Q?\n\nA.\n\nB.\n\n## Next\n\nC.\n\nD.\n"
    )
    assert types.count(OPEN) == 1
    assert types.index(CLOSE) < types.index("heading_open", types.index(OPEN))


def test_the_page_tokens_are_left_as_they_were(site: Site) -> None:
    page = site.content.pages[("en", "faq")]
    before = [t.type for t in page.tokens]
    fold_answers(page.tokens, "More")
    assert [t.type for t in page.tokens] == before
    assert OPEN not in before


def _answers(doc: LexborHTMLParser) -> list[tuple[str, list[LexborNode]]]:
    """Each h3 question of the page body, with the top-level blocks after it (until a heading)."""
    found = []
    for head in doc.css(".body > .section-head"):
        h3 = head.css_first("h3")
        if h3 is None:
            continue
        blocks, node = [], head.next
        while node is not None and "section-head" not in (node.attributes.get("class") or ""):
            if node.tag not in ("-text", "section"):
                blocks.append(node)
            node = node.next
        found.append((h3.text(strip=True), blocks))
    return found


def test_every_faq_answer_shows_one_block_then_one_full_answer_control(
    client: TestClient, site: Site
) -> None:
    for lang in site.langs:
        slug = site.content.by_key("faq", lang).slug  # type: ignore[union-attr]
        doc = parse(client.get(page_url(lang, slug)).text)
        answers = _answers(doc)
        assert len(answers) >= 10, lang
        names = []
        for question, blocks in answers:
            assert blocks, question
            assert blocks[0].tag != "details", f"{question}: the direct answer is folded"
            assert blocks[0].css("details.answer-more") == [], question
            rest = blocks[1:]
            if rest:  # a one-block answer has nothing to fold
                assert [b.tag for b in rest] == ["details"], f"{question}: {[b.tag for b in rest]}"
                summary = rest[0].css_first("summary")
                assert summary is not None and rest[0].attributes.get("open") is None
                names.append(summary.text(strip=True))
                assert question in names[-1], "the control's name says which answer it opens"
        assert len(names) == len(set(names)) >= 10, lang


def test_the_faq_contents_list_every_question_behind_one_control(
    client: TestClient, site: Site
) -> None:
    doc = parse(client.get(page_url("en", "faq")).text)
    toc = doc.css_first("nav.toc")
    assert toc is not None
    fold = toc.css_first("details.toc-fold")
    assert fold is not None
    questions = [h.attributes["id"] for h in doc.css(".body h3[id]")]
    listed = [a.attributes["href"] for a in fold.css("a")]
    assert [f"#{q}" for q in questions] == [h for h in listed if h[1:] in questions]
    assert str(len(questions)) in fold.css_first("summary").text()


def test_other_pages_keep_their_contents_list_open(client: TestClient) -> None:
    doc = parse(client.get(page_url("en", "sanctuary-ordinance")).text)
    assert doc.css_first("nav.toc") is not None
    assert doc.css("details.toc-fold, details.answer-more") == []


def test_a_question_s_own_page_shows_the_whole_answer(client: TestClient) -> None:
    doc = parse(client.get(section_url("en", "faq", "lapd-ask-status")).text)
    assert doc.css("details.answer-more") == []
    assert len(doc.css(".body > p, .body > .cited")) >= 3


def test_the_notes_list_is_folded_and_its_control_counts_the_notes(
    client: TestClient, site: Site
) -> None:
    for path in (page_url("en", "faq"), page_url("es", "coordinacion-dea-dhs")):
        doc = parse(client.get(path).text)
        fold = doc.css_first("section.page-sources details.notes-fold")
        assert fold is not None, path
        notes = fold.css("ol > li[id^='note-']")
        assert len(notes) >= 5, path
        assert str(len(notes)) in fold.css_first("summary").text(), path
        # Every reference marker on the page still points at a note inside the fold.
        ids = {n.attributes["id"] for n in notes}
        targets = {a.attributes["href"][1:] for a in doc.css("a.ref")}
        assert targets and targets <= ids, path
