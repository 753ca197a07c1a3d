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


def _bound(impl: str, x: np.ndarray, **kwargs):
    """``numext.double_pixels(x, **kwargs)`` or ``np.multiply(x, 2, **kwargs)``, bound
    with functools.partial (a C-level call for both impls)."""
    if impl == "numext":
        return functools.partial(numext.double_pixels, x, **kwargs)
    return functools.partial(np.multiply, x, 2, **kwargs)


def _call(impl: str, x: np.ndarray, out: np.ndarray | None):
    """The call to time; NumPy's without out= is ``x * 2``, as users write it."""
    if out is None:
        return functools.partial(operator.mul, x, 2) if impl == "numpy" else _bound(impl, x)
    return _bound(impl, x, out=out)


class BoundCallBenchmark(ThreadsBenchmark):
    """setup binds the call to time once (``bind``) and sets the pool size. With
    ``quiet_fp``, NumPy's overflow/invalid warnings are off until teardown: complex
    values doubled in place overflow as asv repeats the call."""

    quiet_fp = False

    def bind(self, impl: str, threads: int, x: np.ndarray, **kwargs) -> None:
        self.call = _bound(impl, x, **kwargs)
        if self.quiet_fp:
            self._errstate = np.seterr(over="ignore", invalid="ignore")
        self.set_threads(threads)

    def teardown(self, *params) -> None:
        errstate = self.__dict__.pop("_errstate", None)
        if errstate is not None:
            np.seterr(**errstate)
        super().teardown(*params)


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


# ---- the families of issue 14 (see also tools/sweep_vs_numpy.py) ---------------

#: Layouts NumPy's complex loop treats differently (SIMD or scalar, contiguous,
#: gathered): each gets its own path in numext too.
COMPLEX_LAYOUTS = ["contiguous", "in place", "strided", "reversed", "F-order", "broadcast", "where"]


