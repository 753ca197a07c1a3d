"""The kernels' leaf paths against np.sum's bits: contiguous and strided 1-D
input and rows (vectorised for strides of one and two elements, scalar chains
or a staging buffer otherwise), real and complex, around the tree's edges
(8, 128 elements, complex 4 and 64, the 8192-element buffer), with NaN and
inf, at 1, 2 and 3 threads. Values span many binades so that any change in
the order of the adds shows in the last bits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numext
from conftest import PARALLEL_BYTES
from helpers import assert_same_bits

FLOATS = ["f2", "f4", "f8", "g", "c8", "c16", "G"]
EDGES = [0, 1, 7, 8, 9, 15, 16, 63, 64, 65, 127, 128, 129, 136, 255, 257, 8191, 8192, 8193, 8200]
STEPS = [1, 2, -1, -2, 3, -3, 5]


def _values(n: int, dtype: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    lo, hi = (-8, 1) if dt.char == "e" else (-20, 20)

    def part():
        return rng.standard_normal(n) * 2.0 ** rng.integers(lo, hi, n)

    x = part() + 1j * part() if dt.kind == "c" else part()
    return x.astype(dt)


def _with_specials(x: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    """count copies of one special value (one sign: which of two opposite
    NaNs a sum keeps inside the tree is not promised, tests/test_sum_nan_order.py)."""
    v = [np.nan, -np.nan, np.inf, -np.inf, -0.0][int(rng.integers(0, 5))]
    for _ in range(count if x.size else 0):
        i = int(rng.integers(0, x.size))
        if x.dtype.kind == "c":
            x[i] = complex(v, 0.0) if rng.integers(0, 2) else complex(1.0, v)
        else:
            x[i] = v
    return x


def _check(x: np.ndarray, threads: int, **kw) -> None:
    with numext.threads(threads):
        assert_same_bits(numext.sum(x, **kw), np.sum(x, **kw))
        if not kw:
            assert_same_bits(numext.parallel_sum(x), np.sum(x, axis=-1))


@settings(max_examples=150, deadline=None)
@given(
    dtype=st.sampled_from(FLOATS),
    n=st.one_of(st.sampled_from(EDGES), st.integers(0, 20000)),
    step=st.sampled_from(STEPS),
    specials=st.integers(0, 3),
    threads=st.sampled_from([1, 2, 3]),
    seed=st.integers(0, 2**32 - 1),
)
def test_1d_bits(dtype, n, step, specials, threads, seed):
    base = _with_specials(_values(n * abs(step), dtype, seed), np.random.default_rng(seed), specials)
    x = base[::step]
    assert x.size == n
    _check(x, threads)


@settings(max_examples=60, deadline=None)
@given(
    dtype=st.sampled_from(FLOATS),
    rows=st.integers(1, 5),
    n=st.one_of(st.sampled_from(EDGES), st.integers(0, 3000)),
    step=st.sampled_from([1, 2, -2, 3]),
    threads=st.sampled_from([1, 2, 3]),
    seed=st.integers(0, 2**32 - 1),
)
def test_rows_bits(dtype, rows, n, step, threads, seed):
    m = _values(rows * n * abs(step), dtype, seed).reshape(rows, n * abs(step))[:, ::step]
    _check(m, threads, axis=1)
    if step > 0:
        # (NumPy's order over a negative-stride 2-D array, and along a
        # strided axis, is not the kernels' business: see README.)
        _check(m, threads, axis=None)
        _check(m, threads, axis=(0, 1))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("step", [1, -1, 2, -2, 3])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_long_rows_cut_over_threads(dtype, step, threads):
    """Long enough that 2 and 3 threads cut the row at nodes of the tree, and
    that one thread reads every other element as scalar chains (a span over
    NUMEXT_SUM_VECTOR_GAPS_MAX_BYTES)."""
    n = PARALLEL_BYTES // np.dtype(dtype).itemsize + 12345
    x = _values(n * abs(step), dtype, 7)[::step]
    _check(x, threads)


def test_values_tell_orders_apart():
    """The values above do tell adding orders apart (the tests can fail)."""
    x = _values(1000, "f4", 3)
    assert np.sum(x).tobytes() != np.sum(x[::-1]).tobytes()
    c = _values(200, "c8", 3)
    assert np.sum(c).tobytes() != np.sum(c[::-1]).tobytes()


NARROW = ["?", "i1", "u1", "i2", "u2"]
LANE_BLOCK = 64 * 256  # the narrow kernels' lanes x rounds


def _narrow(n: int, dtype: str, fill: str, seed: int) -> np.ndarray:
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return np.random.default_rng(seed).integers(0, 2, n).astype(bool)
    info = np.iinfo(dt)
    if fill == "min":
        return np.full(n, info.min, dt)
    if fill == "max":
        return np.full(n, info.max, dt)
    return np.random.default_rng(seed).integers(info.min, info.max, n, endpoint=True).astype(dt)


@settings(max_examples=80, deadline=None)
@given(
    dtype=st.sampled_from(NARROW),
    n=st.one_of(
        st.sampled_from([0, 1, 63, 64, LANE_BLOCK - 1, LANE_BLOCK, LANE_BLOCK + 1, 3 * LANE_BLOCK + 5]),
        st.integers(0, 5 * LANE_BLOCK),
    ),
    fill=st.sampled_from(["random", "min", "max"]),
    threads=st.sampled_from([1, 2, 3]),
    seed=st.integers(0, 2**32 - 1),
)
def test_narrow_int_bits(dtype, n, fill, threads, seed):
    """8- and 16-bit sums added in wider lanes first: the extremes fill every
    lane to the edge of its range (an overflowing lane would show)."""
    x = _narrow(n, dtype, fill, seed)
    with numext.threads(threads):
        assert_same_bits(numext.parallel_sum(x), np.sum(x, axis=-1))
        assert_same_bits(numext.sum(x), np.sum(x))
        if dtype != "?":
            assert_same_bits(numext.sum(x, dtype=x.dtype), np.sum(x, dtype=x.dtype))
            out, expected = np.empty((), x.dtype), np.empty((), x.dtype)
            numext.sum(x, out=out)
            np.sum(x, out=expected)
            assert_same_bits(out, expected)


@pytest.mark.parametrize("dtype", NARROW)
@pytest.mark.parametrize("fill", ["min", "max"])
def test_narrow_int_long_cut_over_threads(dtype, fill):
    n = PARALLEL_BYTES // np.dtype(dtype).itemsize + 12345
    x = _narrow(n, dtype, fill, 1)
    for threads in (1, 2, 3):
        with numext.threads(threads):
            assert_same_bits(numext.parallel_sum(x), np.sum(x, axis=-1))
            assert_same_bits(numext.sum(x[None, :], axis=1), np.sum(x[None, :], axis=1))


INTS = ["?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"]
INT_STEPS = [1, -1, 2, -2, 3, -3, 4, -5]


def _strided_ints(n: int, dtype: str, step: int, fill: str, seed: int) -> np.ndarray:
    """n elements `step` apart ending at the parent's last byte (a kernel that
    reads past the view's last element reads past the array), the elements
    between them of the opposite extreme (a kernel that adds them shows)."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    span = (n - 1) * abs(step) + 1 if n else 0
    if dt.kind == "b":
        parent = np.ones(span, dt)
        view_values = rng.integers(0, 2, n).astype(bool)
    else:
        info = np.iinfo(dt)
        parent = np.full(span, info.max if fill == "min" else info.min, dt)
        ends = {"min": info.min, "max": info.max}
        view_values = (
            np.full(n, ends[fill], dt) if fill in ends else rng.integers(info.min, info.max, n, endpoint=True, dtype=dt)
        )
    x = parent[:: abs(step)][::-1] if step < 0 else parent[::step]
    x[...] = view_values
    return x


