"""numext.fsum (the correctly rounded sum) against ``np.sum``. (math.fsum's
speed is in tools/measure_fsum.py and ``python -m numext``.)"""

from __future__ import annotations

import functools

import numpy as np

import numext

from .common import BIG, IMPLS, THREADS, ThreadsBenchmark, make

SIZES = [10**3, 10**5, 10**7] + ([10**8] if BIG else [])


@functools.lru_cache(maxsize=2)
def _wide(shape) -> np.ndarray:
    """Values whose exponents span +-2^1000 (term by term through the bins)."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape) * np.ldexp(1.0, rng.integers(-1000, 1000, shape))
    x.flags.writeable = False
    return x


def _data(shape, kind: str) -> np.ndarray:
    if kind == "wide":
        return _wide(shape)
    return make(shape, kind)


class Fsum1D(ThreadsBenchmark):
    """``numext.fsum(x)`` vs ``np.sum(x)`` on one long row."""

    params = [SIZES, ["float64", "float32", "wide"], THREADS, IMPLS]
    param_names = ["n", "data", "threads", "impl"]

    def setup(self, n, data, threads, impl):
        self.x = _data(n, data)
        f = numext.fsum if impl == "numext" else np.sum
        self.call = functools.partial(f, self.x)
        self.set_threads(threads)

    def time_fsum(self, n, data, threads, impl):
        self.call()


#: case -> (shape, axis, data); "rows" sum each row (axis=-1), "cols" each column
#: (axis=0); "wide": exponents spanning +-2^1000, "131": a column count that
#: leaves part vectors (the column kernel's tail).
CASES_2D = {
    "rows 1000x2500": ((1000, 2500), -1, "float64"),
    "rows 4000x2500": ((4000, 2500), -1, "float64"),
    "cols 1000x2500": ((1000, 2500), 0, "float64"),
    "cols 4000x2500": ((4000, 2500), 0, "float64"),
    "cols 80000x131": ((80000, 131), 0, "float64"),
    "cols 4000x2500 wide": ((4000, 2500), 0, "wide"),
}


class Fsum2D(ThreadsBenchmark):
    """Float64 rows (``axis=-1``) and columns (``axis=0``) of a C-ordered array."""

    params = [list(CASES_2D), THREADS, IMPLS]
    param_names = ["case", "threads", "impl"]

    def setup(self, case, threads, impl):
        shape, axis, data = CASES_2D[case]
        self.x = _data(shape, data)
        f = numext.fsum if impl == "numext" else np.sum
        self.call = functools.partial(f, self.x, axis=axis)
        self.set_threads(threads)

    def time_fsum_2d(self, case, threads, impl):
        self.call()
