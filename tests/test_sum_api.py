"""numext.sum is np.sum: every argument, every input type, with np.sum as the oracle
for values, bits (where promised), dtypes, result types, warnings and errors."""

from __future__ import annotations

import tracemalloc
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import numext
from helpers import assert_same_array, outcome_and_warnings
from numext import _sum_paths, _sum_rules
from oracles import pairwise_sum

# How the running NumPy cuts axis=None over a view that is not one run of
# memory, as numext probed it at import: buffers across row ends (NumPy <=
# 2.2; numext then gives np.sum's bits for every layout) or whole rows.
_BUFFERS_ACROSS_ROWS = _sum_paths._BUFFERS_ACROSS_ROWS


def outcome(fn):
    """('ok', value, warning categories) or ('raise', exception type, categories)."""
    kind, value, caught = outcome_and_warnings(fn)
    return kind, type(value) if kind == "raise" else value, sorted({category for category, _ in caught})


def assert_like_np_sum(got_fn, np_fn):
    got, expected = outcome(got_fn), outcome(np_fn)
    assert got[0] == expected[0], (got, expected)
    assert got[2] == expected[2], ("warnings", got[2], expected[2])
    if got[0] == "raise":
        assert got[1] is expected[1] or issubclass(got[1], expected[1]), (got[1], expected[1])
        return
    assert type(got[1]) is type(expected[1]), (type(got[1]), type(expected[1]))
    if isinstance(expected[1], np.ndarray) and expected[1].dtype == object:
        assert got[1].shape == expected[1].shape and got[1].tolist() == expected[1].tolist()
    else:
        assert_same_array(got[1], expected[1])


# ---- issue 12 item 3: inputs np.sum sends elsewhere ---------------------------------


def _masked():
    data = np.arange(12.0).reshape(3, 4)
    return np.ma.array(data, mask=data % 5 == 1)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_masked_array_skips_masked_values(axis):
    x = _masked()
    got, expected = numext.sum(x, axis=axis), np.sum(x, axis=axis)
    assert type(got) is type(expected)
    assert np.ma.allequal(got, expected)
    assert np.array_equal(np.ma.getmaskarray(got), np.ma.getmaskarray(expected))


