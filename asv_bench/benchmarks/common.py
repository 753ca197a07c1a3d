"""Shared parameters and cheap, cached inputs for the numext benchmarks.

Every benchmark class takes a ``threads`` parameter (numext's pool size: 1, 2
and ``numext.default_num_threads()``, duplicates removed) and an ``impl``
parameter, ``"numext"`` or ``"numpy"``, so NumPy's own call is timed beside
numext's under the same name and the ratio can be read off one table.

Size-like parameters (named ``case``, ``n`` or ``shape``) list their smallest
value first: tests/test_asv_suite.py runs every benchmark once at those.
"""

from __future__ import annotations

import functools
import os

import numpy as np

import numext

#: Run the 400 MiB cases (and 5e7-element sums) only when asked: CI checks the
#: suite, it does not time it.
BIG = os.environ.get("NUMEXT_BENCH_BIG", "").strip() not in ("", "0")

ALL_THREADS = numext.default_num_threads()
THREADS = sorted({1, 2, ALL_THREADS})
IMPLS = ["numext", "numpy"]

#: Parameter names whose first value is the smallest input (see the module doc).
SIZE_PARAMS = ("case", "n", "shape")


@functools.lru_cache(maxsize=3)
def _make(shape: tuple[int, ...], dtype: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "u":
        return rng.integers(0, np.iinfo(dt).max, size=shape, dtype=dt, endpoint=True)
    if dt.kind == "i":
        return rng.integers(-1000, 1000, size=shape, dtype=dt)
    return rng.random(shape, dtype=np.float64 if dt == np.float64 else np.float32).astype(dt, copy=False)


def make(shape: tuple[int, ...] | int, dtype: str, seed: int = 0) -> np.ndarray:
    """A random array, made once per process (the last few are kept). Read-only
    so a benchmark cannot change another's input."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    a = _make(shape, dtype, seed)
    a.flags.writeable = False
    return a


def empty_touched(like: np.ndarray) -> np.ndarray:
    """An output array whose pages are already mapped (out= cases time the kernel, not page faults)."""
    out = np.empty(like.shape, like.dtype)
    out.fill(0)
    return out


class ThreadsBenchmark:
    """Sets numext's pool size from the ``threads`` parameter; restores it after."""

    def set_threads(self, threads: int) -> None:
        self._previous_threads = numext.set_num_threads(threads)

    def teardown(self, *params) -> None:
        previous = getattr(self, "_previous_threads", None)
        if previous is not None:
            numext.set_num_threads(previous)
