"""The other libraries the tables compare with: numexpr and Numba, when installed."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .measure import optional_module

NUMEXPR_MISSING = "numexpr not installed (pip install numexpr)"


class OtherLibraries:
    """numexpr and Numba (None when missing), set to ``threads`` threads, Numba's kernels compiled once."""

    def __init__(self, threads: int):
        self.numexpr = optional_module("numexpr")
        if self.numexpr is not None:
            self.numexpr.set_num_threads(threads)
        # Numba picks the OpenMP layer when TBB is missing; its parallel ufuncs ran
        # 6x slower than NumPy on it here, and 1x on the workqueue layer. Show Numba
        # at its best unless the user chose a layer.
        os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
        self.numba = optional_module("numba")
        self.numba_note = "numba not installed (pip install numba)"
        self.numba_double: Callable[[np.ndarray], np.ndarray] | None = None
        self.numba_sum: Callable[[np.ndarray], float] | None = None
        self.numba_compile_s = 0.0
        self.numba_layer: str | None = None
        if self.numba is not None:
            t0 = time.perf_counter()
            try:
                self.numba.set_num_threads(min(threads, self.numba.config.NUMBA_NUM_THREADS))
                self.numba_double, self.numba_sum = compile_numba_kernels(self.numba)
                self.numba_layer = self.numba.threading_layer()
            except Exception as exc:  # noqa: BLE001 - report, do not fail the run
                self.numba_note = f"Numba failed: {type(exc).__name__}: {exc}"
            self.numba_compile_s = time.perf_counter() - t0


def compile_numba_kernels(numba: Any) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], float]]:
    """Numba's versions: a parallel ufunc for doubling and a prange loop for the sum."""
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
