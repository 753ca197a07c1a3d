"""numext.parallel_sum (gufunc (n)->()) and numext.sum against np.sum.

Oracles: np.sum itself (result dtype and shape everywhere; values for
integers, and bit for bit for floats along a contiguous core dimension), and
oracles.pairwise_sum_last_axis (NumPy's pairwise summation written out in
Python) for floats along any core dimension, contiguous or strided.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numext
import oracles
from conftest import PARALLEL_BYTES, THREAD_COUNTS, pool_threads
from helpers import assert_same_array, assert_same_bits, dtype_id, random_array

NUMERIC_CHARS = "?bBhHiIlLqQefdgFDG"
NUMERIC_DTYPES = [np.dtype(c) for c in NUMERIC_CHARS]
INEXACT_DTYPES = [np.dtype(c) for c in "efdgFDG"]
# Dtypes np.sum can produce: the result dtypes parallel_sum has loops for.
RESULT_DTYPES = [np.dtype(c) for c in "qQefdgFDG"]


SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---- comparison helpers ---------------------------------------------------------


def pairwise_oracle(x: np.ndarray, axis: int) -> np.ndarray:
    """NumPy's pairwise sum of every 1-D lane along `axis` (floats and complex)."""
    return oracles.pairwise_sum_last_axis(np.moveaxis(np.asarray(x), axis, -1))


def sum_tolerance_ok(got, expected, x, axis, keepdims=False) -> None:
    """|got - expected| within a few roundings of the summed magnitudes."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(got, expected)
        return
    eps = np.finfo(expected.real.dtype).eps
    xa = np.asarray(x)
    n = max(1, xa.size // max(1, np.asarray(expected).size))
    mag = np.sum(np.abs(xa.astype(np.complex128 if xa.dtype.kind == "c" else np.float64)),
                 axis=axis, keepdims=keepdims)
    bound = 4 * n * eps * mag + np.finfo(expected.real.dtype).tiny
    with quiet():
        diff = np.abs(got.astype(np.clongdouble if got.dtype.kind == "c" else np.longdouble)
                      - expected.astype(np.clongdouble if got.dtype.kind == "c" else np.longdouble))
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    assert np.all(same | (diff <= bound)), (got, expected, bound)


def quiet():
    """Both sides may overflow identically; the warnings are tested on their own."""
    return np.errstate(all="ignore")


def sum_input(rng, shape, dtype):
    """random_array with magnitudes over 10**-3..10**3 (sums that round); float16
    small, so long float16 sums stay far from float16's 65504."""
    if np.dtype(dtype) == np.float16:
        return random_array(shape, dtype, rng=rng, scale=0.01)
    return random_array(shape, dtype, rng=rng, decades=3)


# ---- parallel_sum: properties -------------------------------------------------------


def test_signature_and_loops():
    assert numext.parallel_sum.signature == "(n)->()"
    for c in NUMERIC_CHARS:
        x = np.ones(3, c)
        assert numext.parallel_sum(x).dtype == np.sum(x, axis=-1).dtype


@st.composite
def arrays_with_axis(draw, dtype, max_dims=3):
    """An array (possibly a strided or transposed view) and an axis of it."""
    ndim = draw(st.integers(1, max_dims), label="ndim")
    shape = list(draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=5), label="shape"))
    axis = draw(st.integers(-ndim, ndim - 1), label="axis")
    # Long enough, sometimes, for the pairwise tree's 8-way blocks and its split at 128.
    shape[axis] = draw(st.one_of(st.integers(0, 10), st.sampled_from([16, 64, 127, 128, 129, 200, 257])),
                       label="core length")
    x = draw(hnp.arrays(dtype, tuple(shape), elements=hnp.from_dtype(dtype)), label="x")
    view = draw(st.sampled_from(["none", "reverse", "step", "transpose", "fortran"]), label="view")
    if view == "reverse":
        x = x[..., ::-1]
    elif view == "step" and x.shape[-1] > 2:
        x = x[..., ::2]
    elif view == "transpose":
        x = x.T
    elif view == "fortran":
        x = np.asfortranarray(x)
    return x, axis


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
@SETTINGS
@given(data=st.data())
def test_parallel_sum_matches_np_sum_and_pairwise(dtype, data):
    x, axis = data.draw(arrays_with_axis(dtype))
    keepdims = data.draw(st.booleans(), label="keepdims")
    with quiet():
        got = numext.parallel_sum(x, axis=axis, keepdims=keepdims)
        expected = np.sum(x, axis=axis, keepdims=keepdims)
    assert isinstance(got, (np.ndarray, np.generic))
    assert got.dtype == expected.dtype and np.shape(got) == np.shape(expected)
    if dtype.kind in "biu":
        assert_same_array(got, expected, nan_sign=False)
        return
    ref = pairwise_oracle(x, axis)
    if keepdims:
        ref = np.expand_dims(ref, axis)
    assert_same_array(got, ref, nan_sign=False)
    core = x.shape[axis]
    if core <= 1 or (x.flags.c_contiguous and axis % x.ndim == x.ndim - 1):
        # A contiguous core dimension: np.sum's own bits.
        assert_same_array(got, expected, nan_sign=False)


