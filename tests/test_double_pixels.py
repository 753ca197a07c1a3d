"""numext.double_pixels and numext.double against their oracle, np.multiply(x, 2).

Every check compares with what NumPy itself does on the same input: values
(bit for bit, NaN where NaN, sign of zero), result dtype and type, the
RuntimeWarnings raised, and the exceptions.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import numext
from conftest import PARALLEL_BYTES, pool_threads
from helpers import assert_same_bits, dtype_id, error_kind, outcome_and_warnings

# Every numeric dtype, by the type character of the loop it should pick.
NUMERIC_CHARS = "?bBhHiIlLqQefdgFDG"
NUMERIC_DTYPES = [np.dtype(c) for c in NUMERIC_CHARS]
FLOAT_DTYPES = [np.dtype(c) for c in "efdg"]
COMPLEX_DTYPES = [np.dtype(c) for c in "FDG"]
INEXACT_DTYPES = FLOAT_DTYPES + COMPLEX_DTYPES
INT_DTYPES = [np.dtype(c) for c in "bBhHiIlLqQ"]


# Per-dtype property tests (18 dtypes each): modest counts keep the file CI-sized,
# also under AddressSanitizer. Tests across all dtypes at once run more.
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SETTINGS_ALL_DTYPES = settings(SETTINGS, max_examples=100)


# ---- helpers ---------------------------------------------------------------


def assert_same(got, expected) -> None:
    """Same type (scalar or array) and the same bits: dtype, shape and bytes
    (long double: values and signs, NaNs' too); tests/helpers.py."""
    assert type(got) is type(expected), (type(got), type(expected))
    assert_same_bits(got, expected)


def run_recording(fn):
    """(result or exception, sorted warnings) of fn(); warning texts normalised
    so NumPy's 'in multiply' reads as numext's 'in double_pixels'."""
    _, result, caught = outcome_and_warnings(fn)
    return result, sorted({(category, text.replace("multiply", "double_pixels")) for category, text in caught})


def check_like_multiply(ours, numpys) -> None:
    """`ours()` and `numpys()` give the same result (or exception type) and warnings."""
    got, got_warnings = run_recording(ours)
    expected, expected_warnings = run_recording(numpys)
    if isinstance(expected, Exception):
        assert isinstance(got, Exception), f"NumPy raised {expected!r}, numext returned {got!r}"
        assert error_kind(got) is error_kind(expected), (got, expected)
    else:
        assert not isinstance(got, Exception), f"numext raised {got!r}, NumPy returned {expected!r}"
        assert_same(got, expected)
    assert got_warnings == expected_warnings


def elements_for(dtype: np.dtype):
    """Any value of the dtype, NaN, inf and -0.0 included."""
    return hnp.from_dtype(dtype)


def special_values(dtype: np.dtype) -> np.ndarray:
    """Values where doubling is interesting: extremes, NaN, inf, signed zeros."""
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return np.array([False, True], dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        vals = [info.min, info.min + 1, -1, 0, 1, info.max // 2, info.max // 2 + 1, info.max - 1, info.max]
        return np.array([v for v in vals if info.min <= v <= info.max], dtype)
    part = dtype.type(0).real.dtype
    real = np.finfo(part)
    reals = np.array([0.0, -0.0, 1.0, -1.5, np.inf, -np.inf, np.nan, -np.nan, float(real.tiny),
                      float(real.smallest_subnormal), float(real.max), -float(real.max),
                      float(real.max) / 2, float(real.max) / 3], part)
    if dtype.kind == "f":
        return reals.astype(dtype)
    out = np.empty(len(reals) ** 2, dtype)
    out.real = np.repeat(reals, len(reals))
    out.imag = np.tile(reals, len(reals))
    return out


# ---- the loop table ----------------------------------------------------------


def test_loop_table_is_every_numeric_dtype():
    assert numext.double_pixels.nin == 1 and numext.double_pixels.nout == 1
    # bool -> int64 is an ArrayMethod of its own (a safe cast), not in .types.
    assert numext.double_pixels.types == [f"{c}->{c}" for c in NUMERIC_CHARS[1:]]


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
def test_result_dtype_is_multiplys(dtype):
    x = np.ones(3, dtype)
    assert numext.double_pixels(x).dtype == np.multiply(x, 2).dtype
    assert numext.double(x).dtype == np.multiply(x, 2).dtype


# ---- property tests against np.multiply(x, 2) ---------------------------------


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
@SETTINGS
@given(data=st.data())
def test_matches_multiply_any_shape(dtype, data):
    x = data.draw(
        hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
                   elements=elements_for(dtype)),
        label="x",
    )
    check_like_multiply(lambda: numext.double_pixels(x), lambda: np.multiply(x, 2))
    check_like_multiply(lambda: numext.double(x), lambda: np.multiply(x, 2))


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
@SETTINGS
@given(data=st.data())
def test_matches_multiply_strided_views(dtype, data):
    """Negative steps, steps > 1, newaxis, ellipsis, transposes: any strides."""
    x = data.draw(
        hnp.arrays(dtype, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=9),
                   elements=elements_for(dtype)),
        label="x",
    )
    index = data.draw(hnp.basic_indices(x.shape, allow_newaxis=True, allow_ellipsis=True), label="index")
    view = x[index]
    if data.draw(st.booleans(), label="transpose"):
        view = np.asarray(view).T
    check_like_multiply(lambda: numext.double_pixels(view), lambda: np.multiply(view, 2))
    if isinstance(view, np.ndarray):
        # In place on the view itself: both sides on identical copies.
        base_ours, base_np = x.copy(), x.copy()
        v_ours, v_np = base_ours[index], base_np[index]
        if data.draw(st.booleans(), label="transpose in place"):
            v_ours, v_np = v_ours.T, v_np.T
        if v_ours.dtype != np.bool_:
            check_like_multiply(lambda: numext.double_pixels(v_ours, out=v_ours),
                                lambda: np.multiply(v_np, 2, out=v_np))
            assert_same(base_ours, base_np)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
def test_special_values(dtype):
    x = special_values(dtype)
    for view in (x, x[::-1], x[::2], x[1::3]):
        check_like_multiply(lambda: numext.double_pixels(view), lambda: np.multiply(view, 2))


def test_complex_uses_the_full_product():
    # (1 + inf j) * (2 + 0j) = (1*2 - inf*0) + (1*0 + inf*2) j = nan + inf j in NumPy.
    for dtype in COMPLEX_DTYPES:
        x = np.array([complex(1, np.inf), complex(np.inf, 1), complex(np.inf, np.nan)], dtype)
        check_like_multiply(lambda: numext.double_pixels(x), lambda: np.multiply(x, 2))
        with np.errstate(invalid="ignore"):
            got = numext.double_pixels(x)
        assert np.isnan(got[0].real) and np.isposinf(got[0].imag)


def _complex_layouts(v, dtype):
    """One special value through each way NumPy's complex loop can see it.

    NumPy fuses the products (FMA) on its SIMD path and not on its scalar
    fallback (out stride 0, partly overlapping operands, a negative complex64
    input stride), which changes the warnings for values such as inf+nan j
    or max+inf j, and which NaN comes out.
    """
    yield "contiguous", lambda: (np.full(5, v, dtype), {})
    yield "strided", lambda: (np.full(10, v, dtype)[::2], {})
    yield "reversed", lambda: (np.full(5, v, dtype)[::-1], {})
    # A negative input stride into a forward output: NumPy's complex64 loop
    # refuses such a stride for SIMD (complex128's takes it).
    yield "reversed into out", lambda: (np.full(5, v, dtype)[::-1], {"out": np.zeros(5, dtype)})
    # Long enough (8+) for numext to stage strided operands through a buffer.
    yield "every third, 20", lambda: (np.full(60, v, dtype)[::3], {})
    yield "reversed into strided out, 20", lambda: (np.full(20, v, dtype)[::-1], {"out": np.zeros(40, dtype)[::2]})
    yield "strided into strided out, 20", lambda: (np.full(60, v, dtype)[::3], {"out": np.zeros(40, dtype)[::-2]})
    yield "0-d into out", lambda: (np.full((), v, dtype), {"out": np.zeros(3, dtype)})
    yield "out stride 0", lambda: (np.full(1, v, dtype), {"out": np.zeros((1, 1), dtype)})
    yield "where, out stride 0", lambda: (np.full((), v, dtype), {"out": np.zeros(1, dtype), "where": np.array(True)})
    yield "in place", lambda: (lambda a: (a, {"out": a}))(np.full(4, v, dtype))

    def partly_overlapping():
        buf = np.full(6, v, dtype)
        return buf[1:], {"out": buf[:-1]}
    yield "partly overlapping", partly_overlapping


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=dtype_id)
def test_complex_special_values_warn_like_multiply_in_every_layout(dtype):
    # Each value alone: in an array the warnings of all elements merge.
    for v in special_values(dtype):
        for layout, make in _complex_layouts(v, dtype):
            x_ours, kw_ours = make()
            x_np, kw_np = make()
            got, got_w = run_recording(lambda: numext.double_pixels(x_ours, **kw_ours))
            expected, expected_w = run_recording(lambda: np.multiply(x_np, 2, **kw_np))
            assert got_w == expected_w, (v, layout)
            assert_same(got, expected)



