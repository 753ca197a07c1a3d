"""What is compared: the demonstration's checks and the timing tables' sections.

Every section times pure Python, NumPy, numext at each pool size, numext called
from the tutorial's 4 Python threads at once, numexpr and Numba on one input,
and checks each result against NumPy's before timing it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TextIO

import numpy as np

import numext

from .._threads import _process_threads
from .config import TUTORIAL_IMAGE, Config
from .formatting import check_marks, format_count, format_shape, plural, threads_text
from .libraries import NUMEXPR_MISSING, OtherLibraries
from .measure import Candidate, time_candidates
from .results import Row, Section, compare, unavailable_row
from .tutorial import PY_THREADS, calculate_sum_threaded, double_pixels_py, double_py

PY_SUBSET = 100_000  # elements the pure-Python loops are timed on


class Data:
    """Input arrays, made once and shared by the demonstration and the tables."""

    def __init__(self) -> None:
        self._rng = np.random.default_rng(20240517)
        self._cache: dict[Any, np.ndarray] = {}

    def image(self, shape: tuple[int, int, int]) -> np.ndarray:
        key = ("image", shape)
        if key not in self._cache:
            self._cache[key] = self._rng.integers(0, 256, size=shape, dtype=np.uint8)
        return self._cache[key]

    def floats(self, n: int) -> np.ndarray:
        key = ("floats", n)
        if key not in self._cache:
            self._cache[key] = self._rng.random(n)
        return self._cache[key]


# ---- section 1: the demonstration ---------------------------------------------------


def _demonstration_cases(cfg: Config, data: Data) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """(text, numext call, NumPy call) for each entry point."""
    img = data.image(TUTORIAL_IMAGE)
    big = data.image(cfg.image_shapes[-1])
    x = data.floats(max(cfg.sizes))
    rows2d = data.floats(1000 * 2500 if not cfg.quick else 200 * 2500).reshape(-1, 2500)
    out = np.empty_like(x)
    return [
        (f"numext.double_pixels(img) == img * 2        img {format_shape(img)} uint8",
         lambda: numext.double_pixels(img), lambda: img * 2),
        (f"numext.double_pixels(img) == img * 2        img {format_shape(big)} uint8",
         lambda: numext.double_pixels(big), lambda: big * 2),
        (f"numext.double(x, out=o)   == x * 2          x {format_count(x.size)} float64",
         lambda: numext.double(x, out=out), lambda: x * 2),
        (f"numext.parallel_sum(x)    == np.sum(x)      x {format_count(x.size)} float64, same bits",
         lambda: numext.parallel_sum(x), lambda: np.sum(x)),
        (f"numext.sum(m, axis=-1)    == np.sum(m, axis=-1)  m {format_shape(rows2d)} float64",
         lambda: numext.sum(rows2d, axis=-1), lambda: np.sum(rows2d, axis=-1)),
        (f"numext.sum(img)           == np.sum(img)    {format_shape(img)} uint8 -> uint64",
         lambda: numext.sum(img), lambda: np.sum(img)),
    ]


def demonstrate(cfg: Config, data: Data, out: TextIO) -> list[dict[str, Any]]:
    """Run each numext entry point once per thread count and compare with NumPy bit for bit."""
    mark = check_marks(out)
    sample = np.array([100, 200, 255], np.uint8)
    print("1. What runs: each numext call compared with NumPy's, bit for bit, "
          f"at {threads_text(cfg.threads)}", file=out)
    print(f"   uint8 wraps as in NumPy: double_pixels({sample.tolist()}) -> "
          f"{numext.double_pixels(sample).tolist()}", file=out)
    checks = []
    for text, numext_call, numpy_call in _demonstration_cases(cfg, data):
        expected = numpy_call()
        by_threads = {}
        for t in cfg.threads:
            with _process_threads(t):
                by_threads[t] = compare(numext_call(), expected)
        ok = all(r == "exact" for r in by_threads.values())
        checks.append({"case": " ".join(text.split()), "ok": ok, "by_threads": by_threads})
        print(f"   {mark['exact'] if ok else mark['differs']} {text}", file=out)
    print(file=out)
    return checks


# ---- section 3: the timing tables ---------------------------------------------------


class _TimedRows:
    """The rows of one section timed interleaved: each checked against ``expected`` first."""

    def __init__(self, expected: Any):
        self.expected = expected
        self.rows: list[Row] = []
        self.candidates: list[Candidate] = []

    def add(self, row: Row, fn: Callable[[], Any], threads: int | None = None,
            result: Callable[[], Any] | None = None) -> None:
        """``result``: where the call leaves its answer when it is not the return value (out=)."""
        with _process_threads(threads or numext.get_num_threads()):
            got = fn()
            row.check = compare(result() if result else got, self.expected, row.expected_check == "close")
        self.rows.append(row)
        self.candidates.append(Candidate(row.key, fn, threads))

    def time(self, repeat: int) -> list[Row]:
        times = time_candidates(self.candidates, repeat=repeat)
        for row in self.rows:
            row.time_s = times.get(row.key, row.time_s)
        return self.rows


def _python_row(key: str, label: str, fn: Callable[[], Any], n_subset: int, n_total: int, cfg: Config) -> Row:
    """Time a pure-Python loop on a subset and scale per element to the full size."""
    best = math.inf
    for _ in range(min(cfg.repeat, 3)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    row = Row(key, label, time_s=best * n_total / n_subset)
    if n_subset < n_total:
        row.note = f"timed on {n_subset:,} of {n_total:,} elements, scaled per element"
    return row


def _split_for_threads(a: np.ndarray, parts: int) -> list[np.ndarray]:
    return np.array_split(a, min(parts, a.shape[0])) if a.ndim else [a]


def _python_double_row(x: np.ndarray, expected: np.ndarray, cfg: Config) -> tuple[Row, str | None]:
    """The pure-Python doubling row (timed on a subset) and, for images, a note on the subset."""
    if x.ndim == 3:
        nrows = min(x.shape[0], max(1, PY_SUBSET // (x.shape[1] * x.shape[2])))
        pixels = x[:nrows].tolist()
        row = _python_row("python", "pure Python loop (nested lists)",
                          lambda: double_pixels_py(pixels), x[:nrows].size, x.size, cfg)
        row.check = compare(np.array(double_pixels_py(pixels), np.uint8), expected[:nrows])
        return row, (f"pure Python: the first {nrows} rows as nested lists (list conversion not timed), "
                     "scaled per element")
    values = x[:PY_SUBSET].tolist()
    row = _python_row("python", "pure Python loop (list)", lambda: double_py(values), len(values), x.size, cfg)
    row.check = compare(np.array(double_py(values)), expected[: len(values)])
    return row, None


def section_double(key: str, title: str, x: np.ndarray, cfg: Config, libs: OtherLibraries,
                   python_threads: Executor) -> Section:
    """Doubling ``x`` (an image or a float array): every implementation, timed interleaved."""
    sec = Section(key, title, "double", x.shape, str(x.dtype), 2 * x.nbytes)
    expected = x * 2
    python_row, note = _python_double_row(x, expected, cfg)
    sec.rows.append(python_row)
    timed = _TimedRows(expected)
    timed.add(Row("numpy", "NumPy  x * 2"), lambda: x * 2)
    for t in cfg.threads:
        timed.add(Row(f"numext-{t}t", f"numext.double_pixels(x), {plural(t, 'thread')}"),
                  lambda: numext.double_pixels(x), threads=t)
    parts = _split_for_threads(x, PY_THREADS)

    def from_python_threads() -> np.ndarray:
        res = np.empty_like(x)
        outs = _split_for_threads(res, PY_THREADS)
        list(python_threads.map(lambda a, b: numext.double_pixels(a, out=b), parts, outs))
        return res

    timed.add(Row("numext-pythreads", f"numext from {PY_THREADS} Python threads at once, pool of 1",
                  note="GIL released: the 4 calls run in parallel"), from_python_threads, threads=1)
    ne = libs.numexpr
    if ne is not None:
        ne_row = Row("numexpr", f"numexpr.evaluate('x * 2'), {plural(max(cfg.threads), 'thread')}")
        if x.dtype == np.uint8:
            ne_row.note = "numexpr has no uint8: returns int32 without the wrap (4x the bytes written)"
        timed.add(ne_row, lambda: ne.evaluate("x * 2", local_dict={"x": x}))
    else:
        timed.rows.append(unavailable_row("numexpr", "numexpr.evaluate('x * 2')", NUMEXPR_MISSING))
    numba_double = libs.numba_double
    if numba_double is not None:
        timed.add(Row("numba", "Numba @vectorize(target='parallel')",
                      note=f"compile time {libs.numba_compile_s:.1f} s not counted"), lambda: numba_double(x))
    else:
        timed.rows.append(unavailable_row("numba", "Numba @vectorize(target='parallel')", libs.numba_note))
    out = np.zeros_like(x)
    timed.add(Row("numpy-out", "NumPy  np.multiply(x, 2, out=o)", mode="out"),
              lambda: np.multiply(x, 2, out=out), result=lambda: out)
    tmax = max(cfg.threads)
    timed.add(Row("numext-out", f"numext.double_pixels(x, out=o), {plural(tmax, 'thread')}", mode="out"),
              lambda: numext.double_pixels(x, out=out), result=lambda: out, threads=tmax)
    sec.rows.extend(timed.time(cfg.repeat))
    if note:
        sec.notes.append(note)
    return sec


def section_sum(key: str, title: str, x: np.ndarray, cfg: Config, libs: OtherLibraries,
                python_threads: Executor) -> Section:
    """Summing a float64 array: every implementation, timed interleaved."""
    sec = Section(key, title, "sum", x.shape, str(x.dtype), x.nbytes)
    values = x[:PY_SUBSET].tolist()
    python_row = _python_row("python", f"pure Python calculate_sum, {PY_THREADS} Python threads",
                             lambda: calculate_sum_threaded(values), len(values), x.size, cfg)
    python_row.check = compare(calculate_sum_threaded(values), np.sum(x[:PY_SUBSET]), allow_close=True)
    python_row.expected_check = "close"
    sec.rows.append(python_row)
    timed = _TimedRows(np.sum(x))
    timed.add(Row("numpy", "NumPy  np.sum(x)"), lambda: np.sum(x))
    for t in cfg.threads:
        timed.add(Row(f"numext-{t}t", f"numext.parallel_sum(x), {plural(t, 'thread')}"),
                  lambda: numext.parallel_sum(x), threads=t)
    parts = _split_for_threads(x, PY_THREADS)
    timed.add(Row("numext-pythreads", f"numext from {PY_THREADS} Python threads at once, pool of 1",
                  expected_check="close", note="4 partial sums added: not np.sum's bits"),
              lambda: sum(python_threads.map(numext.parallel_sum, parts)), threads=1)
    ne = libs.numexpr
    if ne is not None:
        timed.add(Row("numexpr", "numexpr.evaluate('sum(x)')", expected_check="close",
                      note="numexpr reductions run on one thread"),
                  lambda: ne.evaluate("sum(x)", local_dict={"x": x}))
    else:
        timed.rows.append(unavailable_row("numexpr", "numexpr.evaluate('sum(x)')", NUMEXPR_MISSING))
    numba_sum = libs.numba_sum
    if numba_sum is not None:
        timed.add(Row("numba", "Numba @njit(parallel=True) prange sum", expected_check="close",
                      note="naive per-thread sums: not np.sum's bits"), lambda: numba_sum(x))
    else:
        timed.rows.append(unavailable_row("numba", "Numba @njit(parallel=True) prange sum", libs.numba_note))
    sec.rows.extend(timed.time(cfg.repeat))
    return sec


def timing_sections(cfg: Config, data: Data, libs: OtherLibraries) -> list[Section]:
    """The tables, in order: images, float64 doubling per size, float64 sum per size."""
    with ThreadPoolExecutor(PY_THREADS) as python_threads:
        sections = [
            section_double(f"image-{format_shape(shape)}", f"Doubling every pixel, {format_shape(shape)} uint8 image",
                           data.image(shape), cfg, libs, python_threads)
            for shape in cfg.image_shapes
        ]
        sections += [section_double(f"double-float64-{n}", f"Doubling {format_count(n)} float64",
                                    data.floats(n), cfg, libs, python_threads) for n in cfg.sizes]
        sections += [section_sum(f"sum-float64-{n}", f"Sum of {format_count(n)} float64",
                                 data.floats(n), cfg, libs, python_threads) for n in cfg.sizes]
    return sections
