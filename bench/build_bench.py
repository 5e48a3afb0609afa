"""Startup figures for `make bench` (bench/run.py calls `run`): builds, the build cache, memory.

Each start is `python -m app serve` (as `make run`), timed from launch to the first 200 on
/healthz, on a synthetic site (bench/synthetic.py) with its own build cache:

- cold: an empty cache (the check and build use every core, then the worker loads warm);
- warm: nothing changed;
- one page changed: one page's body edited between two starts;
- RSS of the serving worker (granian's worker process) once it answers, and of the whole tree.

Cold CPU seconds per page (`python -m app build`, every process counted) at two sizes show the
cost is linear. Under `make dev` (`python -m app dev`) on a copy of the real content, the time
from saving a page to the first response that has the edit. Each start is run `repeat` times;
the spread (min, median, max) is printed, because the 2-core machine is shared.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _free_port() -> int:
    """A port no other server (another benchmark on this machine) is using."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PORT = _free_port()
FLOOR_COLD_S, FLOOR_WARM_S, FLOOR_RSS_MB, FLOOR_EDIT_S = 10.0, 1.5, 300.0, 1.0
LINEAR_SLACK = 1.3


def _env(content: Path, cache: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CONTENT_DIR": str(content),
        "BUILD_CACHE": str(cache),
        "HOST": "127.0.0.1",
        "PORT": str(PORT),
        "WORKERS": "1",
    }


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def start(
    command: list[str], env: dict[str, str], log: Path, ready: Callable[[], bool], timeout: float
) -> tuple[float, subprocess.Popen[bytes]]:
    """Launch, and the seconds until `ready()`; the caller stops the process."""
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"{command} exited ({proc.returncode}):\n{log.read_text()[-2000:]}")
        if ready():
            return time.perf_counter() - started, proc
        time.sleep(0.02)
    _stop(proc)
    raise SystemExit(f"{command}: not ready after {timeout} s:\n{log.read_text()[-2000:]}")


def serve_start(content: Path, cache: Path, log: Path) -> tuple[float, float, float]:
    """(seconds to the first 200 on /healthz, worker RSS MB, whole tree RSS MB)."""
    command = [sys.executable, "-m", "app", "serve", "--port", str(PORT), "--workers", "1"]
    healthz = f"http://127.0.0.1:{PORT}/healthz"
    seconds, proc = start(command, _env(content, cache), log, lambda: _get(healthz)[0] == 200, 600)
    try:
        workers = _children(proc.pid)
        worker = max((_rss_mb(p) for p in workers), default=0.0)
        tree = _rss_mb(proc.pid) + sum(_rss_mb(p) for p in workers)
    finally:
        _stop(proc)
    return seconds, worker, tree


def cold_cpu(content: Path, cache: Path) -> tuple[float, float]:
    """(wall, CPU seconds of every process) of `python -m app build` with an empty cache."""
    shutil.rmtree(cache, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app", "build"],
        cwd=ROOT,
        env=_env(content, cache),
        check=True,
        timeout=900,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def edit_page(path: Path, marker: str) -> None:
    head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    path.write_text(f"{head}\n---\n{marker}\n\n{body}", encoding="utf-8")


def spread(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f}, "
        f"n={len(values)})"
    )


def dev_edits(work: Path, floor: Callable[[bool, str], str], repeat: int) -> None:
    """`python -m app dev` on a copy of the real content: save an edit, time until it is served."""
    content = work / "dev-content"
    shutil.copytree(ROOT / "content", content)
    cache = work / "dev-cache"
    env = {**_env(content, cache)}
    page = content / "pages" / "en" / "sanctuary-ordinance.md"
    url = f"http://127.0.0.1:{PORT}/en/sanctuary-ordinance/"
    _, proc = start(
        [sys.executable, "-m", "app", "dev", "--port", str(PORT)],
        env,
        work / "dev.log",
        lambda: _get(url)[0] == 200,
        600,
    )
    times = []
    try:
        for n in range(repeat):
            marker = f"Benchmark edit number {n} {time.time_ns()}."
            saved = time.perf_counter()
            edit_page(page, marker)
            while time.perf_counter() - saved < 30:
                if marker.encode() in _get(url)[1]:
                    break
                time.sleep(0.01)
            times.append(time.perf_counter() - saved)
            time.sleep(0.5)
    finally:
        _stop(proc)
    worst = statistics.median(times)
    print(f"make dev, one page saved -> served with the edit: {spread(times)} s")
    print(
        floor(
            worst <= FLOOR_EDIT_S,
            f"dev edit served {worst:.2f} s after save (median) <= {FLOOR_EDIT_S} s "
            f"(ratio {worst / FLOOR_EDIT_S:.2f})",
        )
    )


