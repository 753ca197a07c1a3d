"""Timing helpers for the measurement tools in tools/ (import with ``from timing import ...``).

The tools run with the installed numext and use only its public API; these
helpers are theirs. ``python -m numext`` (shipped in the wheel, which cannot
import tools/) keeps the same timing loop in numext/_main/measure.py: change
both together.

Timings on a shared machine are noisy, so every figure is the best of several
repeats, and candidates compared with each other are timed interleaved (one
repeat of each in turn), so a burst of load from elsewhere hits all of them
alike. ``wait_for_quiet`` waits for an idle machine first; ``OtherLoad`` says
how much CPU other processes took meanwhile.

A tool imports this module from its own folder, also under ``python -P``
(which does not put the script's folder on sys.path)::

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from timing import Candidate, time_candidates
"""

from __future__ import annotations

import gc
import importlib
import os
import resource
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

import numext

# ---- interleaved best-of timing --------------------------------------------------


@dataclass
class Candidate:
    """One way of doing a job, timed per call.

    ``threads``: numext's pool size while this candidate is timed (None: leave it).
    ``setup``/``teardown``: run around this candidate's repeats, outside the timing.
    """

    key: str
    fn: Callable[[], Any]
    threads: int | None = None
    setup: Callable[[], Any] | None = None
    teardown: Callable[[], Any] | None = None


def _seconds_for(fn: Callable[[], Any], number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return time.perf_counter() - t0


def _calibrate(fn: Callable[[], Any], min_time: float, max_number: int) -> int:
    """Calls per timing so that one timing lasts at least ``min_time``."""
    fn()  # warm-up: first-touch page faults, caches, lazy initialisation
    number = 1
    while number < max_number:
        t = _seconds_for(fn, number)
        if t >= min_time:
            break
        grow = 10 if t <= 0 else min(10.0, max(2.0, 1.2 * min_time / t))
        number = min(max_number, int(number * grow) + 1)
    return number


def time_candidates(
    candidates: Iterable[Candidate],
    repeat: int = 7,
    min_time: float = 2e-3,
    max_number: int = 100_000,
) -> dict[str, float]:
    """Best seconds per call of each candidate, timed interleaved, GC off."""
    cands = list(candidates)
    numbers: dict[str, int] = {}
    best: dict[str, float] = {c.key: float("inf") for c in cands}

    def run(c: Candidate, body: Callable[[], None]) -> None:
        previous = numext.set_num_threads(c.threads) if c.threads is not None else None
        if c.setup is not None:
            c.setup()
        try:
            body()
        finally:
            if c.teardown is not None:
                c.teardown()
            if previous is not None:
                numext.set_num_threads(previous)

    gc_was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for c in cands:
            run(c, lambda c=c: numbers.__setitem__(c.key, _calibrate(c.fn, min_time, max_number)))
        for _ in range(max(1, repeat)):
            for c in cands:
                def body(c: Candidate = c) -> None:
                    t = _seconds_for(c.fn, numbers[c.key]) / numbers[c.key]
                    best[c.key] = min(best[c.key], t)

                run(c, body)
    finally:
        if gc_was_enabled:
            gc.enable()
    return best


def best_time(fn: Callable[[], Any], repeat: int = 7, min_time: float = 2e-3, threads: int | None = None) -> float:
    """Best seconds per call of one callable."""
    return time_candidates([Candidate("f", fn, threads)], repeat, min_time)["f"]


# ---- other processes' load -----------------------------------------------------


def _proc_stat_busy() -> tuple[float, float] | None:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already counted in user
    return (total - idle) / tick, total / tick


def _own_cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class OtherLoad:
    """CPU time other processes used while the ``with`` block ran (Linux; else unknown).

    ``cpus``: their average load in CPUs; ``fraction``: of the machine's capacity.
    A shared machine's timings are only as good as this is small.
    """

    def __enter__(self) -> OtherLoad:
        self._start = (_proc_stat_busy(), _own_cpu(), time.perf_counter())
        self.cpus: float | None = None
        self.fraction: float | None = None
        return self

    def __exit__(self, *exc: object) -> None:
        stat0, own0, t0 = self._start
        stat1, own1, t1 = _proc_stat_busy(), _own_cpu(), time.perf_counter()
        if stat0 is None or stat1 is None or t1 <= t0:
            return
        busy = (stat1[0] - stat0[0]) - (own1 - own0)
        capacity = stat1[1] - stat0[1]
        self.cpus = max(0.0, busy / (t1 - t0))
        self.fraction = max(0.0, busy / capacity) if capacity > 0 else None

    def describe(self) -> str:
        if self.cpus is None:
            return "load from other processes unknown"
        share = 100 * (self.fraction or 0)
        return f"other processes used {self.cpus:.2f} CPUs on average ({share:.0f}% of the machine)"


def wait_for_quiet(max_wait: float, busy_below: float = 0.10, window: float = 1.0) -> float | None:
    """Wait (up to ``max_wait`` s) for a ``window`` in which the machine is less than
    ``busy_below`` busy; returns the last busy fraction seen (None: unknown)."""
    deadline = time.perf_counter() + max_wait
    while True:
        before = _proc_stat_busy()
        time.sleep(window)
        after = _proc_stat_busy()
        if before is None or after is None:
            return None
        busy_fraction = (after[0] - before[0]) / max(1e-9, after[1] - before[1])
        if busy_fraction < busy_below or time.perf_counter() >= deadline:
            return busy_fraction


# ---- other libraries ------------------------------------------------------------


def optional_module(name: str) -> Any | None:
    """The module, or None when it is not installed (or fails to import)."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a broken optional install counts as missing
        return None


def compile_numba_kernels(numba: Any) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], float]]:
    """Numba's versions of numext's calls, as ``python -m numext`` times them: a parallel
    ufunc for doubling (uint8, float64) and a prange loop for the sum."""
    prange = numba.prange

    @numba.vectorize(["uint8(uint8)", "float64(float64)"], target="parallel")
    def numba_double(x):  # pragma: no cover - compiled by Numba
        return x * 2

    @numba.njit(parallel=True)
    def numba_sum(x):  # pragma: no cover - compiled by Numba
        total = 0.0
        for i in prange(x.shape[0]):
            total += x[i]
        return total

    numba_sum(np.ones(4))  # compile now, not inside a timing
    return numba_double, numba_sum
