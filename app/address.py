"""The site's public address: SITE_URL when set, else the address the server was started on.

Every absolute URL the site makes (canonical links, cards, share and QR links, citations, the
sitemap, feeds) is built at startup from this one value, so it must be an address that answers.
`make run PORT=8123` therefore links to http://127.0.0.1:8123/, not to a default port where
nothing listens. A wildcard bind (0.0.0.0, ::) is reachable on the loopback address, which is what
such links then use; set SITE_URL to the address readers use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1"}


def served_url(host: str, port: int) -> str:
    """The URL a browser on this machine uses for a server bound to `host`:`port`."""
    host = WILDCARDS.get(host.strip(), host.strip())
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 literal
    return f"http://{host}:{port}"


def site_url_from(env: Mapping[str, str]) -> str:
    """SITE_URL if set; else the address of the server that HOST and PORT describe."""
    explicit = env.get("SITE_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    try:
        port = int(env.get("PORT", "") or DEFAULT_PORT)
    except ValueError:
        port = DEFAULT_PORT
    return served_url(env.get("HOST", "") or DEFAULT_HOST, port)


def is_set(env: Mapping[str, str] | None = None) -> bool:
    return bool((os.environ if env is None else env).get("SITE_URL", "").strip())


def announce(site_url: str, explicit: bool, what: str = "serving") -> str:
    """The one startup line: the public address in use and the setting that changes it."""
    if explicit:
        return f"{what}: public address {site_url} (from SITE_URL)"
    return (
        f"{what}: public address {site_url} (SITE_URL is unset, so links use the address the "
        "server was started on; set SITE_URL=https://your.domain for the address readers use)"
    )


def export_warning(site_url: str) -> str:
    return (
        f"warning: SITE_URL is unset, so the export's absolute links (canonical, cards, share, "
        f"QR, citations, sitemap, feeds) point to {site_url}; set SITE_URL=https://your.domain "
        "before `make export` for a site others can reach"
    )
