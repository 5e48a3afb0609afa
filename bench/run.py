"""`make bench`: speed, weight, startup and memory figures for the site (not a test).

1. Exports the site (`python -m app export DIR --gzip`) and serves it with Debian's nginx (one
   worker, its own config and prefix, 127.0.0.1); serves the app as `make run` does (one worker).
   wrk loads the same pages from both, alternately, in one run: requests/s, p50, p99, and the ratio
   app/nginx. Floors: ratio >= 0.5 on an explainer page, app p99 <= 25 ms at 32 connections,
   0 non-2xx.
2. Each page's compressed weight: HTML + CSS + JS <= 50 KB, JavaScript <= 10 KB, no web fonts.
3. Starts of synthetic 100- and 1,000-page sites, cold, warm and one page changed, memory, and
   `make dev` edits (bench/build_bench.py: <= 10 s cold, <= 1.5 s warm, <= 300 MB, <= 1 s).
4. A 60-second soak at 64 connections: 0 errors, and the app's RSS grows less than 10 %.
5. The ceiling (`bench/ceiling.py`): nginx, the bare granian app (`bench/bare_app.py`, ASGI and
   RSGI) and the app on the explainer page, alternating: app >= 0.9 of the bare ASGI app, p99
   <= 10 ms at 32 connections.
6. Slow clients (`bench/slowclients.py`), on a fresh server: with 2,000 connections dribbling
   their request heads, >= 95 % of ordinary requests answered, p99 <= 100 ms, and the slow
   connections closed within granian's header timeout (plus 1 s).

All traffic goes to 127.0.0.1; every step is bounded in time; every process started here is
stopped by its PID. Exits non-zero when a floor is missed, after printing every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

NGINX_PORT, APP_PORT, BARE_ASGI_PORT, BARE_RSGI_PORT, SLOW_PORT = 8810, 8811, 8812, 8813, 8814
SLOW_CONNECTIONS = 2000
EXPLAINER = "/en/dea-dhs-coordination/"
FLOOR_RATIO, GOAL_RATIO, FLOOR_P99_MS = 0.5, 0.6, 25.0
FLOOR_PAGE_KB, FLOOR_JS_KB = 50.0, 10.0
FLOOR_RSS_GROWTH = 0.10
FONT_FILES = (".woff", ".woff2", ".ttf", ".otf", ".eot")

failures: list[str] = []


def floor(ok: bool, text: str) -> str:
    if not ok:
        failures.append(text)
    return f"{'ok  ' if ok else 'FAIL'} {text}"


# --------------------------------------------------------------------------- processes


@contextmanager
def process(args: list[str], log: Path, **kwargs: object) -> Iterator[subprocess.Popen[bytes]]:
    """Start a process (output to `log`) and always stop it by its PID."""
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, **kwargs)  # type: ignore[call-overload]
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGQUIT if "nginx" in args[0] else signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"{url}: server exited ({proc.returncode}); see {log}:\n"
                + log.read_text(errors="replace")[-2000:]
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(
        f"{url}: not ready after {timeout} s; {log}:\n" + log.read_text(errors="replace")[-2000:]
    )


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def tree_rss_kb(pid: int) -> int:
    """RSS of a process and all its descendants (granian's main process and its workers)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss_kb(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            todo += [int(c) for c in (task / "children").read_text().split()]
    return total


def get(url: str, encoding: str = "gzip") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


# --------------------------------------------------------------------------- wrk


@dataclass(frozen=True)
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    non2xx: int
    errors: int
    kinds: str  # socket errors by kind


def wrk(url: str, connections: int, seconds: int, *paths: str, count: bool = True) -> Run:
    args = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        "Accept-Encoding: gzip",
        "-s",
        str(BENCH / "wrk.lua"),
        url,
        "--",
    ]
    args += [*paths, *(["--count"] if count else [])]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH "))
    values = {k: int(v) for k, v in (part.split("=") for part in line.split()[1:])}
    return Run(
        rps=values["requests"] / (values["duration_us"] / 1e6),
        p50_ms=values["p50_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        non2xx=values["non2xx"] + values["status_errors"] * (not count),
        errors=values["socket_errors"],
        kinds=" ".join(f"{k} {values[k]}" for k in ("connect", "read", "write", "timeout")),
    )


def compare(pages: list[str], rounds: int, seconds: int, connections: int) -> None:
    print(
        f"\n== app vs nginx: same pages, alternating, {rounds} rounds x {seconds} s, "
        f"{connections} connections, 2 wrk threads, Accept-Encoding: gzip"
    )
    print(
        f"{'page':32} {'server':6} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>8} "
        f"{'errors':>6}"
    )
    for page in pages:
        runs: dict[str, list[Run]] = {"nginx": [], "app": []}
        for _ in range(rounds):
            for name, port in (("nginx", NGINX_PORT), ("app", APP_PORT)):
                runs[name].append(wrk(f"http://127.0.0.1:{port}{page}", connections, seconds))
        medians = {}
        for name, found in runs.items():
            rps = statistics.median(r.rps for r in found)
            p50 = statistics.median(r.p50_ms for r in found)
            p99 = statistics.median(r.p99_ms for r in found)
            bad = sum(r.non2xx for r in found)
            errors = sum(r.errors for r in found)
            medians[name] = (rps, p99, bad + errors)
            print(f"{page:32} {name:6} {rps:9.0f} {p50:7.2f} {p99:7.2f} {bad:8d} {errors:6d}")
        ratio = medians["app"][0] / medians["nginx"][0]
        each = ", ".join(
            f"{a.rps / n.rps:.2f}" for a, n in zip(runs["app"], runs["nginx"], strict=True)
        )
        print(f"{page:32} ratio app/nginx {ratio:.2f} (rounds: {each})")
        if page == EXPLAINER:
            goal = "goal met" if ratio >= GOAL_RATIO else f"goal {GOAL_RATIO} not met"
            print(
                floor(
                    ratio >= FLOOR_RATIO,
                    f"ratio {ratio:.2f} >= {FLOOR_RATIO} on an explainer page ({goal})",
                )
            )
        if connections == 32:
            print(
                floor(
                    medians["app"][1] <= FLOOR_P99_MS,
                    f"app p99 {medians['app'][1]:.2f} ms <= {FLOOR_P99_MS} ms on {page}",
                )
            )
        print(
            floor(
                medians["app"][2] == 0 and medians["nginx"][2] == 0,
                f"0 non-2xx and 0 socket errors on {page}",
            )
        )


def same_pages(pages: list[str]) -> None:
    """Both servers give the same bytes for each page (the comparison is of like with like)."""
    for page in pages:
        answers = [
            get(f"http://127.0.0.1:{port}{page}", "identity") for port in (NGINX_PORT, APP_PORT)
        ]
        for status, _, _ in answers:
            if status != 200:
                raise SystemExit(f"{page}: status {status}")
        if answers[0][2] != answers[1][2]:
            raise SystemExit(f"{page}: nginx and the app serve different bytes")
        gz = [
            get(f"http://127.0.0.1:{port}{page}")[1].get("content-encoding")
            for port in (NGINX_PORT, APP_PORT)
        ]
        if gz != ["gzip", "gzip"]:
            raise SystemExit(f"{page}: expected gzip from both, got {gz}")


def first_requests(base: str) -> list[str]:
    """Deferred responses (section pages, cards, handouts) cost their build on first request."""
    from app import urls
    from app.build import handouts as handout
    from app.content.loader import load_content
    from app.markdown.tokens import sections
    from app.render import cards
    from app.settings import Settings

    content = load_content(Settings().content_dir)
    page = next(p for p in content.pages_in("en") if urls.page("en", p.slug) == EXPLAINER)
    section = sections(page.tokens)[0].id
    print("\n== deferred responses: first request (builds it) and second (kept), fresh server")
    paths = {
        "section page": urls.section("en", page.slug, section),
        "card": cards.path("en", page.slug, section),
        "handout": handout.path("en", page.slug),
    }
    for kind, path in paths.items():
        times = []
        for _ in range(2):
            started = time.perf_counter()
            status, _, _ = get(base + path)
            times.append((time.perf_counter() - started) * 1000)
            if status != 200:
                raise SystemExit(f"{path}: status {status}")
        print(f"{kind:13} {path:58} first {times[0]:6.1f} ms, then {times[1]:5.1f} ms")
    return list(paths.values())


def soak(seconds: int, connections: int, pid: int, paths: list[str]) -> None:
    print(f"\n== soak: app only, {seconds} s at {connections} connections over {len(paths)} paths")
    wrk(f"http://127.0.0.1:{APP_PORT}/", connections, 5, *paths)  # warm-up
    before = tree_rss_kb(pid)  # the server's main process and its worker
    run = wrk(f"http://127.0.0.1:{APP_PORT}/", connections, seconds, *paths)
    after = tree_rss_kb(pid)
    growth = (after - before) / before
    print(
        f"{run.rps:.0f} req/s, p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms, "
        f"non-2xx {run.non2xx}, socket errors {run.errors} ({run.kinds})"
    )
    print(f"RSS {before / 1024:.1f} MB -> {after / 1024:.1f} MB ({growth:+.1%})")
    print(floor(run.non2xx == 0 and run.errors == 0, "0 errors in the soak"))
    print(floor(growth < FLOOR_RSS_GROWTH, f"RSS growth {growth:+.1%} < {FLOOR_RSS_GROWTH:.0%}"))


def same_response(page: str, ports: list[int]) -> None:
    """The bare apps send the app's bytes, with its headers (names and count), gzip."""
    answers = [get(f"http://127.0.0.1:{port}{page}") for port in ports]
    if len({a[2] for a in answers}) != 1 or len({tuple(a[1]) for a in answers}) != 1:
        raise SystemExit(f"{page}: the bare apps and the app send different bytes or headers")


def ceiling(args: argparse.Namespace, work: Path, env: dict[str, str]) -> None:
    from bench import ceiling

    bare = [sys.executable, "-m", "bench.bare_app", "--port"]
    with (
        process([*bare, str(BARE_ASGI_PORT)], work / "bare-asgi.log", cwd=ROOT, env=env) as a,
        process(
            [*bare, str(BARE_RSGI_PORT), "--interface", "rsgi"],
            work / "bare-rsgi.log",
            cwd=ROOT,
            env=env,
        ) as r,
    ):
        for port, proc, log in ((BARE_ASGI_PORT, a, "bare-asgi"), (BARE_RSGI_PORT, r, "bare-rsgi")):
            wait_ready(f"http://127.0.0.1:{port}/", proc, work / f"{log}.log")
        same_response(EXPLAINER, [APP_PORT, BARE_ASGI_PORT, BARE_RSGI_PORT])
        ports = {
            "nginx": NGINX_PORT,
            "bare ASGI": BARE_ASGI_PORT,
            "bare RSGI": BARE_RSGI_PORT,
            "app": APP_PORT,
        }
        urls = {name: f"http://127.0.0.1:{port}{EXPLAINER}" for name, port in ports.items()}
        for url in urls.values():
            wrk(url, 32, 1)  # warm
        for met, text in ceiling.measure(urls, args.rounds, args.seconds, wrk):
            print(floor(met, text))


def slow_clients(work: Path, seconds: int) -> None:
    """A fresh server (as `make run` starts it), and bench/slowclients.py against it."""
    from app.serve.servers import HEADER_TIMEOUT_MS
    from bench import slowclients

    timeout = HEADER_TIMEOUT_MS / 1000
    print(
        f"\n== slow clients: {SLOW_CONNECTIONS} connections each sending a header line every "
        f"0.5 s, never finishing, for {seconds} s; ordinary requests meanwhile (fresh server)"
    )
    args = [sys.executable, "-m", "app", "serve", "--port", str(SLOW_PORT), "--workers", "1"]
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(SLOW_PORT)}
    script = [sys.executable, str(BENCH / "slowclients.py"), "--port", str(SLOW_PORT)]
    with process(args, work / "slow.log", cwd=ROOT, env=env) as app:
        wait_ready(f"http://127.0.0.1:{SLOW_PORT}/healthz", app, work / "slow.log")
        out = subprocess.run(
            [
                *script,
                "--slow",
                str(SLOW_CONNECTIONS),
                "--seconds",
                str(seconds),
                "--pid",
                str(app.pid),
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=True,
            cwd=ROOT,
        )
    report = slowclients.report(json.loads(out.stdout.strip().splitlines()[-1]), timeout)
    for met, text in report:
        print(floor(met, text))


# --------------------------------------------------------------------------- weight


def weights() -> None:
    from selectolax.lexbor import LexborHTMLParser

    from app.build.site import build_site
    from app.settings import Settings

    print("\n== compressed weight of each page (brotli, as browsers get it): HTML + CSS + JS")
    site = build_site(Settings())

    def size(path: str) -> int:
        item = site.responses[path]
        return len(item.variants["br"].body if "br" in item.variants else item.identity.body)

    fonts = [p for p in site.responses if p.lower().endswith(FONT_FILES)]
    for path, item in site.responses.items():
        if item.media_type.startswith("text/css") and re.search(
            rb"@font-face|url\([^)]*\.(woff2?|ttf|otf|eot)", item.identity.body, re.I
        ):
            fonts.append(path)
    worst_total = worst_js = 0.0
    print(f"{'page':58} {'HTML':>6} {'CSS':>6} {'JS':>6} {'total':>6}  (KB)")
    for path in sorted(
        p for p, i in site.responses.items() if i.media_type.startswith("text/html")
    ):
        doc = LexborHTMLParser(site.responses[path].identity.body.decode())
        css = [n.attributes.get("href") or "" for n in doc.css('link[rel="stylesheet"]')]
        js = [n.attributes.get("src") or "" for n in doc.css("script[src]")]
        fonts += [n.attributes.get("href") or "" for n in doc.css('link[as="font"]')]
        html_kb = size(path) / 1024
        css_kb = sum(size(u) for u in css) / 1024
        js_kb = sum(size(u) for u in js) / 1024
        total = html_kb + css_kb + js_kb
        worst_total, worst_js = max(worst_total, total), max(worst_js, js_kb)
        print(f"{path[:58]:58} {html_kb:6.1f} {css_kb:6.1f} {js_kb:6.1f} {total:6.1f}")
    print(
        floor(
            worst_total <= FLOOR_PAGE_KB,
            f"heaviest page {worst_total:.1f} KB <= {FLOOR_PAGE_KB:.0f} KB compressed",
        )
    )
    print(
        floor(
            worst_js <= FLOOR_JS_KB,
            f"most JavaScript on a page {worst_js:.1f} KB <= {FLOOR_JS_KB:.0f} KB compressed",
        )
    )
    print(floor(not fonts, f"no web fonts{'' if not fonts else ': ' + ', '.join(fonts)}"))


# --------------------------------------------------------------------------- main


def export(target: Path, env: dict[str, str]) -> None:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app", "export", str(target), "--gzip"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=600,
        stdout=subprocess.DEVNULL,
    )
    print(f"static export: {target} ({time.perf_counter() - started:.1f} s)")


