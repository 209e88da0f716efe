"""Helpers shared by the benchmarks (timing, a scratch directory)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

WORK = Path(__file__).resolve().parent / "_work"


def scratch(name: str) -> Path:
    p = WORK / name
    if p.exists():
        shutil.rmtree(p)
    p.mkdir(parents=True)
    return p


def best_of(n: int, fn: Callable[[], Any], setup: Callable[[], Any] | None = None) -> float:
    """Best wall time of ``n`` runs (seconds); ``setup`` runs untimed before each."""
    best = float("inf")
    for _ in range(n):
        if setup:
            setup()
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best
