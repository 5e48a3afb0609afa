"""Shared fixtures: the real site built once, a client for it, and small content trees."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from app.build.site import Site
from app.serve.app import build as build_served
from app.serve.app import create_app
from app.settings import Settings

FIXTURE_CONTENT = Path(__file__).parent / "fixtures" / "content"

# Generated tests: a fast, repeatable profile by default (CI); HYPOTHESIS_PROFILE=thorough for
# the full count. Both derandomised, so a failure shows again on the next run.
_COMMON = {"deadline": None, "derandomize": True, "database": None}
hypothesis_settings.register_profile("ci", max_examples=300, **_COMMON)
hypothesis_settings.register_profile("thorough", max_examples=2600, **_COMMON)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(site_url="https://example.test")


@pytest.fixture(scope="session")
def site(settings: Settings) -> Site:
    return build_served(settings)


@pytest.fixture(scope="session")
def client(settings: Settings, site: Site) -> TestClient:
    return TestClient(create_app(settings, site), follow_redirects=False)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the small valid content tree, for tests that break one thing in it."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, target)
    return target


@pytest.fixture
def small_site(content_dir: Path) -> Callable[[], TestClient]:
    """A client for a site built from `content_dir` (after the test has changed it)."""

    def make() -> TestClient:
        settings = Settings(content_dir=content_dir, site_url="https://example.test")
        return TestClient(create_app(settings), follow_redirects=False)

    return make


def parse(html: str) -> HTMLParser:
    return HTMLParser(html)
