"""Measuring for ``python -m numext``: timing, memory bandwidth, other processes' load.

Nothing here is part of numext's API (tools/ has its own copy of the timing
loop in tools/timing.py: the wheel cannot import tools/, and tools do not
import numext's private modules). Timings on a shared machine are noisy, so
every figure is the best of several repeats, and candidates that are compared
with each other are timed interleaved (one repeat of each in turn), so a burst
of load from elsewhere hits all of them alike.
"""

from __future__ import annotations

import gc
import glob
import importlib
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

import numext


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


# ---- the machine's memory bandwidth, measured with NumPy --------------------


def measure_bandwidth(mib: int = 256, repeat: int = 7, threads: int | None = None) -> dict[str, Any]:
    """Copy and read bandwidth of a ``mib`` MiB buffer, in GB/s (1e9 bytes/s).

    copy: ``np.copyto(dst, src)``, bytes counted = 2n (read n, write n).
    read: the best of ``np.add.reduce`` on the float64 and int64 views and
    ``max`` of the int64 view, bytes counted = n.
    Each once on the calling thread and once split over ``threads`` Python
    threads (NumPy releases the GIL in these loops), so the ceiling for a
    multi-threaded kernel is measured too. ``best`` is the larger of the two.
    """
    threads = threads or numext.default_num_threads()
    nbytes = (int(mib) << 20) // 64 * 64
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    dst.fill(0.0)  # touch the pages: we measure bandwidth, not page faults
    reads = [lambda a: np.add.reduce(a), lambda a: np.add.reduce(a.view(np.int64)), lambda a: a.view(np.int64).max()]
    out: dict[str, Any] = {"buffer_MiB": nbytes >> 20, "threads": threads}
    t_copy1 = best_time(lambda: np.copyto(dst, src), repeat, min_time=0)
    t_read1 = min(best_time(lambda f=f: f(src), repeat, min_time=0) for f in reads)
    out["copy_1t_GBps"] = 2 * nbytes / t_copy1 / 1e9
    out["read_1t_GBps"] = nbytes / t_read1 / 1e9
    if threads > 1:
        srcs = np.array_split(src, threads)
        dsts = np.array_split(dst, threads)
        with ThreadPoolExecutor(threads) as ex:
            def copy_mt() -> None:
                list(ex.map(np.copyto, dsts, srcs))

            def read_mt(f: Callable[[Any], Any]) -> None:
                list(ex.map(f, srcs))

            t_copyn = best_time(copy_mt, repeat, min_time=0)
            t_readn = min(best_time(lambda f=f: read_mt(f), repeat, min_time=0) for f in reads)
        out[f"copy_{threads}t_GBps"] = 2 * nbytes / t_copyn / 1e9
        out[f"read_{threads}t_GBps"] = nbytes / t_readn / 1e9
    out["copy_GBps"] = max(v for k, v in out.items() if k.startswith("copy_") and k.endswith("t_GBps"))
    out["read_GBps"] = max(v for k, v in out.items() if k.startswith("read_") and k.endswith("t_GBps"))
    return out


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


# ---- environment ---------------------------------------------------------------


def optional_module(name: str) -> Any | None:
    """The module, or None when it is not installed (or fails to import)."""
    try:
        return importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a broken optional install counts as missing
        return None


def environment() -> dict[str, Any]:
    """Versions, CPU and cache size: the JSON's ``environment``."""
    info: dict[str, Any] = {
        "numext": numext.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_name(),
        "os_cpu_count": os.cpu_count(),
        "numext_default_threads": numext.default_num_threads(),
        "last_level_cache_bytes": last_level_cache_bytes(),
    }
    for name in ("numexpr", "numba"):
        mod = sys.modules.get(name)
        info[name] = getattr(mod, "__version__", None) if mod is not None else None
    return info


def last_level_cache_bytes() -> int | None:
    """Size of the largest CPU cache (Linux sysfs), None when unknown."""
    best = None
    for d in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*"):
        try:
            with open(d + "/size") as f:
                text = f.read().strip()
        except OSError:
            continue
        scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:].upper(), 1)
        try:
            size = int(text.rstrip("KMGkmg")) * scale
        except ValueError:
            continue
        best = size if best is None else max(best, size)
    return best


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
