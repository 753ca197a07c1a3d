"""Column sums (a sum along a strided axis, e.g. axis=0 of a C array) through
the column kernels: adjacent columns, and columns a fixed stride apart (views
such as m[:, ::2]), which the kernels gather into the same lanes.

Each column's float sum is its own pairwise sum (oracles.pairwise_sum: more
accurate than np.sum's row-after-row adds there), bit for bit, at every thread
count; integer sums are np.sum's. The contiguous copy of the same view goes
down the adjacent-column path, so the two paths are checked against each
other too.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numext
from conftest import PARALLEL_BYTES, THREAD_COUNTS, pool_threads
from test_parallel_sum import assert_same_bits, pairwise_oracle

DTYPES = ["f2", "f4", "f8", "g", "c8", "c16", "?", "i1", "u1", "i4", "i8", "u8"]


def _values(rng, shape, dtype) -> np.ndarray:
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return rng.integers(max(info.min, -(2**40)), min(info.max, 2**40), shape, dtype=dt)
    # Many binades, so that another order of adds gives other bits.
    lo, hi = (-6, 2) if dt.char == "e" else (-20, 20)

    def part():
        return rng.standard_normal(shape) * 2.0 ** rng.integers(lo, hi, shape)

    return (part() + 1j * part() if dt.kind == "c" else part()).astype(dt)


def _expected(v: np.ndarray) -> np.ndarray:
    if v.dtype.kind in "fc":
        return pairwise_oracle(v, 0)
    return np.sum(v, axis=0)


def _check_columns(v: np.ndarray) -> None:
    expected = _expected(v)
    assert_same_bits(numext.parallel_sum(v, axis=0), expected)
    assert_same_bits(numext.parallel_sum(np.ascontiguousarray(v), axis=0), expected)
    assert_same_bits(numext.sum(v, axis=0, keepdims=True), expected[np.newaxis])
    out = np.empty(expected.shape, expected.dtype)
    numext.sum(v, axis=0, out=out)
    assert_same_bits(out, expected)


@settings(max_examples=60, deadline=None)
@given(
    dtype=st.sampled_from(DTYPES),
    nrows=st.integers(1, 300),
    ncols=st.integers(2, 40),
    col_step=st.integers(1, 5),
    row_step=st.sampled_from([1, 2, -1]),
    threads=st.sampled_from(THREAD_COUNTS),
    seed=st.integers(0, 2**16),
)
def test_strided_columns_bits(dtype, nrows, ncols, col_step, row_step, threads, seed):
    rng = np.random.default_rng(seed)
    m = _values(rng, (nrows * abs(row_step), ncols * col_step + 1), dtype)
    v = m[::row_step, 1::col_step][:, :ncols]
    with pool_threads(threads):
        _check_columns(v)


@pytest.mark.parametrize("threads", THREAD_COUNTS)
@pytest.mark.parametrize("dtype", ["f4", "f8", "c8", "c16", "i1", "i8"])
@pytest.mark.parametrize("col_step", [1, 2, 3])
def test_large_strided_columns_on_threads(dtype, col_step, threads):
    # Large enough to be shared out: many column batches, or (few columns)
    # each column cut at nodes of the pairwise tree.
    rng = np.random.default_rng(col_step)
    itemsize = np.dtype(dtype).itemsize
    for ncols in (3, 700):
        nrows = max(300, 2 * PARALLEL_BYTES // (itemsize * ncols))
        m = _values(rng, (nrows, ncols * col_step), dtype)
        v = m[:, ::col_step]
        with pool_threads(threads):
            _check_columns(v)


def test_the_oracle_tells_the_orders_apart():
    # np.sum adds row after row along axis=0; the columns' pairwise sums differ.
    v = _values(np.random.default_rng(1), (1000, 64), "f8")[:, ::2]
    assert pairwise_oracle(v, 0).tobytes() != np.sum(v, axis=0).tobytes()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
def test_few_rows(dtype, layout):
    # Up to two leaves' groups of rows: each leaf's tree in one pass (C axis=0,
    # or F-ordered axis=1: the same memory read the same way).
    rng = np.random.default_rng(3)
    for nrows in range(1, 20):
        m = _values(rng, (nrows, 2 * 1500), dtype)
        if layout == "strided":
            _check_columns(m[:, ::2])
        elif layout == "C":
            _check_columns(m[:, :1500])
        else:
            f = np.asfortranarray(m.T)  # (3000, nrows), F-ordered: axis=1 is a column sum
            assert_same_bits(numext.sum(f, axis=1), _expected(f.T))


@pytest.mark.parametrize("threads", THREAD_COUNTS)
@pytest.mark.parametrize("to", ["f8", "c16", "f4"])
@pytest.mark.parametrize("dtype", ["i1", "i4", "f4", "f8"])
def test_cast_rows_longer_than_a_piece_are_np_sum_bits(dtype, to, threads):
    # dtype= upcasts of rows each longer than a cast piece: cast piece by piece,
    # NumPy's buffers summed in order, so np.sum's bits (the values span many
    # binades: one tree over the whole row would give other bits).
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 2, 540_001)) * 2.0 ** rng.integers(-20, 20, (2, 2, 540_001)) * 100
    x = x.astype(dtype)
    with pool_threads(threads):
        for v in (x, x[..., ::2], x[:, 0]):
            assert_same_bits(numext.sum(v, axis=-1, dtype=to), np.sum(v, axis=-1, dtype=to))
