"""numext.parallel(u) against u itself, numexpr and Numba: the issue's targets, in one run.

    python -P tools/measure_parallel_ufunc.py [--repeat R] [--threads T] [--json FILE]

Each row times numext.parallel(u) and its reference interleaved in one
process and reports the ratio of their best times (reference / numext, so
> 1 means numext is faster) beside the goal. On a shared machine the threaded
figures are pessimistic: compare ratios taken in one run, never absolute times.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable

import numpy as np

import numext


def best_pair(ref: Callable[[], object], new: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best time of each, calls interleaved, with enough calls per timing for ~2 ms."""
    ref()
    new()
    t0 = time.perf_counter()
    ref()
    once = time.perf_counter() - t0
    number = max(1, int(2e-3 / max(once, 1e-9)))
    best_ref = best_new = math.inf
    for _ in range(repeat):
        for which, f in (("ref", ref), ("new", new)):
            t0 = time.perf_counter()
            for _ in range(number):
                f()
            t = (time.perf_counter() - t0) / number
            if which == "ref":
                best_ref = min(best_ref, t)
            else:
                best_new = min(best_new, t)
    return best_ref, best_new


def cases(n_big: int) -> list[tuple[str, Callable, tuple, bool | str, float]]:
    """(label, ufunc, args, out= (True: same dtype, a dtype: cast into it), goal)."""
    rng = np.random.default_rng(0)
    x = rng.random(n_big) * 10.0
    y = rng.random(n_big) + 0.5
    out = [
        ("sin 1e7 f8 out=", np.sin, (x,), True, 1.85),
        ("arctan2 1e7 f8 out=", np.arctan2, (x, y), True, 1.85),
        ("exp 1e7 f8 out=", np.exp, (x,), True, 1.3),
        ("add 1e7 f8 out=", np.add, (x, y), True, 1.0),
        ("add 1e7 f8 fresh", np.add, (x, y), False, 1.3),
    ]
    try:
        from scipy import special

        out[2:2] = [("scipy erf 1e7 f8 out=", special.erf, (x,), True, 1.85),
                    ("scipy gamma 1e7 f8 out=", special.gamma, (x,), True, 1.85)]
    except ImportError:
        pass
    for n, goal in ((1, 0.8), (1000, 0.95)):
        for u in (np.sin, np.add, np.exp):
            out.append((f"{u.__name__} {n} f8 out=", u, (x[:n],) * u.nin, True, goal))
    out.append(("sin 1e4 f8 out=", np.sin, (x[:10_000],), True, 1.5))
    out.append(("sin 1e4 f8 fresh", np.sin, (x[:10_000],), False, 1.5))
    # The general path (casts, broadcasting: NumPy's iterator on each thread);
    # no goal of the issue's, 1.0 = nothing lost.
    m = min(n_big, 10**6)
    side = int(m**0.5)
    out.append(("add i1+f8 1e6 fresh", np.add, (x[:m].astype("i1"), y[:m]), False, 1.0))
    out.append(("sin f8->f4 1e6 out=", np.sin, (x[:m],), "f4", 1.0))
    out.append(("add col+row 1e6 fresh", np.add, (x[:side, None], y[:side]), False, 1.0))
    return out


def peers(x: np.ndarray, threads: int) -> list[tuple[str, Callable[[], object]]]:
    """numexpr's evaluate('sin(x)') and Numba's parallel @vectorize sin, where installed."""
    found = []
    try:
        import numexpr

        numexpr.set_num_threads(threads)
        found.append(("numexpr evaluate('sin(x)')", lambda: numexpr.evaluate("sin(x)", local_dict={"x": x})))
    except ImportError:
        pass
    try:
        os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
        import numba

        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))

        @numba.vectorize(["float64(float64)"], target="parallel")
        def nb_sin(v):  # pragma: no cover - compiled by Numba
            return math.sin(v)

        found.append(("numba vectorize(parallel) sin", lambda: nb_sin(x)))
    except ImportError:
        pass
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--threads", type=int, default=numext.get_num_threads())
    ap.add_argument("--n", type=float, default=1e7)
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    rows = []
    print(f"numext {numext.__version__}, NumPy {np.__version__}, {args.threads} threads, "
          f"best of {args.repeat}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'case':32} {'u (s)':>10} {'numext (s)':>11} {'ratio':>7} {'goal':>6}")
    with numext.threads(args.threads):
        for label, u, uargs, with_out, goal in cases(int(args.n)):
            p = numext.parallel(u)
            if isinstance(with_out, str):  # out= of another dtype: a cast
                o = np.empty(uargs[0].shape, with_out)
                ref, new = best_pair(lambda: u(*uargs, out=o), lambda: p(*uargs, out=o), args.repeat)
            elif with_out:
                o = np.empty_like(uargs[0])
                ref, new = best_pair(lambda: u(*uargs, out=o), lambda: p(*uargs, out=o), args.repeat)
            else:
                ref, new = best_pair(lambda: u(*uargs), lambda: p(*uargs), args.repeat)
            rows.append({"case": label, "u_s": ref, "numext_s": new, "ratio": ref / new, "goal": goal})
            mark = "ok" if ref / new >= goal else "BELOW"
            print(f"{label:32} {ref:10.3g} {new:11.3g} {ref / new:7.2f} {goal:6.2f} {mark}")
        x = np.random.default_rng(1).random(int(args.n)) * 10.0
        psin = numext.parallel(np.sin)
        for label, f in peers(x, args.threads):
            ref, new = best_pair(f, lambda: psin(x), args.repeat)
            rows.append({"case": f"sin 1e7 fresh vs {label}", "u_s": ref, "numext_s": new,
                         "ratio": ref / new, "goal": 1.0})
            print(f"{'vs ' + label:32} {ref:10.3g} {new:11.3g} {ref / new:7.2f} {1.0:6.2f} "
                  f"{'ok' if ref / new >= 1.0 else 'BELOW'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "loadavg": os.getloadavg(), "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
