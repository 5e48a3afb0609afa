"""The public address: SITE_URL, else the address the server was started on.

The last test starts the real server (`python -m app serve`, granian) on a random port with
SITE_URL unset and follows the links a reader or a messenger would: the copy-link target, the
preview card (og:image) and the handout's QR code target."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from netutil import free_port, running_server
from selectolax.lexbor import LexborHTMLParser
from test_handout import rasterize

from app import address

ROOT = Path(__file__).resolve().parent.parent
PORTS = range(8750, 8800)


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),
        ("", 9000, "http://127.0.0.1:9000"),
        ("::", 8000, "http://[::1]:8000"),
        ("::1", 8001, "http://[::1]:8001"),
        ("localhost", 8002, "http://localhost:8002"),
    ],
)
def test_served_url(host: str, port: int, expected: str) -> None:
    assert address.served_url(host, port) == expected


def test_site_url_prefers_site_url_and_falls_back_to_host_and_port() -> None:
    env = {"SITE_URL": "https://example.org/", "HOST": "0.0.0.0", "PORT": "9"}
    assert address.site_url_from(env) == "https://example.org"
    assert address.site_url_from({"HOST": "127.0.0.1", "PORT": "8123"}) == "http://127.0.0.1:8123"
    assert address.site_url_from({"SITE_URL": "  "}) == "http://127.0.0.1:8000"
    assert address.site_url_from({"PORT": "not-a-port"}) == "http://127.0.0.1:8000"


def test_export_warns_when_site_url_is_unset(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import app.export
    from app.__main__ import main

    used: list[str] = []
    monkeypatch.setattr(app.export, "export_site", lambda s, d, g: used.append(s.site_url) or 0)
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "8124")
    assert main(["export", str(tmp_path / "out")]) == 0
    warning = capsys.readouterr().err
    assert used == ["http://127.0.0.1:8124"]
    assert "SITE_URL is unset" in warning and "http://127.0.0.1:8124" in warning

    monkeypatch.setenv("SITE_URL", "https://example.org")
    assert main(["export", str(tmp_path / "out")]) == 0
    assert used[-1] == "https://example.org"
    assert "SITE_URL" not in capsys.readouterr().err


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read(), answer.headers.get("content-type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    port = free_port(PORTS)
    log = tmp_path_factory.mktemp("address") / "server.log"
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    with running_server(port, env, log):
        yield port, log


def test_startup_names_the_public_address_once(server: tuple[int, Path]) -> None:
    port, log = server
    lines = [line for line in log.read_text().splitlines() if "public address" in line]
    assert len(lines) == 1, lines
    assert f"http://127.0.0.1:{port} " in lines[0]
    assert "SITE_URL" in lines[0]


def test_links_work_where_the_server_runs(server: tuple[int, Path]) -> None:
    port, _log = server
    base = f"http://127.0.0.1:{port}"
    status, body, _ = _get(f"{base}/en/dea-dhs-coordination/")
    assert status == 200
    html = LexborHTMLParser(body.decode())
    share = html.css_first(".share[data-share-url]")  # the copy-link button copies this
    og_image = html.css_first('meta[property="og:image"]')
    canonical = html.css_first('link[rel="canonical"]')
    handout = html.css_first(".handout-link a")
    assert share is not None and og_image is not None and canonical is not None
    assert handout is not None
    copy_target = str(share.attributes["data-share-url"])
    image = str(og_image.attributes["content"])
    for url in (copy_target, image, str(canonical.attributes["href"])):
        assert url.startswith(base + "/"), url
    assert _get(copy_target)[0] == 200
    status, png, media = _get(image)
    assert (status, media) == (200, "image/png") and png.startswith(b"\x89PNG")

    status, body, _ = _get(base + str(handout.attributes["href"]))
    assert status == 200
    sheet = LexborHTMLParser(body.decode())
    printed = sheet.css_first("figure.qr figcaption a")
    svg = sheet.css_first("figure.qr svg")
    assert printed is not None and svg is not None
    target = printed.text(strip=True)
    assert target.startswith(base + "/")
    image_of_code, _size, _box = rasterize(svg)  # decoded as a phone would, by zxing-cpp
    codes = zxingcpp.read_barcodes(image_of_code)
    assert [c.text for c in codes] == [target]
    assert _get(target)[0] == 200
