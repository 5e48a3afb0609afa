"""The build cache's keys (app/build/cachekey.py)."""

from __future__ import annotations

from importlib import metadata

from app.build import cachekey


def test_library_versions_are_the_installed_ones() -> None:
    """Read from the `.dist-info` folders' names: what importlib.metadata says, faster."""
    expected = " ".join(f"{name}={metadata.version(name)}" for name in cachekey.LIBRARIES)
    assert cachekey.versions(cachekey.LIBRARIES) == expected
    assert cachekey.versions(["surely-not-installed-here"]) == "surely-not-installed-here=-"
