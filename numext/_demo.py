"""``python -m numext``: the tutorial "Python extensions that escape the GIL", measured.

The tutorial doubles every pixel of a 512x512x3 uint8 image and a float array,
sums an array with a pure-Python ``calculate_sum`` run by 4 Python threads, and
ends with a table: pure Python 1x, native 2-5x, native without the GIL 2-5x,
native + threads 10-50x. This module reproduces that with measured figures:

1. a short demonstration: what runs, and that numext's results equal NumPy's;
2. the machine's memory bandwidth (copy and read), measured in the same run;
3. one table per case, (a) image doubling, (b) float64 doubling, (c) float64
   sum: pure Python, NumPy, numext at each thread count, numext called from 4
   Python threads at once, numexpr and Numba where installed;
4. the tutorial's own table with the measured speed-ups beside its claims.

Options: ``python -m numext --help``. Pure-Python loops are timed on a subset
(about 1e5 elements) and scaled per element, so the default run takes seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, TextIO

import numpy as np

import numext

from ._demo_fsum import section_fsum
from ._bench import (
    Candidate,
    OtherLoad,
    environment,
    last_level_cache_bytes,
    measure_bandwidth,
    optional_module,
    time_candidates,
)

PY_THREADS = 4  # the tutorial's 4 Python threads
PY_SUBSET = 100_000  # elements the pure-Python loops are timed on
TUTORIAL_IMAGE = (512, 512, 3)
NUMEXPR_MISSING = "numexpr not installed (pip install numexpr)"


# ---- the tutorial's pure-Python code -------------------------------------------


def double_pixels_py(image: list) -> list:
    """Tutorial-style: every channel of every pixel, doubled in a Python loop (uint8 wraps)."""
    result = []
    for row in image:
        new_row = []
        for pixel in row:
            new_row.append([(value * 2) % 256 for value in pixel])
        result.append(new_row)
    return result


def double_py(values: list) -> list:
    """Tutorial-style doubling of a list of floats."""
    result = [0.0] * len(values)
    for i in range(len(values)):
        result[i] = values[i] * 2
    return result


def calculate_sum(numbers: list) -> float:
    """The tutorial's ``calculate_sum``."""
    total = 0
    for number in numbers:
        total += number
    return total