@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=dtype_id)
@pytest.mark.parametrize("n", [1, 3, 40])
def test_complex_fused_or_plain_like_multiply_for_every_stride(dtype, n):
    """Input and output strides of -2..3 elements (0 for the output too), also
    partly overlapping ones: wherever NumPy takes its fused loop, so does
    double_pixels, seen in the warnings and NaNs of values that tell them apart."""
    from numpy.lib.stride_tricks import as_strided

    markers = [complex(np.inf, np.nan), complex(1, np.inf), complex(np.nan, -np.inf), complex(-np.inf, 1)]
    size = dtype.itemsize
    for v in markers:
        for k_in, k_out, shift in itertools.product([-2, -1, 1, 2, 3], [-2, -1, 0, 1, 2], [None, -1, 1]):
            if k_out == 0 and n > 1:
                continue  # NumPy copies an output that overlaps itself

            def make():
                buf = np.full(8 * n + 16, v, dtype)
                mid = 4 * n + 8
                x = as_strided(buf[mid:], shape=(n,), strides=(k_in * size,))
                if shift is None:  # a separate output
                    out = as_strided(np.zeros(8 * n + 16, dtype)[mid:], shape=(n,), strides=(k_out * size,))
                else:  # in the input's buffer, one element off
                    out = as_strided(buf[mid + shift:], shape=(n,), strides=(k_out * size,))
                return x, out

            x_ours, out_ours = make()
            x_np, out_np = make()
            got, got_w = run_recording(lambda: numext.double_pixels(x_ours, out=out_ours))
            expected, expected_w = run_recording(lambda: np.multiply(x_np, 2, out=out_np))
            where = (v, k_in, k_out, shift)
            assert got_w == expected_w, where
            assert_same_bits(np.asarray(out_ours).copy(), np.asarray(out_np).copy())

# Lengths on both sides of the vector widths (up to 64 bytes of uint8) and of
# the complex kernels' 256-element staging buffer.
_BLOCK_EDGE_LENGTHS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 255, 256, 257, 513]


