"""numext.fsum (the correctly rounded sum) against ``np.sum``. (math.fsum's
speed is in tools/measure_fsum.py and ``python -m numext``.)"""

from __future__ import annotations

import functools

import numpy as np

import numext

from .common import BIG, IMPLS, THREADS, ThreadsBenchmark, make

SIZES = [10**3, 10**5, 10**7] + ([10**8] if BIG else [])


@functools.lru_cache(maxsize=2)
def _wide(n: int) -> np.ndarray:
    """Values whose exponents span +-2^1000."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(n) * np.ldexp(1.0, rng.integers(-1000, 1000, n))
    x.flags.writeable = False
    return x


def _data(n: int, kind: str) -> np.ndarray:
    if kind == "wide":
        return _wide(n)
    return make(n, kind)


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


#: case -> (shape, axis); "rows" sum each row (axis=-1), "cols" each column (axis=0).
CASES_2D = {
    "rows 1000x2500": ((1000, 2500), -1),
    "rows 4000x2500": ((4000, 2500), -1),
    "cols 1000x2500": ((1000, 2500), 0),
    "cols 4000x2500": ((4000, 2500), 0),
}


class Fsum2D(ThreadsBenchmark):
    """Float64 rows (``axis=-1``) and columns (``axis=0``) of a C-ordered array."""

    params = [list(CASES_2D), THREADS, IMPLS]
    param_names = ["case", "threads", "impl"]

    def setup(self, case, threads, impl):
        shape, axis = CASES_2D[case]
        self.x = make(shape, "float64")
        f = numext.fsum if impl == "numext" else np.sum
        self.call = functools.partial(f, self.x, axis=axis)
        self.set_threads(threads)

    def time_fsum_2d(self, case, threads, impl):
        self.call()
