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


def _columns_case(case: str) -> tuple[np.ndarray, dict]:
    """The input and np.sum arguments of a column-shaped case (issue 14's families)."""
    if case == "strided cols f8 (30000,333)[:, ::2]":
        return make((30000, 333), "float64")[:, ::2], {"axis": 0}
    if case == "strided cols c8 (30000,333)[:, ::2]":
        return make((30000, 333), "complex64")[:, ::2], {"axis": 0}
    if case == "strided cols i8 (1000,1000)[:, ::2]":
        return make((1000, 1000), "int64")[:, ::2], {"axis": 0}
    if case == "few rows f4 (10,1e5) axis=0":
        return make((10, 10**5), "float32"), {"axis": 0}
    if case == "few rows f4 F(1e5,10) axis=1":
        return np.asfortranarray(make((10**5, 10), "float32")), {"axis": 1}
    if case == "cast rows i1 (3,3e6) axis=1 f8":
        return make((3, 3 * 10**6), "int8"), {"axis": 1, "dtype": "float64"}
    if case == "cast cols i8 F(1000,1000) axis=1 f8":
        return np.asfortranarray(make((1000, 1000), "int64")), {"axis": 1, "dtype": "float64"}
    if case == "cast cols i4 F(1e5,10) axis=1 f8":
        return np.asfortranarray(make((10**5, 10), "int32")), {"axis": 1, "dtype": "float64"}
    if case == "tall cols f8 (30000,333) axis=0":
        return make((30000, 333), "float64"), {"axis": 0}
    raise ValueError(case)


class SumColumns(ThreadsBenchmark):
    """``numext.sum`` vs ``np.sum`` on column-shaped sums: strided columns, few
    rows, F-ordered axis=1, dtype= upcasts of long rows and of integer columns
    (F-ordered axis=1: parallel_sum's cast loops), tall narrow columns."""

    params = [
        [
            "strided cols f8 (30000,333)[:, ::2]",
            "strided cols c8 (30000,333)[:, ::2]",
            "strided cols i8 (1000,1000)[:, ::2]",
            "few rows f4 (10,1e5) axis=0",
            "few rows f4 F(1e5,10) axis=1",
            "cast rows i1 (3,3e6) axis=1 f8",
            "cast cols i8 F(1000,1000) axis=1 f8",
            "cast cols i4 F(1e5,10) axis=1 f8",
            "tall cols f8 (30000,333) axis=0",
        ],
        THREADS,
        IMPLS,
    ]
    param_names = ["case", "threads", "impl"]

    def setup(self, case, threads, impl):
        x, kwargs = _columns_case(case)
        f = numext.sum if impl == "numext" else np.sum
        self.call = functools.partial(f, x, **kwargs)
        self.set_threads(threads)

    def time_sum_columns(self, case, threads, impl):
        self.call()
