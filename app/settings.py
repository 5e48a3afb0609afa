"""Settings from the environment, read once; tests pass their own."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .address import site_url_from

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    content_dir: Path = ROOT / "content"
    templates_dir: Path = ROOT / "templates"
    static_dir: Path = ROOT / "static"
    locales_dir: Path = ROOT / "locales"
    archive_dir: Path = ROOT / "archive"  # published versions (app/archive.py)
    # Makes canonical, share, card and citation URLs absolute. From the environment: SITE_URL, or
    # the address the server was started on (HOST, PORT), so links answer where the site runs.
    site_url: str = "http://127.0.0.1:8000"
    contact_email: str | None = None  # shown on the about page only when set
    publisher: str | None = None  # who publishes the site; named on the about page when set
    hsts: bool = False  # send Strict-Transport-Security (only when served over HTTPS)
    forwarded_allow_ips: str = "127.0.0.1"
    # The build cache (app/build/cache.py): None builds everything (tests, by default).
    cache_dir: Path | None = None
    build_workers: int = 0  # processes for a cold build; 0: one per core
    # Connections one client address may hold (app/serve/limits.py); 0: no cap. Proxies in
    # FORWARDED_ALLOW_IPS are exempt (every reader behind one comes from its address).
    connections_per_address: int = 128
    site_name: dict[str, str] = field(
        default_factory=lambda: {"en": "LA Enforcement Explained", "es": "LA: la ley, explicada"}
    )

    def name(self, lang: str) -> str:
        """The site's name in `lang` (English where it has none)."""
        return self.site_name.get(lang, self.site_name["en"])

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            content_dir=Path(env.get("CONTENT_DIR", str(ROOT / "content"))),
            archive_dir=Path(env.get("ARCHIVE_DIR", str(ROOT / "archive"))),
            site_url=site_url_from(env),
            contact_email=env.get("CONTACT_EMAIL") or None,
            publisher=(env.get("PUBLISHER") or "").strip() or None,
            hsts=env.get("HSTS", "").lower() in ("1", "true", "yes"),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            cache_dir=_cache_dir(env.get("BUILD_CACHE")),
            build_workers=int(env.get("BUILD_WORKERS") or 0),
            connections_per_address=int(env.get("CONNECTIONS_PER_ADDRESS", "128")),
        )


def _cache_dir(value: str | None) -> Path | None:
    """BUILD_CACHE: a folder, or `off`; unset, `build/cache/` in the project."""
    if value is None or not value.strip():
        return ROOT / "build" / "cache"
    return None if value.strip().lower() in ("off", "0", "no") else Path(value)
