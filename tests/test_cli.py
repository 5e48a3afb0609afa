"""The command line: invalid content stops `check` and `serve` with the list of problems."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], content: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if content is not None:
        env["CONTENT_DIR"] = str(content)
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_passes_on_the_real_content() -> None:
    result = run(["check"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("content OK:")


def test_invalid_content_stops_check_and_serve_with_the_list(content_dir: Path) -> None:
    page = content_dir / "pages/en/topic.md"
    page.write_text(
        page.read_text()
        .replace("## First part {#first-part}", "## First part")
        .replace("summary: A topic page for tests.", "summary: " + "z" * 200)
    )
    for command in (["check"], ["serve", "--port", "8399"]):
        result = run(command, content_dir)
        assert result.returncode == 1
        lines = result.stderr.strip().splitlines()
        assert lines[0] == "2 content problem(s):"
        assert any("topic.md" in line and "has no explicit id" in line for line in lines)
        assert any("topic.md" in line and "limit is 160" in line for line in lines)
