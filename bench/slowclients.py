"""Slow clients against a running server (bounded: 127.0.0.1 only, a fixed number of sockets, a
fixed time): can ordinary readers still get pages while many connections dribble their headers?

SLOW connections each send a request line, then one header line every 0.5 s, never finishing
the request head (as a slowloris attack does, and as a very slow client would). Whenever the
server closes one, another is opened, so SLOW stay open for the whole run. Meanwhile a separate
process makes ordinary requests, each on a fresh connection (as a new reader would), one every
20 ms. Printed: the share of ordinary requests answered 200, their p50/p99/max latency, how
long the server let each slow connection live, and the server's RSS; and whether a few
connections that send nothing at all are closed within the timeout too.

    python bench/slowclients.py --port 8000 [--slow 2000] [--seconds 20] [--timeout 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import socket
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

LINE_EVERY_S = 0.5
ORDINARY_EVERY_S = 0.02
ORDINARY_TIMEOUT_S = 2.0
PAGE = "/en/dea-dhs-coordination/"
FLOOR_OK, FLOOR_P99_MS, SLACK_S = 0.95, 100.0, 1.0
SILENT = 10  # connections that send nothing at all


def raise_file_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(f"open-file hard limit {hard} < {needed}: raise it (ulimit -Hn)")
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


@dataclass
class SlowStats:
    opened: int = 0
    refused: int = 0  # could not connect at all
    closed_by_server: list[float] = field(default_factory=list)  # lifetimes, seconds
    open_now: int = 0
    most_open: int = 0


async def slow_connection(port: int, stats: SlowStats, until: float) -> None:
    """One slow client, reopened each time the server closes it, until `until`."""
    n = 0
    while time.monotonic() < until:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", port), timeout=5
            )
        except (TimeoutError, OSError):
            stats.refused += 1
            await asyncio.sleep(LINE_EVERY_S)
            continue
        opened = time.monotonic()
        stats.opened += 1
        stats.open_now += 1
        stats.most_open = max(stats.most_open, stats.open_now)
        try:
            writer.write(f"GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            while time.monotonic() < until:
                n += 1
                writer.write(f"X-Slow-{n}: {'a' * 20}\r\n".encode())
                await writer.drain()
                try:  # the server answers nothing until the head is complete: EOF means closed
                    data = await asyncio.wait_for(reader.read(1024), timeout=LINE_EVERY_S)
                except TimeoutError:
                    continue
                if not data:
                    stats.closed_by_server.append(time.monotonic() - opened)
                    break
        except OSError:  # reset by the server: closed too
            stats.closed_by_server.append(time.monotonic() - opened)
        finally:
            stats.open_now -= 1
            writer.close()


async def silent_connection(port: int, until: float) -> float | None:
    """A connection that sends nothing at all: seconds until the server closes it; None if it
    is still open at `until`. (Served with granian's `http="auto"`, such a connection is never
    closed: the HTTP/1-or-2 sniffing has no timeout; with HTTP/1.1 only, the header timer runs
    from the start.)"""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    opened = time.monotonic()
    try:
        data = await asyncio.wait_for(reader.read(1024), timeout=max(0.1, until - opened))
        return time.monotonic() - opened if not data else None
    except TimeoutError:
        return None
    except OSError:
        return time.monotonic() - opened
    finally:
        writer.close()


def ordinary(port: int, start: float, until: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """In its own process: fresh-connection GETs of PAGE until `until`; (ok, seconds) each."""
    results = []
    request = (
        f"GET {PAGE} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    while time.monotonic() < start:
        time.sleep(0.01)
    while time.monotonic() < until:
        began = time.monotonic()
        ok = False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=ORDINARY_TIMEOUT_S) as s:
                s.sendall(request)
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
                ok = data.startswith(b"HTTP/1.1 200 ")
        except OSError:
            ok = False
        took = time.monotonic() - began
        results.append((ok, took))
        time.sleep(max(0.0, ORDINARY_EVERY_S - took))
    out.put(results)


def server_rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    from bench.run import tree_rss_kb

    return tree_rss_kb(pid) / 1024


async def attack(
    port: int, slow: int, seconds: float, ramp: float, pid: int | None
) -> dict[str, Any]:
    stats = SlowStats()
    start = time.monotonic()
    until = start + ramp + seconds
    queue: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    reader = multiprocessing.Process(target=ordinary, args=(port, start + ramp, until, queue))
    reader.start()
    silent = [asyncio.create_task(silent_connection(port, until)) for _ in range(SILENT)]
    tasks = []
    for i in range(slow):  # open them over `ramp` seconds, not all in one burst
        tasks.append(asyncio.create_task(slow_connection(port, stats, until)))
        if i % 100 == 99:
            await asyncio.sleep(ramp * 100 / slow)
    await asyncio.sleep(max(0.0, start + ramp + seconds / 2 - time.monotonic()))
    rss = server_rss_mb(pid)
    open_mid = stats.open_now
    await asyncio.gather(*tasks)
    silent_closed = [t for t in await asyncio.gather(*silent) if t is not None]
    results = queue.get(timeout=60)
    reader.join(timeout=10)
    times = sorted(t for _, t in results)
    oks = sum(ok for ok, _ in results)
    lifetimes = sorted(stats.closed_by_server)
    return {
        "slow": slow,
        "open_mid_run": open_mid,
        "most_open": stats.most_open,
        "opened": stats.opened,
        "refused": stats.refused,
        "closed_by_server": len(lifetimes),
        "lifetime_p50_s": statistics.median(lifetimes) if lifetimes else None,
        "lifetime_p99_s": lifetimes[int(0.99 * (len(lifetimes) - 1))] if lifetimes else None,
        "lifetime_max_s": lifetimes[-1] if lifetimes else None,
        "ordinary": len(results),
        "ordinary_ok": oks,
        "p50_ms": 1000 * statistics.median(times) if times else None,
        "p99_ms": 1000 * times[min(len(times) - 1, int(0.99 * len(times)))] if times else None,
        "max_ms": 1000 * times[-1] if times else None,
        "server_rss_mb": rss,
        "silent": SILENT,
        "silent_closed": len(silent_closed),
        "silent_max_s": max(silent_closed) if silent_closed else None,
        "run_s": ramp + seconds,
    }


def report(r: dict[str, Any], timeout: float) -> list[tuple[bool, str]]:
    """Print a run's figures; return its floors as (met, text)."""
    ok = r["ordinary_ok"] / max(1, r["ordinary"])
    print(
        f"slow connections: {r['most_open']} open at most, {r['open_mid_run']} mid-run; "
        f"{r['opened']} opened in all, {r['closed_by_server']} closed by the server after "
        f"{r['lifetime_p50_s'] or 0:.2f} s (median), {r['lifetime_p99_s'] or 0:.2f} s (p99), "
        f"{r['lifetime_max_s'] or 0:.2f} s (max, as this loaded client saw it); "
        f"{r['refused']} could not connect; server RSS {r['server_rss_mb'] or 0:.0f} MB"
    )
    print(
        f"ordinary requests: {r['ordinary_ok']} of {r['ordinary']} answered 200 ({ok:.1%}); "
        f"p50 {r['p50_ms'] or 0:.1f} ms, p99 {r['p99_ms'] or 0:.1f} ms, "
        f"max {r['max_ms'] or 0:.1f} ms"
    )
    print(
        f"connections that send nothing: {r['silent_closed']} of {r['silent']} closed by the "
        f"server, after {r['silent_max_s'] or 0:.2f} s at most"
    )
    p99, longest = r["p99_ms"], r["lifetime_p99_s"]
    silent_ok = r["silent_closed"] == r["silent"] and r["silent_max_s"] <= timeout + SLACK_S
    return [
        (ok >= FLOOR_OK, f"{ok:.1%} of ordinary requests answered (>= {FLOOR_OK:.0%})"),
        (
            p99 is not None and p99 <= FLOOR_P99_MS,
            f"ordinary p99 {p99 or 0:.1f} ms <= {FLOOR_P99_MS:.0f} ms",
        ),
        (
            longest is not None and longest <= timeout + SLACK_S,
            f"99 % of slow connections closed within the {timeout:.0f} s header timeout "
            f"(+{SLACK_S:.0f} s for the client's own delay): {longest or 0:.2f} s",
        ),
        (silent_ok, "connections that send nothing closed within the timeout (+1 s) too"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slow", type=int, default=2000, help="slow connections held open")
    parser.add_argument("--seconds", type=float, default=20, help="length of the measurement")
    parser.add_argument("--ramp", type=float, default=4, help="seconds to open them all")
    parser.add_argument("--pid", type=int, help="the server's PID (for its RSS)")
    args = parser.parse_args()
    raise_file_limit(args.slow + 256)
    result = asyncio.run(attack(args.port, args.slow, args.seconds, args.ramp, args.pid))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    sys.exit(main())
