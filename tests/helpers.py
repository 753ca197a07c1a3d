"""Helpers the tests share: one way to compare arrays, errors, random inputs, test ids.

Comparing a result with NumPy's: ``assert_same_array(got, expected, nan_sign=...)``
always asserts the same dtype, the same shape and the same values: NaN where
NaN, and the sign of every zero and infinity (real and imaginary parts apart).

- ``nan_sign=True`` (the default): a NaN's sign bit must match too. Use it where
  numext promises NumPy's bits: ``double_pixels`` of real dtypes (NaN payloads
  pass through ``x * 2`` unchanged), ``parallel_sum``/``numext.sum`` along a
  contiguous axis of inputs without opposite infinities.
- ``nan_sign=False``: a NaN's sign is payload, not compared. Use it where
  NumPy's own NaN sign depends on the order of operations or the strides:
  complex multiplication, ``inf + -inf`` in a sum, NaNs made by casts, and
  differential fuzzing over all of these (tests/test_fuzz.py).

``assert_same_bits`` is stricter: identical bytes (x87 long double: the 10
bytes of each value, its padding is junk). NaN payloads only stay equal when
numext does the very same operations as NumPy.

Which tests use which: test_bad_input.py compares with ``nan_sign=True`` (its
inputs make no NaN from inf * 0 or casts, so NumPy's bits are promised);
test_fuzz.py with ``nan_sign=False``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

# Most specific first: the "kind" of error two implementations must agree on.
# UFuncTypeError is a TypeError; AxisError (a ValueError and an IndexError) is
# checked before both; OverflowError before the other ArithmeticErrors.
ERROR_KINDS = (
    MemoryError,
    FloatingPointError,
    np.exceptions.AxisError,
    TypeError,
    OverflowError,
    ValueError,
    IndexError,
    ArithmeticError,
)


def error_kind(exc: BaseException) -> type:
    """The broad class of an error (NumPy's messages name the operand that failed,
    which differs between numext's unary ufunc and np.multiply's two inputs)."""
    for kind in ERROR_KINDS:
        if isinstance(exc, kind):
            return kind
    return type(exc)


def outcome(fn: Any) -> tuple[str, Any]:
    """('ok', value) or ('raise', exception) of ``fn()``."""
    try:
        return "ok", fn()
    except Exception as exc:  # noqa: BLE001 - any exception is a result here
        return "raise", exc


def outcome_and_warnings(fn: Any) -> tuple[str, Any, list[tuple[str, str]]]:
    """``outcome(fn)`` and the warnings ``fn()`` gave, in order, each as
    (category name, message): what tests compare between numext and NumPy."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kind, value = outcome(fn)
    return kind, value, [(w.category.__name__, str(w.message)) for w in caught]


def _assert_same_part(got: np.ndarray, expected: np.ndarray, nan_sign: bool) -> None:
    """One real part: NaN where NaN, equal values, equal signs (of NaNs too if nan_sign)."""
    nan = np.isnan(expected)
    np.testing.assert_array_equal(np.isnan(got), nan, err_msg="NaN in different places")
    np.testing.assert_array_equal(got, expected)  # NaN equals NaN here
    got_sign, expected_sign = np.signbit(got), np.signbit(expected)
    if not nan_sign:
        got_sign, expected_sign = got_sign & ~nan, expected_sign & ~nan
    np.testing.assert_array_equal(got_sign, expected_sign,
                                  err_msg="different sign" + (" (NaNs included)" if nan_sign else ""))


def assert_same_array(got: Any, expected: Any, *, nan_sign: bool = True) -> None:
    """Same dtype, shape and values, signs of zeros and infinities included; NaN signs
    too unless ``nan_sign=False`` (see the module docstring for which to use)."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    if expected.dtype.kind == "c":
        _assert_same_part(got.real, expected.real, nan_sign)
        _assert_same_part(got.imag, expected.imag, nan_sign)
    elif expected.dtype.kind == "f":
        _assert_same_part(got, expected, nan_sign)
    else:
        np.testing.assert_array_equal(got, expected)


def value_bytes(a: Any) -> np.ndarray:
    """The bytes that hold each value, one row per element: all of them, but of an
    x87 long double (complex: each part) the 10 bytes before the padding NumPy
    leaves unset."""
    a = np.asarray(a)
    rows = np.ascontiguousarray(a).reshape(-1).view(np.uint8).reshape(a.size, a.dtype.itemsize)
    if a.dtype.char not in "gG" or np.finfo(np.longdouble).nmant != 63:
        return rows
    part = np.dtype(np.longdouble).itemsize
    return np.concatenate([rows[:, start:start + 10] for start in range(0, a.dtype.itemsize, part)], axis=1)


def assert_same_bits(got: Any, expected: Any) -> None:
    """Same dtype and shape, identical bytes (x87 long double: those of the values)."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.dtype == expected.dtype, (got.dtype, expected.dtype)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    differ = np.flatnonzero(np.any(value_bytes(got) != value_bytes(expected), axis=1))
    assert len(differ) == 0, (
        f"different bits at {differ[:5].tolist()}: got {got.ravel()[differ[:5]].tolist()}, "
        f"expected {expected.ravel()[differ[:5]].tolist()}"
    )


def random_array(shape: Any, dtype: Any, seed: int = 0, *, scale: float = 1.0,
                 rng: np.random.Generator | None = None, decades: int = 0) -> np.ndarray:
    """Random values of ``dtype``: bool 0/1, integers over their whole range, floats
    standard normal times ``scale``, each also times 10**k for a random k in
    [-decades, decades] (magnitudes that differ a lot make sums round), complex
    with a standard normal imaginary part. ``rng`` (if given) is used instead of
    a generator seeded with ``seed``."""
    rng = np.random.default_rng(seed) if rng is None else rng
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)
    values = rng.standard_normal(shape) * scale
    if decades:
        values = values * 10.0 ** rng.integers(-decades, decades + 1, shape)
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)


def dtype_id(dt: Any) -> str:
    """A pytest id for a dtype that keeps long and long long apart: ``l-int64``, ``q-int64``."""
    dt = np.dtype(dt)
    return f"{dt.char}-{dt.name}"