def calculate_sum_threaded(numbers: list, nthreads: int = PY_THREADS) -> float:
    """``calculate_sum`` split over ``nthreads`` Python threads, as in the tutorial.

    The GIL lets one thread run Python code at a time, so this is no faster
    than one thread (usually a little slower).
    """
    size = math.ceil(len(numbers) / nthreads)
    results = [0.0] * nthreads

    def worker(i: int) -> None:
        results[i] = calculate_sum(numbers[i * size : (i + 1) * size])

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(nthreads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return calculate_sum(results)


# ---- configuration --------------------------------------------------------------


@dataclass
class Config:
    image_shapes: list[tuple[int, int, int]]
    sizes: list[int]
    threads: list[int]
    repeat: int
    bandwidth_mib: int
    quick: bool


def _parse_sizes(values: list[str]) -> list[int]:
    sizes = []
    for value in values:
        for part in value.replace(",", " ").split():
            n = int(float(part))
            if n < 1:
                raise argparse.ArgumentTypeError(f"size must be >= 1: {part!r}")
            sizes.append(n)
    return sorted(set(sizes))


def _parse_threads(values: list[str]) -> list[int]:
    out = []
    for value in values:
        for part in value.replace(",", " ").split():
            n = numext.default_num_threads() if part == "all" else int(part)
            if not 1 <= n <= numext._numext.MAX_THREADS:
                raise argparse.ArgumentTypeError(f"thread count out of range: {part!r}")
            out.append(n)
    return sorted(set(out))


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, Config]:
    p = argparse.ArgumentParser(
        prog="python -m numext",
        description="Reproduce the 'Python extensions that escape the GIL' tutorial's table with "
        "measured figures: pure Python, NumPy, numext (1 and all threads, and called from 4 Python "
        "threads), numexpr and Numba, on image doubling, float64 doubling and a float64 sum.",
    )
    p.add_argument("--sizes", nargs="+", metavar="N",
                   help="element counts for the float64 doubling and sum tables "
                        "(default 1e5 1e6 1e7; --quick: 1e5 1e6)")
    p.add_argument("--threads", nargs="+", metavar="T",
                   help="numext pool sizes to time ('all' = numext.default_num_threads(); "
                        "default: 1 all)")
    p.add_argument("--repeat", type=int, metavar="R",
                   help="best of R timings per figure (default 7; --quick: 3)")
    p.add_argument("--json", nargs="?", const="-", metavar="FILE",
                   help="write the results as JSON to FILE, or to stdout with no FILE "
                        "(the human-readable report then goes to stderr)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="plot throughput against size and thread count (needs matplotlib)")
    p.add_argument("--quick", action="store_true",
                   help="small sizes and few repeats (a few seconds; for CI)")
    p.add_argument("--bandwidth-mib", type=int, metavar="MiB",
                   help="buffer size for the bandwidth measurement (default 256; --quick: 64)")
    args = p.parse_args(argv)
    try:
        sizes = _parse_sizes(args.sizes) if args.sizes else ([10**5, 10**6] if args.quick else [10**5, 10**6, 10**7])
        threads = _parse_threads(args.threads) if args.threads else sorted({1, numext.default_num_threads()})
    except (argparse.ArgumentTypeError, ValueError) as exc:
        p.error(str(exc))
    repeat = args.repeat if args.repeat is not None else (3 if args.quick else 7)
    if repeat < 1:
        p.error("--repeat must be >= 1")
    big_image = (1024, 1024, 3) if args.quick else (4096, 4096, 3)
    cfg = Config(
        image_shapes=[TUTORIAL_IMAGE, big_image],
        sizes=sizes,
        threads=threads,
        repeat=repeat,
        bandwidth_mib=args.bandwidth_mib or (64 if args.quick else 256),
        quick=args.quick,
    )
    return args, cfg


# ---- results ----------------------------------------------------------------------


@dataclass
class Row:
    key: str  # stable id: python, numpy, numpy-out, numext-<T>t, numext-out, numext-pythreads, numexpr, numba
    label: str
    time_s: float | None = None
    check: str | None = None  # "exact", "close" (other summation order), "differs"; None: not run
    expected_check: str = "exact"
    mode: str = "fresh"  # "fresh" output, or "out" (into an existing array)
    available: bool = True
    note: str = ""
    speedup_vs_python: float | None = None
    speedup_vs_numpy: float | None = None
    GBps: float | None = None
    pct_of_bandwidth: float | None = None

    @property
    def ok(self) -> bool:
        return self.check == "exact" or (self.check == "close" and self.expected_check == "close")


@dataclass
class Section:
    key: str
    title: str
    kind: str  # "double" or "sum"
    shape: tuple[int, ...]
    dtype: str
    bytes_moved: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Tools:
    """numexpr and Numba, when installed, with their kernels compiled once."""

    def __init__(self, threads: int):
        self.ne = optional_module("numexpr")
        if self.ne is not None:
            self.ne.set_num_threads(threads)
        # Numba picks the OpenMP layer when TBB is missing; its parallel ufuncs ran
        # 6x slower than NumPy on it here, and 1x on the workqueue layer. Show Numba
        # at its best unless the user chose a layer.
        os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
        self.nb = optional_module("numba")
        self.nb_note = "numba not installed (pip install numba)"
        self.nb_double: Callable[[np.ndarray], np.ndarray] | None = None
        self.nb_sum: Callable[[np.ndarray], float] | None = None
        self.nb_compile_s = 0.0
        self.nb_layer: str | None = None
        if self.nb is not None:
            t0 = time.perf_counter()
            try:
                self.nb.set_num_threads(min(threads, self.nb.config.NUMBA_NUM_THREADS))
                self.nb_double, self.nb_sum = _compile_numba(self.nb)
                self.nb_layer = self.nb.threading_layer()
            except Exception as exc:  # noqa: BLE001 - report, do not fail the run
                self.nb_note = f"Numba failed: {type(exc).__name__}: {exc}"
            self.nb_compile_s = time.perf_counter() - t0
        self.pool = ThreadPoolExecutor(PY_THREADS)

    def close(self) -> None:
        self.pool.shutdown()


def _compile_numba(nb: Any) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], float]]:
    """Numba's versions: a parallel ufunc for doubling and a prange loop for the sum."""
    prange = nb.prange

    @nb.vectorize(["uint8(uint8)", "float64(float64)"], target="parallel")
    def nb_double(x):  # pragma: no cover - compiled by Numba
        return x * 2

    @nb.njit(parallel=True)
    def nb_sum(x):  # pragma: no cover - compiled by Numba
        total = 0.0
        for i in prange(x.shape[0]):
            total += x[i]
        return total

    nb_sum(np.ones(4))  # compile now, not inside a timing
    return nb_double, nb_sum


