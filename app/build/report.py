"""How a build went: its pages, how many came from the cache, and the seconds of each phase
(the `app build: ...` line every start logs)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class BuildReport:
    """How the build went: pages, how many came from the cache, seconds by phase."""

    pages: int = 0
    from_cache: int = 0
    seconds: Mapping[str, float] = field(default_factory=dict)
    bundled: int = 0  # cache files read from the bundle (app/build/bundle.py)

    def line(self) -> str:
        phases = ", ".join(f"{name} {value:.2f}" for name, value in self.seconds.items())
        total = sum(self.seconds.values())
        bundled = f"; {self.bundled} files from the bundle" if self.bundled else ""
        return (
            f"build: {self.pages} pages ({self.from_cache} from the cache{bundled}) in "
            f"{total:.2f} s ({phases})"
        )


class Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.last
        self.last = now
