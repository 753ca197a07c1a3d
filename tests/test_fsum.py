"""numext.exact_sum and numext.fsum: the correctly rounded sum.

The oracle is exact: fractions.Fraction sums the values as rationals and
`rounded` rounds that once, to nearest with ties to even, in the target
format (checked against Python's float(Fraction), itself correctly rounded,
and against math.fsum). Bits must not depend on threads, layout, axis order
or dask chunking.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numext
from conftest import PARALLEL_BYTES, THREAD_COUNTS
from helpers import assert_same_bits

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
    finite = hnp.from_dtype(np.dtype(dtype), allow_nan=False, allow_infinity=False)
    x = data.draw(hnp.arrays(dtype, st.integers(0, 200), elements=finite))
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
    assert_same_bits(numext.fsum(x), got)


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


def wide_data(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * np.ldexp(1.0, rng.integers(-60, 60, shape))
    x.ravel()[::97] *= 2.0**300
    return x



def test_state_round_trip_and_bad_state_is_nan():
    from numext import _numext

    x = wide_data(5000, seed=12)
    states = _numext._exact_sum_state(x.reshape(5, 1000))
    merged = _numext._exact_state_merge(states)
    assert _numext._exact_state_round(merged) == numext.fsum(x)
    bad = merged.copy()
    bad[0] = -1
    assert np.isnan(_numext._exact_state_round(bad))


def test_wide_and_narrow_blocks_share_the_bins():
    """Blocks spread too widely for the extraction (added term by term into
    the bins) alternating with narrow ones, zeros, negative zeros and
    subnormals among the wide terms, and bins that fill and are flushed many
    times within one range."""
    rng = np.random.default_rng(5)
    blocks = 48
    x = rng.standard_normal((blocks, 1024))
    x[::2] *= np.ldexp(1.0, rng.integers(-1060, 1000, (blocks // 2, 1024)))  # wide blocks
    x[::4, ::7] = 0.0
    x[2::4, ::11] = -0.0
    x[::6, ::13] = rng.integers(-2**20, 2**20, x[::6, ::13].shape) * 5e-324  # subnormals
    x[1::4] = rng.uniform(1.0, 2.0, (len(x[1::4]), 1024)) * rng.choice([-1.0, 1.0], (len(x[1::4]), 1024))
    x[1::4, 0] = 2.0**900  # wide too, but most terms share one exponent: that bin fills
    x = x.ravel()
    expected = math.fsum(x.tolist())
    assert expected == rounded(exact(x.tolist()), "f8")
    # The wide terms cancelled by their negatives elsewhere: the subnormals alone are left.
    sub = np.zeros_like(x)
    sub[::5] = rng.integers(-2**20, 2**20, len(sub[::5])) * 5e-324
    wide = np.where(np.abs(x) > 1e-300, x, 0.0)
    sub[wide != 0] = 0.0  # where nothing rounds them away
    y = np.concatenate([wide + sub, -rng.permutation(wide)])
    expected_y = rounded(exact(sub.tolist()), "f8")
    assert expected_y != 0.0
    for t in THREAD_COUNTS:
        with numext.threads(t):
            assert_value(numext.exact_sum(x), expected, np.float64)
            assert_value(numext.fsum(x[::-1]), expected, np.float64)
            assert_value(numext.exact_sum(y), expected_y, np.float64)
