"""Measure where splitting a call over threads starts to pay (NUMEXT_PARALLEL_MIN_BYTES).

For sizes around the threshold, time double_pixels (uint8, float64, out= given)
and parallel_sum (float64) with 1 thread and with all threads, and report the
1-thread/N-thread time ratio. Below the compiled threshold both run on the
calling thread alone, so the ratio there is 1 by construction; to place a new
threshold, lower NUMEXT_PARALLEL_MIN_BYTES in src/numext_tuning.h and rebuild
first. Run with the installed package: python -P tools/measure_threshold.py
"""
from __future__ import annotations

import pathlib
import re
import sys

import numpy as np

import numext

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # tools/timing.py, also under python -P
from timing import best_time

TUNING_HEADER = pathlib.Path(__file__).resolve().parent.parent / "src" / "numext_tuning.h"


def parallel_min_bytes(header: pathlib.Path = TUNING_HEADER) -> int | None:
    """NUMEXT_PARALLEL_MIN_BYTES as src/numext_tuning.h defines it (what a build
    from this checkout compiles in), or None where the header is not there or
    the definition is not a product of integers."""
    try:
        text = header.read_text()
    except OSError:
        return None
    m = re.search(r"#define\s+NUMEXT_PARALLEL_MIN_BYTES\s+\(\(size_t\)([\d\s*]+)\)", text)
    if m is None:
        return None
    value = 1
    for factor in m.group(1).split("*"):
        value *= int(factor)
    return value


def main():
    nthreads = numext.get_num_threads()
    print(f"threads={nthreads}  PARALLEL_MIN_BYTES in src/numext_tuning.h={parallel_min_bytes()}")
    print(f"{'kernel':24s} {'bytes moved':>12s} {'1 thread us':>12s} {'all us':>10s} {'speed-up':>9s} {'numpy us':>9s}")
    for kib in [16, 32, 64, 128, 256, 512, 1024, 4096, 16384]:
        nbytes = kib * 1024
        cases = []
        x8 = np.ones(nbytes // 2, np.uint8)
        o8 = np.empty_like(x8)
        cases.append(
            ("double uint8 out=", lambda: numext.double_pixels(x8, out=o8), lambda: np.multiply(x8, 2, out=o8))
        )
        xd = np.ones(nbytes // 16)
        od = np.empty_like(xd)
        cases.append(
            ("double float64 out=", lambda: numext.double_pixels(xd, out=od), lambda: np.multiply(xd, 2, out=od))
        )
        xs = np.ones(nbytes // 8)
        cases.append(("sum float64", lambda: numext.parallel_sum(xs), lambda: np.sum(xs)))
        for name, f, g in cases:
            t1 = best_time(f, threads=1)
            tn = best_time(f)
            tnp = best_time(g)
            print(f"{name:24s} {nbytes:12d} {t1*1e6:12.1f} {tn*1e6:10.1f} {t1/tn:9.2f} {tnp*1e6:9.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
