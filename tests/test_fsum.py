"""numext.exact_sum and numext.fsum: the correctly rounded sum.

The oracle is exact: fractions.Fraction sums the values as rationals and
`rounded` rounds that once, to nearest with ties to even, in the target
format (checked against Python's float(Fraction), itself correctly rounded,
and against math.fsum). Bits must not depend on threads, layout, axis order
or dask chunking.
"""

from __future__ import annotations

import math
import pickle
import warnings
from fractions import Fraction

import numpy as np
import pytest
from conftest import PARALLEL_BYTES, THREAD_COUNTS
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numext

# (precision, smallest normal exponent, largest exponent) per format.
FORMATS = {
    np.dtype("f8"): (53, -1022, 1023),
    np.dtype("f4"): (24, -126, 127),
    np.dtype("f2"): (11, -14, 15),
}


def rounded(q: Fraction, dtype) -> float:
    """q rounded once to nearest, ties to even, in dtype (inf past the largest)."""
    prec, emin, emax = FORMATS[np.dtype(dtype)]
    if q == 0:
        return 0.0
    sign = -1 if q < 0 else 1
    q = abs(q)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    while Fraction(2) ** e > q:
        e -= 1
    while Fraction(2) ** (e + 1) <= q:
        e += 1
    lsb = max(e, emin) - (prec - 1)
    scaled = q / Fraction(2) ** lsb
    n, rem = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rem
    if twice > scaled.denominator or (twice == scaled.denominator and n % 2 == 1):
        n += 1
    value = n * Fraction(2) ** lsb
    if value >= Fraction(2) ** (emax + 1):
        return sign * math.inf
    return sign * float(value)


def exact(values) -> Fraction:
    return sum((Fraction(int(v)) if isinstance(v, (int, np.integer)) else Fraction(float(v))
                for v in values), Fraction(0))


def oracle(x, dtype=None) -> float:
    x = np.asarray(x)
    dtype = np.dtype(dtype) if dtype is not None else (x.dtype if x.dtype.kind == "f" else np.dtype("f8"))
    values = x.ravel().tolist()
    return rounded(exact(values), dtype)


def same_bits(got, expected) -> bool:
    got, expected = np.asarray(got), np.asarray(expected)
    if got.dtype != expected.dtype or got.shape != expected.shape:
        return False
    return got.tobytes() == expected.tobytes()


def assert_same(got, expected):
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    assert got.tobytes() == expected.tobytes(), (got, expected)


def assert_value(got, expected_float, dtype):
    got = np.asarray(got)
    assert got.dtype == np.dtype(dtype), got.dtype
    expected = np.asarray(expected_float, dtype=dtype)
    assert got.tobytes() == expected.tobytes(), (got, expected)


# ---- the oracle itself ---------------------------------------------------------------


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=30))
def test_oracle_agrees_with_float_fraction_and_math_fsum(values):
    q = exact(values)
    try:
        via_float = float(q)
    except OverflowError:
        via_float = math.inf if q > 0 else -math.inf
    assert rounded(q, "f8") == via_float
    try:
        assert rounded(q, "f8") == math.fsum(values)
    except OverflowError:
        pass


# ---- values ---------------------------------------------------------------------------

MAX = np.finfo(np.float64).max
ULP_MAX = 2.0**971  # the spacing of doubles just below MAX
TINY = 5e-324


@pytest.mark.parametrize(
    "values, expected",
    [
        ([1e16, 1.0, -1e16], 1.0),
        ([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50], 1e-100),
        ([0.1] * 10, math.fsum([0.1] * 10)),
        ([1.0, 2.0**-53], 1.0),  # tie, to even (down)
        ([1.0 + 2.0**-52, 2.0**-53], 1.0 + 2.0**-51),  # tie, to even (up)
        ([-1.0, -(2.0**-53)], -1.0),  # negative ties
        ([-1.0 - 2.0**-52, -(2.0**-53)], -1.0 - 2.0**-51),
        ([1.0, 2.0**-53, TINY], 1.0 + 2.0**-52),  # a tie broken far below
        ([-1.0, -(2.0**-53), -TINY], -1.0 - 2.0**-52),
        ([1.0, 2.0**-53, -TINY], 1.0),
        ([TINY, TINY, TINY], 3 * TINY),  # subnormals
        ([2.0**-1022, -TINY], 2.0**-1022 - TINY),
        ([MAX, MAX, -MAX], MAX),  # math.fsum: intermediate overflow
        ([MAX, ULP_MAX / 2, -(2.0**-1000)], MAX),  # just below the overflow tie
        ([-MAX, -MAX, MAX, -0.0], -MAX),
        ([0.0, -0.0], 0.0),
        ([-0.0, -0.0], 0.0),  # a zero sum is +0.0
        ([5.0, -5.0], 0.0),
        ([], 0.0),
    ],
)
def test_known_values(values, expected):
    x = np.array(values, dtype=np.float64)
    got = numext.exact_sum(x)
    assert_value(got, expected, np.float64)
    assert_value(numext.fsum(x), expected, np.float64)
    assert rounded(exact(values), "f8") == expected