@pytest.mark.parametrize("dtype", INEXACT_DTYPES + [np.dtype(c) for c in "bBhiq"], ids=dtype_id)
@settings(SETTINGS, max_examples=50)
@given(
    n=st.sampled_from(_BLOCK_EDGE_LENGTHS) | st.integers(1, 600),
    in_step=st.sampled_from([1, -1, 2, -2, 3]),
    out_layout=st.sampled_from(["new", "contiguous", "every other", "reversed", "in place"]),
    data=st.data(),
)
def test_special_values_among_many_in_every_layout(dtype, n, in_step, out_layout, data):
    """Special values at any places of a longer array, read with any step
    into any output: the vectorised loops, their remainders and the staged
    copies give NumPy's bits, and its warnings (with one special value
    alone, its own warnings)."""
    specials = special_values(dtype)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    count = min(n, data.draw(st.sampled_from([1, len(specials)]), label="how many"))
    chosen = rng.choice(specials, count, replace=False)
    where = rng.choice(n, count, replace=False)

    def make():
        base = ((np.arange(n * abs(in_step)) % 13) - 6).astype(dtype)
        if dtype.kind == "c":
            base.imag = (np.arange(n * abs(in_step)) % 5) - 2
        x = base[::in_step]
        x[where] = chosen
        if out_layout == "new":
            return x, {}
        if out_layout == "in place":
            return x, {"out": x}
        out = {"contiguous": np.zeros(n, dtype), "every other": np.zeros(2 * n, dtype)[::2],
               "reversed": np.zeros(n, dtype)[::-1]}[out_layout]
        return x, {"out": out}

    x_ours, kw_ours = make()
    x_np, kw_np = make()
    check_like_multiply(lambda: numext.double_pixels(x_ours, **kw_ours), lambda: np.multiply(x_np, 2, **kw_np))
    assert_same_bits(x_ours.copy(), x_np.copy())  # the input too, when in place


@SETTINGS_ALL_DTYPES
@given(
    x_dtype=st.sampled_from(NUMERIC_DTYPES),
    out_dtype=st.sampled_from(NUMERIC_DTYPES),
    casting=st.sampled_from(["no", "equiv", "safe", "same_kind", "unsafe"]),
    data=st.data(),
)
def test_out_and_casting_like_multiply(x_dtype, out_dtype, casting, data):
    x = data.draw(hnp.arrays(x_dtype, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
                             elements=elements_for(x_dtype)), label="x")
    fill = data.draw(hnp.from_dtype(out_dtype), label="fill")
    out_ours = np.full(x.shape, fill, out_dtype)
    out_np = out_ours.copy()
    two = 2
    if casting in ("no", "equiv"):
        # Under 'equiv' np.multiply cannot convert the Python int 2 (the
        # documented difference): give it a 2 of the loop's dtype. A bool is
        # refused by both (bool -> int64 is a safe cast).
        two = np.int64(2) if x.dtype == np.bool_ else x.dtype.type(2)
    check_like_multiply(lambda: numext.double_pixels(x, out=out_ours, casting=casting),
                        lambda: np.multiply(x, two, out=out_np, casting=casting))
    assert_same(out_ours, out_np)
    if casting == "same_kind":
        out2 = np.full(x.shape, fill, out_dtype)
        check_like_multiply(lambda: numext.double(x, out=out2), lambda: np.multiply(x, 2, out=out_np))


@SETTINGS_ALL_DTYPES
@given(
    x_dtype=st.sampled_from(NUMERIC_DTYPES),
    # No bool: double_pixels has no bool->bool loop (np.multiply's ?? -> ? is logical and).
    loop_dtype=st.sampled_from(NUMERIC_DTYPES[1:]),
    casting=st.sampled_from(["safe", "same_kind", "unsafe"]),
    data=st.data(),
)
def test_dtype_argument_like_multiply(x_dtype, loop_dtype, casting, data):
    x = data.draw(hnp.arrays(x_dtype, hnp.array_shapes(min_dims=0, max_dims=2, max_side=5),
                             elements=elements_for(x_dtype)), label="x")
    check_like_multiply(lambda: numext.double_pixels(x, dtype=loop_dtype, casting=casting),
                        lambda: np.multiply(x, 2, dtype=loop_dtype, casting=casting))


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
@SETTINGS
@given(data=st.data())
def test_where_and_broadcasting_into_out(dtype, data):
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
                       label="shapes")
    x_shape, where_shape = shapes.input_shapes
    # out may be larger still: x and where broadcast into it.
    extra = data.draw(hnp.array_shapes(min_dims=0, max_dims=1, min_side=1, max_side=3), label="extra")
    out_shape = tuple(extra) + tuple(shapes.result_shape)
    x = data.draw(hnp.arrays(dtype, x_shape, elements=elements_for(dtype)), label="x")
    where = data.draw(hnp.arrays(np.bool_, where_shape), label="where")
    out_dtype = np.multiply(np.ones(1, dtype), 2).dtype
    fill = data.draw(hnp.from_dtype(out_dtype), label="fill")
    out_ours = np.full(out_shape, fill, out_dtype)
    out_np = out_ours.copy()
    check_like_multiply(lambda: numext.double_pixels(x, out=out_ours, where=where),
                        lambda: np.multiply(x, 2, out=out_np, where=where))
    assert_same(out_ours, out_np)
    out_ours = np.full(out_shape, fill, out_dtype)
    out_np = out_ours.copy()
    check_like_multiply(lambda: numext.double_pixels(x, out=out_ours), lambda: np.multiply(x, 2, out=out_np))
    assert_same(out_ours, out_np)


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES[1:], ids=dtype_id)  # bool: see below
@SETTINGS
@given(data=st.data())
def test_overlapping_out_like_multiply(dtype, data):
    n = data.draw(st.integers(2, 40), label="n")
    x = data.draw(hnp.arrays(dtype, n, elements=elements_for(dtype)), label="x")
    shift = data.draw(st.integers(-(n - 1), n - 1), label="shift")
    step = data.draw(st.sampled_from([1, 2, -1, -2]), label="step")

    def views(arr):
        if shift >= 0:
            a, b = arr[: n - shift], arr[shift:]
        else:
            a, b = arr[-shift:], arr[: n + shift]
        return a[::step], b[::step]

    ours, ref = x.copy(), x.copy()
    src_o, dst_o = views(ours)
    src_r, dst_r = views(ref)
    check_like_multiply(lambda: numext.double_pixels(src_o, out=dst_o),
                        lambda: np.multiply(src_r, 2, out=dst_r))
    assert_same(ours, ref)


# ---- explicit cases -----------------------------------------------------------


OVERLAPS = {
    # out ahead of the input: NumPy copies the input first.
    "out-ahead": (slice(None, -1), slice(1, None)),
    # out is the input reversed: NumPy copies.
    "reversed": (slice(None, None, -1), slice(None)),
    # out one element behind the input: NumPy hands the loop the overlapping
    # operands as they are (a loop that runs in order reads every element
    # before it is overwritten).
    "out-behind": (slice(1, None), slice(None, -1)),
}


