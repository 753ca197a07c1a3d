"""Thread scaling of numext, 1..N threads, with NumPy (and Numba's parallel
target where installed) measured in the same run. Not a test: run by hand on
a many-core machine, e.g.

    python tools/measure_scaling.py --threads 1,2,4,8,16 --json scaling.json

Each figure is the best of --repeat calls (ms). GB/s counts the bytes a call
must move: input + output for doubling, the input for sums.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import sys

import numpy as np

import numext

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # tools/timing.py, also under python -P
from timing import best_time, compile_numba_kernels, optional_module


def best_ms(fn, repeat: int, threads: int | None = None) -> float:
    """Best of ``repeat`` single calls after a warm-up call (page faults, lazy pool start), in ms,
    with numext's process-wide thread count set to ``threads`` meanwhile (None: left as it is)."""
    return best_time(fn, repeat, min_time=0, threads=threads) * 1e3


def cases():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (4096, 4096, 3), dtype=np.uint8)
    big = rng.random(400 * 2**20 // 8)
    big_out = np.empty_like(big)
    s50 = rng.random(50_000_000)
    s4 = rng.random(4_000_000)
    rows = rng.random((4000, 2500))
    # (name, bytes moved, numext call, NumPy call)
    return [
        ("double 4096x4096x3 uint8, fresh out", 2 * img.nbytes,
         lambda: numext.double_pixels(img), lambda: img * 2),
        ("double 400 MiB float64, fresh out", 2 * big.nbytes,
         lambda: numext.double_pixels(big), lambda: big * 2),
        ("double 400 MiB float64, out=", 2 * big.nbytes,
         lambda: numext.double_pixels(big, out=big_out), lambda: np.multiply(big, 2, out=big_out)),
        ("sum 50M float64", s50.nbytes, lambda: numext.parallel_sum(s50), lambda: np.sum(s50)),
        ("sum 4M float64", s4.nbytes, lambda: numext.parallel_sum(s4), lambda: np.sum(s4)),
        ("sum rows (4000, 2500) axis=-1", rows.nbytes,
         lambda: numext.parallel_sum(rows, axis=-1), lambda: np.sum(rows, axis=-1)),
        ("sum cols (4000, 2500) axis=0", rows.nbytes,
         lambda: numext.parallel_sum(rows, axis=0), lambda: np.sum(rows, axis=0)),
    ], (big, big_out, s50)


def numba_cases(big, big_out, s50):
    numba = optional_module("numba")
    if numba is None:
        return None, []
    nb_double, nb_sum = compile_numba_kernels(numba)
    return numba, [
        ("double 400 MiB float64, out=", lambda: nb_double(big, out=big_out)),
        ("sum 50M float64", lambda: nb_sum(s50)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default=",".join(str(t) for t in (1, 2, 4, 8, 12, 16)))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    table, keep = cases()
    numba, nb_table = numba_cases(*keep)
    result = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
              "numpy": np.__version__, "numext": numext.__version__, "cases": {}}
    for name, nbytes, ours, theirs in table:
        numpy_ms = best_ms(theirs, args.repeat)
        row = {"bytes": nbytes, "numpy_ms": numpy_ms, "numext_ms": {}}
        for t in counts:
            row["numext_ms"][t] = best_ms(ours, args.repeat, threads=t)
        result["cases"][name] = row
        line = "  ".join(f"{t:>2}t {ms:8.2f} ({numpy_ms / ms:4.1f}x)" for t, ms in row["numext_ms"].items())
        print(f"{name:38} numpy {numpy_ms:8.2f} ms | {line}", flush=True)
    if numba is not None:
        for name, fn in nb_table:
            row = result["cases"][name]
            row["numba_ms"] = {}
            for t in counts:
                numba.set_num_threads(min(t, numba.config.NUMBA_NUM_THREADS))
                row["numba_ms"][t] = best_ms(fn, args.repeat)
            line = "  ".join(f"{t:>2}t {ms:8.2f}" for t, ms in row["numba_ms"].items())
            print(f"{name:38} numba            | {line}", flush=True)
    for name, row in result["cases"].items():
        best_t = min(row["numext_ms"], key=row["numext_ms"].get)
        gbs = row["bytes"] / row["numext_ms"][best_t] / 1e6
        print(f"{name:38} best {gbs:6.1f} GB/s at {best_t} threads "
              f"(numpy {row['bytes'] / row['numpy_ms'] / 1e6:6.1f} GB/s)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