def _unavailable(key: str, label: str, note: str, mode: str = "fresh") -> Row:
    return Row(key, label, available=False, mode=mode, note=note)


def _check(got: Any, expected: Any, allow_close: bool = False) -> str:
    got_a, exp_a = np.asarray(got), np.asarray(expected)
    if got_a.dtype == exp_a.dtype and got_a.shape == exp_a.shape and np.array_equal(got_a, exp_a):
        return "exact"
    if allow_close and got_a.shape == exp_a.shape and np.allclose(got_a, exp_a, rtol=1e-9, atol=0):
        return "close"
    return "differs"


def _timed_rows(rows: list[Row], cands: list[Candidate], cfg: Config) -> None:
    times = time_candidates(cands, repeat=cfg.repeat)
    for row in rows:
        if row.key in times:
            row.time_s = times[row.key]


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


def _split(a: np.ndarray, parts: int) -> list[np.ndarray]:
    return np.array_split(a, min(parts, a.shape[0])) if a.ndim else [a]


# ---- section 1: demonstration ---------------------------------------------------------


def demonstrate(cfg: Config, data: "Data", out: TextIO) -> list[dict[str, Any]]:
    """Run each numext entry point once per thread count and compare with NumPy bit for bit."""
    mark = _marks(out)
    img = data.image(TUTORIAL_IMAGE)
    big = data.image(cfg.image_shapes[-1])
    x = data.floats(max(cfg.sizes))
    rows2d = data.floats(1000 * 2500 if not cfg.quick else 200 * 2500).reshape(-1, 2500)
    o = np.empty_like(x)
    sample = np.array([100, 200, 255], np.uint8)
    cases: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (f"numext.double_pixels(img) == img * 2        img {_shape(img)} uint8",
         lambda: numext.double_pixels(img), lambda: img * 2),
        (f"numext.double_pixels(img) == img * 2        img {_shape(big)} uint8",
         lambda: numext.double_pixels(big), lambda: big * 2),
        (f"numext.double(x, out=o)   == x * 2          x {_n(x.size)} float64",
         lambda: numext.double(x, out=o), lambda: x * 2),
        (f"numext.parallel_sum(x)    == np.sum(x)      x {_n(x.size)} float64, same bits",
         lambda: numext.parallel_sum(x), lambda: np.sum(x)),
        (f"numext.sum(m, axis=-1)    == np.sum(m, axis=-1)  m {_shape(rows2d)} float64",
         lambda: numext.sum(rows2d, axis=-1), lambda: np.sum(rows2d, axis=-1)),
        (f"numext.sum(img)           == np.sum(img)    {_shape(img)} uint8 -> uint64",
         lambda: numext.sum(img), lambda: np.sum(img)),
    ]
    print("1. What runs: each numext call compared with NumPy's, bit for bit, "
          f"at {_threads_text(cfg.threads)}", file=out)
    print(f"   uint8 wraps as in NumPy: double_pixels({sample.tolist()}) -> "
          f"{numext.double_pixels(sample).tolist()}", file=out)
    checks = []
    for text, got_fn, expected_fn in cases:
        expected = expected_fn()
        results = {}
        for t in cfg.threads:
            with numext.threads(t):
                results[t] = _check(got_fn(), expected)
        ok = all(r == "exact" for r in results.values())
        checks.append({"case": " ".join(text.split()), "ok": ok, "by_threads": results})
        print(f"   {mark['exact'] if ok else mark['differs']} {text}", file=out)
    print(file=out)
    return checks


