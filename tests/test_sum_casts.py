"""Integers summed with dtype=float64 through parallel_sum's cast loops
(src/pairwise_sum_casts.h: each element converted as it is read, no cast
copy of the input): numext.sum's column sums (F-ordered axis=1, C axis=0)
and its rows (contiguous or strided, every width) take them.

What is promised: columns, what numext gave before the cast loops: each
lane the pairwise sum (oracles.pairwise_sum) of the elements as NumPy casts
them to float64, bit for bit, at every thread count; np.sum's value to
rounding. Rows: np.sum's bits (one pairwise sum per buffer).
Values near the integer limits make the cast round (int64 2**63 - 1 is
2**63 as a double), so a conversion that truncated, went through float32
or wrapped would show.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numext
from conftest import PARALLEL_BYTES, THREAD_COUNTS, pool_threads
from test_parallel_sum import assert_same_bits, pairwise_oracle, sum_tolerance_ok

INT_DTYPES = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "q", "Q"]


def _ints(rng: np.random.Generator, shape, dtype, near_limits: bool) -> np.ndarray:
    """Random integers; near_limits: within 2**12 of the dtype's min and max
    (where int64 and uint64 round when cast to float64), mixed with small ones."""
    info = np.iinfo(dtype)
    if not near_limits:
        return rng.integers(max(info.min, -(2**40)), min(info.max, 2**40), shape, dtype=dtype, endpoint=True)
    width = min(2**12, (int(info.max) - int(info.min)) // 4)
    pick = rng.integers(0, 3, shape)
    low = rng.integers(info.min, info.min + width, shape, dtype=dtype, endpoint=True)
    high = rng.integers(info.max - width, info.max, shape, dtype=dtype, endpoint=True)
    small = rng.integers(max(info.min, -100), min(info.max, 100), shape, dtype=dtype, endpoint=True)
    return np.choose(pick, [low, high, small]).astype(dtype)


def _layout(m: np.ndarray, layout: str) -> np.ndarray:
    if layout == "F":
        return np.asfortranarray(m)
    if layout == "C":
        return m
    if layout == "F strided":
        return np.asfortranarray(np.repeat(m, 2, axis=0))[::2, :]
    if layout == "C strided":
        return np.repeat(m, 3, axis=1)[:, ::3]
    assert layout == "reversed"
    return np.asfortranarray(m)[::-1, ::-1]


def _expected(v: np.ndarray, axis: int) -> np.ndarray:
    """Each lane's pairwise sum of the elements cast as NumPy casts them."""
    return pairwise_oracle(v.astype(np.float64), axis)


def _check(v: np.ndarray, axis: int) -> None:
    expected = _expected(v, axis)
    got = numext.sum(v, axis=axis, dtype=np.float64)
    assert_same_bits(got, expected)
    sum_tolerance_ok(got, np.sum(v, axis=axis, dtype=np.float64), v, axis)
    assert_same_bits(numext.sum(v, axis=axis, dtype=np.float64, keepdims=True), np.expand_dims(expected, axis))
    out = np.empty(expected.shape, np.float64)
    numext.sum(v, axis=axis, dtype=np.float64, out=out)
    assert_same_bits(out, expected)


@settings(max_examples=80, deadline=None)
@given(
    dtype=st.sampled_from(INT_DTYPES),
    nrows=st.integers(1, 300),
    ncols=st.integers(1, 40),
    layout=st.sampled_from(["F", "C", "F strided", "C strided", "reversed"]),
    axis=st.sampled_from([0, 1]),
    near_limits=st.booleans(),
    threads=st.sampled_from(THREAD_COUNTS),
    seed=st.integers(0, 2**16),
)
def test_cast_sums_bits(dtype, nrows, ncols, layout, axis, near_limits, threads, seed):
    m = _ints(np.random.default_rng(seed), (nrows, ncols), dtype, near_limits)
    with pool_threads(threads):
        _check(_layout(m, layout), axis)


