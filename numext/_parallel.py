"""``numext.parallel(u)``: any NumPy ufunc run on numext's thread pool.

The object returned is implemented in C (src/parallel_ufunc.c). This module
makes it once per ufunc and supplies what C asks of Python the first time it
meets a combination of input dtypes: the dtypes NumPy resolves them to, and
the loop's cost per element, timed on a sample of the call's own data.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _numext
from ._threads import get_num_threads

_cache: dict[np.ufunc, Any] = {}
_cache_lock = threading.Lock()

_DOC = """numext.parallel({name}): NumPy's ``{name}`` ufunc run on numext's thread pool.

Called like ``{name}`` itself, with the same results bit for bit, the same
result dtypes, warnings and errors. Large calls on plain arrays run with the
GIL released, split over ``numext.get_num_threads()`` threads, also with
``out=``, ``where=``, ``dtype=``, ``signature=``, ``casting=``, casts and
broadcasting (NumPy's own iterator and casts run on each thread); every
other call (small ones, subclasses, objects with ``__array_ufunc__``,
``order=``, ``subok=``) is ``{name}``'s own call. ``.reduce``, ``.accumulate``,
``.reduceat``, ``.outer`` and ``.at`` are ``{name}``'s.

The ufunc's own documentation follows.

{doc}"""


def _unwrap(u: Any) -> np.ufunc:
    if isinstance(u, np.ufunc):
        return u
    inner = getattr(u, "ufunc", None)  # a Numba DUFunc holds its np.ufunc here
    if isinstance(inner, np.ufunc) and type(u).__name__ in ("DUFunc", "GUFunc"):
        return inner
    got = f"{type(u).__module__}.{type(u).__qualname__}: {u!r}"
    raise TypeError(f"numext.parallel expects a NumPy ufunc, got {got}"[:300])


def _is_numext_ufunc(u: np.ufunc) -> bool:
    """numext's own ufuncs already use the pool: calling them inside it would nest."""
    return u is _numext.double_pixels or u is _numext.parallel_sum


def _fresh_thread_result(f: Callable[[], Any]) -> Any:
    box: list = []
    t = threading.Thread(target=lambda: box.append(f()))
    t.start()
    t.join()
    return box[0]


def _scipy_guard(u: np.ufunc) -> Callable[[], bool] | None:
    """scipy.special keeps its error mode per thread, and workers see 'ignore':
    such calls go to the pool only while the caller's mode is the default."""
    special = sys.modules.get("scipy.special")
    if special is None or getattr(special, u.__name__, None) is not u:
        return None
    geterr = special.geterr
    default = _fresh_thread_result(geterr)  # what the pool's threads see

    def mode_is_default() -> bool:
        return geterr() == default

    return mode_is_default


def _flat(sample: tuple) -> tuple:
    """The sample as 1-D inputs of one length: a general call (broadcast, any
    layout) hands over its inputs, which are cut here to their first elements."""
    k = min(max((a.size for a in sample if isinstance(a, np.ndarray)), default=1),
            _numext.PARALLEL_UFUNC_SAMPLE_ELEMENTS)
    out = []
    for a in sample:
        if isinstance(a, np.ndarray) and a.size > 1 and a.shape != (k,):
            a = a.flat[:k] if a.size >= k else np.resize(a, k)
        out.append(a)
    return tuple(out)


def _cut(sample: tuple, k: int, m: int) -> tuple:
    """The sample with its k-element views cut to their first m elements."""
    return tuple(a[:m] if isinstance(a, np.ndarray) and a.shape == (k,) else a for a in sample)


def _best_ns(u: np.ufunc, args: tuple, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        u(*args)
        best = min(best, time.perf_counter_ns() - t0)
    return best


def _time_per_element(u: np.ufunc, sample: tuple) -> float:
    """u's loop cost in ns per element on `sample`, the per-call overhead (u on one
    element) taken off; FP warnings silenced. An expensive loop is timed on a
    few hundred elements only, so the first call never costs much extra."""
    sample = _flat(sample)
    k = max((a.shape[0] for a in sample if isinstance(a, np.ndarray) and a.ndim == 1), default=1)
    if k < 2:
        return 0.0
    m = min(k, 256)
    try:
        with np.errstate(all="ignore"):
            one = _best_ns(u, _cut(sample, k, 1), 3)
            per = (_best_ns(u, _cut(sample, k, m), 2) - one) / (m - 1)
            if m < k and per * k < 2e6:
                per = (_best_ns(u, sample, 3) - one) / (k - 1)
    except Exception:  # noqa: BLE001 - u raises it again on the real call
        return 0.0
    return max(per, 0.0)


def _prepare(u: np.ufunc, key: tuple, sample: tuple) -> tuple | None:
    """What the C side needs for this dtype combination, or None: not for the pool."""
    # No loop for these dtypes raises here: nothing is cached (a Numba DUFunc may
    # compile one on the call that then goes to it), and u's call raises u's error.
    resolved, _ = u._resolve_dtypes_and_context(key + (None,) * u.nout)
    if any(d.hasobject or d.kind not in "biufc" for d in resolved):
        return None
    return tuple(resolved), _time_per_element(u, sample), _scipy_guard(u)


def parallel(u: Any) -> Any:
    """Return ``u`` run on numext's thread pool: same results, warnings and errors.

    ``u`` is a NumPy ufunc (also scipy.special's and Numba's ``@vectorize``
    ones; a Numba ``DUFunc`` through its ``.ufunc``). The same object is
    returned for the same ``u``. See ``help(numext.parallel(np.sin))``.
    """
    if isinstance(u, _numext._ParallelUfunc):
        return u
    uf = _unwrap(u)
    found = _cache.get(uf)
    if found is not None:
        return found
    with _cache_lock:
        found = _cache.get(uf)
        if found is None:
            doc = _DOC.format(name=uf.__name__, doc=uf.__doc__ or "")
            # Calls not run on the pool go to what the user gave: a Numba DUFunc
            # then still compiles loops for new types.
            found = _numext._ParallelUfunc(uf, _prepare, get_num_threads, parallel, doc,
                                           _is_numext_ufunc(uf), u)
            _cache[uf] = found
    return found
