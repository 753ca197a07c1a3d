"""numext.exact_sum / fsum: the same bits for every thread count, memory
layout and order of a tuple of axes; np.sum's axis/dtype/out/keepdims rules;
the GIL released for one long row."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numext
from conftest import PARALLEL_BYTES, THREAD_COUNTS
from helpers import assert_same_bits
from test_fsum import oracle, wide_data


@pytest.mark.parametrize("shape", [(PARALLEL_BYTES // 8 * 3,), (3, PARALLEL_BYTES // 8), (PARALLEL_BYTES // 80, 10)])
def test_same_bits_for_every_thread_count(shape):
    x = wide_data(shape)
    results = []
    for t in THREAD_COUNTS:
        with numext.threads(t):
            results.append((numext.exact_sum(x), numext.exact_sum(x, axis=0), numext.fsum(x)))
    for r in results[1:]:
        for got, expected in zip(r, results[0]):
            assert_same_bits(got, expected)
    if len(shape) == 1:
        assert results[0][0] == math.fsum(x.tolist())


def _column_expected(x):
    """Each column's correctly rounded sum (math.fsum), with IEEE's infinities and NaN."""
    expected = []
    for col in x.T.tolist():
        has_pos, has_neg = math.inf in col, -math.inf in col
        if (has_pos and has_neg) or any(math.isnan(v) for v in col):
            expected.append(math.nan)
        elif has_pos or has_neg:
            expected.append(math.inf if has_pos else -math.inf)
        else:
            expected.append(math.fsum(col))
    return np.array(expected)


def _assert_column_sums(x, expected, compare=assert_same_bits):
    """fsum(x, axis=0) and exact_sum(x, axis=0) are ``expected`` on every thread
    count (``compare``: assert_same_bits, or np.testing.assert_array_equal where
    a NaN's sign is not promised); fsum of an F-ordered copy and of the rows
    upside down gives the same bits as fsum(x)."""
    with np.errstate(invalid="ignore"):
        for t in THREAD_COUNTS:
            with numext.threads(t):
                got = numext.fsum(x, axis=0)
                compare(got, expected)
                compare(numext.exact_sum(x, axis=0), expected)
                for view in (np.asfortranarray(x), x[::-1]):
                    assert_same_bits(numext.fsum(view, axis=0), got)


@pytest.mark.parametrize("ncols", [1, 3, 17, 130, 300])
def test_column_sums_with_specials_and_spreads(ncols):
    """Sums along a strided axis: the column kernel, its term-by-term fallback
    (wide spreads, infinities, NaN) and the narrow-group path."""
    rng = np.random.default_rng(ncols)
    x = rng.standard_normal((1500, ncols))
    x[:, ::3] *= np.ldexp(1.0, rng.integers(-900, 900, (1500, len(range(0, ncols, 3)))))
    x[7, ::5] = np.inf
    x[9, ::7] = -np.inf
    x[11, 1::4] = np.nan
    _assert_column_sums(x, _column_expected(x), np.testing.assert_array_equal)


def test_rows_and_columns_against_math_fsum():
    x = wide_data((300, 2100), seed=3)
    assert_same_bits(numext.fsum(x, axis=1), np.array([math.fsum(r) for r in x.tolist()]))
    assert_same_bits(numext.fsum(x, axis=0), np.array([math.fsum(c) for c in x.T.tolist()]))


@pytest.mark.parametrize("axis", [None, 0, 1, 2, -1, (0, 1), (2, 0), (1, 2), (0, 1, 2), (2, 1, 0)])
def test_layouts_and_axis_orders_give_the_same_bits(axis):
    base = wide_data((12, 30, 50), seed=4)
    expected = numext.fsum(np.ascontiguousarray(base), axis=axis)
    views = [
        np.asfortranarray(base),
        base.transpose(2, 0, 1).copy().transpose(1, 2, 0),
        np.ascontiguousarray(base[:, ::-1, :])[:, ::-1, :],
        np.ascontiguousarray(base[::-1, :, ::-1])[::-1, :, ::-1],
    ]
    big = np.zeros((24, 30, 150))
    big[::2, :, ::3] = base
    views.append(big[::2, :, ::3])
    for v in views:
        assert np.array_equal(v, base)
        assert_same_bits(numext.fsum(v, axis=axis), expected)
    if axis is None:
        assert expected == math.fsum(base.ravel().tolist())


@given(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
               elements=st.floats(-1e300, 1e300, allow_subnormal=True)),
    st.data(),
)
@settings(max_examples=60)
def test_axis_arguments_like_np_sum(x, data):
    ndim = x.ndim
    axis = data.draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                               st.lists(st.integers(0, ndim - 1), unique=True).map(tuple)))
    keepdims = data.draw(st.booleans())
    expected_shape = np.sum(x, axis=axis, keepdims=keepdims).shape
    got = numext.fsum(x, axis=axis, keepdims=keepdims)
    assert np.shape(got) == expected_shape
    # Each output element is the oracle of its values.
    axes = tuple(range(ndim)) if axis is None else ((axis,) if isinstance(axis, int) else axis)
    axes = tuple(a % ndim for a in axes)
    moved = np.moveaxis(x, axes, range(ndim - len(axes), ndim)) if axes else x[..., None]
    flat = moved.reshape(moved.shape[: ndim - len(axes)] + (-1,)) if axes else moved
    expected = np.array([oracle(r) for r in flat.reshape(-1, flat.shape[-1])] if flat.size or not axes else
                        [0.0] * int(np.prod(flat.shape[:-1])), dtype=np.float64)
    if axes:
        assert np.asarray(got).ravel().tobytes() == expected.tobytes()


def test_out_and_dtype_arguments():
    x = np.random.default_rng(5).standard_normal((4, 5, 6)) * 1e3
    out = np.empty((4, 6))
    assert numext.fsum(x, axis=1, out=out) is out
    assert_same_bits(out, numext.fsum(x, axis=1))
    out32 = np.empty((4, 6), np.float32)
    numext.fsum(x, axis=1, out=out32)
    assert_same_bits(out32, numext.fsum(x, axis=1, dtype=np.float32))
    outk = np.empty((4, 1, 6))
    numext.fsum(x, axis=1, out=outk, keepdims=True)
    assert_same_bits(outk[:, 0], out)
    with pytest.raises(ValueError):
        numext.fsum(x, axis=1, out=np.empty((4, 5)))
    with pytest.raises(TypeError):
        numext.fsum(x, axis=1, out=[0.0])
    assert numext.fsum(x, dtype=np.float16).dtype == np.float16
    assert numext.fsum(x, dtype=np.complex128).dtype == np.complex128
    assert numext.fsum(x.astype(np.float32)).dtype == np.float32
    assert numext.fsum(np.arange(10, dtype=np.int8)).dtype == np.float64
    assert type(numext.fsum(x)) is np.float64
    assert numext.fsum(3.5) == 3.5
    assert numext.fsum([[1, 2], [3, 4]], axis=0).tolist() == [4.0, 6.0]
    with pytest.warns(np.exceptions.ComplexWarning):
        assert numext.fsum(np.array([1 + 2j, 3 + 4j]), dtype=np.float64) == 4.0


def test_exact_sum_is_a_gufunc():
    assert numext.exact_sum.signature == "(n)->()"
    assert pickle.loads(pickle.dumps(numext.exact_sum)) is numext.exact_sum
    x = wide_data((5, 7), seed=6)
    assert_same_bits(numext.exact_sum(x, axis=0), numext.fsum(x, axis=0))
    assert_same_bits(numext.exact_sum(x, keepdims=True)[:, 0], numext.fsum(x, axis=1))
    assert numext.exact_sum([1, 2, 3]) == 6.0
    assert numext.exact_sum(np.float64(2.5)[None]) == 2.5


def test_exact_sum_releases_the_gil_for_one_row():
    from test_threads import _gil_released_during

    x = wide_data(4 << 20)
    with numext.threads(1):
        released, duration, result = _gil_released_during(lambda: numext.exact_sum(x))
    assert result == numext.fsum(x)
    assert released, f"no other Python thread ran during a {duration * 1e3:.1f} ms exact_sum call"


@pytest.mark.parametrize("ncols", [1, 7, 8, 9, 31, 32, 33, 40, 127, 128, 129, 200])
def test_column_kernel_sigma_guesses(ncols):
    """The column kernel guesses each column's sigma from the tile of rows
    before (or a first tile's first rows) and checks the guess afterwards:
    magnitudes that outgrow the guess later in a tile, in the next tile, or
    shrink far below it must all come out exact, for column counts that fill
    whole vector strips, single vectors and the scalar tail."""
    rng = np.random.default_rng(100 + ncols)
    x = rng.standard_normal((1700, ncols))  # tiles of 512 rows: first, hinted, short last
    x[600:, ::2] *= 2.0**40  # grows in the second tile: the hint is too small
    x[100, 2::5] = 2.0**200  # grows after a first tile's sampled rows
    x[20:, 1::3] *= 2.0**-30  # shrinks: the guess is too large
    x[1200:, 3::4] *= 2.0**-1040  # subnormal later on
    x[1100:1110, 4::6] = 0.0
    x[1300:1320, 5::7] = -0.0
    _assert_column_sums(x, _column_expected(x))


@pytest.mark.parametrize("ncols", [5, 40, 130])
def test_column_kernel_specials_after_the_first_tile(ncols):
    """Infinities and NaN that appear only in a later tile, where the sigma
    was guessed from finite data."""
    rng = np.random.default_rng(7 + ncols)
    x = rng.standard_normal((1600, ncols))
    x[900, ::3] = np.inf
    x[1000, 1::3] = -np.inf
    x[1000, ::6] = -np.inf  # with +inf: NaN
    x[1400, 2::4] = np.nan
    x[1500, :] = np.finfo(np.float64).max / 4  # near the largest finite value
    _assert_column_sums(x, _column_expected(x), np.testing.assert_array_equal)
