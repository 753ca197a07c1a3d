"""np.sum's bits for contiguous float input that NumPy sums one buffer at a time.

NumPy <= 2.2 reduces every contiguous float row one buffer (np.getbufsize()
elements) at a time, pairwise inside each buffer and in order across them; from
2.3 only byte-swapped, misaligned or cast input (numext/_sum_rules.py). numext
probes the running NumPy at import and must give np.sum's bits either way, at
every thread count. Values span many binades so that the two ways of adding
differ in the last bits (checked below: the test could fail).
"""

from __future__ import annotations

import numpy as np
import pytest

import numext
from conftest import PARALLEL_BYTES, THREAD_COUNTS, pool_threads
from helpers import assert_same_bits
from oracles import pairwise_sum

B = 8192  # NumPy's default buffer size
DTYPES = ["f2", "f4", "f8", "c8", "c16"]
LAYOUTS = ["swapped", "misaligned", "native"]


def _values(dtype: str, shape, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    lo, hi = {"f2": (-8, 1), "c8": (-20, 20), "f4": (-20, 20)}.get(dt.str[1:], (-40, 40))
    if dt.char == "e":
        lo, hi = -8, 1
    def part():
        return rng.standard_normal(shape) * 2.0 ** rng.integers(lo, hi, shape)
    x = part() + 1j * part() if dt.kind == "c" else part()
    return x.astype(dt)


def _layout(x: np.ndarray, layout: str) -> np.ndarray:
    if layout == "swapped":
        v = x.astype(x.dtype.newbyteorder())
        assert not v.dtype.isnative
        return v
    if layout == "misaligned":
        raw = np.zeros(x.nbytes + 1, np.uint8)
        v = np.ndarray(x.shape, x.dtype, buffer=raw, offset=1)
        v[...] = x
        assert not v.flags.aligned and v.flags.c_contiguous
        return v
    return x


def _sizes(dtype: str) -> list[int]:
    big = PARALLEL_BYTES // np.dtype(dtype).itemsize + 12345
    return [B - 1, B, B + 1, B + 129, 2 * B + 7, 3 * B, 5 * B + 3, big]


# ---- the probe ----------------------------------------------------------------

def test_probe_values_tell_the_two_ways_apart():
    from numext import _sum_rules

    x = _sum_rules._probe_values(B)
    assert pairwise_sum(x) == 2.0**53 + 2
    per_buffer = np.float64(0.0)
    for start in range(0, x.size, B):
        per_buffer += pairwise_sum(x[start:start + B])
    assert per_buffer == 2.0**53
    assert _sum_rules._classify(float(pairwise_sum(x))) is False
    assert _sum_rules._classify(float(per_buffer)) is True


def test_probe_finds_the_rules_of_this_numpy():
    from numext import _sum_rules

    rules = _sum_rules.probe()
    assert rules == numext._numext._sum_rules()  # what the C loop follows
    # Every NumPy tried (2.0 .. 2.4) buffers these.
    assert rules & _sum_rules.SWAPPED and rules & _sum_rules.MISALIGNED and rules & _sum_rules.CAST
    major, minor = (int(p) for p in np.__version__.split(".")[:2])
    assert bool(rules & _sum_rules.NATIVE) == ((major, minor) < (2, 3))


def test_probe_leaves_the_buffer_size_alone():
    from numext import _sum_rules

    old = np.setbufsize(64)
    try:
        _sum_rules.probe()
        assert np.getbufsize() == 64
    finally:
        np.setbufsize(old)


# ---- bits -----------------------------------------------------------------------

@pytest.mark.parametrize("threads", THREAD_COUNTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_1d(dtype, layout, threads):
    with pool_threads(threads):
        for n in _sizes(dtype):
            v = _layout(_values(dtype, n, seed=n), layout)
            expected = np.sum(v)
            assert_same_bits(numext.parallel_sum(v), expected)
            assert_same_bits(numext.sum(v), expected)


@pytest.mark.parametrize("threads", THREAD_COUNTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ["f4", "f8", "c16"])
def test_rows_and_whole(dtype, layout, threads):
    item = np.dtype(dtype).itemsize
    shapes = [(5, 3 * B + 5), (3, B + 1), (300, 1000), (7, 5000),
              (PARALLEL_BYTES // item // (B + 3) + 3, B + 3), (2, PARALLEL_BYTES // item)]
    with pool_threads(threads):
        for shape in shapes:
            v = _layout(_values(dtype, shape, seed=shape[1]), layout)
            expected = np.sum(v, axis=-1)
            assert_same_bits(numext.parallel_sum(v), expected)
            assert_same_bits(numext.sum(v, axis=-1), expected)
            assert_same_bits(numext.sum(v.T, axis=0), expected)  # F-ordered, contiguous axis
            # axis=None over a C array: NumPy's buffers run over the flat array.
            assert_same_bits(numext.sum(v), np.sum(v))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_nan_signs(layout):
    # Two NaNs of opposite sign: in different buffers, and in the two halves
    # of the pairwise tree (where NumPy keeps the left one's sign). Deeper in
    # the tree NumPy's wheel keeps the left NaN at even levels and the right
    # one at odd levels (how its compiler inlined the recursion); numext keeps
    # the left one at every level (tests/test_sum_nan_order.py).
    x = _values("f8", 3 * B + 5)
    x[5], x[2 * B + 3] = -np.nan, np.nan
    y = x.copy()
    y[5], y[2 * B + 3] = np.nan, -np.nan
    for arr in (x, y, x.reshape(1, -1)):
        v = _layout(arr, layout)
        assert_same_bits(numext.parallel_sum(v), np.sum(v, axis=-1))


@pytest.mark.parametrize("dtype", ["f2", "f4"])
def test_cast_by_dtype(dtype):
    # NumPy casts through its buffers: per buffer on every version.
    x = _values(dtype, 4 * B + 3)
    assert_same_bits(numext.parallel_sum(x, dtype=np.float64), np.sum(x, dtype=np.float64))


@pytest.mark.parametrize("bufsize", [2048, 10000, 3 * B])
@pytest.mark.parametrize("layout", ["swapped", "misaligned"])
def test_setbufsize(bufsize, layout):
    x = _layout(_values("f8", (3, 4 * bufsize + 17)), layout)
    old = np.setbufsize(bufsize)
    try:
        expected = np.sum(x, axis=-1)
        got = numext.parallel_sum(x)
        whole = np.sum(x)
        got_whole = numext.sum(x)
    finally:
        np.setbufsize(old)
    assert_same_bits(got, expected)
    assert_same_bits(got_whole, whole)


def test_the_tests_can_fail():
    # The values above make a whole-row tree and per-buffer sums differ.
    x = _values("f8", 5 * B + 3)
    chunks = np.float64(0.0)
    for start in range(0, x.size, B):
        chunks += pairwise_sum(x[start:start + B])
    assert chunks != pairwise_sum(x)


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("layout", ["native", "swapped"])
def test_strided_core(layout, threads):
    # A strided axis that is NumPy's inner loop is summed pairwise too (per
    # buffer on NumPy <= 2.2 even when native).
    n = 3 * B + 77
    x = _layout(_values("f8", (3 * n, 2)), layout)
    y = _layout(_values("f8", (2, 3 * n), seed=1), layout)
    with pool_threads(threads):
        for v in (x[::3, 0], x[:, 1], y[:, ::3], np.broadcast_to(y[0, ::3], (3, n))):
            assert_same_bits(numext.parallel_sum(v), np.sum(v, axis=-1))
