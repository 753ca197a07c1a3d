"""numext after a sub-interpreter has existed.

CPython switches PyGILState_Check() off (it then always answers 1) once any
sub-interpreter is created; a loop asking it whether the GIL is held would
release a GIL NumPy had already released and abort the process. Each case
runs in a child process, so an abort fails the test instead of the session.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import pytest

_MODULE = next(
    (m for m in ("_interpreters", "_xxsubinterpreters") if importlib.util.find_spec(m)), None
)

pytestmark = pytest.mark.skipif(_MODULE is None, reason="no sub-interpreter module in this Python")

# Each call is checked against NumPy in the child; the child prints "ok".
CALLS = {
    "parallel_sum rows (NumPy releases the GIL)": "numext.parallel_sum(m), np.sum(m, axis=-1)",
    "parallel_sum 1-D (numext releases the GIL)": "numext.parallel_sum(v), np.sum(v)",
    "numext.sum 2-D": "numext.sum(m), np.sum(m)",
    # Rows of 10,000 in one buffer: one pairwise tree on every NumPy (2.0-2.2 sum
    # longer contiguous rows per buffer), as the columns are summed.
    "numext.sum axis=0 (pairwise down columns)": "numext.sum(m, axis=0), rows_in_one_buffer(m.T.copy())",
    "double_pixels": "numext.double_pixels(m), m * 2",
}


@pytest.mark.parametrize("call", list(CALLS.values()), ids=list(CALLS))
def test_kernels_after_a_subinterpreter(call):
    script = textwrap.dedent(
        f"""
        import numpy as np, numext, {_MODULE} as interpreters
        rng = np.random.default_rng(0)
        m = rng.standard_normal((10_000, 100))
        v = rng.standard_normal(1_000_000)
        def rows_in_one_buffer(a):
            old = np.setbufsize(1 << 14)
            try:
                return numext.sum(a, axis=-1)
            finally:
                np.setbufsize(old)
        interpreters.destroy(interpreters.create())
        got, want = {call}
        assert got.dtype == want.dtype and np.array_equal(got, want), (got, want)
        print("ok")
        """
    )
    proc = subprocess.run(
        [sys.executable, "-P", "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]
