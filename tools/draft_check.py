"""Rough checks for a draft page before the app's validator runs: readability and citation coverage.

Usage: .venv/bin/python tools/draft_check.py content/pages/en/some-page.md
"""

import re
import sys

import textstat
import yaml

CITE = re.compile(r"\[@[^\]]*\]")
COMPONENT = re.compile(r"^\[\[[a-z-]+\]\]$")


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert len(meta["summary"]) <= 160, "summary over 160 characters"
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]
    prose, cited, total = [], 0, 0
    for block in blocks:
        for item in re.split(r"\n(?=[-*] |\d+\. |\|)", block):
            item = item.strip()
            if item.startswith("#") or COMPONENT.match(item) or set(item) <= set("|-: "):
                continue
            total += 1
            cited += bool(CITE.search(item))
            plain = CITE.sub("", item)
            plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", plain)
            plain = re.sub(r"[*_`|>#-]", " ", plain)
            prose.append(plain if plain.rstrip().endswith((".", "?", "!", ":")) else plain + ".")
    joined = "\n".join(prose)
    print(
        f"{path}: FK grade {textstat.flesch_kincaid_grade(joined):.1f}; "
        f"cited {cited}/{total} blocks"
    )


if __name__ == "__main__":
    for p in sys.argv[1:]:
        main(p)