# ---- section 2: the machine ---------------------------------------------------------------


def measure_machine(cfg: Config, out: TextIO) -> dict[str, Any]:
    """Copy and read bandwidth of a large buffer with NumPy: the ceiling for memory-bound kernels."""
    bw = measure_bandwidth(cfg.bandwidth_mib, cfg.repeat, max(max(cfg.threads), numext.default_num_threads()))
    t = bw["threads"]
    print(f"2. Memory bandwidth, {bw['buffer_MiB']} MiB buffer, best of {cfg.repeat} "
          "(GB/s = 1e9 bytes/s):", file=out)
    line = (f"   copy  np.copyto (bytes = 2n): {bw['copy_1t_GBps']:6.1f} GB/s on 1 thread")
    if t > 1:
        line += f", {bw[f'copy_{t}t_GBps']:6.1f} on {t} Python threads"
    print(line, file=out)
    line = (f"   read  np.add.reduce / max (bytes = n): {bw['read_1t_GBps']:6.1f} GB/s on 1 thread")
    if t > 1:
        line += f", {bw[f'read_{t}t_GBps']:6.1f} on {t} Python threads"
    print(line, file=out)
    print("   numext's GB/s below are compared with the better of each pair "
          "(doubling: copy; sum: read).\n", file=out)
    return bw


# ---- section 3: the tables -----------------------------------------------------------------


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