def test_math_fsum_overflow_case_is_returned():
    values = [MAX, MAX, -MAX]
    with pytest.raises(OverflowError):
        math.fsum(values)
    assert numext.fsum(values) == MAX


@given(
    hnp.arrays(
        np.float64,
        st.integers(0, 300),
        elements=st.floats(allow_nan=False, allow_infinity=False, width=64),
    )
)
def test_any_finite_float64_against_fractions(x):
    with np.errstate(over="ignore"):
        got = numext.exact_sum(x)
    assert_value(got, oracle(x), np.float64)


@st.composite
def cancelling(draw):
    """Values that mostly cancel, over a chosen range of exponents."""
    lo = draw(st.integers(-1074, 900))
    hi = draw(st.integers(lo, min(lo + 200, 1000)))
    n = draw(st.integers(1, 200))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * np.ldexp(1.0, rng.integers(lo, hi + 1, n))
    extra = rng.standard_normal(draw(st.integers(0, 5))) * np.ldexp(1.0, lo)
    x = np.concatenate([x, -x, extra])
    rng.shuffle(x)
    return x


@given(cancelling())
@settings(max_examples=60)
def test_cancellation_against_fractions(x):
    assert_value(numext.exact_sum(x), oracle(x), np.float64)
    try:
        assert numext.exact_sum(x) == math.fsum(x.tolist())
    except OverflowError:
        pass


