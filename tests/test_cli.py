"""The command line: invalid content stops `check` and `serve` with the list of problems."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from _pytest.capture import CaptureFixture

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


def test_serve_builds_in_its_own_process_and_a_second_start_reads_no_content_file(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: CaptureFixture
) -> None:
    """`serve` checks and builds in the process granian's workers fork from (no prebuild child:
    it would load the content and compute the environment a second time), then marks the build
    so that the next start with the same files is known unchanged before any file is read."""
    import app.__main__ as cli
    from app.build import bundle as bundle_module
    from app.serve import app as serve_app
    from app.serve import servers

    monkeypatch.setenv("HOST", "127.0.0.1")  # set by `serve`: restored after the test
    monkeypatch.setenv("PORT", "8398")
    monkeypatch.setenv("CONTENT_DIR", str(content_dir))
    monkeypatch.setenv("BUILD_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(serve_app, "_PRELOADED", [])
    # the server's log setup would point every later test's logs at this test's captured stderr
    monkeypatch.setattr(cli.logging.config, "dictConfig", lambda config: None)
    monkeypatch.setattr(cli, "_in_child", lambda work: pytest.fail("a child built the site"))
    served: list[int] = []
    monkeypatch.setattr(servers, "serve_site", lambda host, port, *a: served.append(port))
    environments: list[str | None] = []
    bundles: list[object] = []
    real = serve_app.preload

    def preload(settings, environment=None, bundle=None):  # type: ignore[no-untyped-def]
        environments.append(environment)
        bundles.append(bundle)
        return real(settings, environment, bundle)

    # the bundle of what the first start read, written now (not in a process of its own)
    def keep(
        root: Path, key: str, files: list[tuple[str, str]], then: object, first: object
    ) -> None:
        for job in first:  # what the build left to write, first, as the real one does
            job()
        bundle_module.write(root, key, files)
        assert then is None or callable(then)

    monkeypatch.setattr(serve_app, "keep_bundle", keep)

    monkeypatch.setattr(serve_app, "preload", preload)
    assert cli.main(["serve", "--port", "8398"]) == 0
    first = capsys.readouterr().err.splitlines()
    assert any(line.startswith("content OK: ") and "pages" in line for line in first)
    assert cli.main(["serve", "--port", "8398"]) == 0
    second = capsys.readouterr().err.splitlines()
    assert second[0] == "content OK: unchanged since the last build (build/cache/)"
    assert served == [8398, 8398]
    assert len(environments) == 2 and environments[0] == environments[1] != ""
    assert bundles[0] is None and isinstance(bundles[1], bundle_module.Prefetch)
