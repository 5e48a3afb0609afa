"""`make bench`, part 1b: the app against the ceiling for a Python app under granian.

Four servers, one page (the explainer), alternating in each round: nginx serving the static
export, the bare granian app of `bench/bare_app.py` (ASGI, then RSGI) sending the page's own
bytes and headers and doing nothing else, and the app as `make run` serves it. Each round's
ratios are taken within the round (the machine is shared, so absolute figures drift between
rounds); the median and the spread of those ratios are printed.

Floors: app / bare ASGI app >= 0.9 (median of the rounds), app p99 <= 10 ms at 32 connections.
The bare ASGI app is the like-for-like ceiling (the app is an ASGI app); the RSGI ratio shows what
granian's ASGI layer itself costs (README, "What makes serving fast").
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

FLOOR_BARE_RATIO, FLOOR_P99_MS = 0.9, 10.0
ORDER = ("nginx", "bare ASGI", "bare RSGI", "app")


def measure(
    urls: dict[str, str], rounds: int, seconds: int, wrk: Callable[..., Any]
) -> list[tuple[bool, str]]:
    """Print the table; return the floors as (met, text)."""
    print(
        f"\n== the ceiling: nginx, bare granian app (ASGI, RSGI) and the app on one page, "
        f"alternating, {rounds} rounds x {seconds} s, 32 connections"
    )
    runs: dict[str, list[Any]] = {name: [] for name in ORDER}
    for _ in range(rounds):
        for name in ORDER:
            runs[name].append(wrk(urls[name], 32, seconds))
    print(f"{'server':10} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>7}  rounds (req/s)")
    for name in ORDER:
        found = runs[name]
        rps = statistics.median(r.rps for r in found)
        p50 = statistics.median(r.p50_ms for r in found)
        p99 = statistics.median(r.p99_ms for r in found)
        bad = sum(r.non2xx + r.errors for r in found)
        each = " ".join(f"{r.rps:.0f}" for r in found)
        print(f"{name:10} {rps:9.0f} {p50:7.2f} {p99:7.2f} {bad:7d}  {each}")

    def ratio(a: str, b: str) -> tuple[float, str]:
        each = [x.rps / y.rps for x, y in zip(runs[a], runs[b], strict=True)]
        spread = f"rounds {min(each):.2f}-{max(each):.2f}"
        print(f"ratio {a} / {b}: {statistics.median(each):.2f} ({spread})")
        return statistics.median(each), spread

    app_bare, spread = ratio("app", "bare ASGI")
    ratio("app", "bare RSGI")
    ratio("app", "nginx")
    ratio("bare ASGI", "nginx")
    ratio("bare RSGI", "nginx")
    p99 = statistics.median(r.p99_ms for r in runs["app"])
    errors = sum(r.non2xx + r.errors for name in ORDER for r in runs[name])
    return [
        (
            app_bare >= FLOOR_BARE_RATIO,
            f"app / bare ASGI app {app_bare:.2f} >= {FLOOR_BARE_RATIO} ({spread})",
        ),
        (p99 <= FLOOR_P99_MS, f"app p99 {p99:.2f} ms <= {FLOOR_P99_MS} ms (ceiling runs)"),
        (errors == 0, "0 non-2xx and 0 socket errors in the ceiling runs"),
    ]
