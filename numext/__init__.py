"""numext: GIL-free, multi-threaded NumPy ufuncs in C.

- ``double_pixels``: elementwise ufunc, ``x * 2`` exactly as NumPy computes it
  for every numeric dtype (uint8 images wrap modulo 256).
- ``parallel_sum``: gufunc ``(n)->()``, exactly ``np.sum(x, axis=-1)``.
- ``exact_sum``: gufunc ``(n)->()``, the correctly rounded sum; ``fsum(a, axis=None,
  ...)``: the same along any axes, of NumPy and dask arrays.
- ``double(arr, out=None)`` and ``sum(a, axis=None, ...)``: the array-level API.
- ``parallel(u)``: any NumPy ufunc ``u`` run on the pool, with ``u``'s own bits.
- ``get_num_threads``, ``set_num_threads``, ``threads(n)``: the thread pool.

Kernels run with the GIL released and split large inputs over one persistent
pthread pool sized to the CPUs this process may use (``NUMEXT_NUM_THREADS``
overrides it at import).
"""

from __future__ import annotations

from ._api import double, sum
from ._fsum import fsum
from ._numext import double_pixels, exact_sum, parallel_sum
from ._parallel import parallel
from ._threads import default_num_threads, get_num_threads, set_num_threads, threads

__version__ = "0.1.0"

__all__ = [
    "double_pixels",
    "parallel_sum",
    "exact_sum",
    "fsum",
    "double",
    "sum",
    "parallel",
    "get_num_threads",
    "set_num_threads",
    "threads",
    "default_num_threads",
]

# Size the pool now: NUMEXT_NUM_THREADS if set, else the CPUs this process may
# use (numext/_threads.py); a malformed value warns and falls back.
from . import _threads as _threads_module

_threads_module._configure_at_import()
del _threads_module

# threadpoolctl: threadpool_info()/threadpool_limits() see numext's pool.
# Cheap (does not import threadpoolctl) and never raises.
from . import _threadpoolctl  # noqa: E402 - after the threads are configured

_threadpoolctl.install()
