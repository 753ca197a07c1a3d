"""The shared test helpers (tests/helpers.py) catch what they promise to catch."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import assert_same_array, assert_same_bits, dtype_id, error_kind, outcome, random_array, value_bytes

NEG_NAN = np.copysign(np.nan, -1.0)


@pytest.mark.parametrize("dtype", ["f2", "f4", "f8", "g"])
def test_real_differences_are_caught(dtype):
    a = np.array([1.0, 0.0, np.inf, np.nan], dtype)
    assert_same_array(a, a.copy())
    for b in (np.array([1.0, -0.0, np.inf, np.nan], dtype),  # sign of zero
              np.array([1.0, 0.0, -np.inf, np.nan], dtype),  # sign of inf
              np.array([1.0, 0.0, np.inf, 2.0], dtype),  # NaN elsewhere
              np.array([1.0, 0.0, np.inf], dtype),  # shape
              a.astype("f8" if dtype != "f8" else "f4")):  # dtype
        with pytest.raises(AssertionError):
            assert_same_array(b, a)


@pytest.mark.parametrize("dtype", ["f4", "f8", "c8", "c16"])
def test_nan_sign_compared_only_when_asked(dtype):
    pos = np.array([np.nan, 1.0], dtype)
    neg = np.array([NEG_NAN, 1.0], dtype)
    assert_same_array(neg, pos, nan_sign=False)
    with pytest.raises(AssertionError):
        assert_same_array(neg, pos)
    with pytest.raises(AssertionError):
        assert_same_bits(neg, pos)


@pytest.mark.parametrize("dtype", ["f8", "c16"])
def test_zero_dimensional(dtype):
    assert_same_array(np.array(NEG_NAN, dtype), np.array(np.nan, dtype), nan_sign=False)
    with pytest.raises(AssertionError):
        assert_same_array(np.array(NEG_NAN, dtype), np.array(np.nan, dtype))
    with pytest.raises(AssertionError):
        assert_same_array(np.array(-0.0, dtype), np.array(0.0, dtype), nan_sign=False)
    assert_same_array(np.float64(1.5).astype(dtype), np.array(1.5, dtype))


def test_complex_parts_compared_apart():
    a = np.array([complex(0.0, 1.0)])
    b = np.array([complex(-0.0, 1.0)])
    with pytest.raises(AssertionError):
        assert_same_array(b, a, nan_sign=False)
    c = np.array([complex(np.nan, 1.0)])
    d = np.array([complex(1.0, np.nan)])
    with pytest.raises(AssertionError):
        assert_same_array(d, c, nan_sign=False)


def test_integers_and_bits():
    a = np.arange(5, dtype=np.int16)
    assert_same_array(a, a.copy())
    assert_same_bits(a[::2], a.copy()[::2])
    with pytest.raises(AssertionError):
        assert_same_array(a + 1, a)
    with pytest.raises(AssertionError):
        assert_same_bits(a.astype(np.int32), a)


def test_error_kind_groups_like_errors_and_keeps_others_apart():
    assert error_kind(np.exceptions.AxisError(3, 1)) is np.exceptions.AxisError
    assert error_kind(TypeError("x")) is TypeError
    assert error_kind(FloatingPointError()) is FloatingPointError
    assert error_kind(OverflowError()) is OverflowError
    assert error_kind(ZeroDivisionError()) is ArithmeticError
    assert error_kind(KeyError("k")) is KeyError
    assert outcome(lambda: 1) == ("ok", 1)
    kind, exc = outcome(lambda: 1 / 0)
    assert kind == "raise" and isinstance(exc, ZeroDivisionError)


@pytest.mark.parametrize("dtype", ["?", "u1", "i8", "f2", "f8", "c16", "g"])
def test_random_array(dtype):
    a = random_array((3, 4), dtype, seed=1)
    assert a.dtype == np.dtype(dtype) and a.shape == (3, 4)
    assert_same_array(random_array((3, 4), dtype, seed=1), a)
    assert_same_array(random_array((3, 4), dtype, rng=np.random.default_rng(1)), a)
    assert dtype_id("l") != dtype_id("q")  # equal dtypes on LP64, different scalar types


def test_random_array_decades_spread_magnitudes():
    plain = random_array(1000, "f8", seed=2)
    spread = random_array(1000, "f8", seed=2, decades=3)
    assert np.ptp(np.log10(np.abs(plain))) < 6 < np.ptp(np.log10(np.abs(spread)))
    assert random_array(10, "i4", seed=2, decades=3).dtype == np.int32


@pytest.mark.parametrize("dtype", ["f8", "g", "c16", "G"])
def test_same_bits_sees_nan_payloads_not_padding(dtype):
    a = np.array([np.nan, 1.0, -0.0], dtype)
    b = a.copy()
    raw = b.reshape(-1).view(np.uint8)
    raw[0] ^= 1  # the lowest mantissa byte of the first NaN: another payload
    assert np.isnan(b[0]) and np.signbit(b[0].real) == np.signbit(a[0].real)
    assert_same_array(b, a)
    with pytest.raises(AssertionError):
        assert_same_bits(b, a)
    kept = value_bytes(a).shape[1]
    if kept < a.dtype.itemsize:  # x87 long double: its padding is not compared
        c = a.copy()
        c.reshape(-1).view(np.uint8)[a.dtype.itemsize - 1] ^= 0xFF
        assert_same_bits(c, a)
