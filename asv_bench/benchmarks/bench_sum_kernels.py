"""numext.sum against ``np.sum`` for the kernel families tuned one by one:
complex, strided (1-D ``x[::2]``/``x[::-2]`` and rows ``m[:, ::2]``, floats
and integers), and narrow integer accumulators (``dtype=np.int8``)."""

from __future__ import annotations

import functools

import numpy as np

import numext

from .common import IMPLS, THREADS, ThreadsBenchmark, make


def _sum_call(impl: str, x: np.ndarray, **kw):
    f = numext.sum if impl == "numext" else np.sum
    return functools.partial(f, x, **kw)


#: case -> (shape, dtype, index, axis): the input is make(shape, dtype)[index].
COMPLEX_CASES = {
    "complex128 1e3": ((10**3,), "complex128", (), None),
    "complex128 1e5": ((10**5,), "complex128", (), None),
    "complex64 1e5": ((10**5,), "complex64", (), None),
    "complex128 1e6": ((10**6,), "complex128", (), None),
    "complex64 rows 10x1e5": ((10, 10**5), "complex64", (), 1),
}

STRIDED_CASES = {
    "float32 1e3 [::2]": ((2 * 10**3,), "float32", (slice(None, None, 2),), None),
    "float32 1e5 [::2]": ((2 * 10**5,), "float32", (slice(None, None, 2),), None),
    "float32 1e5 [::-2]": ((2 * 10**5,), "float32", (slice(None, None, -2),), None),
    "float64 1e5 [::3]": ((3 * 10**5,), "float64", (slice(None, None, 3),), None),
    # Out of the L2: the tree's walk order and the leaf's prefetch decide these.
    "float32 1e7 [::-2]": ((10**7,), "float32", (slice(None, None, -2),), None),
    "float32 1e7 [::-1]": ((10**7,), "float32", (slice(None, None, -1),), None),
    "complex64 1e5 [::2]": ((2 * 10**5,), "complex64", (slice(None, None, 2),), None),
    "float32 rows 10x1e5 [:, ::2]": ((10, 2 * 10**5), "float32", (slice(None), slice(None, None, 2)), 1),
    "float32 1000x1000 [:, ::2] all": ((1000, 1000), "float32", (slice(None), slice(None, None, 2)), None),
}

STRIDED_INT_CASES = {
    "int8 1e5 [::-2]": ((2 * 10**5,), "int8", (slice(None, None, -2),), None),
    "uint8 1e5 [::2]": ((2 * 10**5,), "uint8", (slice(None, None, 2),), None),
    "bool 1e5 [::-2]": ((2 * 10**5,), "bool", (slice(None, None, -2),), None),
    "int32 1e5 [::-2]": ((2 * 10**5,), "int32", (slice(None, None, -2),), None),
    "int64 1e5 [::3]": ((3 * 10**5,), "int64", (slice(None, None, 3),), None),
    "int8 1000x1000 [:, ::2] all": ((1000, 1000), "int8", (slice(None), slice(None, None, 2)), None),
}


class _SumCases(ThreadsBenchmark):
    cases: dict = {}
    params: list = []
    param_names = ["case", "threads", "impl"]

    def setup(self, case, threads, impl):
        shape, dtype, index, axis = self.cases[case]
        self.x = make(shape, dtype)[index]
        self.call = _sum_call(impl, self.x, axis=axis)
        self.set_threads(threads)


class SumComplex(_SumCases):
    """Complex sums: NumPy's eight accumulators over the (re, im) scalars, vectorised."""

    cases = COMPLEX_CASES
    params = [list(COMPLEX_CASES), THREADS, IMPLS]

    def time_sum_complex(self, case, threads, impl):
        self.call()


class SumStrided(_SumCases):
    """Strided 1-D input and strided rows: the leaf read in place (vectorised
    for every other element) or as scalar chains."""

    cases = STRIDED_CASES
    params = [list(STRIDED_CASES), THREADS, IMPLS]

    def time_sum_strided(self, case, threads, impl):
        self.call()


class SumNarrowInt(ThreadsBenchmark):
    """8- and 16-bit integer sums, also into an 8-bit accumulator (``dtype=``)."""

    params = [[10**5, 10**7], ["int8", "uint8", "int16"], ["default", "same"], THREADS, IMPLS]
    param_names = ["n", "dtype", "acc", "threads", "impl"]

    def setup(self, n, dtype, acc, threads, impl):
        self.x = np.random.default_rng(0).integers(-100, 100, n).astype(dtype)
        kw = {"dtype": self.x.dtype} if acc == "same" else {}
        self.call = _sum_call(impl, self.x, **kw)
        self.set_threads(threads)

    def time_sum_narrow_int(self, n, dtype, acc, threads, impl):
        self.call()


class SumStridedInt(_SumCases):
    """Strided integer input (order is free): reversed runs read forwards,
    every other element as wider words, other strides as four chains."""

    cases = STRIDED_INT_CASES
    params = [list(STRIDED_INT_CASES), THREADS, IMPLS]

    def time_sum_strided_int(self, case, threads, impl):
        self.call()
