"""The About page: who publishes the site (PUBLISHER, shown when set), the corrections policy,
and a corrections section that never ends empty when no contact address is set."""

from __future__ import annotations

from pathlib import Path

from conftest import parse
from fastapi.testclient import TestClient

from app.serve.app import create_app
from app.settings import Settings

ABOUT = {"en": "/en/about/", "es": "/es/acerca-de/"}


def section(doc, ident: str):
    """The nodes from the h2 with `ident` up to the next h2, as one text and a node list."""
    body = doc.css_first("main .body")
    nodes, inside = [], False
    for node in body.iter():
        heading = node if node.tag == "h2" else node.css_first("h2")  # in its div.section-head
        if heading is not None:
            inside = heading.attributes.get("id") == ident
            continue
        if inside:
            nodes.append(node)
    return nodes


def about(settings: Settings, lang: str):
    client = TestClient(create_app(settings), follow_redirects=False)
    response = client.get(ABOUT[lang])
    assert response.status_code == 200
    return parse(response.text)


def test_publisher_is_named_only_when_set(tmp_path: Path) -> None:
    unset = about(Settings(site_url="https://example.test"), "en")
    line = unset.css_first("p.publisher")
    assert line is not None and line.css_first("strong") is None
    assert line.text() == "This copy of the site does not name its publisher."

    named = about(Settings(site_url="https://example.test", publisher="Example Civic Lab"), "es")
    line = named.css_first("p.publisher")
    assert line is not None
    assert line.css_first("strong").text() == "Example Civic Lab"
    assert line.text().startswith("Publica este sitio:")


def test_publisher_setting_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("PUBLISHER", "  Example Civic Lab ")
    assert Settings.from_env().publisher == "Example Civic Lab"
    monkeypatch.setenv("PUBLISHER", "   ")
    assert Settings.from_env().publisher is None


def test_corrections_section_states_the_policy_without_a_contact() -> None:
    for lang in ABOUT:
        doc = about(Settings(site_url="https://example.test"), lang)
        nodes = section(doc, "corrections")
        paragraphs = [n for n in nodes if n.tag == "p"]
        assert len(paragraphs) >= 4, lang  # the policy, then the no-address line
        assert not [n for n in nodes if n.tag == "p" and n.attributes.get("class") == "contact"]
        last = paragraphs[-1]
        assert last.attributes.get("class") == "no-contact"
        assert last.text().strip()


def test_corrections_section_shows_the_address_when_set() -> None:
    doc = about(Settings(site_url="https://example.test", contact_email="fix@example.test"), "en")
    nodes = section(doc, "corrections")
    links = [a for n in nodes if n.tag == "p" for a in n.css("a[href^='mailto:']")]
    assert [a.attributes["href"] for a in links] == ["mailto:fix@example.test"]
    assert not doc.css("p.no-contact")


def test_about_mentions_the_page_history_once() -> None:
    for lang, word in (("en", "history page"), ("es", "página de historial")):
        doc = about(Settings(site_url="https://example.test"), lang)
        text = " ".join(n.text() for n in section(doc, "corrections") if n.tag == "p")
        assert text.count(word) == 1, lang
