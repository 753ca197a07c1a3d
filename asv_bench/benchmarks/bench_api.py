"""The array-level API, ``numext.double`` and ``numext.sum``, against NumPy's calls:
the Python layer's overhead shows at small sizes."""

from __future__ import annotations

import functools
import operator

import numpy as np

import numext

from .common import IMPLS, THREADS, ThreadsBenchmark, make

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
