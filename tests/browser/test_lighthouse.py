"""Lighthouse (mobile preset) on the overview, an explainer, a source page and search, per language.

Accessibility, best practices and SEO must score 100 and performance at least 95. The reports stay
in build/lighthouse/ (git-ignored), with summary.json holding every score.

Search is audited on the bare search page (`/{lang}/search`, the form with tips), which may be
indexed. Result pages (`?q=`) are kept out of search engines on purpose (noindex and a robots.txt
rule), so Lighthouse's `is-crawlable` audit would count against them by design; the other gates
(axe, keyboard, privacy, no-JS, reflow, HTML validity) still run on a result page.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app import urls
from app.build.site import Site

from .helpers import (
    BUILD,
    CHROMIUM,
    HOST_RULES,
    Pages,
    Server,
    first_explainer,
    free_port,
    node_tool,
    report,
)

pytestmark = pytest.mark.browser

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MINIMUM = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
    f"--host-resolver-rules='{HOST_RULES}'"
)


def lighthouse_pages(site: Site, pages: Pages) -> dict[str, str]:
    """name -> path for the pages the issue names, in every language the site has."""
    chosen = {}
    for lang in site.langs:
        chosen[f"{lang}-overview"] = urls.page(lang, "")
        chosen[f"{lang}-explainer"] = first_explainer(site, lang)
        chosen[f"{lang}-source"] = urls.source(lang, next(iter(site.content.sources)))
        chosen[f"{lang}-search"] = urls.search(lang)
    return chosen


def run_lighthouse(url: str, out: str, port: int, tries: int = 3) -> dict[str, int]:
    """Scores for one page.

    Lighthouse sometimes fails to record a trace (NO_NAVSTART and the like): that is the tool
    failing, not the page, so such a run is repeated. Low scores are never retried.
    """
    for attempt in range(1, tries + 1):
        error = _lighthouse_once(url, out, port)
        if error is None:
            result = report_json(out)
            return {
                name: round(100 * (result["categories"][name]["score"] or 0)) for name in CATEGORIES
            }
        if attempt == tries:
            raise AssertionError(f"lighthouse on {url} failed {tries} times: {error}")
    raise AssertionError("unreachable")


def _lighthouse_once(url: str, out: str, port: int) -> str | None:
    """Run Lighthouse once; the tool's own error, or None when it produced scores."""
    cli = node_tool("lighthouse", "cli", "index.js")
    run = subprocess.run(
        [
            "node",
            str(cli),
            url,
            f"--chrome-flags={FLAGS}",
            f"--port={port}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--output=json",
            "--output=html",
            f"--output-path={out}",
            "--quiet",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if run.returncode != 0:
        return f"exit {run.returncode}: {run.stderr[-2000:]}"
    result = report_json(out)
    if result.get("runtimeError"):
        return str(result["runtimeError"])
    if any(result["categories"][name]["score"] is None for name in CATEGORIES):
        return "a category has no score"
    return None


def report_json(out: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(Path(f"{out}.report.json").read_text(encoding="utf-8"))
    return result


def failing_audits(out: str, category: str) -> list[str]:
    """The audits that cost a category points, to say what to fix."""
    result = report_json(out)
    names = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            names.append(f"{ref['id']} ({audit.get('displayValue') or audit['score']})")
    return names


def test_lighthouse_scores(server: Server, site: Site, pages: Pages) -> None:
    folder = BUILD / "lighthouse"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port(exclude={server.port})
    scores: dict[str, dict[str, int]] = {}
    problems = []
    for name, path in lighthouse_pages(site, pages).items():
        if path in pages.missing:
            problems.append(f"{name} ({path}): the page is not served")
            continue
        out = str(folder / name)
        scores[name] = run_lighthouse(server.url(path), out, port)
        for category, minimum in MINIMUM.items():
            if scores[name][category] < minimum:
                audits = ", ".join(failing_audits(out, category))
                problems.append(
                    f"{name} ({path}) {category} {scores[name][category]} < {minimum}: {audits}"
                )
    (folder / "summary.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    print("lighthouse scores:", json.dumps(scores))
    assert not problems, report(problems, "Lighthouse scores below the bar")