@pytest.mark.parametrize("dtype", INEXACT_DTYPES, ids=dtype_id)
def test_pairwise_tree_sizes(dtype):
    """Every length around the pairwise tree's block (8) and split (128) boundaries."""
    rng = np.random.default_rng(7)
    for n in list(range(0, 40)) + [63, 64, 65, 127, 128, 129, 130, 255, 256, 257, 1000, 1031]:
        x = sum_input(rng, (3, n), dtype)
        with quiet():
            assert_same_array(numext.parallel_sum(x), np.sum(x, axis=-1), nan_sign=False)
            assert_same_array(numext.parallel_sum(x), pairwise_oracle(x, -1), nan_sign=False)
            # The same numbers down a strided axis: pairwise too.
            col = np.ascontiguousarray(x.T)
            assert_same_array(numext.parallel_sum(col, axis=0), pairwise_oracle(col, 0), nan_sign=False)


@pytest.mark.parametrize("dtype", INEXACT_DTYPES, ids=dtype_id)
def test_special_values_contiguous_and_strided(dtype):
    real = np.finfo(dtype.type(0).real.dtype)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, float(real.max), -float(real.max),
                float(real.smallest_subnormal)]
    rng = np.random.default_rng(3)
    x = np.zeros((40, 150), dtype)
    for i in range(40):
        k = rng.integers(0, 4)
        x[i, rng.integers(0, 150, k)] = rng.choice(specials, k)
    x[0] = -0.0  # all negative zeros sum to +0.0, as np.sum
    with quiet():
        assert_same_array(numext.parallel_sum(x), np.sum(x, axis=-1), nan_sign=False)
        assert_same_array(numext.parallel_sum(x), pairwise_oracle(x, -1), nan_sign=False)
        assert_same_array(numext.parallel_sum(x, axis=0), pairwise_oracle(x, 0), nan_sign=False)
        assert_same_array(numext.parallel_sum(x[:, ::3]), pairwise_oracle(x[:, ::3], -1), nan_sign=False)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
