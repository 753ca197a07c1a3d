"""The array-level API, ``numext.double`` and ``numext.sum``, against NumPy's calls:
the Python layer's overhead shows at small sizes."""

from __future__ import annotations

import functools
import operator

import numpy as np

import numext

from .common import BIG, IMPLS, THREADS, ThreadsBenchmark, make

#: call -> (numext function, NumPy function, keyword arguments); double's NumPy call is x * 2.
CALLS = {
    "double(x)": (numext.double, operator.mul, {}),
    "sum(x)": (numext.sum, np.sum, {}),
    "sum(m, axis=0)": (numext.sum, np.sum, {"axis": 0}),
    "sum(m, axis=None)": (numext.sum, np.sum, {"axis": None}),
}


class Api(ThreadsBenchmark):
    params = [[1, 10**3, 10**6], list(CALLS), THREADS, IMPLS]
    param_names = ["n", "call", "threads", "impl"]

    def setup(self, n, call, threads, impl):
        fx, fnp, kwargs = CALLS[call]
        if "m" in call:
            cols = min(n, 100)
            x = make((n // cols, cols), "float64")
        else:
            x = make(n, "float64")
        if call == "double(x)" and impl == "numpy":
            self.call = functools.partial(fnp, x, 2)
        else:
            self.call = functools.partial(fx if impl == "numext" else fnp, x, **kwargs)
        self.set_threads(threads)

    def time_api(self, n, call, threads, impl):
        self.call()


#: numext.sum's general path on small inputs (issue 14): keepdims, out=, dtype=,
#: tuple axes. call -> keyword arguments (out= filled in at setup).
SLOW_PATH_CALLS = {
    "keepdims=True": {"keepdims": True},
    "out=uint64 0-d": {"out": "uint64"},
    "out=float64 0-d": {"out": "float64"},
    "dtype=float32": {"dtype": np.float32},
    "axis=(0, 1)": {"axis": (0, 1)},
}


class SumSlowPath(ThreadsBenchmark):
    """numext.sum's Python layer against np.sum's at 10 and 100 elements."""

    params = [[10, 100], list(SLOW_PATH_CALLS), THREADS, IMPLS]
    param_names = ["n", "call", "threads", "impl"]

    def setup(self, n, call, threads, impl):
        kwargs = dict(SLOW_PATH_CALLS[call])
        x = make((n // 10, 10), "float64") if "axis" in kwargs else make(n, "float64")
        if "out" in kwargs:
            kwargs["out"] = np.zeros((), kwargs["out"])
        self.call = functools.partial(numext.sum if impl == "numext" else np.sum, x, **kwargs)
        self.set_threads(threads)

    def time_sum(self, n, call, threads, impl):
        self.call()


class SumAllAxesLayouts(ThreadsBenchmark):
    """axis=None over F-ordered and transposed input: summed in memory order."""

    params = [[(3, 10**5), (3, 10**6)] + ([(3, 3 * 10**6)] if BIG else []), ["float32", "complex128"], ["F", "T"],
              THREADS, IMPLS]
    param_names = ["shape", "dtype", "layout", "threads", "impl"]

    def setup(self, shape, dtype, layout, threads, impl):
        x = make(shape, "float64")
        x = x.astype(dtype) if dtype != "complex128" else x + 1j * x
        x = np.asfortranarray(x) if layout == "F" else np.ascontiguousarray(x.T).T
        self.call = functools.partial(numext.sum if impl == "numext" else np.sum, x)
        self.set_threads(threads)

    def time_sum(self, shape, dtype, layout, threads, impl):
        self.call()


class SumDtypeUpcast(ThreadsBenchmark):
    """dtype= upcasts, cast a buffer at a time rather than the whole input."""

    params = [[10**5, 10**6] + ([10**7] if BIG else []), ["int8->float64", "float64->complex128"], THREADS, IMPLS]
    param_names = ["n", "cast", "threads", "impl"]

    def setup(self, n, cast, threads, impl):
        src, dst = cast.split("->")
        x = make(n, src) if src != "int8" else (make(n, "int16") % 100).astype(np.int8)
        self.call = functools.partial(numext.sum if impl == "numext" else np.sum, x, dtype=np.dtype(dst))
        self.set_threads(threads)

    def time_sum(self, n, cast, threads, impl):
        self.call()