# long: every startup figure, in order, with its floor and ratio
def run(sizes: list[int], repeat: int, floor: Callable[[bool, str], str]) -> None:
    from bench.synthetic import make_site

    print("\n== starts of synthetic sites: `python -m app serve`, launch to the first 200 /healthz")
    # the app's bytecode, as `make run` and the image compile it (PYTHONDONTWRITEBYTECODE is set
    # on these machines, so no start writes it)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        work = Path(tmp)
        per_page = []
        for pages in sizes:
            content = make_site(work / f"site{pages}", pages)
            wall, cpu = cold_cpu(content, work / f"cpu{pages}")
            per_page.append((pages, cpu / pages))
            print(
                f"{pages:5d} pages: cold `python -m app build` {wall:.1f} s wall, {cpu:.1f} s CPU "
                f"(all processes), {1000 * cpu / pages:.1f} ms CPU/page"
            )
        if len(per_page) >= 2:
            (small, a), (big, b) = per_page[0], per_page[-1]
            print(
                floor(
                    b <= LINEAR_SLACK * a,
                    f"linear: {1000 * a:.1f} ms CPU/page at {small} pages, {1000 * b:.1f} at "
                    f"{big} (ratio {b / a:.2f}, at most {LINEAR_SLACK})",
                )
            )
        pages = sizes[-1]
        content = work / f"site{pages}"
        colds, warms, changed, rss, tree = [], [], [], [], []
        for n in range(repeat):
            cache = work / f"cache{n}"
            seconds, worker, whole = serve_start(content, cache, work / "cold.log")
            colds.append(seconds)
            rss.append(worker)
            tree.append(whole)
            seconds, worker, whole = serve_start(content, cache, work / "warm.log")
            warms.append(seconds)
            rss.append(worker)
            edit_page(content / "pages" / "en" / f"synthetic-{n:04d}.md", f"Edited {n}.")
            seconds, _, _ = serve_start(content, cache, work / "changed.log")
            changed.append(seconds)
        print(f"{pages} pages, cold start (empty cache): {spread(colds)} s")
        print(f"{pages} pages, warm start (nothing changed): {spread(warms)} s")
        print(f"{pages} pages, one page changed: {spread(changed)} s")
        print(f"{pages} pages, RSS of the serving worker: {spread(rss)} MB; tree {spread(tree)} MB")
        cold, warm, one = (statistics.median(v) for v in (colds, warms, changed))
        page_cost = per_page[-1][1]
        worker_rss = max(rss)
        print(
            floor(
                cold <= FLOOR_COLD_S,
                f"cold start {cold:.2f} s <= {FLOOR_COLD_S} s (ratio {cold / FLOOR_COLD_S:.2f})",
            )
        )
        print(
            floor(
                warm <= FLOOR_WARM_S,
                f"warm start {warm:.2f} s <= {FLOOR_WARM_S} s (ratio {warm / FLOOR_WARM_S:.2f})",
            )
        )
        limit = FLOOR_WARM_S + 2 * page_cost  # the page and its Spanish twin
        print(
            floor(
                one <= limit,
                f"one page changed {one:.2f} s <= {limit:.2f} s "
                f"(1.5 s + that page's cost; ratio {one / limit:.2f})",
            )
        )
        print(
            floor(
                worker_rss <= FLOOR_RSS_MB,
                f"worker RSS {worker_rss:.0f} MB <= "
                f"{FLOOR_RSS_MB:.0f} MB (ratio {worker_rss / FLOOR_RSS_MB:.2f})",
            )
        )
        dev_edits(work, floor, repeat)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

    def _floor(ok: bool, text: str) -> str:
        return f"{'ok  ' if ok else 'FAIL'} {text}"

    arguments = [int(a) for a in sys.argv[1:]] or [100, 1000]
    run(arguments, 3, _floor)
