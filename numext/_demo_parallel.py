"""``python -m numext``'s section on ``numext.parallel(u)``: other people's ufuncs on numext's pool.

NumPy's and scipy.special's ufuncs (where installed), each timed as the ufunc
itself, as ``numext.parallel(u)`` (its results checked bit for bit against
the ufunc's), and as numexpr's ``evaluate`` and a Numba
``@vectorize(target="parallel")`` version of the same function where those
exist. Figures are the best of several interleaved timings in one run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TextIO

import numpy as np

import numext

from ._main.measure import Candidate, optional_module, time_candidates


def _cases() -> list[tuple[str, np.ufunc, str | None, Callable[..., float] | None, int]]:
    """(label, ufunc, numexpr expression, scalar function for Numba, inputs)."""
    cases = [
        ("np.sin", np.sin, "sin(x)", math.sin, 1),
        ("np.exp", np.exp, "exp(x)", math.exp, 1),
        ("np.arctan2", np.arctan2, "arctan2(x, y)", math.atan2, 2),
    ]
    special = optional_module("scipy.special")
    if special is not None:
        cases += [("scipy.special.erf", special.erf, None, math.erf, 1),
                  ("scipy.special.gamma", special.gamma, None, math.gamma, 1)]
    return cases


def _numba_parallel(nb: Any, f: Callable[..., float], nin: int) -> Callable[..., Any] | None:
    sig = "float64(" + ", ".join(["float64"] * nin) + ")"
    # Numba compiles Python functions, not builtins: wrap the math function.
    body = (lambda a: f(a)) if nin == 1 else (lambda a, b: f(a, b))
    try:
        return nb.vectorize([sig], target="parallel")(body)
    except Exception:  # noqa: BLE001 - shown as unavailable
        return None


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def run(cfg: Any, out: TextIO) -> dict[str, Any]:
    """The main job's extra section (numext/_main/extras.py): ok when every ufunc gave u's bits."""
    rows = show(cfg.quick, cfg.repeat, max(cfg.threads), out)
    return {"ok": all(r["bits_equal"] for r in rows), "rows": rows}


def show(quick: bool, repeat: int, threads: int, out: TextIO) -> list[dict[str, Any]]:
    """Print the section; return its rows (times in seconds, None where unavailable)."""
    n = 10**6 if quick else 10**7
    rng = np.random.default_rng(7)
    x, y = rng.random(n) * 10.0, rng.random(n) + 0.5
    ne, nb = optional_module("numexpr"), optional_module("numba")
    if ne is not None:
        ne.set_num_threads(threads)
    print(f"\n5. numext.parallel(u): other ufuncs on numext's pool ({n:.0e} float64, fresh output, "
          f"{threads} threads; speed-up vs the ufunc itself)\n", file=out)
    print(f"   {'ufunc':22} {'u itself':>10} {'numext':>16} {'numexpr':>16} {'Numba parallel':>16}  bits",
          file=out)
    rows = []
    for label, u, expr, scalar, nin in _cases():
        args = (x, y)[:nin]
        p = numext.parallel(u)
        same = _same_bits(u(*args), p(*args))
        cands = [Candidate("u", lambda u=u, args=args: u(*args)),
                 Candidate("numext", lambda p=p, args=args: p(*args), threads=threads)]
        if ne is not None and expr is not None:
            local = {"x": x, "y": y}
            cands.append(Candidate("numexpr", lambda expr=expr, local=local: ne.evaluate(expr, local_dict=local)))
        # Numba compiles each for ~1 s: --quick shows it on the first ufunc only.
        nb_f = _numba_parallel(nb, scalar, nin) if nb is not None and not (quick and rows) else None
        if nb_f is not None:
            cands.append(Candidate("numba", lambda nb_f=nb_f, args=args: nb_f(*args)))
        t = time_candidates(cands, repeat=repeat)
        row = {"ufunc": label, "n": n, "threads": threads, "bits_equal": same,
               **{k + "_s": t.get(k) for k in ("u", "numext", "numexpr", "numba")}}
        rows.append(row)
        cells = [_cell(t.get(k), t["u"]) for k in ("numext", "numexpr", "numba")]
        print(f"   {label:22} {t['u'] * 1e3:8.2f}ms {cells[0]:>16} {cells[1]:>16} {cells[2]:>16}  "
              f"{'same' if same else 'DIFFER'}", file=out)
    print("   (numexpr has no erf/gamma; Numba's math.erf/gamma are other implementations, "
          "so their bits may differ from scipy's)", file=out)
    return rows


def _cell(t: float | None, ref: float) -> str:
    return "-" if t is None else f"{t * 1e3:.2f}ms {ref / t:4.2f}x"
