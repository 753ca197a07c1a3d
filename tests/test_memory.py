"""No leaks: RSS and reference counts stay flat over many calls.

Each kind of call runs 10**5 times on small inputs and 10**3 times on inputs
big enough to go parallel, after a warm-up; RSS may not grow by more than
8 MiB and the reference counts of inputs and outputs must not change.
NUMEXT_LEAK_SCALE scales the counts (default 1: the full counts take about
8 s; under AddressSanitizer the default is 0.1, and the RSS bound is skipped
there since its quarantine makes RSS meaningless; refcounts are still checked).
"""

from __future__ import annotations

import gc
import os
import sys

import numpy as np
import pytest

import numext
from conftest import PARALLEL_BYTES

UNDER_ASAN = (
    os.environ.get("NUMEXT_SANITIZED") == "1"
    or "asan" in os.environ.get("LD_PRELOAD", "").lower()
    or "ASAN_OPTIONS" in os.environ
)
# Full counts by default (a few seconds); a tenth under AddressSanitizer,
# where every allocation is far slower.
SCALE = float(os.environ.get("NUMEXT_LEAK_SCALE", "0.1" if UNDER_ASAN else "1"))
SMALL_CALLS = max(100, int(100_000 * SCALE))
LARGE_CALLS = max(10, int(1_000 * SCALE))
RSS_BOUND = 8 << 20


def rss_bytes() -> int:
    try:
        import psutil

        return psutil.Process().memory_info().rss
    except ImportError:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _inputs(n):
    x = np.arange(n, dtype=np.float64) * 0.5
    return {
        "x": x,
        "rows": x[: n - n % 4].reshape(4, -1),
        "u8": (np.arange(n) % 256).astype(np.uint8),
        "out": np.empty_like(x),
        "out1": np.empty(4),
        "mask": (np.arange(n) % 3 == 0),
    }


CALLS = {
    "double_pixels": lambda d: numext.double_pixels(d["x"]),
    "double_pixels_out": lambda d: numext.double_pixels(d["x"], out=d["out"]),
    "double_pixels_inplace_u8": lambda d: numext.double_pixels(d["u8"], out=d["u8"]),
    "double_pixels_where": lambda d: numext.double_pixels(d["x"], out=d["out"], where=d["mask"]),
    "double_pixels_strided": lambda d: numext.double_pixels(d["x"][::-2]),
    "double": lambda d: numext.double(d["x"]),
    "parallel_sum": lambda d: numext.parallel_sum(d["rows"]),
    "parallel_sum_out": lambda d: numext.parallel_sum(d["rows"], out=d["out1"]),
    "parallel_sum_1d": lambda d: numext.parallel_sum(d["x"]),
    "parallel_sum_axis0": lambda d: numext.parallel_sum(d["rows"], axis=0),
    "sum": lambda d: numext.sum(d["x"]),
    "sum_axis": lambda d: numext.sum(d["rows"], axis=0, keepdims=True),
    "sum_u8": lambda d: numext.sum(d["u8"]),
}


def _run(name, n, count):
    d = _inputs(n)
    call = CALLS[name]
    tracked = dict(d)
    result = call(d)  # warm-up: caches, pools, first allocations
    for _ in range(max(10, count // 10)):
        result = call(d)
    del result
    gc.collect()
    refs_before = {k: sys.getrefcount(v) for k, v in tracked.items()}
    rss_before = rss_bytes()
    for _ in range(count):
        result = call(d)
    # A fresh result is held by `result` and getrefcount's argument only (an
    # out= array returned is one of the inputs, whose counts are checked).
    fresh = not any(v is result for v in tracked.values())
    result_refs = sys.getrefcount(result) - 2 if fresh else 0
    del result
    gc.collect()
    rss_after = rss_bytes()
    refs_after = {k: sys.getrefcount(v) for k, v in tracked.items()}
    return refs_before, refs_after, rss_after - rss_before, result_refs


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("size", ["small", "large"])
def test_no_leak(name, size):
    if size == "small":
        n, count = 64, SMALL_CALLS
    else:
        n, count = 2 * PARALLEL_BYTES // 8, LARGE_CALLS
    with numext.threads(max(2, numext.get_num_threads())):
        refs_before, refs_after, growth, result_refs = _run(name, n, count)
    assert refs_after == refs_before
    assert result_refs == 0, "the returned array has extra references"
    print(f"\n  {name} {size}: {count} calls, RSS {growth / 2**20:+.2f} MiB")
    if not UNDER_ASAN:
        assert growth < RSS_BOUND, f"RSS grew {growth / 2**20:.1f} MiB over {count} calls"


ERROR_CALLS = {
    "str_input": lambda: numext.double_pixels(np.array(["a", "b"])),
    "object_sum": lambda: numext.parallel_sum(np.array([1, 2], object)),
    "readonly_out": lambda: numext.double_pixels(np.ones(3), out=np.broadcast_to(np.zeros(3), (3,))),
    "bad_shape_out": lambda: numext.double_pixels(np.ones(3), out=np.zeros(4)),
    "bad_cast_out": lambda: numext.parallel_sum(np.ones((2, 3)), out=np.zeros(2, np.int32)),
    "axis_error": lambda: numext.sum(np.ones(3), axis=4),
    "bad_threads": lambda: numext.set_num_threads(0),
    "bad_threads_type": lambda: numext.set_num_threads("2"),
    "zero_d_gufunc": lambda: numext.parallel_sum(np.float64(1)),
}


@pytest.mark.parametrize("name", sorted(ERROR_CALLS))
def test_no_leak_on_error_paths(name):
    call = ERROR_CALLS[name]
    count = max(100, SMALL_CALLS // 5)

    def loop(k):
        for _ in range(k):
            try:
                call()
            except Exception:  # noqa: BLE001 - the error is the point
                pass

    loop(max(10, count // 10))
    gc.collect()
    before = rss_bytes()
    loop(count)
    gc.collect()
    growth = rss_bytes() - before
    print(f"\n  error path {name}: {count} calls, RSS {growth / 2**20:+.2f} MiB")
    if not UNDER_ASAN:
        assert growth < RSS_BOUND


def test_no_leak_thread_control():
    count = max(100, SMALL_CALLS // 5)
    before_size = numext.get_num_threads()
    x = np.ones(PARALLEL_BYTES // 8)

    def loop(k):
        for i in range(k):
            numext.set_num_threads(1 + i % 4)
            with numext.threads(2):
                pass
        numext.parallel_sum(x)

    loop(count // 10)
    gc.collect()
    before = rss_bytes()
    workers_before = numext._numext._testing.pool_workers_alive()
    loop(count)
    gc.collect()
    growth = rss_bytes() - before
    numext.set_num_threads(before_size)
    # Resizing never creates workers beyond what the largest size needs.
    assert numext._numext._testing.pool_workers_alive() <= max(workers_before, 3)
    if not UNDER_ASAN:
        assert growth < RSS_BOUND
