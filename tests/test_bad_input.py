"""Bad and awkward input: every row is checked against what NumPy does for the
equivalent call (np.multiply(x, 2) / np.sum), or against numext's own clear
error where numext deliberately differs (object and timedelta arrays, which
NumPy can multiply but numext's numeric-only loops reject).

Nothing may crash, and nothing may write outside ``out``: outputs are views
into the middle of a larger zeroed buffer whose margins must stay zero.

Tests whose id contains ``small`` use only small arrays; tools/valgrind_subset.sh
runs them under valgrind memcheck.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numext
from conftest import PARALLEL_BYTES
from helpers import assert_same_array, error_kind, outcome, random_array

AxisError = np.exceptions.AxisError


def check_like_numpy(got_fn, expected_fn):
    """numext's call must give NumPy's value, or raise NumPy's kind of error."""
    expected = outcome(expected_fn)
    got = outcome(got_fn)
    if expected[0] == "raise":
        assert got[0] == "raise", f"NumPy raised {expected[1]!r}, numext returned {got[1]!r}"
        assert error_kind(got[1]) is error_kind(expected[1]), (got[1], expected[1])
        return got[1]
    assert got[0] == "ok", f"NumPy returned {expected[1]!r}, numext raised {got[1]!r}"
    assert_same_array(got[1], expected[1])
    return got[1]


# ---------------------------------------------------------------------------
# Guarded outputs: a view into the middle of a zeroed buffer.

GUARD = 256  # bytes of zeroed margin on each side


class Guarded:
    def __init__(self, shape, dtype, strides_mult: int = 1):
        dtype = np.dtype(dtype)
        n = int(np.prod(shape, dtype=np.int64)) * strides_mult
        self.buf = np.zeros(GUARD * 2 + max(n, 1) * dtype.itemsize, np.uint8)
        inner = self.buf[GUARD : GUARD + n * dtype.itemsize].view(dtype)
        if strides_mult != 1:
            inner = inner[::strides_mult]
        self.out = inner.reshape(shape)

    def check(self):
        assert not self.buf[:GUARD].any(), "bytes written before out"
        end = len(self.buf) - GUARD
        assert not self.buf[end:].any(), "bytes written after out"


# ---------------------------------------------------------------------------
# Unsupported dtypes.

UNSUPPORTED = {
    "object": lambda n: np.arange(n).astype(object),
    "str": lambda n: np.array(["ab"] * n),
    "bytes": lambda n: np.array([b"ab"] * n),
    "datetime64": lambda n: np.arange(n).astype("M8[D]"),
    "timedelta64": lambda n: np.arange(n).astype("m8[s]"),
    "structured": lambda n: np.zeros(n, [("a", "i4"), ("b", "f8")]),
    "void": lambda n: np.zeros(n, "V8"),
}
# NumPy can multiply / add these; numext's loops are numeric only (its own
# clear TypeError naming the ufunc).
NUMPY_ACCEPTS = {"object", "timedelta64"}