@pytest.mark.parametrize("spread", [0, 40, 80, 400, 2000])
@pytest.mark.parametrize("n", [1, 7, 1023, 1024, 1025, 5000])
def test_block_paths_against_fractions(n, spread):
    """Blocks that one, two or three extraction levels finish, and blocks
    whose exponents spread too widely for them (added term by term)."""
    rng = np.random.default_rng(n * 7 + spread)
    x = rng.standard_normal(n) * np.ldexp(1.0, rng.integers(-spread // 2, spread // 2 + 1, n))
    assert_value(numext.exact_sum(x), oracle(x), np.float64)


@pytest.mark.parametrize(
    "value", [1.0, 0.1, -3.3e-5, 2.0**1000 * 1.5, 2.0**-1070, TINY, 1e300, -7e-310]
)
def test_long_runs_of_one_value(value):
    """Enough equal terms to go through every carry propagation and flush."""
    for n in (1023, 1024, 4097, 70_000):
        x = np.full(n, value)
        with np.errstate(over="ignore"):
            assert_value(numext.exact_sum(x), rounded(Fraction(value) * n, "f8"), np.float64)


def test_long_run_spread_exponents_per_term_path():
    # Exponents far apart in every block: the term-by-term path, > 2048 adds per block set.
    x = np.tile([2.0**1000, 2.0**-1000, -(2.0**500), 3.0], 3000)
    expected = rounded(Fraction(2**1000) * 3000 + Fraction(2) ** -1000 * 3000 - Fraction(2**500) * 3000 + 9000, "f8")
    assert_value(numext.exact_sum(x), expected, np.float64)


# ---- overflow, NaN, infinities, warnings -------------------------------------------------


@pytest.mark.parametrize(
    "values, expected, flag",
    [
        ([MAX, ULP_MAX / 2], math.inf, "overflow"),  # the tie at the top rounds to even: inf
        ([-MAX, -ULP_MAX / 2], -math.inf, "overflow"),
        ([MAX, MAX], math.inf, "overflow"),
        ([math.inf, -math.inf], math.nan, "invalid"),
        ([math.inf, 1.0, -math.inf, math.nan], math.nan, "invalid"),
        ([math.nan, 1.0], math.nan, None),
        ([math.inf, 1.0, math.inf], math.inf, None),
        ([-math.inf, -MAX, -MAX], -math.inf, None),
        ([math.nan, math.inf], math.nan, None),
    ],
)
@pytest.mark.parametrize("func", [numext.exact_sum, numext.fsum])
def test_special_values_and_warnings(func, values, expected, flag):
    x = np.array(values)
    if flag is None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = func(x)
    else:
        with pytest.warns(RuntimeWarning, match=flag):
            got = func(x)
        with np.errstate(**{{"overflow": "over"}.get(flag, flag): "raise"}):
            with pytest.raises(FloatingPointError, match=flag):
                func(x)
        with np.errstate(all="ignore"):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                func(x)
    if math.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == expected


def test_special_values_in_large_threaded_input():
    x = np.random.default_rng(0).standard_normal(PARALLEL_BYTES // 8 * 2)
    x[12345] = np.inf
    x[-5] = -np.inf
    for t in THREAD_COUNTS:
        with numext.threads(t):
            with pytest.warns(RuntimeWarning, match="invalid"):
                assert np.isnan(numext.exact_sum(x))


# ---- other dtypes -------------------------------------------------------------------------


def test_float32_rounds_once_not_through_float64():
    x = np.array([1.0, 2.0**-24, 2.0**-80], dtype=np.float32)
    # via float64: 1 + 2**-24 (2**-80 lost), then a float32 tie to even: 1.0
    assert np.float32(np.float64(1.0) + 2.0**-24 + 2.0**-80) == 1.0
    assert_value(numext.exact_sum(x), 1.0 + 2.0**-23, np.float32)
    assert_value(numext.fsum(x), 1.0 + 2.0**-23, np.float32)
    assert_value(numext.fsum(x.astype(np.float64), dtype=np.float32), 1.0 + 2.0**-23, np.float32)


@pytest.mark.parametrize("dtype", ["f2", "f4"])
@given(data=st.data())
@settings(max_examples=40)
def test_small_floats_against_fractions(dtype, data):
    x = data.draw(hnp.arrays(dtype, st.integers(0, 200), elements=hnp.from_dtype(np.dtype(dtype), allow_nan=False, allow_infinity=False)))
    with np.errstate(over="ignore"):
        got = numext.exact_sum(x)
    assert_value(got, oracle(x), dtype)


@pytest.mark.parametrize("spread", [0, 10, 18, 19, 60, 250])
@pytest.mark.parametrize("n", [5, 1024, 3001])
def test_float32_blocks_against_fractions(n, spread):
    """float32 blocks: one level read in place, or widened (wider spreads)."""
    rng = np.random.default_rng(n + spread)
    x = (rng.standard_normal(n) * np.ldexp(1.0, rng.integers(-spread // 2, spread // 2 + 1, n))).astype(np.float32)
    assert_value(numext.exact_sum(x), oracle(x), np.float32)
    assert_value(numext.exact_sum(x[::-2]), oracle(x[::-2]), np.float32)
    y = x.copy()
    y[n // 2] = np.inf
    assert numext.exact_sum(y) == np.inf
    y[n // 3] = np.nan
    assert np.isnan(numext.exact_sum(y))


@pytest.mark.parametrize("dtype", ["f2", "f4"])
def test_small_float_overflow_and_subnormal_ties(dtype):
    info = np.finfo(dtype)
    big = np.array([info.max, info.max], dtype=dtype)
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert numext.exact_sum(big) == np.inf
    # Half the smallest subnormal of dtype, from float64 terms: ties to even.
    half_tiny = float(info.smallest_subnormal) / 2
    assert_value(numext.fsum([half_tiny], dtype=dtype), 0.0, dtype)
    assert_value(numext.fsum([3 * half_tiny], dtype=dtype), 2 * float(info.smallest_subnormal), dtype)
    assert_value(numext.fsum([-3 * half_tiny], dtype=dtype), -2 * float(info.smallest_subnormal), dtype)


@pytest.mark.parametrize("dtype", ["b1", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "l", "L", "q", "Q"])
def test_integers_give_the_exact_sum_rounded_once(dtype):
    info = np.iinfo(dtype) if dtype != "b1" else None
    rng = np.random.default_rng(1)
    if info is None:
        x = rng.integers(0, 2, 3000).astype(bool)
    else:
        x = rng.integers(info.min, info.max, 3000, dtype=dtype, endpoint=True)
        x[:5] = info.max
        x[5:10] = info.min
    got = numext.exact_sum(x)
    assert_value(got, rounded(Fraction(sum(int(v) for v in x.tolist())), "f8"), np.float64)
    assert_value(numext.fsum(x), float(got), np.float64)


def test_int64_beyond_2_53():
    x = np.array([2**63 - 1, 2**63 - 1, 1], dtype=np.int64)
    assert_value(numext.exact_sum(x), rounded(Fraction(2 * (2**63 - 1) + 1), "f8"), np.float64)
    x = np.array([2**53 + 1, 1], dtype=np.int64)  # 2**53 + 2 exactly; float64 terms would give 2**53
    assert numext.exact_sum(x) == 2.0**53 + 2
    u = np.full(5000, 2**64 - 1, dtype=np.uint64)
    assert_value(numext.exact_sum(u), rounded(Fraction(5000 * (2**64 - 1)), "f8"), np.float64)
    assert numext.exact_sum(np.array([-(2**63), 2**63 - 1], dtype=np.int64)) == -1.0


@pytest.mark.parametrize("dtype", ["c8", "c16"])
def test_complex_parts_each_exact(dtype):
    rng = np.random.default_rng(2)
    re, im = rng.standard_normal(3000), rng.standard_normal(3000) * 1e10
    x = (np.concatenate([re, -re, [1e-20]]) + 1j * np.concatenate([im, -im, [3.0]])).astype(dtype)
    got = numext.exact_sum(x)
    real = np.dtype(dtype).type(0).real.dtype
    assert got.dtype == np.dtype(dtype)
    assert_value(got.real, oracle(x.real), real)
    assert_value(got.imag, oracle(x.imag), real)
    assert_same(numext.fsum(x), got)


@pytest.mark.parametrize(
    "bad",
    [
        np.array(["a", "b"]),
        np.array([1, "x"], dtype=object),
        np.array([1.0, 2.0], dtype=object),
        np.array(["2020-01-01"], dtype="datetime64[D]"),
        np.array([1, 2], dtype="timedelta64[s]"),
        np.array([1, 2], dtype=np.longdouble),
        np.array([1, 2], dtype=np.clongdouble),
    ],
    ids=["str", "object", "object-floats", "datetime", "timedelta", "longdouble", "clongdouble"],
)
def test_type_errors_name_the_function(bad):
    with pytest.raises(TypeError, match="exact_sum"):
        numext.exact_sum(bad)
    with pytest.raises(TypeError, match="fsum"):
        numext.fsum(bad)


def test_fsum_dtype_must_be_float_or_complex():
    with pytest.raises(TypeError, match="fsum"):
        numext.fsum([1.0, 2.0], dtype=np.int64)


# ---- threads, layouts, axes ------------------------------------------------------------


def wide_data(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * np.ldexp(1.0, rng.integers(-60, 60, shape))
    x.ravel()[::97] *= 2.0**300
    return x


@pytest.mark.parametrize("shape", [(PARALLEL_BYTES // 8 * 3,), (3, PARALLEL_BYTES // 8), (PARALLEL_BYTES // 80, 10)])
def test_same_bits_for_every_thread_count(shape):
    x = wide_data(shape)
    results = []
    for t in THREAD_COUNTS:
        with numext.threads(t):
            results.append((numext.exact_sum(x), numext.exact_sum(x, axis=0), numext.fsum(x)))
    for r in results[1:]:
        for got, expected in zip(r, results[0]):
            assert_same(got, expected)
    if len(shape) == 1:
        assert results[0][0] == math.fsum(x.tolist())


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
    expected = []
    for col in x.T.tolist():
        has_pos, has_neg = math.inf in col, -math.inf in col
        if (has_pos and has_neg) or any(math.isnan(v) for v in col):
            expected.append(math.nan)
        elif has_pos or has_neg:
            expected.append(math.inf if has_pos else -math.inf)
        else:
            expected.append(rounded(exact(col), "f8"))
    with np.errstate(invalid="ignore"):
        for t in THREAD_COUNTS:
            with numext.threads(t):
                got = numext.fsum(x, axis=0)
                np.testing.assert_array_equal(got, np.array(expected))
                assert_same(numext.fsum(np.asfortranarray(x), axis=0), got)


def test_rows_and_columns_against_math_fsum():
    x = wide_data((300, 2100), seed=3)
    assert_same(numext.fsum(x, axis=1), np.array([math.fsum(r) for r in x.tolist()]))
    assert_same(numext.fsum(x, axis=0), np.array([math.fsum(c) for c in x.T.tolist()]))


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
        assert_same(numext.fsum(v, axis=axis), expected)
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
    assert_same(out, numext.fsum(x, axis=1))
    out32 = np.empty((4, 6), np.float32)
    numext.fsum(x, axis=1, out=out32)
    assert_same(out32, numext.fsum(x, axis=1, dtype=np.float32))
    outk = np.empty((4, 1, 6))
    numext.fsum(x, axis=1, out=outk, keepdims=True)
    assert_same(outk[:, 0], out)
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
    assert_same(numext.exact_sum(x, axis=0), numext.fsum(x, axis=0))
    assert_same(numext.exact_sum(x, keepdims=True)[:, 0], numext.fsum(x, axis=1))
    assert numext.exact_sum([1, 2, 3]) == 6.0
    assert numext.exact_sum(np.float64(2.5)[None]) == 2.5


def test_exact_sum_releases_the_gil_for_one_row():
    from test_threads import _gil_released_during

    x = wide_data(4 << 20)
    with numext.threads(1):
        released, duration, result = _gil_released_during(lambda: numext.exact_sum(x))
    assert result == numext.fsum(x)
    assert released, f"no other Python thread ran during a {duration * 1e3:.1f} ms exact_sum call"


# ---- dask ------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["f8", "f4", "i8", "c16"])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), (2, 1)])
def test_dask_same_bits_for_every_chunking(dtype, axis):
    da = pytest.importorskip("dask.array")
    base = wide_data((20, 9, 31), seed=7)
    normal = np.random.default_rng(8).standard_normal(base.shape)
    if dtype == "c16":
        x = base + 1j * normal
    elif dtype == "i8":
        x = (normal * 2.0**58).astype(np.int64)
    elif dtype == "f4":
        x = (normal * np.ldexp(1.0, np.arange(base.size).reshape(base.shape) % 40 - 20)).astype(dtype)
    else:
        x = base
    expected = numext.fsum(x, axis=axis)
    for chunks in [(20, 9, 31), (7, 4, 10), (1, 9, 5), (3, 2, 31)]:
        d = da.from_array(x, chunks=chunks)
        lazy = numext.fsum(d, axis=axis)
        assert isinstance(lazy, da.Array)
        assert_same(lazy.compute(scheduler="threads"), expected)
    kept = numext.fsum(da.from_array(x, chunks=(7, 4, 10)), axis=axis, keepdims=True)
    assert_same(kept.compute(scheduler="threads"), numext.fsum(x, axis=axis, keepdims=True))


def test_dask_split_every_and_float32_result():
    da = pytest.importorskip("dask.array")
    x = np.random.default_rng(9).standard_normal((64, 40)) * 1e30
    d = da.from_array(x, chunks=(4, 5))
    assert_same(numext.fsum(d, axis=0, dtype=np.float32).compute(), numext.fsum(x, axis=0, dtype=np.float32))
    assert_same(numext.fsum(d).compute(), np.float64(math.fsum(x.ravel().tolist())))


def test_dask_exact_sum_gufunc_like_parallel_sum():
    da = pytest.importorskip("dask.array")
    x = wide_data((30, 200), seed=10)
    d = da.from_array(x, chunks=(7, -1))
    lazy = numext.exact_sum(d)
    assert isinstance(lazy, da.Array)
    assert_same(lazy.compute(scheduler="threads"), numext.exact_sum(x))


@pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning")
def test_dask_process_cluster_same_bits():
    pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    from test_dask import local_client

    x = wide_data((40, 300), seed=11)
    with local_client(processes=True, n_workers=2, threads_per_worker=1) as client:
        for chunks, axis in [((7, 300), None), ((40, 33), 0), ((9, 50), 1)]:
            lazy = numext.fsum(da.from_array(x, chunks=chunks), axis=axis)
            got = client.compute(lazy).result(timeout=60)
            assert_same(got, numext.fsum(x, axis=axis))
        got = client.compute(numext.exact_sum(da.from_array(x, chunks=(10, -1)))).result(timeout=60)
        assert_same(got, numext.exact_sum(x))


def test_state_round_trip_and_bad_state_is_nan():
    from numext import _numext

    x = wide_data(5000, seed=12)
    states = _numext._exact_sum_state(x.reshape(5, 1000))
    merged = _numext._exact_state_merge(states)
    assert _numext._exact_state_round(merged) == numext.fsum(x)
    bad = merged.copy()
    bad[0] = -1
    assert np.isnan(_numext._exact_state_round(bad))