@pytest.mark.parametrize("axis", [None, 0, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_matrix_keeps_its_shapes(axis, keepdims):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        m = np.matrix([[1.0, 2.0], [3.0, 4.0]])
    kw = {"axis": axis} if not keepdims else {"axis": axis, "keepdims": True}
    got, expected = outcome(lambda: numext.sum(m, **kw)), outcome(lambda: np.sum(m, **kw))
    assert got[0] == expected[0], (got, expected)  # matrix.sum() takes no keepdims
    assert type(got[1]) is type(expected[1])
    if got[0] == "ok":
        assert np.shape(got[1]) == np.shape(expected[1])
        assert np.array_equal(got[1], expected[1])


def test_numpy_scalar_with_out_like_np_sum():
    out_np, out_ours = np.zeros(()), np.zeros(())
    assert_like_np_sum(lambda: numext.sum(np.float32(2.5), out=out_ours), lambda: np.sum(np.float32(2.5), out=out_np))
    assert out_ours == out_np


def test_pandas_series_and_frame_skip_nan():
    pd = pytest.importorskip("pandas")
    s = pd.Series([1.0, np.nan, -2.5])
    assert numext.sum(s) == np.sum(s) == -1.5
    assert type(numext.sum(s)) is type(np.sum(s))
    df = pd.DataFrame({"a": [1.0, np.nan], "b": [2.0, 3.0]})
    assert numext.sum(df) == np.sum(df) == 6.0  # DataFrame.sum(axis=None): all values
    pd.testing.assert_series_equal(numext.sum(df, axis=0), np.sum(df, axis=0))
    pd.testing.assert_series_equal(numext.sum(df, axis=1), np.sum(df, axis=1))


def test_xarray_dataarray_skips_nan():
    xr = pytest.importorskip("xarray")
    a = xr.DataArray([[1.0, np.nan], [2.0, 3.0]], dims=("y", "x"))
    got, expected = numext.sum(a), np.sum(a)
    assert type(got) is type(expected)
    xr.testing.assert_identical(got, expected)
    xr.testing.assert_identical(numext.sum(a, axis=0), np.sum(a, axis=0))


def test_dask_array_stays_lazy():
    da = pytest.importorskip("dask.array")
    x = da.arange(100.0, chunks=10).reshape(10, 10)
    for kw in [{}, {"axis": 0}, {"axis": 1, "keepdims": True}, {"dtype": np.float32}]:
        got, expected = numext.sum(x, **kw), np.sum(x, **kw)
        assert type(got) is type(expected)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        assert np.array_equal(got.compute(), expected.compute())


def test_generator_refused_like_np_sum():
    assert_like_np_sum(lambda: numext.sum(i for i in range(3)), lambda: np.sum(i for i in range(3)))


# ---- issue 9: every argument np.sum accepts -------------------------------------------


@pytest.mark.parametrize(
    "x",
    [np.array([1, 2.5, 3], dtype=object), np.array([[1, 2], [3, 4]], dtype=object),
     np.array([1, 2], "m8[s]"), np.array(["a", "b"]), np.array([1, 2], "M8[D]"), np.zeros(3, "V4")],
    ids=["object", "object-2d", "timedelta", "str", "datetime", "void"],
)
def test_dtypes_with_no_loop_of_ours_like_np_sum(x):
    for kw in [{}, {"axis": 0}, {"keepdims": True}]:
        assert_like_np_sum(lambda: numext.sum(x, **kw), lambda: np.sum(x, **kw))


@pytest.mark.parametrize("initial", [5, -0.0, 2.5, np.float32(1)])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
def test_initial_like_np_sum(initial, axis):
    for x in (np.arange(12.0).reshape(3, 4), np.arange(12).reshape(3, 4), np.zeros((0, 4)), [[1, 2], [3, 4]]):
        assert_like_np_sum(lambda: numext.sum(x, axis=axis, initial=initial),
                           lambda: np.sum(x, axis=axis, initial=initial))


@pytest.mark.parametrize("axis", [None, 0, 1])
def test_where_like_np_sum(axis):
    x = np.arange(12.0).reshape(3, 4)
    for where in [True, False, x > 4, [True, False, True, False]]:
        assert_like_np_sum(lambda: numext.sum(x, axis=axis, where=where),
                           lambda: np.sum(x, axis=axis, where=where))
        assert_like_np_sum(lambda: numext.sum(x, axis=axis, where=where, initial=1.5, keepdims=True),
                           lambda: np.sum(x, axis=axis, where=where, initial=1.5, keepdims=True))


def test_where_bad_shape_errors_like_np_sum():
    x = np.arange(12.0).reshape(3, 4)
    assert_like_np_sum(lambda: numext.sum(x, where=[True, False]), lambda: np.sum(x, where=[True, False]))


def test_positional_arguments_like_np_sum():
    x = np.arange(12).reshape(3, 4)
    out_np, out_ours = np.zeros(4), np.zeros(4)
    assert_like_np_sum(lambda: numext.sum(x, 0, np.float64, out_ours, False, 1, True),
                       lambda: np.sum(x, 0, np.float64, out_np, False, 1, True))
    assert_same_array(out_ours, out_np)


@pytest.mark.parametrize("shape", [(10,), (3, 4), (0,), (20000,)])
@pytest.mark.parametrize("loop", [np.float64, np.int64, np.float32])
def test_complex_out_with_real_dtype_warns_like_np_sum(shape, loop):
    """Issue 12 item 6: NumPy reads out into the accumulator, complex to real."""
    x = np.arange(np.prod(shape), dtype=np.int8).reshape(shape)
    out_np, out_ours = np.zeros((), complex), np.zeros((), complex)
    assert_like_np_sum(lambda: numext.sum(x, dtype=loop, out=out_ours), lambda: np.sum(x, dtype=loop, out=out_np))
    assert_same_array(out_ours, out_np)


# ---- issue 14: layouts summed in memory order, casts in pieces --------------------------


def _layouts(rng, dtype, shape):
    x = rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "c":
        x = (x + 1j * rng.standard_normal(shape)).astype(dtype)
    return {
        "C": x, "F": np.asfortranarray(x), "T": x.T, "reversed": x[::-1, ::-1], "rows-reversed": x[::-1],
        "cols-reversed": x[:, ::-1], "F-reversed": np.asfortranarray(x)[::-1], "strided": x[:, ::2],
    }


# Layouts that are one strided run of memory: NumPy sums them as one pairwise tree.
ONE_RUN = {"C", "F", "T", "reversed"}


def _buffers_across_rows(v, buf):
    """NumPy <= 2.2: the visit cut into buffers from its start, across rows."""
    flat = np.ascontiguousarray(v).reshape(-1)
    total = np.float64(0.0)
    for start in range(0, flat.size, buf):
        total += pairwise_sum(flat[start : start + buf])
    return total


def _whole_rows(v, buf):
    """NumPy >= 2.3: rows a buffer long or more each one tree."""
    assert v.shape[1] >= buf
    total = np.float64(0.0)
    for row in v:
        total += pairwise_sum(np.ascontiguousarray(row))
    return total


@pytest.mark.parametrize("buf", [8192, 1024])
def test_layout_probe_tells_the_two_rules_apart_and_finds_numpys(buf):
    """The import-time probe's two rules give two sums, np.sum gives the one
    numext follows, and numext.sum of the probe gives np.sum's."""
    old = np.getbufsize()
    np.setbufsize(buf)
    try:
        v = _sum_rules._layout_probe_values(buf)
        across, rows = _buffers_across_rows(v, buf), _whole_rows(v, buf)
        assert (across, rows) == (2.0**53, 2.0**53 + 2)
        assert _sum_rules.probe_layout() is _BUFFERS_ACROSS_ROWS
        assert np.sum(v) == (across if _BUFFERS_ACROSS_ROWS else rows)
        assert_same_array(numext.sum(v), np.sum(v))
    finally:
        np.setbufsize(old)
    major, minor = (int(p) for p in np.__version__.split(".")[:2])
    assert _BUFFERS_ACROSS_ROWS == ((major, minor) < (2, 3))  # what the experiments found


@pytest.mark.parametrize("dtype", ["f4", "f8", "c16"])
def test_reversed_axes_into_out_like_np_sum(dtype, num_threads):
    """NumPy 2.0 turns reduced axes of negative stride round when the sum goes
    into out= (buffers counted from the other end): numext.sum probes it and
    follows, with out= as without."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 20011)).astype(dtype)
    for v, axis in ((x[0, ::-1], None), (x[:, ::-1], 1), (x[::-1, ::-1], None), (x[::-1], None)):
        expected = np.zeros(np.sum(v, axis=axis).shape, dtype)
        got = np.zeros_like(expected)
        np.sum(v, axis=axis, out=expected)
        numext.sum(v, axis=axis, out=got)
        assert_same_array(got, expected)
        assert_same_array(numext.sum(v, axis=axis), np.sum(v, axis=axis))


@pytest.mark.parametrize("dtype", ["f4", "f8", "c8", "c16", "g"])
@pytest.mark.parametrize("shape", [(3, 100_003), (100_003, 3), (257, 129), (7, 9), (2, 9000), (20000, 2)])
def test_axis_none_2d_layouts_like_np_sum(dtype, shape, num_threads):
    """NumPy sums axis=None in memory order: one strided run of memory as one
    pairwise tree (numext.sum: its bits); rows that are not one run a buffer
    of whole rows at a time (np.getbufsize() elements), each buffer pairwise,
    the buffers in turn (numext.sum: its bits for rows shorter than 64 or a
    buffer long or more, else pairwise over the rows: its value to rounding).
    NumPy <= 2.2 cuts the whole visit into buffers across row ends: numext.sum
    does the same, its bits for every layout."""
    rng = np.random.default_rng(sum(shape))
    for name, x in _layouts(rng, dtype, shape).items():
        run = x.shape[0] if name.startswith("F") else x.shape[1]
        if name not in ONE_RUN and 64 <= run < np.getbufsize() and not _BUFFERS_ACROSS_ROWS:
            got, expected = numext.sum(x), np.sum(x)
            assert got.dtype == expected.dtype
            np.testing.assert_allclose(got, expected, rtol=1e-4 if x.real.dtype == np.float32 else 1e-11)
            continue
        assert_same_array(numext.sum(x), np.sum(x))
        assert_same_array(numext.sum(x, axis=(1, 0)), np.sum(x, axis=(1, 0)))
        assert_same_array(numext.sum(x, keepdims=True), np.sum(x, keepdims=True))
        out_ours, out_np = np.zeros((), dtype), np.zeros((), dtype)
        numext.sum(x, out=out_ours)
        np.sum(x, out=out_np)
        assert_same_array(out_ours, out_np)


@pytest.mark.parametrize("dtype", ["f4", "f8", "c16"])
def test_axis_none_3d_layouts_close_to_np_sum(dtype):
    """Three axes that merge into no fewer: pairwise over runs (NumPy's order is
    not reproduced there), the same value to rounding; one-run layouts exact."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((20, 30, 40)).astype(dtype)
    for v in (x, np.asfortranarray(x), x.transpose(2, 0, 1), x[::-1, ::-1, ::-1]):
        assert_same_array(numext.sum(v), np.sum(v))
    for v in (x[:, :, ::2], x[::-1, :, ::-1], np.asfortranarray(x)[:, ::2]):
        if _BUFFERS_ACROSS_ROWS:
            # NumPy <= 2.2's buffers across row ends: followed bit for bit.
            assert_same_array(numext.sum(v), np.sum(v))
            continue
        got, expected = numext.sum(v), np.sum(v)
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-5 if x.real.dtype == np.float32 else 1e-12)


@pytest.mark.parametrize(
    "x_dtype, loop", [("i1", "f8"), ("f4", "f8"), ("f8", "c16"), ("f4", "c16"), ("i2", "f4"), ("u1", "f8")]
)
@pytest.mark.parametrize("n", [100, 8192, 8193, 3 * 8192 + 7, 1_000_003])
def test_dtype_upcast_has_np_sums_bits(x_dtype, loop, n, num_threads):
    """NumPy casts one buffer (np.getbufsize() elements) at a time and adds the
    buffers' pairwise sums in turn: numext.sum gives its bits, any layout that
    is one run of memory."""
    rng = np.random.default_rng(n)
    x = (rng.standard_normal(n) * 50).astype(x_dtype)
    for v in (x, x[::-1], x.reshape(-1, 1)[: n - n % 2].reshape(2, -1).T):
        assert_same_array(numext.sum(v, dtype=loop), np.sum(v, dtype=loop))


def test_dtype_upcast_does_not_cast_the_whole_input():
    x = np.ones(4_000_000, np.int8)
    for loop in (np.float64, np.complex128, np.int64):
        tracemalloc.start()
        try:
            got = numext.sum(x, dtype=loop)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert got == np.sum(x, dtype=loop)
        assert peak < 4 * 2**20, f"{loop.__name__}: {peak / 2**20:.1f} MiB allocated (the whole cast is 32+ MiB)"


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_dtype_upcast_of_rows_longer_than_a_cast_piece(dtype):
    """Rows each longer than the 1 MiB cast piece, not mergeable into one run:
    summed a row at a time (a fuzz-found RecursionError: the piece was taken
    as v[i:i + 1], the same shape again, for ever)."""
    x = np.random.default_rng(3).random((2, 2**19)) > 0.5
    v = x[:, 1:]
    assert_same_array(numext.sum(v, dtype=dtype), np.sum(v, dtype=dtype))
    m = np.random.default_rng(4).random((3, 2**18)).astype(np.float32)[:, 1:]
    np.testing.assert_allclose(numext.sum(m, dtype=np.float64), np.sum(m, dtype=np.float64), rtol=1e-12)


@pytest.mark.parametrize("axis", [0, 1, (0, 1), None])
def test_dtype_upcast_along_axes_like_np_sum(axis):
    rng = np.random.default_rng(5)
    x = rng.integers(-100, 100, (700, 600)).astype(np.int16)
    for loop in (np.float64, np.float32, np.complex64, np.int8, bool):
        for v in (x, x.T, x[::-1]):
            assert_like_np_sum(lambda: numext.sum(v, axis=axis, dtype=loop), lambda: np.sum(v, axis=axis, dtype=loop))


# ---- hypothesis: every argument, every layout -------------------------------------------

DTYPES = ["?", "i1", "u2", "i4", "i8", "u8", "f2", "f4", "f8", "c8", "c16"]


@st.composite
def calls(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=6))
    low = 0 if dtype.kind in "bu" else -4
    x = draw(hnp.arrays(np.int8, shape, elements=st.integers(low, 4))).astype(dtype)
    layout = draw(st.sampled_from(["C", "F", "T", "reversed", "strided"]))
    x = {"C": x, "F": np.asfortranarray(x), "T": x.T, "reversed": x[::-1], "strided": x[..., ::2]}[layout]
    ndim = x.ndim
    axis = draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1),
                          st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).map(tuple)))
    kw = {"axis": axis}
    if draw(st.booleans()):
        kw["keepdims"] = draw(st.booleans())
    if draw(st.booleans()):
        kw["dtype"] = draw(st.sampled_from([None, *DTYPES]))
    if draw(st.booleans()):
        kw["initial"] = draw(st.sampled_from([0, 1, -2.5, True]))
    if draw(st.booleans()):
        kw["where"] = draw(hnp.arrays(bool, draw(hnp.broadcastable_shapes(x.shape, max_dims=ndim, min_side=0))))
    out_dtype = draw(st.sampled_from([None, None, *DTYPES]))
    return x, kw, out_dtype


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calls())
def test_every_argument_like_np_sum(call):
    x, kw, out_dtype = call
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            shape = np.shape(np.sum(x, **kw))
        except Exception:  # noqa: BLE001
            shape = None
    if out_dtype is not None and shape is not None:
        out_np, out_ours = np.zeros(shape, out_dtype), np.zeros(shape, out_dtype)
        kw_np, kw_ours = {**kw, "out": out_np}, {**kw, "out": out_ours}
    else:
        kw_np = kw_ours = kw
    # Small integer-valued inputs: every partial sum is exact, so every order
    # of the additions gives np.sum's bits.
    with np.errstate(all="ignore"):
        assert_like_np_sum(lambda: numext.sum(x, **kw_ours), lambda: np.sum(x, **kw_np))
    if kw_ours is not kw:
        assert_same_array(out_ours, out_np)
