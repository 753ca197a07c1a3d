"""numext.fsum's speed against np.sum and math.fsum, as ratios measured in one
run (interleaved, best of many repeats): the targets of issue 11. Not a test;
run by hand:

    python tools/measure_fsum.py [--repeat 15] [--json out.json]

A ratio is np.sum's time / fsum's time (1.0 = as fast as np.sum); for
math.fsum, math.fsum's time / fsum's. On a machine shared with other work the
ratios are noisy: compare them, not the times, and run again.
"""
from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

import numext


def best(fn, repeat: int) -> float:
    b = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        b = min(b, time.perf_counter() - t0)
    return b


def interleaved(a, b, rounds: int, repeat: int) -> tuple[float, float]:
    """Best times of a and b, measured in alternating rounds."""
    ta = tb = float("inf")
    a(), b()  # warm
    for _ in range(rounds):
        ta = min(ta, best(a, repeat))
        tb = min(tb, best(b, repeat))
    return ta, tb


def cases():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(10**7)
    m = rng.standard_normal((4000, 2500))
    wide = rng.standard_normal(10**7) * np.ldexp(1.0, rng.integers(-1000, 1000, 10**7))
    f32 = x.astype(np.float32)
    small = x[:10**6]
    small_list = small.tolist()
    default = numext.default_num_threads()
    # (name, target ratio, threads, reference call, fsum call)
    return [
        ("1e7 float64, default threads", 0.9, default, lambda: np.sum(x), lambda: numext.fsum(x)),
        ("1e7 float64, 1 thread", 0.45, 1, lambda: np.sum(x), lambda: numext.fsum(x)),
        ("rows (4000, 2500) axis=-1", 0.8, default, lambda: np.sum(m, axis=-1), lambda: numext.fsum(m, axis=-1)),
        ("columns (4000, 2500) axis=0", 0.5, default, lambda: np.sum(m, axis=0), lambda: numext.fsum(m, axis=0)),
        ("1e7 float64, exponents +-2^1000", 0.4, default, lambda: np.sum(wide), lambda: numext.fsum(wide)),
        ("1e7 float32", 0.7, default, lambda: np.sum(f32), lambda: numext.fsum(f32)),
        ("vs math.fsum, 1e6 float64 (list)", 100.0, default, lambda: math.fsum(small_list),
         lambda: numext.fsum(small)),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="calls per round (best kept)")
    ap.add_argument("--rounds", type=int, default=6, help="alternating rounds")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    rows = []
    print(f"numext {numext.__version__}, NumPy {np.__version__}, default threads "
          f"{numext.default_num_threads()}")
    print(f"{'case':36s} {'reference ms':>12s} {'fsum ms':>9s} {'ratio':>7s} {'target':>7s}")
    for name, target, threads, ref, ours in cases():
        with numext.threads(threads):
            t_ref, t_ours = interleaved(ref, ours, args.rounds, args.repeat)
        ratio = t_ref / t_ours
        rows.append({"case": name, "threads": threads, "reference_ms": t_ref * 1e3,
                     "fsum_ms": t_ours * 1e3, "ratio": ratio, "target": target})
        flag = "" if ratio >= target else "  (below target)"
        print(f"{name:36s} {t_ref * 1e3:12.2f} {t_ours * 1e3:9.2f} {ratio:7.2f} {target:7.2f}{flag}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=2)


if __name__ == "__main__":
    main()