@pytest.mark.parametrize("size", [4, PARALLEL_BYTES // 8], ids=["small", "large"])
@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
@pytest.mark.parametrize(
    "call",
    ["double_pixels", "double", "parallel_sum", "sum", "double_pixels_out", "parallel_sum_out"],
)
def test_unsupported_dtype(name, call, size):
    x = UNSUPPORTED[name](size)
    g = Guarded(x.shape, np.float64)
    gs = Guarded((), np.float64)
    calls = {
        "double_pixels": (lambda: numext.double_pixels(x), lambda: np.multiply(x, 2)),
        "double": (lambda: numext.double(x), lambda: x * 2),
        "parallel_sum": (lambda: numext.parallel_sum(x), lambda: np.sum(x, axis=-1)),
        "sum": (lambda: numext.sum(x), lambda: np.sum(x)),
        "double_pixels_out": (
            lambda: numext.double_pixels(x, out=g.out),
            lambda: np.multiply(x, 2, out=g.out.copy()),
        ),
        "parallel_sum_out": (
            lambda: numext.parallel_sum(x, out=gs.out),
            lambda: np.sum(x, axis=-1, out=gs.out.copy()),
        ),
    }
    got_fn, np_fn = calls[call]
    if call == "sum":
        # numext.sum is np.sum for every input: dtypes with no loop of
        # parallel_sum's go where np.sum sends them (np.add.reduce).
        check_like_numpy(got_fn, np_fn)
        return
    with pytest.raises(TypeError) as info:
        got_fn()
    ufunc = "parallel_sum" if "sum" in call else "double_pixels"
    assert ufunc in str(info.value)
    if name not in NUMPY_ACCEPTS:
        # NumPy rejects it too, with the same kind of error.
        kind, exc = outcome(np_fn)
        if kind == "raise":
            assert error_kind(exc) is TypeError, exc
    g.check()
    gs.check()
    assert not g.out.any() and not gs.out.any()


@pytest.mark.parametrize("name", sorted(UNSUPPORTED))
def test_unsupported_dtype_as_requested_dtype_small(name):
    """dtype= naming an unsupported dtype is a TypeError, as NumPy's for its own non-loops."""
    dt = UNSUPPORTED[name](1).dtype
    x = np.arange(4.0)
    with pytest.raises(TypeError):
        numext.double_pixels(x, dtype=dt)
    with pytest.raises(TypeError):
        numext.parallel_sum(x, dtype=dt)


# ---------------------------------------------------------------------------
# out= problems, compared with np.multiply / np.sum given the same out.


def _readonly(shape, dtype):
    a = np.zeros(shape, dtype)
    a.flags.writeable = False
    return a


OUT_CASES = [
    # id, x, out factory
    ("readonly", np.arange(5.0), lambda: _readonly(5, np.float64)),
    ("shape_short", np.arange(5.0), lambda: np.zeros(4)),
    ("shape_long", np.arange(5.0), lambda: np.zeros(6)),
    ("shape_2d", np.arange(6.0), lambda: np.zeros((2, 3))),
    ("broadcast_up", np.arange(3.0), lambda: np.zeros((2, 3))),
    ("float_into_int32", np.arange(5.0), lambda: np.zeros(5, np.int32)),
    ("float_into_bool", np.arange(5.0), lambda: np.zeros(5, bool)),
    ("complex_into_float", np.arange(5.0) + 1j, lambda: np.zeros(5)),
    ("int64_into_int8", np.arange(5), lambda: np.zeros(5, np.int8)),
    ("int64_into_uint8", np.arange(5), lambda: np.zeros(5, np.uint8)),
    ("int64_into_float32", np.arange(5), lambda: np.zeros(5, np.float32)),
    ("uint8_into_int8", np.arange(5, dtype=np.uint8), lambda: np.zeros(5, np.int8)),
    ("float_into_object", np.arange(5.0), lambda: np.zeros(5, object)),
    ("float_into_str", np.arange(5.0), lambda: np.zeros(5, "U3")),
    ("float_into_datetime", np.arange(5.0), lambda: np.zeros(5, "M8[s]")),
    ("list_out", np.arange(5.0), lambda: [0.0] * 5),
    ("tuple_two_outs", np.arange(5.0), lambda: (np.zeros(5), np.zeros(5))),
    ("noncontig_out", np.arange(5.0), lambda: np.zeros(10)[::2]),
    ("negative_stride_out", np.arange(5.0), lambda: np.zeros(5)[::-1]),
]


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
@pytest.mark.parametrize("casting", [None, "unsafe", "same_kind", "safe", "no", "bogus"])
@pytest.mark.parametrize("xid,x,make_out", OUT_CASES, ids=[c[0] + "-small" for c in OUT_CASES])
def test_double_pixels_bad_out(xid, x, make_out, casting):
    kw = {} if casting is None else {"casting": casting}
    out_np = make_out()
    out_ne = make_out()
    check_like_numpy(
        lambda: numext.double_pixels(x, out=out_ne, **kw),
        lambda: np.multiply(x, 2, out=out_np, **kw),
    )
    if isinstance(out_ne, np.ndarray) and out_ne.dtype.kind in "biufc":
        assert_same_array(out_ne, out_np)


@pytest.mark.parametrize("xid,x,make_out", OUT_CASES, ids=[c[0] + "-small" for c in OUT_CASES])
def test_double_bad_out(xid, x, make_out):
    """numext.double(arr, out=) is np.multiply(arr, 2, out=)."""
    out_np = make_out()
    out_ne = make_out()
    check_like_numpy(lambda: numext.double(x, out=out_ne), lambda: np.multiply(x, 2, out=out_np))


def test_guarded_out_small_and_large():
    """Writes stay inside out: contiguous, strided, misaligned-head outputs."""
    for n in (1, 7, 64, PARALLEL_BYTES // 8 + 13):
        x = np.arange(n, dtype=np.float64) - 3.5
        for mult in (1, 3):
            g = Guarded((n,), np.float64, strides_mult=mult)
            numext.double_pixels(x, out=g.out)
            g.check()
            assert_same_array(g.out, x * 2)
            # Middle of the buffer: the output starts off a cache-line boundary.
            g = Guarded((n,), np.float64, strides_mult=mult)
            numext.double(x, out=g.out)
            g.check()
            assert_same_array(g.out, x * 2)
        rows = np.arange(3 * n, dtype=np.float64).reshape(3, n)
        g = Guarded((3,), np.float64)
        numext.parallel_sum(rows, out=g.out)
        g.check()
        assert_same_array(g.out, np.sum(rows, axis=-1))
        g = Guarded((), np.float64)
        numext.sum(rows, out=g.out)
        g.check()
        assert_same_array(g.out, np.sum(rows))
        g = Guarded((n,), np.float64, strides_mult=2)
        numext.sum(rows, axis=0, out=g.out)
        g.check()
        np.testing.assert_allclose(g.out, np.sum(rows, axis=0))


@pytest.mark.parametrize("dtype", ["u1", "i2", "u4", "i8", "f2", "f4", "f8", "c8", "c16", "g"])
def test_guarded_out_dtypes_small(dtype):
    x = (np.arange(37) % 11).astype(dtype)
    g = Guarded(x.shape, dtype)
    numext.double_pixels(x, out=g.out)
    g.check()
    assert_same_array(g.out, np.multiply(x, 2))
    rows = x[:36].reshape(4, 9)
    res_dtype = np.sum(rows, axis=-1).dtype
    g = Guarded((4,), res_dtype)
    numext.parallel_sum(rows, out=g.out)
    g.check()
    assert_same_array(g.out, np.sum(rows, axis=-1))


def test_double_pixels_out_where_guarded_small():
    x = np.arange(10.0)
    mask = x % 3 == 0
    g = Guarded(x.shape, np.float64)
    g.out[...] = 0
    numext.double_pixels(x, out=g.out, where=mask)
    g.check()
    expected = np.zeros(10)
    np.multiply(x, 2, out=expected, where=mask)
    assert_same_array(g.out, expected)


# numext.sum's out= is np.sum's out=: the same results and the same kinds of error.
SUM_OUT_CASES = [
    ("readonly", np.arange(6.0).reshape(2, 3), 1, lambda: _readonly(2, np.float64)),
    ("shape_wrong", np.arange(6.0).reshape(2, 3), 1, lambda: np.zeros(3)),
    ("int_into_float", np.arange(6).reshape(2, 3), 1, lambda: np.zeros(2)),
    ("float_into_float32", np.arange(6.0).reshape(2, 3), 1, lambda: np.zeros(2, np.float32)),
    ("noncontig_out", np.arange(6.0).reshape(2, 3), 1, lambda: np.zeros(4)[::2]),
    ("list_out", np.arange(6.0).reshape(2, 3), 1, lambda: [0.0, 0.0]),
    ("all_axes_0d", np.arange(6.0).reshape(2, 3), None, lambda: np.zeros(())),
    # (Rows from here on: numext.sum only.)
    ("float_into_int8", np.arange(6.0).reshape(2, 3) * 40.5, 1, lambda: np.zeros(2, np.int8)),
    ("float_into_bool", np.arange(6.0).reshape(2, 3) - 1, 1, lambda: np.zeros(2, bool)),
    ("complex_into_float", np.arange(6.0).reshape(2, 3) + 1j, 1, lambda: np.zeros(2)),
    ("uint64_into_int8", np.arange(6, dtype=np.uint64).reshape(2, 3) * 50, 1, lambda: np.zeros(2, np.int8)),
    ("bool_into_bool", np.eye(3, dtype=bool)[:2], 0, lambda: np.ones(3, bool)),
    ("bool_into_int8", np.ones((300, 2), bool), 0, lambda: np.zeros(2, np.int8)),
    ("float_into_str", np.arange(6.0).reshape(2, 3), 1, lambda: np.zeros(2, "U3")),
    ("float_into_datetime", np.arange(6.0).reshape(2, 3), 1, lambda: np.zeros(2, "M8[s]")),
    ("str_out_wrong_shape", np.arange(6.0).reshape(2, 3), 1, lambda: np.zeros(5, "U3")),
    ("tuple_out", np.arange(6.0).reshape(2, 3), 1, lambda: (np.zeros(2),)),
    ("broadcast_up", np.arange(6.0).reshape(2, 3), 1, lambda: np.zeros((3, 2))),
    ("size_one_out", np.arange(6.0).reshape(2, 3), 0, lambda: np.zeros(1)),
    ("readonly_wrong_shape", np.arange(6.0).reshape(2, 3), 1, lambda: _readonly(3, np.float64)),
    ("readonly_0d", np.arange(6.0).reshape(2, 3), None, lambda: _readonly((), np.float64)),
    ("axes_none_0d_into_int", np.arange(6.0).reshape(2, 3) / 4, None, lambda: np.zeros((), np.int16)),
    ("no_axes_into_int8", np.arange(6.0).reshape(2, 3) * 50, (), lambda: np.zeros((2, 3), np.int8)),
    ("no_axes_wrong_shape", np.arange(6.0).reshape(2, 3), (), lambda: np.zeros(3)),
    ("scalar_axis0", np.array(2.5), 0, lambda: np.zeros((), np.int32)),
]


@pytest.mark.parametrize("xid,x,axis,make_out", SUM_OUT_CASES, ids=[c[0] + "-small" for c in SUM_OUT_CASES])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")
def test_sum_bad_out(xid, x, axis, make_out, keepdims):
    out_np = make_out()
    out_ne = make_out()
    if keepdims and isinstance(out_np, np.ndarray):
        # The same out with the reduced axes kept as length 1 (where that exists).
        try:
            shape = np.sum(x, axis=axis, keepdims=True).shape
            out_np, out_ne = (o.reshape(shape) if o.size == np.prod(shape) else o for o in (out_np, out_ne))
        except ValueError:
            pass
    got = check_like_numpy(
        lambda: numext.sum(x, axis=axis, out=out_ne, keepdims=keepdims),
        lambda: np.sum(x, axis=axis, out=out_np, keepdims=keepdims),
    )
    if not isinstance(got, BaseException):
        assert got is out_ne
        assert_same_array(out_ne, out_np)


@pytest.mark.parametrize("xid,x,axis,make_out", SUM_OUT_CASES[:6], ids=[c[0] + "-small" for c in SUM_OUT_CASES[:6]])
def test_parallel_sum_bad_out(xid, x, axis, make_out):
    out_np = make_out()
    out_ne = make_out()
    check_like_numpy(lambda: numext.parallel_sum(x, out=out_ne), lambda: np.sum(x, axis=-1, out=out_np))


# --- numext.sum vs np.sum: once disagreements (bugs found by this suite) ----


@pytest.mark.parametrize(
    "shape,axis,out_shape", [((4,), None, (1,)), ((2, 3), 1, (3, 2)), ((2, 3), 0, (1, 3))], ids=str
)
def test_sum_out_wrong_ndim_small(shape, axis, out_shape):
    x = np.arange(6.0)[: int(np.prod(shape))].reshape(shape)
    with pytest.raises(ValueError):
        np.sum(x, axis=axis, out=np.zeros(out_shape))
    with pytest.raises(ValueError):
        numext.sum(x, axis=axis, out=np.zeros(out_shape))


@pytest.mark.parametrize("out_dtype", [np.int64, np.int8, np.uint8, np.bool_])
def test_sum_out_unsafe_cast_small(out_dtype):
    x = np.array([[0.5, 1.5, 2.25], [3.0, 4.0, 5.5]])
    expected = np.sum(x, axis=1, out=np.zeros(2, out_dtype))
    got = numext.sum(x, axis=1, out=np.zeros(2, out_dtype))
    assert_same_array(got, expected)


@pytest.mark.parametrize(
    "xdtype,dtype",
    [("i8", "i1"), ("i4", "i4"), ("u1", "u1"), ("i8", "?"), ("f8", "i8"), ("f8", "u8"), ("c16", "f8"),
     ("f8", "?"), ("c16", "?"), ("f8", "i1"), ("u8", "i2"), ("?", "?"), ("?", "u1"), ("i8", "e"),
     ("f4", "f8"), ("f8", "f4"), ("f8", "F"), ("g", "f8"), ("i2", "g"), ("u2", "l"), ("i8", "q"),
     ("u8", "Q"), ("f8", "m8")],
)
def test_sum_dtype_like_np_sum_small(xdtype, dtype):
    """Any numeric dtype=: the input cast to it (unsafely), added in it, as np.sum."""
    x = (np.arange(12).reshape(3, 4) * 37 % 300).astype(xdtype)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = np.sum(x, axis=1, dtype=dtype)
            got = numext.sum(x, axis=1, dtype=dtype)
    assert_same_array(got, expected)


@pytest.mark.parametrize(
    "values,out_dtype",
    [
        (np.random.default_rng(1).standard_normal(1000).astype(np.float32), np.float64),
        ((np.random.default_rng(2).standard_normal(1000) * 1000).astype(np.float16), np.float32),
        (np.array([2**62, 2**62, 2**62, 2**62, 3], np.int64), np.float64),
    ],
    ids=["f4-into-f8", "f2-into-f4", "i8-into-f8"],
)
def test_sum_out_dtype_sets_accumulator_small(values, out_dtype):
    expected = np.zeros((), out_dtype)
    np.sum(values, out=expected)
    got = np.zeros((), out_dtype)
    numext.sum(values, out=got)
    assert_same_array(got, expected)


@pytest.mark.parametrize(
    "dtype", [np.int8, "i1", np.dtype("u2"), int, float, complex, bool, "f2", np.dtypes.Float32DType,
              ">f8", "<i4", "U3", "S2", "M8[s]", "V8", "bogus", 3.5, [("a", "i4")]],
    ids=repr,
)
def test_sum_dtype_spellings_small(dtype):
    """dtype= in every spelling NumPy takes (and the ones it refuses: a byte order or unit,
    a non-numeric type): the same result or the same kind of error."""
    x = np.arange(6.0).reshape(2, 3)
    for axis in (None, 1):
        check_like_numpy(lambda: numext.sum(x, axis=axis, dtype=dtype), lambda: np.sum(x, axis=axis, dtype=dtype))


@pytest.mark.parametrize(
    "keepdims", [True, False, 0, 1, 2, -1, np.int64(1), np.uint8(0), np.True_, 1.5, np.float64(1.0),
                 None, "a", [1], 2**70],
    ids=repr,
)
def test_sum_keepdims_odd_values_small(keepdims):
    """keepdims is read as an integer (not a float, not a NumPy bool), as np.sum reads it."""
    x = np.arange(6.0).reshape(2, 3)
    for axis in (None, 0, (0, 1), ()):
        check_like_numpy(
            lambda: numext.sum(x, axis=axis, keepdims=keepdims),
            lambda: np.sum(x, axis=axis, keepdims=keepdims),
        )


@pytest.mark.parametrize(
    "kwargs",
    [{"dtype": object}, {"out": np.zeros(2, object)}, {"dtype": "m8"}],
    ids=["dtype=object", "out=object", "dtype=m8"],
)
def test_sum_object_accumulator_like_np_sum_small(kwargs):
    """Where np.sum adds in object (dtype=object, an object out=), numext.sum
    sends the call to NumPy's loop: np.sum's result. (NumPy's 'm8' dtype= adds
    float input in float64: numext.sum does too.)"""
    x = np.arange(6.0).reshape(2, 3)
    out_np = kwargs.get("out")
    kw_ours = dict(kwargs)
    if out_np is not None:
        kw_ours["out"] = out_np.copy()
    expected = np.sum(x, axis=1, **kwargs)
    got = numext.sum(x, axis=1, **kw_ours)
    assert type(got) is type(expected)
    assert got.dtype == expected.dtype
    assert got.tolist() == expected.tolist()
    if out_np is not None:
        assert got is kw_ours["out"]


def test_double_pixels_casting_no_small():
    """casting='no'/'equiv' constrain only the input and output casts.

    np.multiply(x, 2, casting='equiv') refuses for every dtype on NumPy >= 2.2
    (it will not convert the Python int 2 under 'equiv', though it does under
    'no'; NumPy 2.0 does under both); double_pixels is unary and has no such operand, so it computes. A bool
    doubles into int64, a safe cast: refused under both, as by np.multiply.
    """
    for casting in ("no", "equiv"):
        x = np.array([True, False])
        with pytest.raises(TypeError):
            numext.double_pixels(x, casting=casting)
        with pytest.raises(TypeError):
            np.multiply(x, 2, casting=casting)
        y = np.arange(4, dtype=np.int8)
        assert_same_array(numext.double_pixels(y, casting=casting), y * 2)
        # What the running NumPy does with the Python int 2: NumPy 2.0
        # converts it under 'equiv' too (then the same bits), 2.2+ refuses
        # there (the documented difference), both convert it under 'no'.
        try:
            expected = np.multiply(y, 2, casting=casting)
        except TypeError:
            assert casting == "equiv"
        else:
            assert_same_array(numext.double_pixels(y, casting=casting), expected)
        # A cast that 'no' forbids is still refused: byte order, or out's dtype.
        with pytest.raises(TypeError):
            numext.double_pixels(y, out=np.zeros(4, np.int16), casting=casting)
    with pytest.raises(TypeError):
        numext.double_pixels(np.arange(3.0).astype(">f8"), casting="no")
    assert_same_array(
        numext.double_pixels(np.arange(3.0).astype(">f8"), casting="equiv"), np.arange(3.0) * 2
    )


# ---------------------------------------------------------------------------
# Misaligned and byte-swapped buffers give NumPy's result.

NUMERIC = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "g", "c8", "c16", "G", "?"]


def _values(dtype, n, seed=0):
    return random_array(n, dtype, seed, scale=100)


def _misaligned(values, offset=1):
    """(read-only, writeable) arrays of `values` starting `offset` bytes into a buffer."""
    raw = np.zeros(values.nbytes + 16, np.uint8)
    raw[offset : offset + values.nbytes] = values.view(np.uint8) if values.nbytes else raw[:0]
    writeable = np.frombuffer(raw, values.dtype, count=len(values), offset=offset)
    readonly = np.frombuffer(raw.tobytes(), values.dtype, count=len(values), offset=offset)
    assert writeable.flags.writeable and not readonly.flags.writeable
    return readonly, writeable


@pytest.mark.parametrize("size", [9, 0], ids=["small", "empty-small"])
@pytest.mark.parametrize("dtype", NUMERIC)
def test_misaligned_small(dtype, size):
    _check_misaligned(dtype, size)


@pytest.mark.parametrize("dtype", ["u1", "i4", "f4", "f8", "c16", "f2"])
def test_misaligned_large(dtype):
    n = PARALLEL_BYTES // np.dtype(dtype).itemsize + 5
    _check_misaligned(dtype, n)


def _check_misaligned(dtype, n):
    values = _values(dtype, n)
    ro, x = _misaligned(values)
    assert x.ctypes.data % 2 == 1 or np.dtype(dtype).itemsize == 1
    np.testing.assert_array_equal(ro, values)
    with np.errstate(all="ignore"):
        assert_same_array(numext.double_pixels(ro), np.multiply(values, 2))
        assert_same_array(numext.double_pixels(x), np.multiply(values, 2))
        if x.dtype != np.bool_:  # bool doubles into int64: no in-place
            # Misaligned output too, in place.
            expected = np.multiply(values, 2)
            numext.double_pixels(x, out=x)
            assert_same_array(x, expected)
            x[...] = values
        if n % 3 == 0 or n < 6:
            rows = x
        else:
            rows = x[: n - n % 3].reshape(3, -1)
        # np.sum's bits on the misaligned input itself (NumPy sums it one
        # buffer at a time: tests/test_sum_bits.py).
        assert_same_array(numext.parallel_sum(rows), np.sum(rows, axis=-1))
        assert_same_array(numext.sum(rows), np.sum(rows))


@pytest.mark.parametrize("size", [11, PARALLEL_BYTES // 4 + 3], ids=["small", "large"])
@pytest.mark.parametrize("dtype", [">f8", ">i4", ">f4", ">u2", ">c16", ">i8", ">f2"])
def test_byteswapped(dtype, size):
    values = _values(np.dtype(dtype).newbyteorder("="), size, seed=1)
    x = values.astype(dtype)
    assert not x.dtype.isnative
    with np.errstate(all="ignore"):
        assert_same_array(numext.double_pixels(x), np.multiply(x, 2))
        out = np.zeros(size, dtype)
        expected = np.multiply(x, 2, out=np.zeros(size, dtype))
        numext.double_pixels(x, out=out)
        assert_same_array(out.astype(out.dtype.newbyteorder("=")), expected.astype(out.dtype.newbyteorder("=")))
        assert out.dtype == np.dtype(dtype)
        rows = x[: size - size % 2].reshape(2, -1)
        native_rows = values[: size - size % 2].reshape(2, -1)
        # Bits: np.sum's over the byte-swapped array itself (for a float row
        # longer than NumPy's buffer it sums buffer after buffer, and so does
        # numext: tests/test_sum_bits.py), the native values' sum alike.
        assert_same_array(numext.parallel_sum(rows), np.sum(rows, axis=-1))
        assert_same_array(numext.sum(x), np.sum(x))
        np.testing.assert_allclose(
            numext.parallel_sum(rows), np.sum(native_rows, axis=-1),
            rtol=1e-2 if x.dtype.itemsize == 2 and x.dtype.kind == "f" else 1e-5,
        )


# ---------------------------------------------------------------------------
# Shapes and axes.


def test_parallel_sum_0d_small():
    """A 0-d input has no core dimension: NumPy's gufunc error (ValueError)."""
    with pytest.raises(ValueError) as ref:
        np.vecdot(np.float64(3), np.float64(1))  # a (n),(n)->() gufunc of NumPy's
    assert "dimensions" in str(ref.value)
    for x in (np.float64(3), np.array(3.0), 3.0, 3, np.array(True)):
        with pytest.raises(ValueError, match="dimensions"):
            numext.parallel_sum(x)
    # numext.sum of a 0-d input is np.sum's: the value itself.
    for x in (np.float64(3), np.array(3.0), 3, np.array(True), np.uint8(200)):
        assert_same_array(numext.sum(x), np.sum(x))


@pytest.mark.parametrize(
    "shape,axis",
    [((4,), 1), ((4,), -2), ((2, 3), 2), ((2, 3), -3), ((2, 3), (0, 2)), ((), 1), ((), (0,)), ((2, 3), 2**31 - 1)],
    ids=lambda v: str(v).replace(" ", ""),
)
def test_axis_out_of_range_small(shape, axis):
    x = np.ones(shape)
    with pytest.raises(AxisError):
        np.sum(x, axis=axis)
    with pytest.raises(AxisError):
        numext.sum(x, axis=axis)
    if x.ndim and not isinstance(axis, tuple):
        with pytest.raises(AxisError):
            numext.parallel_sum(x, axis=axis)


@pytest.mark.parametrize("axis", [10**20, -(2**63), 2**63, 2**31, 2**40], ids=repr)
def test_axis_beyond_c_long_small(axis):
    """NumPy itself raises OverflowError/ValueError here (not AxisError); numext must raise too."""
    x = np.ones((2, 3))
    errors = (AxisError, OverflowError, ValueError)
    with pytest.raises(errors):
        np.sum(x, axis=axis)
    with pytest.raises(errors):
        numext.sum(x, axis=axis)
    with pytest.raises(errors):
        numext.parallel_sum(x, axis=axis)


@pytest.mark.parametrize("axis", [0, -1])
def test_sum_0d_axis_like_np_sum_small(axis):
    x = np.array(2.5)
    assert_same_array(numext.sum(x, axis=axis), np.sum(x, axis=axis))


@pytest.mark.parametrize(
    "axis",
    [(0, 0), (1, -1), 1.0, "0", [0], np.float64(0), None, np.int64(1), (np.int32(0),), (),
     True, False, np.True_, (True,), (0, np.False_), np.array(1), np.array([1]), 2**31, (2**31,),
     -(2**31) - 1, 2**63, np.uint64(1), (np.uint8(1), -2)],
    ids=repr,
)
def test_axis_odd_values_small(axis):
    x = np.arange(6.0).reshape(2, 3)
    check_like_numpy(lambda: numext.sum(x, axis=axis), lambda: np.sum(x, axis=axis))


@pytest.mark.parametrize("keepdims", [True, False, 0, 1])
@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 3), (2, 0, 3), (1,), (1, 1)], ids=str)
def test_empty_and_unit_shapes_small(shape, keepdims):
    for dtype in ("f8", "i4", "u1", "c8", "?"):
        x = np.ones(shape, dtype)
        assert_same_array(numext.double_pixels(x), np.multiply(x, 2))
        assert_same_array(numext.parallel_sum(x), np.sum(x, axis=-1))
        for axis in (None, 0, -1):
            check_like_numpy(
                lambda: numext.sum(x, axis=axis, keepdims=keepdims),
                lambda: np.sum(x, axis=axis, keepdims=keepdims),
            )


def test_python_inputs_small():
    for x in ([1, 2, 3], [[1.5, 2.5]], (1, 2), 3, 2.5, True, 1 + 2j, [True, False], []):
        check_like_numpy(lambda: numext.double_pixels(x), lambda: np.multiply(x, 2))
        check_like_numpy(lambda: numext.double(x), lambda: np.multiply(x, 2))
        check_like_numpy(lambda: numext.sum(x), lambda: np.sum(x))
    for x in ("a", None, b"x", object()):
        with pytest.raises(TypeError):
            numext.double_pixels(x)
    with pytest.raises(TypeError):
        numext.double_pixels()
    with pytest.raises(TypeError):
        numext.parallel_sum()
    with pytest.raises(TypeError):
        numext.double_pixels(np.ones(2), np.ones(2), np.ones(2))
    with pytest.raises(TypeError):
        numext.parallel_sum(np.ones(2), where=True)
    with pytest.raises(TypeError):
        numext.double_pixels(np.ones(2), bogus=1)


def test_huge_python_int_small():
    # 2**70 makes an object array: NumPy overflows or works in objects, numext rejects it.
    with pytest.raises((TypeError, OverflowError)):
        numext.double_pixels(2**70)
    with pytest.raises((TypeError, OverflowError)):
        numext.parallel_sum([2**70, 1])


# ---------------------------------------------------------------------------
# Thread counts.


@pytest.mark.parametrize(
    "value,exc",
    [
        (10**6, ValueError),
        (1025, ValueError),
        (2**63, ValueError),
        (2**64 + 3, ValueError),
        (-(2**63), ValueError),
        (0, ValueError),
        (-1, ValueError),
        (1.0, TypeError),
        (2.5, TypeError),
        (float("nan"), TypeError),
        ("2", TypeError),
        (b"2", TypeError),
        (None, TypeError),
        (True, TypeError),
        (False, TypeError),
        (np.float64(2.0), TypeError),
        (np.bool_(True), TypeError),
        ([2], TypeError),
        (2 + 0j, TypeError),
        (np.array([2]), TypeError),
    ],
    ids=repr,
)
def test_set_num_threads_bad_small(value, exc):
    before = numext.get_num_threads()
    with pytest.raises(exc):
        numext.set_num_threads(value)
    assert numext.get_num_threads() == before
    with pytest.raises(exc):
        with numext.threads(value):
            pass  # pragma: no cover
    assert numext.get_num_threads() == before
    # Still works afterwards.
    x = np.arange(PARALLEL_BYTES // 8, dtype=np.float64)
    assert_same_array(numext.parallel_sum(x), np.sum(x))


@pytest.mark.parametrize("value", [1, 2, 3, 1024, np.int64(2), np.uint8(3), np.int32(1)], ids=repr)
def test_set_num_threads_good_small(value):
    before = numext.get_num_threads()
    assert numext.set_num_threads(value) == before
    assert numext.get_num_threads() == int(value)
    x = np.arange(PARALLEL_BYTES // 8, dtype=np.float64)
    assert_same_array(numext.parallel_sum(x), np.sum(x))
    assert_same_array(numext.double_pixels(x), x * 2)


def _run_env(value, cwd):
    code = textwrap.dedent(
        """
        import warnings, json, sys
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            import numpy as np, numext
        x = np.arange(300000, dtype=np.float64)
        ok = bool(np.array_equal(numext.double_pixels(x), x * 2)) and numext.parallel_sum(x) == np.sum(x)
        print(json.dumps({
            "warnings": [(c.category.__name__, str(c.message)) for c in w],
            "threads": numext.get_num_threads(),
            "default": numext.default_num_threads(),
            "ok": bool(ok),
        }))
        """
    )
    env = dict(os.environ)
    if value is None:
        env.pop("NUMEXT_NUM_THREADS", None)
    else:
        env["NUMEXT_NUM_THREADS"] = value
    # cwd: anywhere but the checkout, whose numext/ would shadow the installed one.
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    import json

    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "value", ["", "   ", "abc", "0", "-1", "1.5", "99999", "1025", "2 3", "0x2", "nan", "2**2"], ids=repr
)
def test_env_num_threads_malformed(value, tmp_path):
    res = _run_env(value, tmp_path)
    assert res["ok"]
    assert res["threads"] == res["default"]
    runtime = [w for w in res["warnings"] if w[0] == "RuntimeWarning" and "NUMEXT_NUM_THREADS" in w[1]]
    if value.strip() == "":
        assert runtime == [], res["warnings"]
    else:
        assert len(runtime) == 1, res["warnings"]


@pytest.mark.parametrize("value", ["1", "3", " 2 ", "1024"], ids=repr)
def test_env_num_threads_good(value, tmp_path):
    res = _run_env(value, tmp_path)
    assert res["ok"]
    assert res["threads"] == int(value)
    assert not [w for w in res["warnings"] if "NUMEXT_NUM_THREADS" in w[1]]