def overlap_mismatches(x: np.ndarray, src: slice, dst: slice) -> str | None:
    ours, ref = x.copy(), x.copy()
    numext.double_pixels(ours[src], out=ours[dst])
    np.multiply(ref[src], 2, out=ref[dst])
    bad = np.flatnonzero(ours != ref)
    if len(bad) == 0:
        assert_same(ours, ref)
        return None
    return (f"{x.dtype} n={len(x)} {len(bad)} wrong, first at {bad[:4].tolist()}: "
            f"got {ours[bad[:4]].tolist()}, np.multiply gives {ref[bad[:4]].tolist()}")


@pytest.mark.parametrize("dtype", [d for d in NUMERIC_DTYPES if d != np.bool_], ids=dtype_id)
@pytest.mark.parametrize(
    "overlap, size",
    # out-behind on a large input: the two tests below (one thread, and several).
    [(o, s) for o in OVERLAPS for s in ("small", "large") if (o, s) != ("out-behind", "large")],
)
def test_overlap_shifted_by_one(dtype, size, overlap, num_threads):
    n = 50 if size == "small" else 2 * PARALLEL_BYTES // dtype.itemsize + 37
    with np.errstate(all="ignore"):
        x = (np.arange(n) % 101).astype(dtype)
    src, dst = OVERLAPS[overlap]
    assert overlap_mismatches(x, src, dst) is None


@pytest.mark.parametrize("dtype", [d for d in NUMERIC_DTYPES if d != np.bool_], ids=dtype_id)
def test_overlap_out_behind_input_large_single_thread(dtype):
    n = 2 * PARALLEL_BYTES // dtype.itemsize + 37
    with np.errstate(all="ignore"):
        x = (np.arange(n) % 101).astype(dtype)
    with numext.threads(1):
        assert overlap_mismatches(x, *OVERLAPS["out-behind"]) is None


@pytest.mark.parametrize("threads", sorted({2, 3, max(2, numext.get_num_threads())}))
def test_overlap_out_behind_input_on_several_threads(threads):
    errors = []
    with pool_threads(threads):
        # float16's slow kernel makes the threads' chunks overlap in time most.
        for dtype, reps in [(np.dtype("e"), 10), (np.dtype("B"), 3), (np.dtype("d"), 3), (np.dtype("F"), 3)]:
            n = 4 * PARALLEL_BYTES // dtype.itemsize + 37
            x = (np.arange(n) % 101).astype(dtype)
            for _ in range(reps):
                for src, dst in [(slice(1, None), slice(None, -1)), (slice(3, None), slice(None, -3))]:
                    message = overlap_mismatches(x, src, dst)
                    if message:
                        errors.append(message)
    assert not errors, "\n".join(errors[:8])


@pytest.mark.parametrize("size", ["small", "large"])
def test_overlap_bool_into_its_own_int64_buffer(size, num_threads):
    """bool -> int64 into the memory the bools are read from (bools viewed at stride 8)."""
    n = 50 if size == "small" else 2 * PARALLEL_BYTES // 8 + 5
    buf = (np.arange(n) % 3 == 0).astype(np.int64)
    ref = buf.copy()
    x, x_ref = buf.view(np.bool_)[::8], ref.view(np.bool_)[::8]
    assert np.shares_memory(x, buf)
    numext.double_pixels(x, out=buf)
    np.multiply(x_ref, 2, out=ref)
    assert_same(buf, ref)
    # Shifted by one element.
    buf2 = (np.arange(n) % 3 == 0).astype(np.int64)
    ref2 = buf2.copy()
    numext.double_pixels(buf2.view(np.bool_)[: 8 * (n - 1) : 8], out=buf2[1:])
    np.multiply(ref2.view(np.bool_)[: 8 * (n - 1) : 8], 2, out=ref2[1:])
    assert_same(buf2, ref2)