def test_integer_wraparound_and_empty(dtype):
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        x = np.array([[info.max] * 5 + [info.min] * 2, [info.max, 1, 1, info.max, 0, 0, 0]], dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert_same_array(numext.parallel_sum(x), np.sum(x, axis=-1), nan_sign=False)
            assert_same_array(numext.parallel_sum(x, axis=0), np.sum(x, axis=0), nan_sign=False)
    for shape, axis in [((0,), -1), ((3, 0), -1), ((0, 4), 0), ((0, 4), -1), ((2, 0, 3), 1)]:
        x = np.zeros(shape, dtype)
        got = numext.parallel_sum(x, axis=axis)
        assert_same_array(got, np.sum(x, axis=axis), nan_sign=False)


def test_zero_dimensional_input_raises_numpys_value_error():
    for x in (np.float64(1.0), np.array(2.0), 3, np.array(True)):
        with pytest.raises(ValueError, match="dimension"):
            numext.parallel_sum(x)


def test_axes_keepdims_out_and_broadcasting():
    rng = np.random.default_rng(11)
    x = sum_input(rng, (3, 4, 5), np.float64)
    for axis in range(-3, 3):
        assert_same_array(numext.parallel_sum(x, axes=[(axis,), ()]), pairwise_oracle(x, axis), nan_sign=False)
        assert_same_array(numext.parallel_sum(x, axis=axis, keepdims=True),
                     np.expand_dims(pairwise_oracle(x, axis), axis), nan_sign=False)
    # out=: returned, filled; out broadcast over extra loop dimensions.
    out = np.full((3, 4), np.nan)
    assert numext.parallel_sum(x, out=out) is out
    assert_same_array(out, np.sum(x, axis=-1), nan_sign=False)
    out = np.full((2, 3, 4), np.nan)
    assert numext.parallel_sum(x, out=out) is out
    assert_same_array(out, np.broadcast_to(np.sum(x, axis=-1), (2, 3, 4)), nan_sign=False)
    # out of another dtype: same_kind casting as any ufunc.
    out32 = np.zeros((3, 4), np.float32)
    numext.parallel_sum(x, out=out32)
    assert_same_array(out32, np.sum(x, axis=-1).astype(np.float32), nan_sign=False)
    with pytest.raises(TypeError):
        numext.parallel_sum(x, out=np.zeros((3, 4), np.int64))
    with pytest.raises(ValueError):
        numext.parallel_sum(x, out=np.zeros((4, 3)))
    # Loop dimensions of any shape; lists.
    rows = np.arange(12, dtype=np.int32).reshape(3, 4)
    assert_same_array(numext.parallel_sum(rows[:, None, :] * np.ones((1, 2, 1), np.int32)),
                 np.sum(rows[:, None, :] * np.ones((1, 2, 1), np.int32), axis=-1), nan_sign=False)
    assert_same_array(numext.parallel_sum([[1, 2], [3, 4]]), np.sum([[1, 2], [3, 4]], axis=-1), nan_sign=False)
    assert_same_array(numext.parallel_sum([True, True, False]), np.sum([True, True, False], axis=-1), nan_sign=False)


def test_out_overlapping_input_is_as_if_copied():
    rng = np.random.default_rng(5)
    for shape in [(50, 8), (3000, 100)]:
        x = sum_input(rng, shape, np.float64)
        expected = np.sum(x, axis=-1)
        y = x.copy()
        numext.parallel_sum(y, out=y[:, 0])
        assert_same_array(y[:, 0], expected, nan_sign=False)
        z = x.T.copy()
        numext.parallel_sum(z, axis=0, out=z[0])
        assert_same_array(z[0], pairwise_oracle(x.T, 0), nan_sign=False)


@pytest.mark.parametrize("dtype", INEXACT_DTYPES, ids=dtype_id)
def test_float_overflow_warns_and_raises(dtype, num_threads):
    big = np.finfo(dtype.type(0).real.dtype).max
    small = np.array([big, big], dtype)
    with pytest.warns(RuntimeWarning, match="overflow"):
        got = numext.parallel_sum(small)
    with quiet():
        assert_same_array(got, np.sum(small), nan_sign=False)
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError, match="overflow"):
            numext.parallel_sum(small)
    # The overflow in the last leaf of a long row, and in the last of many rows:
    # on 2+ threads a worker usually adds it up.
    n = 2 * PARALLEL_BYTES // dtype.itemsize
    long_row = np.zeros(n, dtype)
    long_row[-2:] = big
    many_rows = np.zeros((n // 64, 64), dtype)
    many_rows[-1, :2] = big
    for x in (long_row, many_rows):
        for _ in range(3):
            with pytest.warns(RuntimeWarning, match="overflow"):
                numext.parallel_sum(x)
            with np.errstate(over="raise"):
                with pytest.raises(FloatingPointError, match="overflow"):
                    numext.parallel_sum(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            numext.parallel_sum(long_row[:-2])


# ---- thread independence ---------------------------------------------------------


def _layouts(dtype):
    """Inputs large enough to be split, one per way of sharing the work out."""
    rng = np.random.default_rng(dtype.num)
    item = dtype.itemsize
    n_long = 2 * PARALLEL_BYTES // item + 13
    long_cols = sum_input(rng, (2 * PARALLEL_BYTES // (3 * item) + 5, 3), dtype)
    many_cols = sum_input(rng, (96, 2 * PARALLEL_BYTES // (96 * item) + 3), dtype)
    many_rows = sum_input(rng, (2 * PARALLEL_BYTES // (67 * item) + 1, 67), dtype)
    return {
        "one-long-row": (sum_input(rng, n_long, dtype), -1),
        "many-rows": (many_rows, -1),
        "few-long-columns": (long_cols, 0),
        "many-columns": (many_cols, 0),
        "strided-rows": (many_rows[:, ::3], -1),
        "strided-columns": (many_cols[::2, ::3], 0),
        "fortran-columns": (np.asfortranarray(many_cols), 0),
    }


@pytest.mark.parametrize("dtype", [np.dtype(c) for c in "efdgFDqB"], ids=dtype_id)
def test_bits_do_not_depend_on_thread_count(dtype):
    for name, (x, axis) in _layouts(dtype).items():
        results = {}
        for n in THREAD_COUNTS:
            with pool_threads(n), quiet():
                results[n] = numext.parallel_sum(x, axis=axis)
        first = results[THREAD_COUNTS[0]]
        for r in results.values():
            assert_same_bits(r, first)
        with quiet():
            expected = np.sum(x, axis=axis)
        if dtype.kind in "iu":
            assert_same_array(first, expected, nan_sign=False)
            continue
        core_contiguous = x.strides[axis] == dtype.itemsize
        if core_contiguous:
            assert_same_array(first, expected, nan_sign=False)
        if core_contiguous and numext._numext._sum_rules() & 1:
            continue  # NumPy <= 2.2 sums per buffer (test_sum_bits.py): np.sum is the oracle
        # The pairwise oracle on every lane of small inputs, on a sample otherwise.
        lanes = np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis])
        idx = np.random.default_rng(0).choice(lanes.shape[0], min(lanes.shape[0], 24), replace=False)
        assert_same_array(np.reshape(first, -1)[idx], oracles.pairwise_sum_last_axis(lanes[idx]), nan_sign=False)
        if not core_contiguous and dtype != np.float16:
            # Strided: np.sum adds row after row, numext pairwise; both near the truth
            # (np.sum's float16 row-after-row sum is not).
            sum_tolerance_ok(first, expected, x, axis)


@pytest.mark.parametrize("dtype", [np.dtype(c) for c in "fdD"], ids=dtype_id)
def test_numext_sum_bits_do_not_depend_on_thread_count(dtype):
    rng = np.random.default_rng(2)
    x = sum_input(rng, (64, 48, 2 * PARALLEL_BYTES // (64 * 48 * dtype.itemsize) + 1), dtype)
    for axis in [None, 0, 1, 2, (0, 1), (0, 2), (1, 2), (-1, 0)]:
        results = [None] * len(THREAD_COUNTS)
        for i, n in enumerate(THREAD_COUNTS):
            with pool_threads(n):
                results[i] = numext.sum(x, axis=axis)
        for r in results[1:]:
            assert_same_bits(r, results[0])
        if axis is None or axis == 2:
            assert_same_array(results[0], np.sum(x, axis=axis), nan_sign=False)


# ---- accuracy -----------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_strided_sum_at_least_as_accurate_as_np_sum(dtype, num_threads):
    """Down a strided axis np.sum adds row after row; numext's pairwise sum must
    be no further from the exact (math.fsum) sum, column by column."""
    rng = np.random.default_rng(17)
    n = 1 << 17
    # Ill-conditioned: a large offset plus small terms, so sequential rounding piles up.
    x = np.empty((n, 4), dtype)
    x[:, 0] = 1.0 + rng.random(n) * 1e-3
    x[:, 1] = 0.1
    x[:, 2] = rng.random(n) * 1e4
    x[:, 3] = rng.standard_normal(n) * 10 + 3
    got = numext.parallel_sum(x, axis=0)
    via_sum = numext.sum(x, axis=0)
    seq = np.sum(x, axis=0)
    assert_same_array(via_sum, got, nan_sign=False)
    for j in range(x.shape[1]):
        exact = math.fsum(x[:, j].astype(np.float64).tolist())
        err_ours = abs(float(got[j]) - exact)
        err_np = abs(float(seq[j]) - exact)
        assert err_ours <= err_np, (j, err_ours, err_np)
        # Pairwise: a handful of roundings at the sum's magnitude, whatever n.
        assert err_ours <= 64 * np.finfo(dtype).eps * math.fsum(np.abs(x[:, j]).tolist()) / 8, j
    # And on the columns of a Fortran copy (contiguous core): np.sum's own bits.
    xf = np.asfortranarray(x)
    assert_same_array(numext.parallel_sum(xf, axis=0), np.sum(xf, axis=0), nan_sign=False)


# ---- numext.sum ---------------------------------------------------------------------


@st.composite
def sum_arguments(draw):
    dtype = draw(st.sampled_from(NUMERIC_DTYPES), label="dtype")
    ndim = draw(st.integers(0, 4), label="ndim")
    shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=5), label="shape")
    if dtype.kind in "fc":
        # Finite, and small enough that no partial sum overflows (float16: 65504).
        bound = 10 if dtype == np.float16 else 1e3
        elements = hnp.from_dtype(dtype, min_value=-bound, max_value=bound, allow_nan=False,
                                  allow_infinity=False) if dtype.kind == "f" else \
            st.complex_numbers(max_magnitude=1e3, allow_nan=False, allow_infinity=False)
    else:
        elements = hnp.from_dtype(dtype)
    x = draw(hnp.arrays(dtype, shape, elements=elements), label="x")
    layout = draw(st.sampled_from(["c", "f", "reversed", "strided"]), label="layout")
    if layout == "f":
        x = np.asfortranarray(x)
    elif layout == "reversed" and x.ndim:
        x = x[::-1]
    elif layout == "strided" and x.ndim:
        x = np.repeat(x, 2, axis=-1)[..., ::2]
    kind = draw(st.sampled_from(["none", "int", "tuple"]), label="axis kind")
    if kind == "none" or ndim == 0:
        axis = None if kind == "none" or draw(st.booleans()) else ()
    elif kind == "int":
        axis = draw(st.integers(-ndim, ndim - 1), label="axis")
    else:
        picked = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim), label="axes")
        axis = tuple(a - ndim if draw(st.booleans()) else a for a in picked)
    keepdims = draw(st.booleans(), label="keepdims")
    # dtype=: for integer and bool input any integer or bool dtype (wrapping
    # sums, exact in any order); otherwise a result dtype x casts to same_kind
    # (the values here overflow none; test_numext_sum_dtype_and_out_like_np_sum
    # covers every pair). float16 only for float16 input (anything else may
    # overflow it).
    result_dtype = draw(st.sampled_from(
        [None] + [d for d in NUMERIC_DTYPES if x.dtype.kind in "biu" and d.kind in "biu"]
        + [d for d in RESULT_DTYPES if d.kind in "fc" and np.can_cast(x.dtype, d, "same_kind")
           and (d != np.float16 or x.dtype == d)]), label="dtype=")
    return x, axis, keepdims, result_dtype


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=sum_arguments(), use_out=st.booleans())
def test_numext_sum_mirrors_np_sum(args, use_out):
    x, axis, keepdims, dtype = args
    kwargs = {"axis": axis, "keepdims": keepdims}
    if dtype is not None:
        kwargs["dtype"] = dtype
    with quiet():
        try:
            expected = np.sum(x, **kwargs)
        except TypeError:
            # e.g. complex into a float dtype=: numext must refuse it too.
            with pytest.raises(TypeError):
                numext.sum(x, **kwargs)
            return
        got = numext.sum(x, **kwargs)
    assert type(got) is type(expected), (type(got), type(expected))
    assert got.dtype == expected.dtype and np.shape(got) == np.shape(expected)
    axes = tuple(range(x.ndim)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    norm = tuple(sorted(a % x.ndim for a in axes)) if x.ndim else ()
    exact = expected.dtype.kind not in "fc" and np.dtype(x.dtype).kind in "biu"
    contiguous_all = x.flags.c_contiguous and norm == tuple(range(x.ndim))
    contiguous_last = x.flags.c_contiguous and norm == (x.ndim - 1,)
    if exact or ((contiguous_all or contiguous_last) and (dtype is None or dtype == x.dtype)):
        assert_same_array(got, expected, nan_sign=False)
    else:
        sum_tolerance_ok(got, expected, x, axis if axis != () else None, keepdims)
    if use_out:
        out_ours = np.full(np.shape(expected), 7, expected.dtype)
        out_np = out_ours.copy()
        with quiet():
            r_ours = numext.sum(x, out=out_ours, **kwargs)
            r_np = np.sum(x, out=out_np, **kwargs)
        assert r_ours is out_ours
        assert np.shape(r_np) == np.shape(r_ours)
        sum_tolerance_ok(out_ours, out_np, x, axis if axis != () else None, keepdims)


@st.composite
def small_integer_valued_arrays(draw):
    """Any numeric dtype, values in {-1, 0, 1} ({0, 1} unsigned and bool): every
    partial sum is exact in every dtype (float16 included), so np.sum's result
    does not depend on the order of the additions, and every cast of it
    (into int8 too) is in range."""
    dtype = draw(st.sampled_from(NUMERIC_DTYPES), label="x dtype")
    ndim = draw(st.integers(0, 3), label="ndim")
    shape = draw(hnp.array_shapes(min_dims=ndim, max_dims=ndim, min_side=0, max_side=5), label="shape")
    low = 0 if dtype.kind in "bu" else -1
    values = draw(hnp.arrays(np.int8, shape, elements=st.integers(low, 1)), label="values")
    x = values.astype(dtype)
    if dtype.kind == "c":
        x = np.asarray(x + 1j * draw(hnp.arrays(np.int8, shape, elements=st.integers(-1, 1)), label="imag"))
        x = x.astype(dtype)
    if ndim == 0 and draw(st.booleans(), label="NumPy scalar"):
        return x[()]
    layout = draw(st.sampled_from(["c", "f", "reversed", "strided"]), label="layout")
    if layout == "f":
        x = np.asfortranarray(x)
    elif layout == "reversed" and x.ndim:
        x = x[::-1]
    elif layout == "strided" and x.ndim:
        x = np.repeat(x, 2, axis=-1)[..., ::2]
    return x


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=small_integer_valued_arrays(), data=st.data())
def test_numext_sum_dtype_and_out_like_np_sum(x, data):
    """Every dtype= and out= dtype against np.sum, exactly: the accumulator NumPy
    picks (dtype=, else out's dtype promoted with the input's), the unsafe casts
    of the input into it and of the result into out, bool adding as logical or,
    small integers wrapping; and the result's type and shape."""
    ndim = x.ndim
    kind = data.draw(st.sampled_from(["none", "int", "tuple"]), label="axis kind")
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = data.draw(st.integers(-max(ndim, 1), max(ndim, 1) - 1), label="axis")  # 0-d: 0 and -1
    else:
        picked = data.draw(st.lists(st.integers(0, max(ndim - 1, 0)), unique=True, max_size=ndim), label="axes")
        axis = tuple(a - ndim if data.draw(st.booleans()) else a for a in picked)
    keepdims = data.draw(st.booleans(), label="keepdims")
    kwargs = {"axis": axis, "keepdims": keepdims}
    dtype = data.draw(st.sampled_from([None, *NUMERIC_DTYPES]), label="dtype=")
    if dtype is not None:
        kwargs["dtype"] = dtype
    out_dtype = data.draw(st.sampled_from([None, *NUMERIC_DTYPES]), label="out dtype")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        expected = np.sum(x, **kwargs)
        got = numext.sum(x, **kwargs)
        assert type(got) is type(expected), (type(got), type(expected))
        assert_same_array(got, expected, nan_sign=False)
        if out_dtype is None:
            return
        out_np = np.full(np.shape(expected), 7, out_dtype)
        if data.draw(st.booleans(), label="strided out") and out_np.ndim:
            out_np = np.repeat(out_np, 2, axis=-1)[..., ::2]
        out_ours = out_np.copy()
        r_np = np.sum(x, out=out_np, **kwargs)
        r_ours = numext.sum(x, out=out_ours, **kwargs)
    if isinstance(x, np.generic):
        # np.sum calls a NumPy scalar's own .sum(): out is filled, its value returned.
        assert type(r_ours) is type(r_np)
        assert_same_array(r_ours, r_np, nan_sign=False)
    else:
        assert r_np is out_np and r_ours is out_ours
    assert_same_array(out_ours, out_np, nan_sign=False)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
def test_numext_sum_fast_path_like_np_sum(dtype):
    """The calls numext.sum answers with one parallel_sum call (an ndarray, no
    dtype=/out=/keepdims, axis None or an int): np.sum's type (a NumPy scalar
    for a full reduction, never a 0-d array), dtype, shape, values, errors."""
    rng = np.random.default_rng(dtype.num)
    base = [sum_input(rng, shape, dtype) for shape in [(1,), (1000,), (0,), (7, 0), (100, 100), (3, 4, 5)]]
    views = []
    for x in base:
        views += [x, np.asfortranarray(x), x[::-1], x[..., ::2]]
    for x in views:
        for axis in [None, *range(-x.ndim, x.ndim)]:
            with quiet():
                got = numext.sum(x, axis=axis)
                expected = np.sum(x, axis=axis)
            assert type(got) is type(expected), (x.shape, axis, type(got), type(expected))
            norm = None if axis is None else axis % x.ndim
            contiguous = x.flags.c_contiguous and norm in (None, x.ndim - 1)
            if contiguous or dtype.kind not in "fc":
                assert_same_array(got, expected, nan_sign=False)
            else:
                sum_tolerance_ok(got, expected, x, axis)
        for axis in (x.ndim, -x.ndim - 1, 2**31 - 1):
            with pytest.raises(np.exceptions.AxisError):
                np.sum(x, axis=axis)
            with pytest.raises(np.exceptions.AxisError):
                numext.sum(x, axis=axis)
    # A 0-d array and a NumPy scalar take the general path: the value, as a scalar.
    for x in (np.array(base[0][0]), base[0][0]):
        for axis in (None, 0, -1):
            got, expected = numext.sum(x, axis=axis), np.sum(x, axis=axis)
            assert type(got) is type(expected)
            assert_same_array(got, expected, nan_sign=False)


@pytest.mark.parametrize("dtype", INEXACT_DTYPES, ids=dtype_id)
def test_numext_sum_bit_exact_cases(dtype, num_threads):
    rng = np.random.default_rng(23)
    for shape in [(7,), (5, 300), (4, 3, 129), (2 * PARALLEL_BYTES // dtype.itemsize + 9,),
                  (8, 2 * PARALLEL_BYTES // (8 * dtype.itemsize) + 1)]:
        x = sum_input(rng, shape, dtype)
        with quiet():
            # All axes of a C-contiguous array: one pairwise sum, as np.sum.
            assert_same_array(numext.sum(x), np.sum(x), nan_sign=False)
            assert_same_array(numext.sum(x, axis=tuple(range(x.ndim))), np.sum(x), nan_sign=False)
            assert_same_array(numext.sum(x, keepdims=True), np.sum(x, keepdims=True), nan_sign=False)
            # The contiguous last axis.
            assert_same_array(numext.sum(x, axis=-1), np.sum(x, axis=-1), nan_sign=False)
            assert_same_array(numext.sum(x, axis=x.ndim - 1, keepdims=True), np.sum(x, axis=-1, keepdims=True),
                              nan_sign=False)


def test_numext_sum_non_mergeable_axes_and_strided():
    rng = np.random.default_rng(29)
    x = sum_input(rng, (6, 7, 8, 9), np.float64)
    for axis in [(0, 2), (1, 3), (0, 3), (-4, -2), (3, 0), (0, 1, 3), (0, 2, 3)]:
        for keepdims in (False, True):
            got = numext.sum(x, axis=axis, keepdims=keepdims)
            expected = np.sum(x, axis=axis, keepdims=keepdims)
            sum_tolerance_ok(got, expected, x, axis, keepdims)
    xi = sum_input(rng, (6, 7, 8), np.int16)
    for axis in [(0, 2), (2, 0), (-1, -3), None, (), 1]:
        assert_same_array(numext.sum(xi, axis=axis), np.sum(xi, axis=axis), nan_sign=False)
        assert_same_array(numext.sum(xi[::-1, ::2], axis=axis), np.sum(xi[::-1, ::2], axis=axis), nan_sign=False)


@pytest.mark.parametrize(
    "value",
    [[1, 2, 3], [[1.5, 2.5], [3.0, -4.0]], 5, 2.5, True, 1 + 2j, [], [[]], np.float32(3), np.array(4),
     np.array([True, False, True]), (1, 2)],
    ids=repr,
)
def test_numext_sum_array_likes(value):
    got, expected = numext.sum(value), np.sum(value)
    assert type(got) is type(expected)
    assert_same_array(got, expected, nan_sign=False)
    got, expected = numext.sum(value, keepdims=True), np.sum(value, keepdims=True)
    assert type(got) is type(expected)
    assert_same_array(got, expected, nan_sign=False)


def test_numext_sum_bad_axis_like_numpy():
    x = np.zeros((2, 3))
    for axis in [2, -3, (0, 2), (-3,), 10]:
        with pytest.raises(np.exceptions.AxisError):
            np.sum(x, axis=axis)
        with pytest.raises(np.exceptions.AxisError):
            numext.sum(x, axis=axis)
    for axis in [(0, 0), (1, -1)]:
        with pytest.raises(ValueError):
            np.sum(x, axis=axis)
        with pytest.raises(ValueError):
            numext.sum(x, axis=axis)
    for axis in [1.0, "0", [0, 1]]:
        with pytest.raises(TypeError):
            np.sum(x, axis=axis)
        with pytest.raises(TypeError):
            numext.sum(x, axis=axis)
    for axis in [True, False, np.True_, (True,)]:
        # NumPy reads an axis as a C int and refuses bools.
        with pytest.raises(TypeError):
            np.sum(x, axis=axis)
        with pytest.raises(TypeError):
            numext.sum(x, axis=axis)
    # A 0-d input: axis 0 and -1 (an int, not a tuple) are NumPy's
    # backwards-compatible no-op; anything else is out of bounds.
    for scalar in [np.float64(1.5), np.array(-2.5), 3, np.int8(-7)]:
        for axis in [0, -1, np.int64(0)]:
            for keepdims in (False, True):
                got = numext.sum(scalar, axis=axis, keepdims=keepdims)
                expected = np.sum(scalar, axis=axis, keepdims=keepdims)
                assert type(got) is type(expected)
                assert_same_array(got, expected, nan_sign=False)
        for axis in [1, -2, (0,), (-1,), (0, 0)]:
            with pytest.raises(np.exceptions.AxisError):
                np.sum(scalar, axis=axis)
            with pytest.raises(np.exceptions.AxisError):
                numext.sum(scalar, axis=axis)


def test_numext_sum_out():
    x = np.arange(24.0).reshape(2, 3, 4)
    out = np.zeros((3, 4))
    assert numext.sum(x, axis=0, out=out) is out
    assert_same_array(out, np.sum(x, axis=0), nan_sign=False)
    out = np.zeros((2, 1, 4), np.float32)
    assert numext.sum(x, axis=1, keepdims=True, out=out) is out
    assert_same_array(out, np.sum(x, axis=1, keepdims=True, out=np.zeros((2, 1, 4), np.float32)), nan_sign=False)
    out = np.zeros(())
    assert numext.sum(x, out=out) is out
    assert out == np.sum(x)


def test_numext_sum_out_overlapping_input_is_as_if_copied():
    """out= a view of the input: np.sum's result, whether numext.sum writes into
    out itself (out of the accumulator's dtype) or casts into it."""
    rng = np.random.default_rng(31)
    for shape in [(50, 8), (3000, 100)]:
        x = sum_input(rng, shape, np.float64)
        for axis, view in [(-1, lambda y: y[:, 0]), (0, lambda y: y[0]), ((0, 1), lambda y: y[0, 0, ...]),
                           (1, lambda y: y[:, :1])]:
            keepdims = axis == 1
            y_np, y_ours = x.copy(), x.copy()
            with quiet():
                np.sum(y_np, axis=axis, keepdims=keepdims, out=view(y_np))
                assert numext.sum(y_ours, axis=axis, keepdims=keepdims, out=view(y_ours)) is not None
            sum_tolerance_ok(y_ours, y_np, x, None)
            if axis == -1:
                assert_same_array(y_ours, y_np, nan_sign=False)
        xi = sum_input(rng, shape, np.int32)
        for out_of in (lambda y: y[:, 0].view(np.float32), lambda y: y[:, 0]):
            y_np, y_ours = xi.copy(), xi.copy()
            with quiet():
                np.sum(y_np, axis=-1, out=out_of(y_np))
                numext.sum(y_ours, axis=-1, out=out_of(y_ours))
            assert_same_array(y_ours, y_np, nan_sign=False)


def test_numext_sum_out_of_wrong_shape_raises():
    """out= must have the result's shape exactly: np.sum never broadcasts into it."""
    x = np.arange(12.0).reshape(3, 4)
    with pytest.raises(ValueError):
        np.sum(x, axis=0, out=np.zeros((2, 4)))
    with pytest.raises(ValueError):
        numext.sum(x, axis=0, out=np.zeros((2, 4)))


def test_numext_sum_out_of_wrong_shape_that_cannot_broadcast_raises():
    x = np.arange(12.0).reshape(3, 4)
    for shape in [(3,), (4, 1), (5,)]:
        with pytest.raises(ValueError):
            np.sum(x, axis=0, out=np.zeros(shape))
        with pytest.raises(ValueError):
            numext.sum(x, axis=0, out=np.zeros(shape))


def test_numext_sum_float_into_int_out():
    """A reduction's out= is written unsafely: float sums truncate into an int out."""
    x = np.array([[1.25, 2.5], [3.0, 4.75]])
    out_np, out_ours = np.zeros(2, np.int64), np.zeros(2, np.int64)
    np.sum(x, axis=0, out=out_np)
    numext.sum(x, axis=0, out=out_ours)
    assert_same_array(out_ours, out_np, nan_sign=False)


@pytest.mark.parametrize("dtype", [np.dtype(c) for c in "bBhHiI?"], ids=dtype_id)
def test_numext_sum_small_integer_dtype(dtype):
    """np.sum adds in a small integer dtype= (wrapping in its width) and in bool
    (logical or); numext.sum computes the 64-bit sum and casts, which is the same."""
    x = np.arange(60, dtype=np.int64).reshape(6, 10) * 7
    for axis in (None, 0, 1, (0, 1), ()):
        for keepdims in (False, True):
            got = numext.sum(x, axis=axis, dtype=dtype, keepdims=keepdims)
            expected = np.sum(x, axis=axis, dtype=dtype, keepdims=keepdims)
            assert type(got) is type(expected)
            assert_same_array(got, expected, nan_sign=False)


@pytest.mark.parametrize("dtype", [np.dtype(c) for c in "bBhHiI?"], ids=dtype_id)
@pytest.mark.parametrize("x_dtype", [np.dtype(c) for c in "?bBhiqQ"], ids=dtype_id)
def test_numext_sum_small_integer_dtype_wraps_bit_for_bit(x_dtype, dtype, num_threads):
    """Full-range values, long enough to be split over threads: every wrap and
    every bool (logical-or) result exactly np.sum's."""
    rng = np.random.default_rng(x_dtype.num * 31 + dtype.num)
    n = 2 * PARALLEL_BYTES // x_dtype.itemsize + 5
    x = sum_input(rng, n, x_dtype)
    if dtype == np.bool_:
        # Mostly zeros, so that some lanes sum to False.
        x[rng.random(n) < 0.999] = 0
    rows = x[: n - n % 40].reshape(-1, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same_array(numext.sum(x, dtype=dtype), np.sum(x, dtype=dtype), nan_sign=False)
        for axis in (0, 1, None):
            assert_same_array(numext.sum(rows, axis=axis, dtype=dtype), np.sum(rows, axis=axis, dtype=dtype),
                              nan_sign=False)
            if np.result_type(x_dtype, dtype).kind not in "biu":
                continue  # uint64 with a signed out: NumPy adds in float64
            # out= of that dtype: the accumulator is their common integer type.
            out_ours = np.zeros(np.shape(np.sum(rows, axis=axis)), dtype)
            out_np = out_ours.copy()
            assert numext.sum(rows, axis=axis, out=out_ours) is out_ours
            np.sum(rows, axis=axis, out=out_np)
            assert_same_array(out_ours, out_np, nan_sign=False)


@pytest.mark.parametrize("dtype", [np.dtype(c) for c in "bBhHiI"], ids=dtype_id)
def test_parallel_sum_small_integer_dtype_is_a_clear_type_error(dtype):
    """The gufunc's loops are np.sum's default accumulators (64-bit for integers);
    a narrower dtype= is NumPy's own no-loop TypeError naming the ufunc, and
    numext.sum is where such sums are done (tests above)."""
    x = np.arange(60, dtype=np.int64).reshape(6, 10) * 7
    with pytest.raises(TypeError, match="parallel_sum"):
        numext.parallel_sum(x, dtype=dtype)
    assert_same_array(numext.sum(x, axis=-1, dtype=dtype), np.sum(x, axis=-1, dtype=dtype), nan_sign=False)


@pytest.mark.parametrize(
    "x_dtype, dtype",
    [(np.int8, np.uint64), (np.int64, np.uint64), (np.float64, np.int64), (np.complex128, np.float64)],
    ids=["int8->uint64", "int64->uint64", "float64->int64", "complex128->float64"],
)
def test_numext_sum_unsafe_dtype_cast_like_np_sum(x_dtype, dtype):
    x = np.array([[1, 2, 3], [4, 5, 6]], x_dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        for axis in (None, 0, 1):
            assert_same_array(numext.sum(x, axis=axis, dtype=dtype), np.sum(x, axis=axis, dtype=dtype), nan_sign=False)
