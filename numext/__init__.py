"""numext: GIL-free, multi-threaded NumPy ufuncs in C.

- ``double_pixels``: elementwise ufunc, ``x * 2`` exactly as NumPy computes it
  for every numeric dtype (uint8 images wrap modulo 256).
- ``parallel_sum``: gufunc ``(n)->()``, exactly ``np.sum(x, axis=-1)``.
- ``exact_sum``: gufunc ``(n)->()``, the correctly rounded sum; ``fsum(a, axis=None,
  ...)``: the same along any axes, of NumPy and dask arrays.
- ``double(arr, out=None)`` and ``sum(a, axis=None, ...)``: the array-level API.
- ``get_num_threads``, ``set_num_threads``, ``threads(n)``: the thread pool.

Kernels run with the GIL released and split large inputs over one persistent
pthread pool sized to the CPUs this process may use (``NUMEXT_NUM_THREADS``
overrides it at import).
"""

from __future__ import annotations

from ._numext import double_pixels, exact_sum, parallel_sum
from ._threads import default_num_threads, get_num_threads, set_num_threads, threads
from ._api import double, sum
from ._fsum import fsum

__version__ = "0.1.0"

__all__ = [
    "double_pixels",
    "parallel_sum",
    "exact_sum",
    "fsum",
    "double",
    "sum",
    "get_num_threads",
    "set_num_threads",
    "threads",
    "default_num_threads",
]

# pickle finds a ufunc by its __name__ in the module that holds it; make that
# this package, so a pickled numext ufunc (dask process workers) loads with
# `import numext`.
from . import _threads as _threads_module

_threads_module._configure_at_import()
del _threads_module

# threadpoolctl: threadpool_info()/threadpool_limits() see numext's pool.
# Cheap (does not import threadpoolctl) and never raises.
from . import _threadpoolctl

_threadpoolctl.install()