def test_img_column_slices_and_layouts():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (64, 48, 3), dtype=np.uint8)
    for view in (img[:, ::2], img[::-1, ::3, ::-1], img.transpose(2, 0, 1), np.asfortranarray(img),
                 img[..., 1], img[10:11, :, 0]):
        assert_same(numext.double_pixels(view), np.multiply(view, 2))
        assert_same(numext.double(view), np.multiply(view, 2))


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
def test_large_inputs_over_threads(dtype, num_threads):
    """Big enough that every thread gets work; odd sizes, misaligned and strided
    operands exercise the cache-line cutting."""
    rng = np.random.default_rng(dtype.num)
    n = 2 * PARALLEL_BYTES // dtype.itemsize + 13
    if dtype.kind == "b":
        x = rng.integers(0, 2, n).astype(bool)
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        x = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    else:
        x = np.empty(n, dtype)
        x[...] = rng.standard_normal(n) * 1e3
        if dtype.kind == "c":
            x.imag = rng.standard_normal(n)
        specials = special_values(dtype)
        x[rng.integers(0, n, len(specials))] = specials
    with np.errstate(all="ignore"):
        expected = np.multiply(x, 2)
        assert_same(numext.double_pixels(x), expected)
        assert_same(numext.double(x), expected)
        # Not expected[::-1]: for complex64 NumPy's loop takes a negative input
        # stride into its forward output without SIMD, and its NaNs differ.
        assert_same(numext.double_pixels(x[::-1]), np.multiply(x[::-1], 2))
        assert_same(numext.double_pixels(x[1::3]), expected[1::3])
        # Output misaligned by one element, and strided.
        buf = np.zeros(n + 1, expected.dtype)
        numext.double_pixels(x, out=buf[1:])
        assert_same(buf[1:], expected)
        buf2 = np.zeros(2 * n, expected.dtype)
        numext.double_pixels(x, out=buf2[::2])
        assert_same(buf2[::2], expected)
        assert not buf2[1::2].any()
        # 2-D, both axes strided.
        img = x[: (n // 64) * 64].reshape(-1, 64)
        assert_same(numext.double_pixels(img[:, ::2]), expected[: img.size].reshape(-1, 64)[:, ::2])
        if dtype.kind != "b":
            inplace = x.copy()
            assert numext.double_pixels(inplace, out=inplace) is inplace
            assert_same(inplace, expected)


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=dtype_id)
def test_integers_wrap_without_warning(dtype):
    info = np.iinfo(dtype)
    x = np.array([info.max, info.min, info.max // 2 + 1, -1 if info.min < 0 else info.max], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            got = numext.double_pixels(x)
    assert_same(got, np.multiply(x, 2))
    # Python-int arithmetic modulo 2**bits, as the wrap is defined.
    bits = 8 * dtype.itemsize
    for g, v in zip(got.tolist(), x.tolist()):
        w = (2 * v) % (1 << bits)
        if info.min < 0 and w >= 1 << (bits - 1):
            w -= 1 << bits
        assert g == w


@pytest.mark.parametrize("casting", ["no", "equiv", "safe", "same_kind", "unsafe"])
@pytest.mark.parametrize("kwargs", [{}, {"dtype": np.int64}, {"out": "int64"}], ids=["plain", "dtype", "out"])
def test_bool_casting_like_multiply(casting, kwargs):
    """bool doubles into int64, a safe cast: np.multiply refuses it under 'no'
    and 'equiv' (numext computed), allows it under the others."""
    x = np.array([True, False, True])
    kw_ours = {k: (np.zeros(3, v) if k == "out" else v) for k, v in kwargs.items()}
    kw_np = {k: (np.zeros(3, v) if k == "out" else v) for k, v in kwargs.items()}
    check_like_multiply(lambda: numext.double_pixels(x, casting=casting, **kw_ours),
                        lambda: np.multiply(x, 2, casting=casting, **kw_np))


def _numpy_refuses_equiv(x) -> bool:
    """Whether the running NumPy refuses np.multiply(x, 2, casting='equiv')
    (NumPy >= 2.2: it will not convert the Python int 2 under 'equiv'; 2.0 does)."""
    try:
        np.multiply(x, 2, casting="equiv")
    except TypeError:
        return True
    return False


def test_casting_equiv_is_the_documented_difference():
    """double_pixels has no Python-int operand and computes under
    casting='equiv' (documented in its docstring), as np.multiply(x, 2) does
    where NumPy still converts the 2 (2.0); where NumPy refuses, that refusal
    is the one documented difference."""
    y = np.arange(4, dtype=np.int16)
    assert_same(numext.double_pixels(y, casting="equiv"), np.multiply(y, 2, casting="no"))
    if not _numpy_refuses_equiv(y):
        assert_same(numext.double_pixels(y, casting="equiv"), np.multiply(y, 2, casting="equiv"))
    assert "casting='equiv'" in numext.double_pixels.__doc__


def test_complex_fused_layouts_are_probed_from_numpy():
    """The import-time probe (numext._multiply_rules) tells fused from plain by
    the "invalid" flag of inf + nan j, and double_pixels follows it in each
    layout class: the same flag and NaN bits as np.multiply there."""
    from numext import _multiply_rules

    layouts = _multiply_rules.probe()
    # Every NumPy tried fuses forward strides (x86-64 with FMA); complex64
    # read backwards is the class that changed (2.0 fused, 2.2+ plain).
    for bit, dtype, view in _multiply_rules._CLASSES:
        x = np.full(32, complex(np.inf, np.nan), dtype)[view]
        got, got_w = run_recording(lambda: numext.double_pixels(x))
        expected, expected_w = run_recording(lambda: np.multiply(x, 2))
        assert got_w == expected_w, bit
        assert bool(expected_w) != bool(layouts & bit), bit  # warns exactly when plain
        assert_same_bits(got, expected)


def test_bool_gives_int64():
    x = np.array([True, False, True])
    assert_same(numext.double_pixels(x), np.multiply(x, 2))
    assert numext.double_pixels(x).dtype == np.int64
    assert_same(numext.double_pixels(np.True_), np.multiply(np.True_, 2))


@pytest.mark.parametrize("dtype", INEXACT_DTYPES, ids=dtype_id)
def test_overflow_warns_and_raises(dtype):
    big = np.finfo(dtype.type(0).real.dtype).max
    x = np.array([1, big], dtype)
    with pytest.warns(RuntimeWarning, match="overflow encountered in double_pixels"):
        got = numext.double_pixels(x)
    with np.errstate(over="ignore"):
        assert_same(got, np.multiply(x, 2))
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError, match="overflow"):
            numext.double_pixels(x)
    with np.errstate(over="ignore"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            numext.double_pixels(x)


@pytest.mark.parametrize("dtype", INEXACT_DTYPES, ids=dtype_id)
def test_overflow_in_a_worker_thread_is_reported(dtype, num_threads):
    """The overflowing element is last: with 2+ threads a worker usually computes it."""
    n = 2 * PARALLEL_BYTES // dtype.itemsize
    x = np.ones(n, dtype)
    big = np.finfo(dtype.type(0).real.dtype).max
    x[-1] = big
    x[n // 2 + 1] = 3  # the middle is harmless
    with np.errstate(over="ignore"):
        expected = np.multiply(x, 2)
    for _ in range(5):  # which thread gets the last task varies: ask several times
        with pytest.warns(RuntimeWarning, match="overflow"):
            got = numext.double_pixels(x)
        assert_same(got, expected)
        with np.errstate(over="raise"):
            with pytest.raises(FloatingPointError, match="overflow"):
                numext.double_pixels(x)
            with pytest.raises(FloatingPointError, match="overflow"):
                numext.double_pixels(x[::-1][::-1])
    # Warnings from workers do not leak into the next, clean call.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            assert_same(numext.double_pixels(x[:-1]), np.multiply(x[:-1], 2))


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=dtype_id)
def test_invalid_in_a_worker_thread_is_reported(dtype, num_threads):
    n = 2 * PARALLEL_BYTES // dtype.itemsize
    x = np.ones(n, dtype)
    x[-1] = complex(np.inf, 1)  # inf * 0 in the imaginary part: invalid
    with np.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError, match="invalid"):
            np.multiply(x, 2)
        for _ in range(3):
            with pytest.raises(FloatingPointError, match="invalid"):
                numext.double_pixels(x)


@pytest.mark.parametrize(
    "x",
    [
        np.array([object(), 1], dtype=object),
        np.array([1, 2], dtype=object),
        np.array(["a", "bc"]),
        np.array([b"a", b"bc"]),
        np.array(["2020-01-01"], dtype="datetime64[D]"),
        np.array([1, 2], dtype="timedelta64[s]"),
        np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]),
        np.zeros(2, dtype="V8"),
        "text",
        b"bytes",
    ],
    ids=["object", "object-ints", "str", "bytes", "datetime64", "timedelta64", "structured", "void",
         "python-str", "python-bytes"],
)
def test_unsupported_dtypes_raise_type_error(x):
    with pytest.raises(TypeError, match="double_pixels"):
        numext.double_pixels(x)
    with pytest.raises(TypeError, match="double_pixels"):
        numext.double(x)


