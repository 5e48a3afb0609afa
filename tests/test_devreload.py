"""`make dev`: a saved page is rebuilt in the running process (through the build cache) and
served; invalid content keeps the last good site."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import parse
from fastapi.testclient import TestClient

from app.serve.devreload import DevReload


def served_paragraphs(client: TestClient) -> list[str]:
    response = client.get("/en/topic/")
    assert response.status_code == 200
    return [p.text() for p in parse(response.text).css("main p")]


def wait_for(check: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_a_saved_page_is_served_without_a_restart(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(content_dir))
    monkeypatch.setenv("BUILD_CACHE", str(tmp_path / "cache"))
    dev = DevReload()
    client = TestClient(dev, follow_redirects=False)
    assert not any("Edited while serving" in p for p in served_paragraphs(client))
    page = content_dir / "pages/en/topic.md"
    original = page.read_text()
    page.write_text(original.replace("Intro paragraph", "Edited while serving. Intro paragraph"))
    assert wait_for(lambda: any("Edited while serving" in p for p in served_paragraphs(client)))

    first = dev.app
    page.write_text(original.replace("## First part {#first-part}", "## First part"))  # invalid
    time.sleep(1.0)
    assert dev.app is first  # the last good site is still served
    assert any("Edited while serving" in p for p in served_paragraphs(client))