def section_double(key: str, title: str, x: np.ndarray, cfg: Config, tools: Tools) -> Section:
    """Doubling ``x`` (an image or a float array): every implementation, timed interleaved."""
    sec = Section(key, title, "double", x.shape, str(x.dtype), 2 * x.nbytes)
    expected = x * 2
    o = np.zeros_like(x)
    is_image = x.ndim == 3

    # pure Python, on a subset, scaled
    if is_image:
        nrows = min(x.shape[0], max(1, PY_SUBSET // (x.shape[1] * x.shape[2])))
        sub = x[:nrows]
        pylist = sub.tolist()
        row = _python_row("python", "pure Python loop (nested lists)",
                          lambda: double_pixels_py(pylist), sub.size, x.size, cfg)
        row.check = _check(np.array(double_pixels_py(pylist), np.uint8), expected[:nrows])
    else:
        sub = x[:PY_SUBSET]
        pylist = sub.tolist()
        row = _python_row("python", "pure Python loop (list)", lambda: double_py(pylist), sub.size, x.size, cfg)
        row.check = _check(np.array(double_py(pylist)), expected[: sub.size])
    sec.rows.append(row)

    rows: list[Row] = []
    cands: list[Candidate] = []

    def add(row: Row, fn: Callable[[], Any], result: Callable[[], Any] | None = None,
            threads: int | None = None, allow_close: bool = False) -> None:
        with numext.threads(threads or numext.get_num_threads()):
            got = fn()
            row.check = _check(result() if result else got, expected, allow_close)
        rows.append(row)
        cands.append(Candidate(row.key, fn, threads))

    add(Row("numpy", "NumPy  x * 2"), lambda: x * 2)
    for t in cfg.threads:
        add(Row(f"numext-{t}t", f"numext.double_pixels(x), {_plural(t, 'thread')}"),
            lambda: numext.double_pixels(x), threads=t)
    xs = _split(x, PY_THREADS)

    def from_python_threads() -> np.ndarray:
        res = np.empty_like(x)
        list(tools.pool.map(lambda a, b: numext.double_pixels(a, out=b), xs, _split(res, PY_THREADS)))
        return res

    add(Row("numext-pythreads", f"numext from {PY_THREADS} Python threads at once, pool of 1",
            note="GIL released: the 4 calls run in parallel"), from_python_threads, threads=1)
    if tools.ne is not None:
        ne_row = Row("numexpr", f"numexpr.evaluate('x * 2'), {_plural(max(cfg.threads), 'thread')}")
        if x.dtype == np.uint8:
            ne_row.note = "numexpr has no uint8: returns int32 without the wrap (4x the bytes written)"
        add(ne_row, lambda: tools.ne.evaluate("x * 2", local_dict={"x": x}))
    else:
        rows.append(_unavailable("numexpr", "numexpr.evaluate('x * 2')", NUMEXPR_MISSING))
    if tools.nb_double is not None:
        add(Row("numba", "Numba @vectorize(target='parallel')",
                note=f"compile time {tools.nb_compile_s:.1f} s not counted"),
            lambda: tools.nb_double(x))
    else:
        rows.append(_unavailable("numba", "Numba @vectorize(target='parallel')", tools.nb_note))
    add(Row("numpy-out", "NumPy  np.multiply(x, 2, out=o)", mode="out"), lambda: np.multiply(x, 2, out=o),
        result=lambda: o)
    tmax = max(cfg.threads)
    add(Row("numext-out", f"numext.double_pixels(x, out=o), {_plural(tmax, 'thread')}", mode="out"),
        lambda: numext.double_pixels(x, out=o), result=lambda: o, threads=tmax)
    _timed_rows(rows, cands, cfg)
    sec.rows.extend(rows)
    if is_image:
        sec.notes.append(f"pure Python: the first {nrows} rows as nested lists (list conversion not timed), "
                         "scaled per element")
    return sec


def section_sum(key: str, title: str, x: np.ndarray, cfg: Config, tools: Tools) -> Section:
    """Summing a float64 array: every implementation, timed interleaved."""
    sec = Section(key, title, "sum", x.shape, str(x.dtype), x.nbytes)
    expected = np.sum(x)
    sub = x[:PY_SUBSET]
    pylist = sub.tolist()
    row = _python_row("python", f"pure Python calculate_sum, {PY_THREADS} Python threads",
                      lambda: calculate_sum_threaded(pylist), sub.size, x.size, cfg)
    row.check = _check(calculate_sum_threaded(pylist), np.sum(sub), allow_close=True)
    row.expected_check = "close"
    sec.rows.append(row)

    rows: list[Row] = []
    cands: list[Candidate] = []

    def add(row: Row, fn: Callable[[], Any], threads: int | None = None) -> None:
        with numext.threads(threads or numext.get_num_threads()):
            row.check = _check(fn(), expected, allow_close=row.expected_check == "close")
        rows.append(row)
        cands.append(Candidate(row.key, fn, threads))

    add(Row("numpy", "NumPy  np.sum(x)"), lambda: np.sum(x))
    for t in cfg.threads:
        add(Row(f"numext-{t}t", f"numext.parallel_sum(x), {_plural(t, 'thread')}"),
            lambda: numext.parallel_sum(x), threads=t)
    xs = _split(x, PY_THREADS)
    add(Row("numext-pythreads", f"numext from {PY_THREADS} Python threads at once, pool of 1",
            expected_check="close", note="4 partial sums added: not np.sum's bits"),
        lambda: sum(tools.pool.map(numext.parallel_sum, xs)), threads=1)
    if tools.ne is not None:
        add(Row("numexpr", "numexpr.evaluate('sum(x)')", expected_check="close",
                note="numexpr reductions run on one thread"),
            lambda: tools.ne.evaluate("sum(x)", local_dict={"x": x}))
    else:
        rows.append(_unavailable("numexpr", "numexpr.evaluate('sum(x)')", NUMEXPR_MISSING))
    if tools.nb_sum is not None:
        add(Row("numba", "Numba @njit(parallel=True) prange sum", expected_check="close",
                note="naive per-thread sums: not np.sum's bits"),
            lambda: tools.nb_sum(x))
    else:
        rows.append(_unavailable("numba", "Numba @njit(parallel=True) prange sum", tools.nb_note))
    _timed_rows(rows, cands, cfg)
    sec.rows.extend(rows)
    return sec


def finish_section(sec: Section, bw: dict[str, Any]) -> None:
    """Speed-ups against pure Python and NumPy (same output mode), GB/s and % of bandwidth."""
    by_key = {r.key: r for r in sec.rows}
    py = by_key["python"].time_s
    ceiling = bw["copy_GBps"] if sec.kind == "double" else bw["read_GBps"]
    for r in sec.rows:
        if r.time_s is None:
            continue
        ref = by_key.get("numpy-out" if r.mode == "out" else "numpy")
        r.speedup_vs_python = py / r.time_s if py else None
        r.speedup_vs_numpy = ref.time_s / r.time_s if ref and ref.time_s else None
        r.GBps = sec.bytes_moved / r.time_s / 1e9
        r.pct_of_bandwidth = 100 * r.GBps / ceiling


def print_section(letter: str, sec: Section, bw: dict[str, Any], out: TextIO) -> None:
    mark = _marks(out)
    what = "copy" if sec.kind == "double" else "read"
    print(f"({letter}) {sec.title}  [{_bytes(sec.bytes_moved)} moved per call]", file=out)
    head = f"   {'implementation':<52s} {'time':>9s} {'vs Python':>10s} {'vs NumPy':>9s} {'GB/s':>7s} {'% ' + what + ' bw':>10s}  ok"
    print(head, file=out)
    for r in sec.rows:
        if not r.available:
            print(f"   {r.label:<52s} {'-':>9s} {'':>10s} {'':>9s} {'':>7s} {'':>10s}  -  {r.note}", file=out)
            continue
        label = r.label + ("*" if r.key == "python" and r.note else "")
        line = (f"   {label:<52s} {_time(r.time_s):>9s} {_x(r.speedup_vs_python):>10s} "
                f"{_x(r.speedup_vs_numpy):>9s} {r.GBps:7.2f} {r.pct_of_bandwidth:9.0f}%  "
                f"{mark[r.check or 'differs']}")
        if r.note and r.key != "python":
            line += f"  {r.note}"
        print(line, file=out)
    py = sec.rows[0]
    if py.note:
        print(f"   * {py.note}", file=out)
    for note in sec.notes:
        print(f"   {note}", file=out)
    if any((r.pct_of_bandwidth or 0) > 100 for r in sec.rows):
        llc = last_level_cache_bytes()
        if llc is not None and sec.bytes_moved <= llc:
            why = f"the data fit in the CPU caches ({_bytes(llc)})"
        else:
            why = ("the machine gave this call more bandwidth than it gave section 2's measurement "
                   "(on shared or virtual machines it moves from minute to minute)")
        print(f"   over 100% of the {what} bandwidth: {why}", file=out)
    print(file=out)


# ---- section 4: the tutorial's table ----------------------------------------------------------


def print_tutorial_table(sections: list[Section], cfg: Config, out: TextIO) -> dict[str, Any]:
    """The tutorial's closing table, its claims beside the speed-ups measured here."""
    tmax = max(cfg.threads)
    lines = [
        ("pure Python", "1x", "python"),
        ("native (numext, 1 thread)", "2-5x", f"numext-{min(cfg.threads)}t"),
        (f"native without the GIL ({PY_THREADS} Python threads)", "2-5x", "numext-pythreads"),
        (f"native + threads (numext, {_plural(tmax, 'thread')})", "10-50x", f"numext-{tmax}t"),
        ("NumPy, for reference", "", "numpy"),
    ]
    images = [s for s in sections if s.kind == "double" and len(s.shape) == 3]
    chosen = images + [s for s in sections if s.kind == "sum" and s.shape[0] == max(cfg.sizes)]
    cols = [(s, _short_title(s)) for s in chosen]
    print("4. The tutorial's table, measured: speed-up over pure Python", file=out)
    print(f"   {'':<44s} {'tutorial':>9s}" + "".join(f" {c:>16s}" for _, c in cols), file=out)
    table: dict[str, Any] = {}
    for name, claim, key in lines:
        cells = []
        for s, c in cols:
            r = next((r for r in s.rows if r.key == key), None)
            v = r.speedup_vs_python if r is not None else None
            cells.append(_x(v))
            table.setdefault(name, {"tutorial": claim})[c] = v
        print(f"   {name:<44s} {claim:>9s}" + "".join(f" {c:>16s}" for c in cells), file=out)
    native = [v for v in table.get(lines[1][0], {}).values() if isinstance(v, float)]
    if native:
        print(f"   Native code runs {min(native):,.0f}-{max(native):,.0f}x faster than the Python loop here, "
              "not 2-5x; on memory-bound", file=out)
        print("   work, extra threads then add at most what the memory bandwidth allows (see the GB/s "
              "columns).", file=out)
    return table


# ---- JSON and plot -------------------------------------------------------------------------------


def to_json(cfg: Config, env: dict[str, Any], checks: list[dict[str, Any]], bw: dict[str, Any],
            sections: list[Section], tutorial: dict[str, Any], elapsed: float) -> dict[str, Any]:
    numext_rows_ok = all(r.ok for s in sections for r in s.rows if r.key.startswith("numext"))
    secs = []
    for s in sections:
        d = asdict(s)
        for rd, r in zip(d["rows"], s.rows):
            rd["ok"] = r.ok
        secs.append(d)
    return {
        "config": asdict(cfg),
        "environment": env,
        "demonstration": checks,
        "bandwidth": bw,
        "sections": secs,
        "tutorial_table": tutorial,
        "verified": numext_rows_ok and all(c["ok"] for c in checks),
        "elapsed_s": elapsed,
    }


def plot(sections: list[Section], bw: dict[str, Any], cfg: Config, path: str) -> str | None:
    """Throughput against array size per implementation and thread count; None if no matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed: no plot written (pip install matplotlib)"
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for ax, kind, ceiling, name in [
        (axes[0], "double", bw["copy_GBps"], "copy"),
        (axes[1], "sum", bw["read_GBps"], "read"),
    ]:
        secs = sorted((s for s in sections if s.kind == kind and len(s.shape) == 1), key=lambda s: s.shape[0])
        keys = ["numpy"] + [f"numext-{t}t" for t in cfg.threads] + ["numext-pythreads", "numexpr", "numba"]
        for key in keys:
            pts = [(s.shape[0], r.GBps) for s in secs for r in s.rows if r.key == key and r.GBps]
            if pts:
                label = next(r.label for s in secs for r in s.rows if r.key == key)
                ax.plot(*zip(*pts), marker="o", label=label)
        ax.axhline(ceiling, color="grey", linestyle="--", label=f"{name} bandwidth (NumPy, same run)")
        ax.set_xscale("log")
        ax.set_xlabel("float64 elements")
        ax.set_ylabel("GB/s")
        ax.set_title("double_pixels(x), fresh output" if kind == "double" else "parallel_sum(x)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(f"numext throughput, {environment()['cpu']}, threads {cfg.threads}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return None


# ---- formatting helpers -----------------------------------------------------------------------------


def _marks(out: TextIO) -> dict[str, str]:
    enc = getattr(out, "encoding", None) or "ascii"
    try:
        "✓≈✗".encode(enc)
        return {"exact": "✓", "close": "≈", "differs": "✗"}
    except (UnicodeEncodeError, LookupError):
        return {"exact": "ok", "close": "~", "differs": "XX"}


def _time(t: float | None) -> str:
    if t is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def _x(v: float | None) -> str:
    if v is None:
        return "-"
    if 0 < v < 0.1:
        return f"1/{1 / v:,.0f}x"
    if v >= 100:
        return f"{v:,.0f}x"
    return f"{v:.2f}x" if v < 10 else f"{v:.1f}x"


def _bytes(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n} B"


def _n(n: int) -> str:
    """1e7, 4e6 for round sizes, else 12,345."""
    digits = str(n).rstrip("0")
    zeros = len(str(n)) - len(digits)
    return f"{digits}e{zeros}" if len(digits) == 1 and zeros >= 3 else f"{n:,}"


def _shape(a: Any) -> str:
    shape = a.shape if hasattr(a, "shape") else a
    return "x".join(map(str, shape))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _threads_text(threads: list[int]) -> str:
    return _plural(len(threads), "pool size") + " (" + ", ".join(map(str, threads)) + " threads)"


def _short_title(s: Section) -> str:
    return f"image {_shape(s.shape[:2])}" if s.kind == "double" else f"sum {_n(s.shape[0])}"


# ---- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    t_start = time.perf_counter()
    args, cfg = parse_args(argv)
    json_to_stdout = args.json == "-"
    out = sys.stderr if json_to_stdout else sys.stdout
    tools = Tools(max(cfg.threads))
    env = environment()
    env["numba_compile_s"] = tools.nb_compile_s
    env["numba_threading_layer"] = tools.nb_layer
    print(f"numext {env['numext']}: NumPy {env['numpy']}, Python {env['python']}, {env['cpu']}, "
          f"{env['numext_default_threads']} CPUs usable, pool of {numext.get_num_threads()} threads", file=out)
    print(f"numexpr {env['numexpr'] or 'not installed'}, Numba {env['numba'] or 'not installed'}"
          f"{' (' + tools.nb_layer + ' threading layer)' if tools.nb_layer else ''}; "
          f"best of {cfg.repeat}{', --quick' if cfg.quick else ''}\n", file=out)
    data = Data()
    load = OtherLoad()
    try:
        load.__enter__()
        checks = demonstrate(cfg, data, out)
        bw = measure_machine(cfg, out)
        sections: list[Section] = []
        print("3. Timings (speed-up vs NumPy compares like with like: fresh output with x * 2, "
              "out= with np.multiply(out=))\n", file=out)
        letter = iter("abcdefghijklmnopqrstuvwxyz")
        for shape in cfg.image_shapes:
            sections.append(section_double(f"image-{_shape(shape)}", f"Doubling every pixel, {_shape(shape)} uint8 image",
                                           data.image(shape), cfg, tools))
        for n in cfg.sizes:
            sections.append(section_double(f"double-float64-{n}", f"Doubling {_n(n)} float64", data.floats(n), cfg, tools))
        for n in cfg.sizes:
            sections.append(section_sum(f"sum-float64-{n}", f"Sum of {_n(n)} float64", data.floats(n), cfg, tools))
        for sec in sections:
            finish_section(sec, bw)
            print_section(next(letter), sec, bw, out)
        tutorial = print_tutorial_table(sections, cfg, out)
        section_fsum(cfg, out)  # numext.fsum: numext/_demo_fsum.py
    finally:
        load.__exit__(None, None, None)
        tools.close()
    elapsed = time.perf_counter() - t_start
    result = to_json(cfg, env, checks, bw, sections, tutorial, elapsed)
    result["other_load"] = {"cpus": load.cpus, "fraction": load.fraction}
    if load.cpus is not None and load.cpus > 0.1:
        print(f"\nnote: {load.describe()} during this run: the timings, threaded ones most, "
              "are pessimistic; run again on a quiet machine", file=out)
    mark = _marks(out)
    verdict = (f"{mark['exact']} every numext result equals NumPy's" if result["verified"]
               else f"{mark['differs']} some numext result differs from NumPy's (see the ok column)")
    print(f"\n{verdict}; finished in {elapsed:.1f} s", file=out)
    if args.plot:
        problem = plot(sections, bw, cfg, args.plot)
        print(problem or f"plot written to {args.plot}", file=out if not problem else sys.stderr)
    if args.json:
        text = json.dumps(result, indent=1, default=_json_default)
        if json_to_stdout:
            sys.stdout.write(text + "\n")
        else:
            with open(args.json, "w") as f:
                f.write(text + "\n")
            print(f"JSON written to {args.json}", file=out)
    return 0 if result["verified"] else 1


def _json_default(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
