"""A synthetic site of N pages, made from the real content, for startup build figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = (
    "dea-dhs-coordination",
    "sanctuary-ordinance",
    "special-order-40",
    "federal-context",
    "what-we-know",
    "exceptions",
    "faq",
)


def _split(path: Path) -> tuple[dict[str, object], str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def make_site(target: Path, pages: int, content: Path = ROOT / "content") -> Path:
    """Copy `content` to `target` and add pages until the site has `pages` pages in all.

    Each added page is a copy of a real explainer page (citations, quotes and all) under a new key,
    slug and title, in every language the real page has (a Spanish copy of the Spanish twin), so
    each costs what a real page costs to validate and render. Copies stay out of the site menu
    (no `nav`), as most pages of a large site would: a menu of every page, on every page, would
    make each page's HTML grow with the size of the site.
    """
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(content, target)
    folders = sorted(p for p in (target / "pages").iterdir() if p.is_dir())
    by_key: dict[str, dict[Path, Path]] = {}
    for folder in folders:
        for path in folder.glob("*.md"):
            meta, _ = _split(path)
            by_key.setdefault(str(meta["key"]), {})[folder] = path
    templates = [by_key[key] for key in TEMPLATES if key in by_key]
    if not templates:
        raise SystemExit(f"none of {TEMPLATES} found under {target / 'pages'}")
    count = sum(1 for _ in (target / "pages").rglob("*.md"))
    index = 0
    while count < pages:
        twins = templates[index % len(templates)]
        slug = f"synthetic-{index:04d}"
        for folder, source in twins.items():
            meta, body = _split(source)
            meta.update(key=slug, title=f"{meta['title']} ({index})")
            meta.pop("nav", None)
            front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
            (folder / f"{slug}.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")
            count += 1
        index += 1
    return target
