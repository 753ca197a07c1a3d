"""pytest plugin: run NumPy's own tests with ``np.sum`` replaced by ``numext.sum``.

Loaded with ``-p numext_sum_plugin`` (its folder on PYTHONPATH) by
tools/run_numpy_tests_with_numext_sum.sh. It swaps the two names a test can
reach np.sum by, ``numpy.sum`` and ``numpy._core.fromnumeric.sum``, for a
counting wrapper around ``numext.sum``, and reports how many calls went through.
What it cannot swap: ``ndarray.sum`` and the array methods of subclasses (C
methods of the type, calling ``np.add.reduce`` directly), ``np.add.reduce``
itself, and NumPy library code that sums through ``umr_sum`` or a method
(``np.mean``, ``np.average``, ``np.ma``'s internals). Those calls still run
NumPy's own code.

``NUMEXT_SUM_SWAP=0`` loads the plugin without swapping (the baseline run that
tells failures of NumPy's tests in this environment from failures numext causes).
"""

from __future__ import annotations

import functools
import os

import numpy as np
import numpy._core.fromnumeric as fromnumeric

import numext

_ORIGINAL = np.sum
_SWAP = os.environ.get("NUMEXT_SUM_SWAP", "1") != "0"
_calls = {"numext.sum": 0}


@functools.wraps(numext.sum)
def _counting_sum(*args, **kwargs):
    _calls["numext.sum"] += 1
    return numext.sum(*args, **kwargs)


def pytest_configure(config) -> None:
    if _SWAP:
        np.sum = _counting_sum
        fromnumeric.sum = _counting_sum


def pytest_unconfigure(config) -> None:
    np.sum = _ORIGINAL
    fromnumeric.sum = _ORIGINAL


def pytest_report_header(config) -> str:
    if not _SWAP:
        return "numext_sum_plugin: np.sum NOT swapped (baseline run)"
    return f"numext_sum_plugin: np.sum is numext.sum {numext.__version__} (numpy {np.__version__})"


def pytest_terminal_summary(terminalreporter) -> None:
    if _SWAP:
        terminalreporter.write_line(f"numext_sum_plugin: {_calls['numext.sum']} calls went through numext.sum")
