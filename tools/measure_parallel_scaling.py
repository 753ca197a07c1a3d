"""Scaling of numext.parallel on np.sin, np.exp and np.add over 1 to N threads.

    python -P tools/measure_parallel_scaling.py [--n 1e8] [--max-threads N] [--json FILE]

For each ufunc and thread count: the best of --repeat calls with out= (pages
already mapped) and NumPy's own one-thread time beside it. Meant for a
machine with many cores (the README's 16-core table comes from it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

import numext


def best(f, repeat: int) -> float:
    f()
    t = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        t = min(t, time.perf_counter() - t0)
    return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=float, default=1e8)
    ap.add_argument("--max-threads", type=int, default=numext.default_num_threads())
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    n = int(args.n)
    x = np.random.default_rng(0).random(n) * 10.0
    y = np.random.default_rng(1).random(n)
    out = np.empty_like(x)
    out.fill(0)
    counts = sorted({1, 2, 4, 8, 16, args.max_threads} & set(range(1, args.max_threads + 1)))
    rows = []
    print(f"{n:.0e} float64, out=; NumPy {np.__version__}; {os.cpu_count()} CPUs; best of {args.repeat}")
    print(f"{'ufunc':8} {'threads':>7} {'numpy s':>9} {'numext s':>9} {'speed-up':>8}")
    for u in (np.sin, np.exp, np.add):
        uargs = (x,) if u.nin == 1 else (x, y)
        ref = best(lambda: u(*uargs, out=out), args.repeat)
        p = numext.parallel(u)
        for t in counts:
            with numext.threads(t):
                got = best(lambda: p(*uargs, out=out), args.repeat)
            rows.append({"ufunc": u.__name__, "threads": t, "numpy_s": ref, "numext_s": got})
            print(f"{u.__name__:8} {t:7d} {ref:9.4f} {got:9.4f} {ref / got:8.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"n": n, "cpus": os.cpu_count(), "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
