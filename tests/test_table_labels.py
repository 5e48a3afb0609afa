"""Table cells carry their column's header as `data-label`, for the phone card layout."""

from __future__ import annotations

from conftest import parse

from app.markdown import parser


def test_each_cell_is_labelled_by_its_column_header() -> None:
    html = parser().render(
        "| Rule | What it allows |\n| --- | --- |\n| *SB 54* | Very `little` |\n| B | |\n",
        {},
    )
    doc = parse(html)
    rows = [[td.attributes.get("data-label") for td in tr.css("td")] for tr in doc.css("tbody tr")]
    assert rows == [["Rule", "What it allows"], ["Rule", "What it allows"]]


def test_labels_do_not_leak_between_tables() -> None:
    html = parser().render(
        "| A |\n| --- |\n| 1 |\n\ntext\n\n| B | C |\n| --- | --- |\n| 2 | 3 |\n", {}
    )
    tables = parse(html).css("table")
    assert [td.attributes["data-label"] for td in tables[0].css("td")] == ["A"]
    assert [td.attributes["data-label"] for td in tables[1].css("td")] == ["B", "C"]


def test_every_explainer_table_cell_has_a_label(client) -> None:
    doc = parse(client.get("/en/exceptions/").text)
    cells = doc.css("main .body table td")
    assert cells
    headers = [th.text(strip=True) for th in doc.css("main .body table th")]
    assert {td.attributes.get("data-label") for td in cells} <= set(headers)
    assert all(td.attributes.get("data-label") for td in cells)
