"""double_pixels (numext) against ``x * 2`` / ``np.multiply(x, 2, out=o)`` (NumPy)."""

from __future__ import annotations

import functools
import operator

import numpy as np

import numext

from .common import BIG, IMPLS, THREADS, ThreadsBenchmark, empty_touched, make

#: case name -> (shape, dtype); smallest first.
CASES = {
    "uint8 1": ((1,), "uint8"),
    "float32 1e3": ((10**3,), "float32"),
    "float64 1e3": ((10**3,), "float64"),
    "float32 1e5": ((10**5,), "float32"),
    "float64 1e5": ((10**5,), "float64"),
    "uint8 512x512x3": ((512, 512, 3), "uint8"),
    "uint8 4096x4096x3": ((4096, 4096, 3), "uint8"),
    "float32 1e7": ((10**7,), "float32"),
    "float64 1e7": ((10**7,), "float64"),
}
if BIG:
    CASES["float64 400MiB"] = ((400 * 2**20 // 8,), "float64")


def _call(impl: str, x: np.ndarray, out: np.ndarray | None):
    """The call to time, bound with functools.partial (a C-level call for both impls)."""
    if impl == "numext":
        if out is None:
            return functools.partial(numext.double_pixels, x)
        return functools.partial(numext.double_pixels, x, out=out)
    if out is None:
        return functools.partial(operator.mul, x, 2)
    return functools.partial(np.multiply, x, 2, out=out)


class DoublePixels(ThreadsBenchmark):
    """Contiguous inputs, into a fresh output (as ``x * 2``) or an existing one (out=)."""

    params = [list(CASES), THREADS, IMPLS, ["fresh", "out"]]
    param_names = ["case", "threads", "impl", "output"]

    def setup(self, case, threads, impl, output):
        shape, dtype = CASES[case]
        self.x = make(shape, dtype)
        self.out = empty_touched(self.x) if output == "out" else None
        self.call = _call(impl, self.x, self.out)
        self.set_threads(threads)

    def time_double_pixels(self, case, threads, impl, output):
        self.call()


class DoublePixelsPeakMem(ThreadsBenchmark):
    """Peak memory of a call that allocates its output (input included, alike for both)."""

    params = [list(CASES), THREADS, IMPLS]
    param_names = ["case", "threads", "impl"]

    def setup(self, case, threads, impl):
        shape, dtype = CASES[case]
        self.x = make(shape, dtype)
        self.call = _call(impl, self.x, None)
        self.set_threads(threads)

    def peakmem_double_pixels(self, case, threads, impl):
        self.call()


class DoublePixelsStrided(ThreadsBenchmark):
    """A strided view, ``img[:, ::2]``: NumPy hands the loop one short run (3 values) at a time."""

    params = [["512x512x3", "4096x4096x3"], THREADS, IMPLS]
    param_names = ["shape", "threads", "impl"]

    def setup(self, shape, threads, impl):
        img = make(tuple(int(s) for s in shape.split("x")), "uint8")
        self.x = img[:, ::2]
        self.call = _call(impl, self.x, None)
        self.set_threads(threads)

    def time_double_pixels_strided(self, shape, threads, impl):
        self.call()
