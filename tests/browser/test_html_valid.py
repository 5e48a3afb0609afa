"""Valid HTML: the Nu Html Checker (vnu-jar) reports no error on any page, as the app serves it."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from .helpers import Pages, Server, java, node_tool, report

pytestmark = pytest.mark.browser

# Checked in the same run: a page with a known error, so a checker that checks nothing fails.
CANARY = "000-canary.html"
CANARY_HTML = b"<!doctype html><html lang=en><title>canary</title><p><span></p></html>"


def test_nu_html_checker_reports_no_errors(server: Server, pages: Pages, tmp_path: Path) -> None:
    names: dict[str, str] = {}
    with httpx.Client(base_url=server.base, timeout=20) as client:
        for index, path in enumerate(pages.all):
            response = client.get(path)
            assert response.status_code == pages.status(path), path
            assert response.headers["content-type"].startswith("text/html")
            name = f"{index + 1:03d}-{re.sub(r'[^a-z0-9]+', '-', path.lower()).strip('-')}.html"
            (tmp_path / name).write_bytes(response.content)
            names[name] = path
    (tmp_path / CANARY).write_bytes(CANARY_HTML)
    names[CANARY] = CANARY
    # One JVM for every page: the checker's start-up is most of its time.
    jar = node_tool("vnu-jar", "build", "dist", "vnu.jar")
    run = subprocess.run(
        [
            java(),
            "-jar",
            str(jar),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            *sorted(str(tmp_path / name) for name in names),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    messages = json.loads(run.stderr or run.stdout)["messages"]
    problems = []
    for message in messages:
        path = names.get(Path(message.get("url", "")).name, message.get("url", "?"))
        if path == CANARY:
            continue
        where = f"line {message.get('lastLine', '?')}"
        problems.append(f"{path} {where}: {message['type']}: {message['message']}")
    canary = [m for m in messages if m.get("url", "").endswith(CANARY) and m["type"] == "error"]
    assert canary, "the checker did not report the canary page's error: it checked nothing"
    assert not problems, report(problems, "Nu Html Checker errors")
