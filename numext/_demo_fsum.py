"""The main job's numext.fsum section (``python -m numext``): a sum np.sum gets
wrong, fsum's answer, and the speeds of np.sum, numext.fsum and math.fsum
side by side, measured interleaved in this run."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

import numext


def _best(fn: Callable[[], Any], repeat: int) -> float:
    b = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        b = min(b, time.perf_counter() - t0)
    return b


def _examples(out: TextIO) -> bool:
    """Sums np.sum gets wrong (or makes depend on the order); fsum's exact answers."""
    ok = True
    x = np.array([1e16, 1.0, -1e16])
    print(f"   x = {x.tolist()}:  np.sum {float(np.sum(x))!r}   numext.fsum {float(numext.fsum(x))!r}   "
          f"math.fsum {math.fsum(x.tolist())!r}", file=out)
    ok &= numext.fsum(x) == 1.0
    rng = np.random.default_rng(3)
    y = rng.standard_normal(100_000) * np.ldexp(1.0, rng.integers(-30, 30, 100_000))
    y = np.concatenate([y, -y, [0.1]])
    rng.shuffle(y)
    exact = math.fsum(y.tolist())
    print(f"   200,001 values that cancel to 0.1:  np.sum {float(np.sum(y))!r},  np.sum of them "
          f"reversed {float(np.sum(y[::-1]))!r}", file=out)
    print(f"   {'':36s}numext.fsum {float(numext.fsum(y))!r} (either order; math.fsum {exact!r})",
          file=out)
    ok &= numext.fsum(y) == exact == numext.fsum(y[::-1])
    m = y[:200_000].reshape(400, 500)
    same_layout = numext.fsum(m, axis=0).tobytes() == numext.fsum(np.asfortranarray(m), axis=0).tobytes()
    print(f"   fsum(m, axis=0) is the same for C and Fortran order: {same_layout}; "
          f"np.sum's differs in {np.count_nonzero(np.sum(m, axis=0) != np.sum(np.asfortranarray(m), axis=0))}"
          f" of 500 columns", file=out)
    return bool(ok and same_layout)


def section_fsum(cfg: Any, out: TextIO) -> dict[str, Any]:
    """Print the section; returns its figures (for callers that keep them)."""
    print("\n5. numext.fsum: the correctly rounded sum (math.fsum's value, along any axis)", file=out)
    ok = _examples(out)
    n = 10**5 if cfg.quick else 10**7
    x = np.random.default_rng(0).standard_normal(n)
    values = x.tolist()
    repeat = max(3, cfg.repeat)
    t_np = t_fsum = float("inf")
    for _ in range(3):  # interleaved rounds: both see the same machine load
        t_np = min(t_np, _best(lambda: np.sum(x), repeat))
        t_fsum = min(t_fsum, _best(lambda: numext.fsum(x), repeat))
    t_math = _best(lambda: math.fsum(values), 1 if n > 10**6 else 3)
    print(f"   {n:,} float64, {numext.get_num_threads()} threads:  np.sum {t_np * 1e3:.2f} ms   "
          f"numext.fsum {t_fsum * 1e3:.2f} ms ({t_np / t_fsum:.2f}x np.sum's speed)   "
          f"math.fsum (list) {t_math * 1e3:.1f} ms (fsum {t_math / t_fsum:,.0f}x faster)", file=out)
    print(f"   {'ok' if ok else 'WRONG'}: fsum's answers are exact", file=out)
    return {"ok": ok, "n": n, "np_sum_s": t_np, "fsum_s": t_fsum, "math_fsum_s": t_math}
