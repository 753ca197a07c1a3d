"""Which NaN a sum keeps when NaNs of opposite sign meet (the result's sign).

x86 keeps the first operand's NaN, but the compiler may swap the operands of
an addition, so the sign used to depend on the path: the kernel's recursion
(one thread) or the tree combine (several). numext now keeps the left node's
NaN wherever two nodes of the pairwise tree meet, so the bits never depend on
the thread count, and where the two NaNs fall in the two halves of a row the
result has the first one's sign, as np.sum's (NumPy >= 2.3; NumPy <= 2.2's
float16 tree keeps the second one's, which numext does not follow). NumPy <=
2.2 sums rows longer than a buffer one buffer at a time, and keeps the later
buffer's NaN: numext too.
"""

from __future__ import annotations

import numpy as np
import pytest

import numext
from conftest import pool_threads
from numext import _sum_rules

DTYPES = ["f2", "f4", "f8", "c8", "c16"]
N = 2**20 + 3


def _nan(dtype: str, negative: bool):
    v = -np.nan if negative else np.nan
    return complex(v, v) if dtype.startswith("c") else v


def _pairs(n: int) -> list[tuple[int, int]]:
    return [(5, n // 2 + 5), (5, n // 4 + 5), (n // 4 + 5, n // 2 + 5), (5, n - 2), (n // 8, n // 8 + 700)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape_axis", [((N,), -1), ((3, N // 4), -1), ((N // 2, 2), 0)])
def test_same_bits_for_every_thread_count(dtype, shape_axis):
    shape, axis = shape_axis
    n = shape[axis]
    for i, j in _pairs(n):
        x = np.ones(shape, dtype)
        index_i = (slice(None),) * (axis % len(shape)) + (i,)
        index_j = (slice(None),) * (axis % len(shape)) + (j,)
        x[index_i], x[index_j] = _nan(dtype, True), _nan(dtype, False)
        results = set()
        for t in (1, 2, 3, 4):
            with pool_threads(t):
                results.add(np.asarray(numext.parallel_sum(x, axis=axis)).tobytes())
        assert len(results) == 1, (dtype, shape, axis, i, j)


@pytest.mark.parametrize("dtype", ["f2", "f4", "f8"])
@pytest.mark.parametrize("n", [300, 5000, 2**20])
def test_first_half_nan_wins(dtype, n):
    """The issue's example: one NaN in each half of the tree's root. One tree
    (NumPy >= 2.3, or a row of one buffer): the first half's NaN, as np.sum's.
    Where the running NumPy sums the row one buffer at a time (NumPy <= 2.2,
    probed at import) the NaNs lie in two buffers and np.sum keeps the later
    buffer's: numext.parallel_sum gives np.sum's sign there too."""
    per_buffer = n > np.getbufsize() and numext._numext._sum_rules() & _sum_rules.NATIVE
    for first_negative in (True, False):
        x = np.ones(n, dtype)
        x[5] = _nan(dtype, first_negative)
        x[n // 2 + 5] = _nan(dtype, not first_negative)
        expected = bool(np.signbit(np.sum(x))) if per_buffer else first_negative
        for t in (1, 2, 3):
            with pool_threads(t):
                got = numext.parallel_sum(x)
            assert np.isnan(got) and bool(np.signbit(got)) == expected