@settings(max_examples=120, deadline=None)
@given(
    dtype=st.sampled_from(INTS),
    n=st.one_of(
        st.sampled_from([0, 1, 2, 3, 4, 5, 63, 64, 65, 66, 129] + [LANE_BLOCK + d for d in (-1, 0, 1, 2, 64, 65)]),
        st.integers(0, 3 * LANE_BLOCK),
    ),
    step=st.sampled_from(INT_STEPS),
    fill=st.sampled_from(["random", "min", "max"]),
    threads=st.sampled_from([1, 2, 3]),
    seed=st.integers(0, 2**32 - 1),
)
def test_strided_int_sums(dtype, n, step, fill, threads, seed):
    """Integer sums of strided 1-D views (reversed, every other element read
    as wider words, four chains otherwise), at the lane kernel's edges and
    with the extremes (wrap-around modulo 2^64): np.sum's value and dtype."""
    x = _strided_ints(n, dtype, step, fill, seed)
    with numext.threads(threads):
        assert_same_bits(numext.parallel_sum(x), np.sum(x, axis=-1))
        assert_same_bits(numext.sum(x), np.sum(x))


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("cols", [slice(None, None, 2), slice(None, None, -2), slice(1, None, 3)])
def test_strided_int_rows_and_all(dtype, cols):
    """m[:, ::2]-style views: along the rows, over both axes and with
    axis=None (merged into one strided run), cut over threads."""
    rows, width = 7, 2 * (PARALLEL_BYTES // np.dtype(dtype).itemsize // 7) + 3
    m = _strided_ints(rows * width, dtype, 1, "random", rows).reshape(rows, width)[:, cols]
    for threads in (1, 2, 3):
        with numext.threads(threads):
            for axis in (None, 1, (0, 1)):
                assert_same_bits(numext.sum(m, axis=axis), np.sum(m, axis=axis))
            assert_same_bits(numext.parallel_sum(m[::-1]), np.sum(m[::-1], axis=-1))


# Misaligned strides. (Where the stride is aligned but not a multiple of the
# itemsize, e.g. complex64 at 12 bytes, NumPy 2.4 adds element after element,
# not pairwise: not covered here.)
@pytest.mark.parametrize("dtype, stride", [("c16", 20), ("c16", -20), ("f8", 12), ("f4", 6), ("G", 48)])
@pytest.mark.parametrize("n", [3, 4, 64, 65, 129, 8192])
def test_odd_byte_strides(dtype, stride, n):
    """Misaligned strided views (NumPy aligns or buffers them first): np.sum's bits."""
    itemsize = np.dtype(dtype).itemsize
    raw = bytearray(n * abs(stride) + itemsize)
    start = (n - 1) * abs(stride) if stride < 0 else 0
    x = np.ndarray((n,), np.dtype(dtype), buffer=raw, offset=start, strides=(stride,))
    x[...] = _values(n, dtype, n)
    for threads in (1, 2):
        _check(x, threads)