@pytest.mark.parametrize("threads", THREAD_COUNTS)
@pytest.mark.parametrize("dtype", ["i1", "u1", "i4", "i8", "u8"])
@pytest.mark.parametrize("ncols", [2, 3, 700])
def test_large_cast_columns_on_threads(dtype, ncols, threads):
    # Large enough to be shared out: many column batches, or (few columns)
    # each column cut at nodes of the pairwise tree. Same bits at every count.
    rng = np.random.default_rng(ncols)
    nrows = max(300, 2 * PARALLEL_BYTES // (np.dtype(dtype).itemsize * ncols))
    f = np.asfortranarray(_ints(rng, (ncols, nrows), dtype, near_limits=True))  # axis=1: columns
    with pool_threads(threads):
        got = numext.sum(f, axis=1, dtype=np.float64)
        c_got = numext.sum(np.ascontiguousarray(f.T), axis=0, dtype=np.float64)
    expected = numext.parallel_sum(f.astype(np.float64), axis=1)  # the float64 kernel on the cast copy
    assert_same_bits(got, expected)
    assert_same_bits(c_got, expected)
    for j in (0, ncols // 2, ncols - 1):
        assert_same_bits(got[j], _expected(f[j : j + 1], 1)[0])
    sum_tolerance_ok(got, np.sum(f, axis=1, dtype=np.float64), f, 1)


def test_the_oracle_sees_the_rounding_cast():
    # 2**53 + 1 is 2**53 as a double: the doubles' pairwise sum (2**56) is not
    # the exact sum rounded (2**56 + 16), so a kernel adding the integers
    # exactly, or in long double, before rounding would not match.
    v = np.ones((16, 2), np.int64)
    v[:8] = 2**53 + 1
    assert _expected(v, 0).tolist() == [2.0**56] * 2
    assert float(int(v[:, 0].sum())) == 2.0**56 + 16
    _check(np.asfortranarray(v.T), 1)
    _check(v, 0)


@pytest.mark.parametrize("threads", THREAD_COUNTS)
@pytest.mark.parametrize("dtype", ["i1", "u2", "i4", "u4", "i8", "u8"])
def test_rows_longer_than_a_buffer_are_np_sum_bits(dtype, threads):
    # NumPy sums a cast row one buffer at a time, the buffers added in turn:
    # np.sum's bits, contiguous and strided rows, shorter and longer than a
    # 1 MiB cast piece. 64-bit values span many binades, so one tree over the
    # row gives other bits; sums of narrower integers are exact in float64
    # (any order agrees): there the path and the values are checked.
    rng = np.random.default_rng(11)
    for shape in [(3, 20_001), (2, 140_000)]:
        scaled = rng.standard_normal(shape) * 2.0 ** rng.integers(0, np.iinfo(dtype).bits - 4, shape)
        x = (np.abs(scaled) if np.dtype(dtype).kind == "u" else scaled).astype(dtype)
        with pool_threads(threads):
            for v in (x, x[:, ::2], x[::-1]):
                assert_same_bits(numext.sum(v, axis=1, dtype=np.float64), np.sum(v, axis=1, dtype=np.float64))


@pytest.mark.parametrize("threads", THREAD_COUNTS)
@pytest.mark.parametrize(("src", "dst"), [("f4", "f8"), ("f2", "f4"), ("f8", "f4"), ("i8", "f8"), ("f4", "c16")])
def test_cast_rows_of_any_rank_are_np_sum_bits(src, dst, threads):
    # Rows along the inner axis, longer than a buffer and shorter than a cast
    # piece, in 2-D and 3-D, forwards and reversed, with float-to-float casts
    # too (no cast loop): np.sum casts and sums them one buffer at a time.
    # Values over many binades, so that one tree per row gives other bits.
    rng = np.random.default_rng(12)
    shape = (2, 3, 8192 * 2 + 77)
    scale = 2.0 ** rng.integers(-12, 12 if src == "f2" else 40, shape)
    x = (rng.standard_normal(shape) * scale).astype(src)
    with pool_threads(threads):
        for v in (x, x[..., ::-1], x[0], x[1, :, ::-1], np.moveaxis(x, 2, 1)):
            axis = 1 if v.strides[1] in (x.itemsize, -x.itemsize) and v.ndim == 3 else -1
            assert_same_bits(numext.sum(v, axis=axis, dtype=dst), np.sum(v, axis=axis, dtype=dst))
            assert_same_bits(
                numext.sum(v, axis=axis, dtype=dst, keepdims=True), np.sum(v, axis=axis, dtype=dst, keepdims=True)
            )


@pytest.mark.parametrize("dtype", ["i1", "u2", "i8", "u8"])
def test_parallel_sum_cast_loop_rows_are_np_sum_bits(dtype, num_threads):
    # The cast loop over a contiguous row (asked for by signature): NumPy
    # casts one buffer at a time and adds the buffers' sums in turn; so does
    # the loop (its input is cast input: sum_rules.h).
    x = _ints(np.random.default_rng(7), 3 * 8192 + 5, dtype, near_limits=True)
    got = numext.parallel_sum(x, signature=(x.dtype, np.float64))
    assert_same_bits(got, np.sum(x, dtype=np.float64))


def test_cast_loops_leave_np_sums_result_types():
    # After every other loop: each integer's own loop is still found first.
    for char in "?bBhHiIlLqQ":
        x = np.arange(10).astype(char)
        assert type(numext.parallel_sum(x)) is type(np.sum(x)), char
        assert type(numext.sum(x.reshape(2, 5), axis=0)[0]) is type(np.sum(x)), char
    assert numext.parallel_sum.types.index("l->d") > numext.parallel_sum.types.index("d->d")


def test_dtype_float64_takes_the_cast_loop_without_a_copy():
    x = np.ones(4_000_000, np.int8)
    tracemalloc.start()
    try:
        got = numext.parallel_sum(x, dtype=np.float64)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got == 4_000_000.0 and got.dtype == np.float64
    assert peak < 2**20, f"{peak / 2**20:.1f} MiB allocated (a cast copy is 32 MiB)"
