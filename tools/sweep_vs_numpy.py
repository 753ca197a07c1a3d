"""numext against NumPy over many cases, as a performance-minded user would try it.

For double_pixels (against np.multiply(x, 2)), parallel_sum (against np.sum(x,
axis=-1)) and numext.sum (against np.sum): dtypes x shapes x layouts (C, F,
strided, negative, broadcast, in place, out=, where=, casts) x arguments x
thread counts (numext.threads(n); NumPy runs on one thread either way).

Each case times numext and NumPy interleaved in this one process (numext,
NumPy, numext, ...) and keeps the minimum per call of each; the ratio is
NumPy's time / numext's (above 1: numext is faster). Every case below
--retime (0.97) is timed again with more samples, and one still below --floor
(0.95) a third time in a fresh process (a fresh allocator: where the fresh
outputs of both land decides a memory-bound case by several percent); a case
counts as below the floor only if it is below on every timing. Prints those
cases and the distribution: cases, median ratio, how many below the floor,
the worst.

    python -P tools/sweep_vs_numpy.py --quick            # < 2 minutes
    python -P tools/sweep_vs_numpy.py -f double_pixels   # one family, full size
    python -P tools/sweep_vs_numpy.py --json out.json    # every ratio, for comparing runs

Timings on a shared machine are noisy: compare ratios from one run, not times
across runs. Exit status 1 when a case stays below the floor.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

import numext


@dataclass
class Case:
    family: str
    label: str
    ours: Callable[[], object]
    numpys: Callable[[], object]


def _values(shape, dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        return rng.integers(0, 100, shape).astype(dt)
    x = rng.standard_normal(shape)
    if dt.kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dt)


# ---- double_pixels -----------------------------------------------------------

def _empty_like_offset(like: np.ndarray, dtype=None) -> np.ndarray:
    """An uninitialised array of `like`'s shape placed in its cache line as
    `like` is: the out= arrays of numext and NumPy are then equally
    (mis)aligned, which decides a memory-bound case by several percent."""
    dt = np.dtype(dtype or like.dtype)
    nbytes = like.size * dt.itemsize
    raw = np.empty(nbytes + 128, np.uint8)
    start = (like.ctypes.data - raw.ctypes.data) % 64
    return raw[start:start + nbytes].view(dt).reshape(like.shape)


def _dp_layouts(n: int, dtype: str) -> Iterator[tuple[str, np.ndarray, dict, dict]]:
    """(layout, x, kwargs for double_pixels, kwargs for np.multiply); outputs
    given with out= are separate arrays for the two, at the same offset in
    a cache line, so neither warms the other's and neither is luckier."""
    x = _values(n, dtype)
    yield "C", x, {}, {}
    yield "out=", x, {"out": _empty_like_offset(x)}, {"out": _empty_like_offset(x)}
    a, b = _empty_like_offset(x), _empty_like_offset(x)
    a[...] = b[...] = x
    yield "in place", a, {"out": a}, {"out": b}
    yield "strided [::2]", _values(2 * n, dtype)[::2], {}, {}
    yield "negative [::-1]", x[::-1], {}, {}
    rows = max(1, n // 64)
    f = np.asfortranarray(_values((rows, 64), dtype))
    yield "F-order 2-D", f, {}, {}
    yield "broadcast row", np.broadcast_to(_values(64, dtype), (rows, 64)), {}, {}
    mask = np.zeros(n, bool)
    mask[::2] = True
    zeros_ours, zeros_numpys = _empty_like_offset(x), _empty_like_offset(x)
    zeros_ours[...] = zeros_numpys[...] = 0
    yield "where= every other", x, {"where": mask, "out": zeros_ours}, {"where": mask, "out": zeros_numpys}
    wider = {"uint8": "int16", "int16": "int32", "float32": "float64", "complex64": "complex128"}.get(dtype)
    if wider:
        out_ours, out_numpys = (_empty_like_offset(x, dtype=wider) for _ in range(2))
        yield f"out={wider}", x, {"out": out_ours}, {"out": out_numpys}


def double_pixels_cases(quick: bool) -> Iterator[Case]:
    dtypes = ["uint8", "int16", "float32", "float64", "complex64", "complex128"]
    if not quick:
        dtypes = ["bool", "int8", "uint8", "int16", "int32", "int64", "float16", "float32", "float64",
                  "complex64", "complex128"]
    sizes = [10**3, 10**5, 10**6] if quick else [10, 10**3, 10**4, 10**5, 10**6, 10**7]
    for dtype, n in itertools.product(dtypes, sizes):
        for layout, x, kw_ours, kw_np in _dp_layouts(n, dtype):
            yield Case("double_pixels", f"{dtype} {n:.0e} {layout}",
                       lambda x=x, kw=kw_ours: numext.double_pixels(x, **kw),
                       lambda x=x, kw=kw_np: np.multiply(x, 2, **kw))


# ---- parallel_sum and numext.sum -------------------------------------------------

def _sum_inputs(quick: bool) -> Iterator[tuple[str, np.ndarray]]:
    dtypes = ["float32", "float64", "int64", "complex128"] if quick else [
        "bool", "int8", "int32", "int64", "uint8", "float16", "float32", "float64", "complex64", "complex128"]
    shapes = [(10**3,), (10**6,), (1000, 1000), (10, 10**5), (10**5, 10)] if quick else [
        (10,), (10**3,), (10**5,), (10**7,), (1000, 1000), (3, 3 * 10**6), (10, 10**5), (10**5, 10),
        (30000, 333)]
    for dtype, shape in itertools.product(dtypes, shapes):
        x = _values(shape, dtype)
        yield f"{dtype} {shape} C", x
        if len(shape) == 2:
            yield f"{dtype} {shape} F", np.asfortranarray(x)
            yield f"{dtype} {shape} [:, ::2]", x[:, ::2]
        else:
            yield f"{dtype} {shape} [::-2]", x[::-2]


def sum_cases(quick: bool) -> Iterator[Case]:
    for label, x in _sum_inputs(quick):
        yield Case("parallel_sum", label, lambda x=x: numext.parallel_sum(x), lambda x=x: np.sum(x, axis=-1))
        axes = [None, -1] if x.ndim == 1 else [None, 0, 1, (0, 1)]
        for axis in axes:
            yield Case("sum", f"{label} axis={axis}", lambda x=x, a=axis: numext.sum(x, axis=a),
                       lambda x=x, a=axis: np.sum(x, axis=a))
        if x.ndim == 2:
            yield Case("sum", f"{label} axis=0 keepdims", lambda x=x: numext.sum(x, axis=0, keepdims=True),
                       lambda x=x: np.sum(x, axis=0, keepdims=True))
            if x.dtype.kind in "iu":
                yield Case("sum", f"{label} axis=1 dtype=float64",
                           lambda x=x: numext.sum(x, axis=1, dtype=np.float64),
                           lambda x=x: np.sum(x, axis=1, dtype=np.float64))


FAMILIES = {"double_pixels": double_pixels_cases, "parallel_sum": sum_cases, "sum": sum_cases}


# ---- timing ----------------------------------------------------------------------

def _calls_per_sample(fn: Callable[[], object], min_seconds: float) -> int:
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t0 >= min_seconds or number >= 1 << 16:
            return number
        number *= 4


def _sample(fn: Callable[[], object], number: int) -> float:
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def ratio(case: Case, threads: int, samples: int, min_seconds: float) -> float:
    """NumPy's minimum time per call / numext's, measured interleaved."""
    with np.errstate(all="ignore"), numext.threads(threads):
        number = _calls_per_sample(case.numpys, min_seconds)
        ours, numpys = float("inf"), float("inf")
        for _ in range(samples):
            ours = min(ours, _sample(case.ours, number))
            numpys = min(numpys, _sample(case.numpys, number))
    return numpys / ours


def _numpy_accepts(case: Case) -> bool:
    """Cases NumPy itself refuses (bool doubled into a bool out=) are not timed."""
    try:
        with np.errstate(all="ignore"):
            case.numpys()
    except (TypeError, ValueError):  # NumPy's casting errors are both
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer dtypes and sizes (< 2 minutes)")
    parser.add_argument("-f", "--family", action="append", choices=sorted(FAMILIES),
                        help="only this family (repeatable; default all)")
    parser.add_argument("-k", default="", help="only cases whose label contains this")
    parser.add_argument("--exact", help="only the case with exactly this label")
    parser.add_argument("--no-fresh", action="store_true",
                        help="no third timing in a fresh process")
    parser.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    parser.add_argument("--samples", type=int, default=None, help="samples per case (default 5, quick 3)")
    parser.add_argument("--min-sample-ms", type=float, default=None, help="default 2, quick 1")
    parser.add_argument("--retime", type=float, default=0.97)
    parser.add_argument("--floor", type=float, default=0.95)
    parser.add_argument("--json", help="write every ratio here")
    args = parser.parse_args(argv)
    samples = args.samples or (3 if args.quick else 5)
    min_seconds = (args.min_sample_ms or (1.0 if args.quick else 2.0)) / 1000
    threads = [int(t) for t in args.threads.split(",")]
    families = args.family or sorted(FAMILIES)

    results: dict[str, float] = {}
    for family in families:
        for case in FAMILIES[family](args.quick):
            if case.family != family or args.k not in case.label:
                continue
            if args.exact is not None and case.label != args.exact:
                continue
            if not _numpy_accepts(case):
                continue
            for t in threads:
                key = f"{family}: {case.label} threads={t}"
                r = ratio(case, t, samples, min_seconds)
                if r < args.retime:  # timed again, longer; the better of the two counts
                    r = max(r, ratio(case, t, 3 * samples, 2 * min_seconds))
                if r < args.floor and not args.no_fresh:
                    r = max(r, _ratio_in_fresh_process(family, case.label, t, args))
                results[key] = r
    return report(results, args.floor, args.json)


def _ratio_in_fresh_process(family: str, label: str, threads: int, args: argparse.Namespace) -> float:
    """The case timed again (as its second timing) by a new interpreter."""
    samples = args.samples or (3 if args.quick else 5)
    min_ms = args.min_sample_ms or (1.0 if args.quick else 2.0)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ratio.json")
        command = [sys.executable, "-P", os.path.abspath(__file__), "-f", family, "--exact", label,
                   "--threads", str(threads), "--samples", str(3 * samples),
                   "--min-sample-ms", str(2 * min_ms), "--retime", "0", "--no-fresh", "--json", path]
        subprocess.run(command + (["--quick"] if args.quick else []), stdout=subprocess.DEVNULL, check=False)
        with open(path) as fh:
            return min(json.load(fh).values())


def report(results: dict[str, float], floor: float, json_path: str | None) -> int:
    below = sorted((r, k) for k, r in results.items() if r < floor)
    for r, key in below:
        print(f"{r:6.2f}x  {key}")
    for family in sorted({k.split(":")[0] for k in results}):
        ratios = {k: r for k, r in results.items() if k.startswith(family + ":")}
        worst = min(ratios, key=ratios.__getitem__)
        print(f"{family}: {len(ratios)} cases, median {statistics.median(ratios.values()):.2f}x, "
              f"{sum(r < floor for r in ratios.values())} below {floor}x, "
              f"worst {ratios[worst]:.2f}x ({worst.split(': ', 1)[1]})")
    if json_path:
        with open(json_path, "w") as fh:
            json.dump(results, fh, indent=1, sort_keys=True)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
