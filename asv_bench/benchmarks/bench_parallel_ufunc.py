"""numext.parallel(u) (impl "numext") against u itself (impl "numpy"), same call."""

from __future__ import annotations

import functools

import numpy as np

import numext

from .common import IMPLS, THREADS, ThreadsBenchmark, empty_touched, make

#: case -> (ufunc name, element count); smallest first.
CASES = {
    "sin 1": ("sin", 1),
    "add 1e3": ("add", 10**3),
    "sin 1e4": ("sin", 10**4),
    "sin 1e7": ("sin", 10**7),
    "exp 1e7": ("exp", 10**7),
    "arctan2 1e7": ("arctan2", 10**7),
    "add 1e7": ("add", 10**7),
    "erf 1e7": ("erf", 10**7),
    "gamma 1e7": ("gamma", 10**7),
}


def _ufunc(name: str) -> np.ufunc | None:
    if name in ("erf", "gamma"):
        try:
            import scipy.special
        except ImportError:
            return None
        return getattr(scipy.special, name)
    return getattr(np, name)


class ParallelUfunc(ThreadsBenchmark):
    """float64 inputs, into a fresh output or an existing one (out=)."""

    params = [list(CASES), THREADS, IMPLS, ["fresh", "out"]]
    param_names = ["case", "threads", "impl", "output"]

    def setup(self, case, threads, impl, output):
        name, n = CASES[case]
        u = _ufunc(name)
        if u is None:
            raise NotImplementedError("scipy not installed")
        f = numext.parallel(u) if impl == "numext" else u
        args = (make(n, "float64"),) * u.nin
        if output == "out":
            self.call = functools.partial(f, *args, out=empty_touched(args[0]))
        else:
            self.call = functools.partial(f, *args)
        self.set_threads(threads)
        self.call()  # the first call of a dtype combination times u on a sample

    def time_parallel_ufunc(self, case, threads, impl, output):
        self.call()


#: case -> (ufunc name, make the call's arguments and keywords); 1e6 elements.
CAST_CASES = {
    "add i1+f8": ("add", lambda a, b: ((a.astype("i1"), b), {})),
    "sin dtype=f4": ("sin", lambda a, b: ((a,), {"dtype": "f4"})),
    "add out=f4": ("add", lambda a, b: ((a, b), {"out": np.empty(a.shape, "f4")})),
    "add column+row": ("add", lambda a, b: ((a[:1000, None], b[:1000]), {})),
    "exp transposed": ("exp", lambda a, b: ((a.reshape(1000, 1000).T,), {})),
}


class ParallelUfuncCasts(ThreadsBenchmark):
    """Calls that need casts or general broadcasting: NumPy's iterator on each thread."""

    params = [list(CAST_CASES), THREADS, IMPLS]
    param_names = ["case", "threads", "impl"]

    def setup(self, case, threads, impl):
        name, make_call = CAST_CASES[case]
        u = getattr(np, name)
        f = numext.parallel(u) if impl == "numext" else u
        a = make(10**6, "float64")
        args, kwargs = make_call(a, a[::-1].copy())
        self.call = functools.partial(f, *args, **kwargs)
        self.set_threads(threads)
        self.call()  # the first call of a dtype combination times u on a sample

    def time_parallel_ufunc_casts(self, case, threads, impl):
        self.call()
