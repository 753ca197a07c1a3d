"""fsum of 1e8 float64 at 1..N threads, in GB/s, beside np.sum (one thread)
and numext.parallel_sum at the same thread counts. Not a test: run by hand on
a many-core machine, e.g.

    python tools/measure_fsum_scaling.py --threads 1,2,4,8,16 --json fsum_scaling.json

Each figure is the best of --repeat calls; GB/s counts the bytes read (8 per
element). Compare with the machine's read bandwidth (shared/tools/roofline.c).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

import numext


def best_s(fn, repeat: int) -> float:
    fn()  # warm: the pool starts lazily
    b = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        b = min(b, time.perf_counter() - t0)
    return b


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10**8)
    ap.add_argument("--threads", default=None, help="comma-separated (default 1,2,4,..,all)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--wide", action="store_true", help="exponents spanning +-2^1000")
    ap.add_argument("--json")
    args = ap.parse_args()
    all_threads = numext.default_num_threads()
    if args.threads:
        counts = [int(t) for t in args.threads.split(",")]
    else:
        counts = sorted({1, all_threads} | {2**k for k in range(10) if 2**k < all_threads})
    rng = np.random.default_rng(0)
    x = rng.standard_normal(args.n)
    if args.wide:
        x *= np.ldexp(1.0, rng.integers(-1000, 1000, args.n))
    gb = x.nbytes / 1e9
    expected = numext.fsum(x)
    t_np = best_s(lambda: np.sum(x), args.repeat)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"numext {numext.__version__}, NumPy {np.__version__}; n = {args.n:.0e}")
    print(f"np.sum, 1 thread: {t_np * 1e3:.1f} ms, {gb / t_np:.1f} GB/s")
    print(f"{'threads':>7s} {'fsum ms':>9s} {'fsum GB/s':>10s} {'parallel_sum GB/s':>18s} {'fsum/np.sum':>12s}")
    rows = []
    for t in counts:
        with numext.threads(t):
            assert numext.fsum(x) == expected  # the same bits at every thread count
            t_f = best_s(lambda: numext.fsum(x), args.repeat)
            t_p = best_s(lambda: numext.parallel_sum(x), args.repeat)
        rows.append({"threads": t, "fsum_s": t_f, "fsum_GBps": gb / t_f,
                     "parallel_sum_GBps": gb / t_p, "speed_vs_np_sum": t_np / t_f})
        print(f"{t:7d} {t_f * 1e3:9.1f} {gb / t_f:10.1f} {gb / t_p:18.1f} {t_np / t_f:12.2f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"n": args.n, "np_sum_s": t_np, "wide": args.wide, "rows": rows}, fh, indent=2)


if __name__ == "__main__":
    main()