@pytest.mark.parametrize(
    "value",
    [3, -7, 0, True, False, 2.5, -0.0, float("inf"), float("nan"), 1 + 2j, complex(1, float("inf")),
     [1, 2, 3], [[1.5, -2.0], [3.0, 4.0]], (1, 2), [True, False], [], [[]], [1, 2.5], [1, 2j],
     np.int8(-128), np.uint8(200), np.float32(3.5), np.float16(65504), np.longdouble(1.25),
     np.complex64(1 - 1j), np.array(5), np.array(-0.0), np.array(7, dtype=np.uint16), 2**62,
     np.iinfo(np.int64).max],
    ids=repr,
)
def test_array_likes_and_scalars(value):
    """Python scalars, lists, NumPy scalars and 0-d arrays: same value and type as np.multiply."""
    check_like_multiply(lambda: numext.double_pixels(value), lambda: np.multiply(value, 2))
    check_like_multiply(lambda: numext.double(value), lambda: np.multiply(value, 2))


def test_out_returns_out_and_works_in_place():
    x = np.arange(10, dtype=np.int16)
    out = np.empty_like(x)
    assert numext.double_pixels(x, out=out) is out
    assert numext.double(x, out=out) is out
    assert_same(out, np.multiply(x, 2))
    assert numext.double_pixels(x, out=(out,)) is out
    y = x.copy()
    numext.double(y, out=y)
    assert_same(y, np.multiply(x, 2))
    zero_d = np.array(4.0)
    res = numext.double_pixels(zero_d, out=zero_d)
    assert res is zero_d and zero_d == 8.0


def test_out_shape_mismatch_raises_like_numpy():
    x = np.arange(6.0).reshape(2, 3)
    for out_shape in [(3, 2), (2,), (6,), (2, 4)]:
        out_a, out_b = np.empty(out_shape), np.empty(out_shape)
        check_like_multiply(lambda: numext.double_pixels(x, out=out_a), lambda: np.multiply(x, 2, out=out_b))
        with pytest.raises(ValueError):
            numext.double_pixels(x, out=out_a)


def test_array_ufunc_override_is_honoured():
    class Sentinel:
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return ("called", ufunc, method, len(inputs))

    assert numext.double_pixels(Sentinel()) == ("called", numext.double_pixels, "__call__", 1)


def test_subclass_is_kept():
    m = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
    got = numext.double_pixels(m)
    assert isinstance(got, np.ma.MaskedArray)
    np.testing.assert_array_equal(got.mask, m.mask)
    np.testing.assert_array_equal(got.compressed(), np.multiply(m, 2).compressed())


def test_pandas_series_in_series_out():
    pd = pytest.importorskip("pandas")
    s = pd.Series([1.5, -2.0, np.nan, 4.0], index=["a", "b", "c", "d"], name="px")
    got = numext.double_pixels(s)
    expected = np.multiply(s, 2)
    assert isinstance(got, pd.Series)
    assert got.index.equals(s.index)
    assert got.name == s.name
    pd.testing.assert_series_equal(got, expected)
    img = pd.Series(np.array([200, 100, 0], dtype=np.uint8), index=[10, 20, 30])
    pd.testing.assert_series_equal(numext.double_pixels(img), np.multiply(img, 2))
    df = pd.DataFrame({"a": [1, 2], "b": [0.5, -0.0]})
    pd.testing.assert_frame_equal(numext.double_pixels(df), np.multiply(df, 2))


# ---- the complex kernels' 256-bit path -------------------------------------------
# A contiguous complex64/complex128 range of DP_STREAM_MIN_BYTES (input plus
# output) or more, its input and output differently placed in their cache
# lines, runs in 256-bit vectors (src/double_pixels_body.h, _streaming): the
# same element operation, so NumPy's bits and warnings, NaN/inf/-0.0 included.
STREAM_BYTES = numext._numext.DP_STREAM_MIN_BYTES
CACHE_LINE = 64


def _placed(n: int, dtype: np.dtype, offset: int) -> np.ndarray:
    """A contiguous, zeroed array of n elements starting `offset` bytes past a cache line."""
    raw = np.zeros(n * dtype.itemsize + 2 * CACHE_LINE, np.uint8)
    start = (-raw.ctypes.data) % CACHE_LINE + offset
    return raw[start : start + n * dtype.itemsize].view(dtype)