def _complex_operands(n: int, dtype: str, layout: str):
    """(x, kwargs) for one layout; outputs already touched, inputs read-only."""
    base = make(2 * n, dtype)
    x = base[:n]
    if layout == "in place":
        x = x.copy()
        return x, {"out": x}
    if layout == "strided":
        return base[::2], {}
    if layout == "reversed":
        return x[::-1], {}
    if layout == "F-order":
        return np.asfortranarray(x.reshape(-1, 100)), {}
    if layout == "broadcast":
        return np.broadcast_to(base[:100], (n // 100, 100)), {}
    if layout == "where":
        mask = np.zeros(n, bool)
        mask[::2] = True
        return x, {"where": mask, "out": empty_touched(x)}
    return x, {}


class DoublePixelsComplex(BoundCallBenchmark):
    """complex64/complex128, in each layout (issue 14: 0.19-0.35x NumPy before)."""

    params = [["1e5", "1e6"], ["complex64", "complex128"], COMPLEX_LAYOUTS, THREADS, IMPLS]
    param_names = ["n", "dtype", "layout", "threads", "impl"]
    quiet_fp = True

    def setup(self, n, dtype, layout, threads, impl):
        x, kwargs = _complex_operands(int(float(n)), dtype, layout)
        self.bind(impl, threads, x, **kwargs)

    def time_double_pixels_complex(self, n, dtype, layout, threads, impl):
        self.call()


#: The other cases below 0.95x in issue 14: a cast NumPy buffers, in place, where=.
OTHER_CASES = ["uint8 into int16", "int16 in place", "int16 where every other"]


class DoublePixelsOther(BoundCallBenchmark):
    """uint8 into out=int16 (NumPy casts per buffer), int16 in place, int16 where=."""

    params = [["1e5", "1e7"], OTHER_CASES, THREADS, IMPLS]
    param_names = ["n", "case", "threads", "impl"]

    def setup(self, n, case, threads, impl):
        n = int(float(n))
        kwargs: dict = {}
        if case == "uint8 into int16":
            x = make(n, "uint8")
            kwargs["out"] = empty_touched(np.empty(n, np.int16))
        elif case == "int16 in place":
            x = make(n, "int16").copy()
            kwargs["out"] = x
        else:
            x = make(n, "int16")
            mask = np.zeros(n, bool)
            mask[::2] = True
            kwargs.update(out=empty_touched(x), where=mask)
        self.bind(impl, threads, x, **kwargs)

    def time_double_pixels_other(self, n, case, threads, impl):
        self.call()


class DoublePixelsComplexCached(BoundCallBenchmark):
    """complex at 1e4 (160 kB, in the caches), where the loop itself shows:
    complex128 x[::-1] and x[::2] were 0.57-0.66x NumPy (split wide loads,
    staging), out= 0.85x (stores across cache lines)."""

    params = [["complex64", "complex128"], ["contiguous", "out=", "in place", "strided", "reversed"],
              THREADS, IMPLS]
    param_names = ["dtype", "layout", "threads", "impl"]
    quiet_fp = True

    def setup(self, dtype, layout, threads, impl):
        n = 10**4
        if layout == "out=":
            x, kwargs = make(n, dtype), {"out": empty_touched(np.empty(n, dtype))}
        else:
            x, kwargs = _complex_operands(n, dtype, layout)
        self.bind(impl, threads, x, **kwargs)

    def time_double_pixels_complex_cached(self, dtype, layout, threads, impl):
        self.call()


class DoublePixelsOut(BoundCallBenchmark):
    """out= a separate array, at each cache level (issue 14: 0.73-0.91x at
    1e6-1e7 on one thread in the sweep)."""

    params = [["1e4", "1e6", "1e7"], ["uint8", "int32", "int64", "float32"], THREADS, IMPLS]
    param_names = ["n", "dtype", "threads", "impl"]

    def setup(self, n, dtype, threads, impl):
        x = make(int(float(n)), dtype)
        self.bind(impl, threads, x, out=empty_touched(np.empty_like(x)))

    def time_double_pixels_out(self, n, dtype, threads, impl):
        self.call()


def _placed(x: np.ndarray, offset: int) -> np.ndarray:
    """A touched, contiguous array like x whose data starts `offset` bytes past a cache line."""
    raw = np.zeros(x.nbytes + 128, np.uint8)
    start = (-raw.ctypes.data) % 64 + offset
    placed = raw[start : start + x.nbytes].view(x.dtype)
    placed[...] = x
    return placed


class DoublePixelsComplexMisaligned(ThreadsBenchmark):
    """complex out= with input and output differently placed in their cache
    lines (input 16 bytes off, output on a line): beyond the L2 numext reads
    such operands in 256-bit vectors (issue 14: 0.91-0.95x at 1e5-1e6)."""

    params = [["1e5", "1e6"], ["complex64", "complex128"], THREADS, IMPLS]
    param_names = ["n", "dtype", "threads", "impl"]

    def setup(self, n, dtype, threads, impl):
        x = make(int(float(n)), dtype)
        self.x, self.out = _placed(x, 16), _placed(x, 0)
        self.call = _call(impl, self.x, self.out)
        self.set_threads(threads)

    def time_double_pixels_complex_misaligned(self, n, dtype, threads, impl):
        self.call()


class DoublePixelsWhereEveryOther(ThreadsBenchmark):
    """where= every other element: NumPy calls the loop once per element, so the
    loop's cost per call is what shows (issue 14: 0.92-0.95x before its
    one-element branch)."""

    params = [["float32", "float64", "int64", "complex64"], THREADS, IMPLS]
    param_names = ["dtype", "threads", "impl"]

    def setup(self, dtype, threads, impl):
        x = make(10**5, dtype)
        mask = np.zeros(x.size, bool)
        mask[::2] = True
        kwargs = {"out": empty_touched(x), "where": mask}
        if impl == "numext":
            self.call = functools.partial(numext.double_pixels, x, **kwargs)
        else:
            self.call = functools.partial(np.multiply, x, 2, **kwargs)
        self.set_threads(threads)

    def time_double_pixels_where_every_other(self, dtype, threads, impl):
        self.call()
