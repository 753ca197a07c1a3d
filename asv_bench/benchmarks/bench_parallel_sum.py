"""parallel_sum (numext) against ``np.sum`` (NumPy), 1-D and 2-D."""

from __future__ import annotations

import functools

import numpy as np

import numext

from .common import BIG, IMPLS, THREADS, ThreadsBenchmark, make

SIZES = [1, 10**3, 10**5, 4 * 10**6, 10**7] + ([5 * 10**7] if BIG else [])


class ParallelSum1D(ThreadsBenchmark):
    """``parallel_sum(x)`` vs ``np.sum(x)``: one long row, cut at nodes of the pairwise tree."""

    params = [SIZES, ["float64", "float32", "int32"], THREADS, IMPLS]
    param_names = ["n", "dtype", "threads", "impl"]

    def setup(self, n, dtype, threads, impl):
        self.x = make(n, dtype)
        f = numext.parallel_sum if impl == "numext" else np.sum
        self.call = functools.partial(f, self.x)
        self.set_threads(threads)

    def time_parallel_sum(self, n, dtype, threads, impl):
        self.call()


#: case -> (shape, axis); "rows" sum each row (axis=-1), "cols" each column (axis=0).
CASES_2D = {
    "rows 1000x2500": ((1000, 2500), -1),
    "rows 4000x2500": ((4000, 2500), -1),
    "cols 1000x2500": ((1000, 2500), 0),
    "cols 4000x2500": ((4000, 2500), 0),
}


class ParallelSum2D(ThreadsBenchmark):
    """Float64 rows (``axis=-1``) and columns (``axis=0``) of a C-ordered array."""

    params = [list(CASES_2D), THREADS, IMPLS]
    param_names = ["case", "threads", "impl"]

    def setup(self, case, threads, impl):
        shape, axis = CASES_2D[case]
        self.x = make(shape, "float64")
        if impl == "numext":
            self.call = functools.partial(numext.parallel_sum, self.x, axis=axis)
        else:
            self.call = functools.partial(np.sum, self.x, axis=axis)
        self.set_threads(threads)

    def time_parallel_sum_2d(self, case, threads, impl):
        self.call()