def _streaming_input(n: int, dtype: np.dtype, offset: int, seed: int) -> np.ndarray:
    """Mixed values with every special complex value (NaN/inf/-0.0 in either
    part) at random places and at both ends, where the 256-bit loop starts
    and stops."""
    rng = np.random.default_rng(seed)
    x = _placed(n, dtype, offset)
    x.real = rng.standard_normal(n) * 1e3
    x.imag = rng.standard_normal(n)
    specials = special_values(dtype)
    count = min(n, len(specials))
    x[rng.choice(n, count, replace=False)] = rng.choice(specials, count, replace=False)
    k = min(len(specials), n // 4)
    x[:k] = specials[:k]
    x[n - k :] = specials[len(specials) - k :]
    return x


@pytest.mark.parametrize("dtype", [np.dtype("F"), np.dtype("D")], ids=dtype_id)
@settings(SETTINGS, max_examples=12)
@given(
    # Around the threshold (below it: the 512-bit loop) and around the vector
    # widths and the output's head.
    extra=st.sampled_from([-8, -1, 0, 1, 2, 3, 5, 7, 8, 9, 17, 33]),
    in_offset=st.sampled_from([0, 8, 16, 24, 32, 48, 56]),
    out_offset=st.sampled_from([0, 8, 16, 32, 40]),
    seed=st.integers(0, 2**32 - 1),
)
def test_complex_streaming_path_like_multiply(dtype, extra, in_offset, out_offset, seed):
    # complex128 elements 8 bytes off: NumPy still calls the loop on them (aligned to 8).
    n = STREAM_BYTES // (2 * dtype.itemsize) + extra
    x = _streaming_input(n, dtype, in_offset, seed)
    out_ours, out_np = _placed(n, dtype, out_offset), _placed(n, dtype, out_offset)
    with numext.threads(1):
        check_like_multiply(lambda: numext.double_pixels(x, out=out_ours), lambda: np.multiply(x, 2, out=out_np))
    assert_same_bits(out_ours, out_np)


@pytest.mark.parametrize("dtype", [np.dtype("F"), np.dtype("D")], ids=dtype_id)
@settings(SETTINGS, max_examples=40)
@given(
    # Also around NUMEXT_DP_ALIGN_INPUT_MIN/MAX_BYTES (64 KiB, 1 MiB of input
    # plus output: 2048 and 32768 complex128, 4096 and 65536 complex64).
    n=st.sampled_from(_BLOCK_EDGE_LENGTHS + [2047, 2048, 2049, 4095, 4096, 4097, 32767, 32768, 32769,
                                             65535, 65536, 65537])
    | st.integers(1, 5000),
    in_offset=st.sampled_from([0, 8, 16, 24, 32, 48, 56]),
    out_offset=st.sampled_from([0, 8, 16, 32, 40]),
    seed=st.integers(0, 2**32 - 1),
)
def test_complex_contiguous_placements_like_multiply(dtype, n, in_offset, out_offset, seed):
    """Contiguous ranges of 64 KiB to 1 MiB start their vector loop on a
    cache line of the input, others of the output
    (NUMEXT_DP_ALIGN_INPUT_MIN/MAX_BYTES): every placement of the two,
    lengths around the vector widths and the thresholds."""
    x = _streaming_input(n, dtype, in_offset, seed)
    out_ours, out_np = _placed(n, dtype, out_offset), _placed(n, dtype, out_offset)
    check_like_multiply(lambda: numext.double_pixels(x, out=out_ours), lambda: np.multiply(x, 2, out=out_np))
    assert_same_bits(out_ours, out_np)


@pytest.mark.parametrize("dtype", [np.dtype("F"), np.dtype("D")], ids=dtype_id)
@settings(SETTINGS, max_examples=12)
@given(
    pieces=st.lists(st.integers(1, 12000), min_size=2, max_size=30),
    in_offset=st.sampled_from([0, 16, 32, 48]),
    out_offset=st.sampled_from([0, 16, 32, 40]),
    seed=st.integers(0, 2**32 - 1),
)
def test_complex_pieces_of_one_output_like_multiply(dtype, pieces, in_offset, out_offset, seed):
    """Calls that each continue the last call's output, as NumPy's buffered
    iteration makes them: past 1 MiB of such a run the kernel aligns on the
    output instead of the input (double_pixels.c, output_stream). Pieces of
    every length, runs past the threshold and short ones."""
    n = sum(pieces)
    x = _streaming_input(n, dtype, in_offset, seed)
    out_ours, out_np = _placed(n, dtype, out_offset), _placed(n, dtype, out_offset)
    with numext.threads(1):
        start = 0
        for size in pieces:
            piece = slice(start, start + size)
            check_like_multiply(lambda: numext.double_pixels(x[piece], out=out_ours[piece]),
                                lambda: np.multiply(x[piece], 2, out=out_np[piece]))
            start += size
    assert_same_bits(out_ours, out_np)


@pytest.mark.parametrize("dtype", [np.dtype("F"), np.dtype("D")], ids=dtype_id)
@pytest.mark.parametrize("threads", [1, 2])
def test_complex_broadcast_rows_like_multiply(dtype, threads):
    """A broadcast row is copied into NumPy's buffers and the loop called
    once per buffer along one long output (2 MiB and more here)."""
    row = _streaming_input(64, dtype, 0, seed=threads)
    x = np.broadcast_to(row, (2 * STREAM_BYTES // (64 * dtype.itemsize) + 3, 64))
    with pool_threads(threads):
        check_like_multiply(lambda: numext.double_pixels(x), lambda: np.multiply(x, 2))
        with np.errstate(all="ignore"):
            assert_same_bits(numext.double_pixels(x), np.multiply(x, 2))


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
@pytest.mark.parametrize("layout", ["broadcast row", "byte-swapped"])
@settings(SETTINGS, max_examples=4)
@given(
    row=st.integers(1, 200),
    extra=st.integers(0, 2 * 8192),
    out_offset=st.sampled_from([0, 8, 16, 40]),
    seed=st.integers(0, 2**32 - 1),
)
def test_buffered_calls_like_multiply(dtype, layout, row, extra, out_offset, seed):
    """A broadcast or byte-swapped input is copied into NumPy's buffers and
    the loop called once per buffer along one output; a buffer filled again
    is read back from its end in pieces (double_pixels.c,
    run_backward_in_pieces). Four buffers and some, special and ordinary
    values mixed, the output at several places in a cache line; one thread
    (such calls, under 1 MiB each, stay on the calling thread anyway)."""
    rng = np.random.default_rng(seed)
    ordinary = rng.integers(-100, 100, 64) if dtype.kind in "biu" else rng.standard_normal(64) * 100
    values = np.concatenate([special_values(dtype), ordinary.astype(dtype)])
    n = 4 * np.getbufsize() + extra
    if layout == "broadcast row":
        x = np.broadcast_to(rng.choice(values, row), (n // row + 1, row))
    else:
        x = rng.choice(values, n).astype(dtype.newbyteorder())
    out_type = np.multiply(np.ones(1, dtype), 2).dtype
    out_ours, out_np = (_placed(x.size, out_type, out_offset - out_offset % out_type.alignment).reshape(x.shape)
                        for _ in range(2))
    with numext.threads(1):
        check_like_multiply(lambda: numext.double_pixels(x, out=out_ours), lambda: np.multiply(x, 2, out=out_np))
    assert_same_bits(out_ours, out_np)


@pytest.mark.parametrize("dtype", [np.dtype("F"), np.dtype("D")], ids=dtype_id)
@settings(SETTINGS, max_examples=6)
@given(seed=st.integers(0, 2**32 - 1), row=st.sampled_from([64, 61, 3, None]), offset=st.sampled_from([0, 16, 40]))
def test_complex_without_nan_like_multiply(dtype, seed, row, offset):
    """Values with no NaN to give (signed zeros, subnormals, overflow to inf),
    as broadcast rows (buffered pieces of a long output) or one contiguous
    range of 1.5 MiB (row None): the piece loop keeps its results, without
    the exact loop's NaN selects, so its own signs, infinities and flags are
    what NumPy is compared with (with any NaN in a block it redoes the
    block; the tests above)."""
    rng = np.random.default_rng(seed)
    info = np.finfo(dtype)
    parts = np.array([0.0, -0.0, info.smallest_subnormal, -info.tiny, 1.5, -2.5, info.max / 1.5, -info.max],
                     info.dtype)
    n = row or 3 * STREAM_BYTES // (8 * dtype.itemsize) + 5
    values = _placed(n, dtype, offset)
    values.real, values.imag = rng.choice(parts, n), rng.choice(parts, n)
    x = np.broadcast_to(values, (2 * STREAM_BYTES // (row * dtype.itemsize) + 3, row)) if row else values
    with numext.threads(1):
        check_like_multiply(lambda: numext.double_pixels(x), lambda: np.multiply(x, 2))


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
@pytest.mark.parametrize("step", [-1, 2])
@settings(SETTINGS, max_examples=25)
@given(n=st.integers(1, 300), out_offset=st.integers(0, 63), seed=st.integers(0, 2**32 - 1))
def test_reversed_and_every_other_into_every_placement(dtype, step, n, out_offset, seed):
    """x[::-1] and x[::2] into a contiguous output first run up to the
    output's first cache line alone, then vectorised: every placement of the
    output in its line (NumPy aligns an out= only to its element, and
    not even that for some), lengths shorter and longer than the head."""
    rng = np.random.default_rng(seed)
    base = _placed(2 * n, dtype, 0)
    base[...] = (rng.standard_normal(2 * n) * 100).astype(dtype) if dtype.kind != "b" else rng.random(2 * n) < 0.5
    x = base[::step][:n]
    out_type = np.multiply(x, 2).dtype
    out_offset -= out_offset % min(out_type.alignment, 8)
    out_ours, out_np = _placed(n, out_type, out_offset), _placed(n, out_type, out_offset)
    check_like_multiply(lambda: numext.double_pixels(x, out=out_ours), lambda: np.multiply(x, 2, out=out_np))
    assert_same_bits(out_ours, out_np)


@pytest.mark.parametrize("dtype", [np.dtype("F"), np.dtype("D")], ids=dtype_id)
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_complex_streaming_path_over_threads(dtype, threads):
    """Large enough that each thread's ranges take the 256-bit path too."""
    n = 4 * threads * 2 * STREAM_BYTES // (2 * dtype.itemsize) + 13
    x = _streaming_input(n, dtype, 16, seed=threads)
    out_ours, out_np = _placed(n, dtype, 40), _placed(n, dtype, 40)
    with pool_threads(threads):
        check_like_multiply(lambda: numext.double_pixels(x, out=out_ours), lambda: np.multiply(x, 2, out=out_np))
        check_like_multiply(lambda: numext.double_pixels(x), lambda: np.multiply(x, 2))
    assert_same_bits(out_ours, out_np)


# ---- where=: NumPy calls the loop once per run of True ---------------------------


@pytest.mark.parametrize("dtype", NUMERIC_DTYPES, ids=dtype_id)
@pytest.mark.parametrize("pattern", ["every other", "every third", "runs of 1-3"])
def test_where_runs_of_one_element_like_multiply(dtype, pattern):
    """where= every other element hands the loop one element per call (its
    n == 1 branch): each special value alone (its own warnings) and all of
    them together, also reversed and strided, give NumPy's bits."""
    specials = special_values(dtype)
    n = 2 * len(specials) + 3
    mask = np.zeros(n, bool)
    if pattern == "every other":
        mask[::2] = True
    elif pattern == "every third":
        mask[1::3] = True
    else:
        mask[np.cumsum(np.arange(n) % 3 + 1)[np.cumsum(np.arange(n) % 3 + 1) < n]] = True
        mask[::5] = True
    out_dtype = np.multiply(np.ones(1, dtype), 2).dtype
    x = np.resize(specials, n)
    for view, m in [(x, mask), (x[::-1], mask), (np.resize(specials, 2 * n)[::2], mask)]:
        out_ours, out_np = np.ones(n, out_dtype), np.ones(n, out_dtype)
        check_like_multiply(lambda: numext.double_pixels(view, out=out_ours, where=m),
                            lambda: np.multiply(view, 2, out=out_np, where=m))
        assert_same(out_ours, out_np)
    for v in specials:  # alone, between two masked-out elements
        one = np.array([v, v, v], dtype)
        m = np.array([False, True, False])
        out_ours, out_np = np.ones(3, out_dtype), np.ones(3, out_dtype)
        check_like_multiply(lambda: numext.double_pixels(one, out=out_ours, where=m),
                            lambda: np.multiply(one, 2, out=out_np, where=m))
        assert_same(out_ours, out_np)