def serve_and_compare(args: argparse.Namespace, work: Path) -> None:
    from app.serve.middleware import CSP, PERMISSIONS

    site_dir = work / "site"
    # One public address for the export and the app, so that both pages hold the same links.
    site_url = f"http://127.0.0.1:{APP_PORT}"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(APP_PORT), "WORKERS": "1"}
    env["SITE_URL"] = site_url
    export(site_dir, env)
    prefix = work / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    text = Template((BENCH / "nginx.conf.template").read_text()).safe_substitute(
        prefix=prefix, port=NGINX_PORT, root=site_dir, csp=CSP, permissions=PERMISSIONS
    )
    if "${" in text:  # nginx's own variables are written $name, the template's ${name}
        raise SystemExit(
            f"unfilled placeholder in nginx.conf.template: {text[text.index('${') :][:30]}"
        )
    conf.write_text(text)
    pages = [EXPLAINER, "/en/", "/en/sources/article-000/"]
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    subprocess.run(
        [sys.executable, "-m", "app", "check"],
        cwd=ROOT,
        check=True,
        timeout=300,
        stdout=subprocess.DEVNULL,
    )  # as `make run` does, before serving
    with (
        process([nginx, "-p", str(prefix), "-c", str(conf)], work / "nginx.log") as ng,
        process(
            [
                sys.executable,
                "-m",
                "app",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(APP_PORT),
                "--workers",
                "1",
            ],
            work / "app.log",
            cwd=ROOT,
            env=env,
        ) as app,
    ):
        wait_ready(f"http://127.0.0.1:{NGINX_PORT}{EXPLAINER}", ng, work / "nginx.log")
        wait_ready(f"http://127.0.0.1:{APP_PORT}/healthz", app, work / "app.log")
        deferred = first_requests(f"http://127.0.0.1:{APP_PORT}")
        same_pages(pages)
        for page in pages:  # warm both
            wrk(f"http://127.0.0.1:{NGINX_PORT}{page}", 32, 1)
            wrk(f"http://127.0.0.1:{APP_PORT}{page}", 32, 1)
        if args.only != "ceiling":
            compare(pages, args.rounds, args.seconds, 32)
        ceiling(args, work, env)
        if not args.quick and args.only != "ceiling":
            soak(
                args.soak,
                64,
                app.pid,
                [
                    EXPLAINER,
                    "/en/",
                    "/en/sources/",
                    "/en/sources/article-000/",
                    "/healthz",
                    *deferred,
                ],
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per page")
    parser.add_argument("--seconds", type=int, default=8, help="length of each wrk round")
    parser.add_argument("--soak", type=int, default=60, help="length of the soak in seconds")
    parser.add_argument("--sizes", default="100,1000", help="synthetic site sizes (pages)")
    parser.add_argument("--repeat", type=int, default=3, help="starts of each kind (spread)")
    parser.add_argument("--quick", action="store_true", help="no soak, no 1,000-page build")
    parser.add_argument(
        "--only", choices=["serve", "ceiling", "slow", "weight", "startup"], help="one part only"
    )
    parser.add_argument("--slow-seconds", type=int, default=20, help="length of the slow run")
    args = parser.parse_args()
    for tool in ("wrk",):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: run `make system-deps`")
    print(f"machine: {os.cpu_count()} cores; figures are relative (compare the ratio)")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        os.chmod(tmp, 0o755)  # nginx's worker runs as an unprivileged user and must read the export
        if args.only in (None, "serve", "ceiling"):
            serve_and_compare(args, Path(tmp))
        if args.only in (None, "serve", "slow"):
            slow_clients(Path(tmp), args.slow_seconds)
        if args.only in (None, "weight"):
            weights()
        if args.only in (None, "startup"):
            from bench import build_bench

            sizes = [int(s) for s in args.sizes.split(",")]
            build_bench.run(
                [s for s in sizes if s <= 100] if args.quick else sizes, args.repeat, floor
            )
    print(
        "\n" + ("all floors met" if not failures else "floors missed:\n  " + "\n  ".join(failures))
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
