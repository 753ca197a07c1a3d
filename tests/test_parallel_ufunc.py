"""numext.parallel(u) against u itself: values (bits), dtypes, warnings, errors.

Every elementwise ufunc in ``numpy`` is found by introspection and every type
signature of it made of numeric dtypes is run on data with NaNs, infinities,
signed zeros and extreme integers. ``_set_min_work_ns(0)`` puts every call of
``PARALLEL_UFUNC_MIN_ELEMENTS`` and more on the pool, so CI-sized arrays
exercise the threaded path; ``_pool_calls`` says whether a call used it.
"""

from __future__ import annotations

import os
import pickle
import threading
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numext
from conftest import THREAD_COUNTS
from helpers import assert_same_bits, outcome_and_warnings

_P = numext._numext._ParallelUfunc
MIN_N = numext._numext.PARALLEL_UFUNC_MIN_ELEMENTS
NUMERIC = "?bBhHiIlLqQefdgFDG"
N = 3001  # odd, several ranges per thread once forced onto the pool


@pytest.fixture(autouse=True)
def every_call_on_the_pool():
    previous = _P._set_min_work_ns(0.0)
    yield
    _P._set_min_work_ns(previous)


def elementwise_ufuncs() -> list[np.ufunc]:
    found = {id(v): v for v in vars(np).values() if isinstance(v, np.ufunc) and v.signature is None}
    return sorted(found.values(), key=lambda u: u.__name__)


def numeric_signatures() -> list[tuple[np.ufunc, str]]:
    out = []
    for u in elementwise_ufuncs():
        for t in u.types:
            if all(c in NUMERIC for c in t.replace("->", "")):
                out.append((u, t))
    return out


def make_data(char: str, n: int, rng: np.random.Generator) -> np.ndarray:
    dt = np.dtype(char)
    if dt.kind == "b":
        return rng.integers(0, 2, n).astype(dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        a = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
        a[::3] = rng.integers(-3 if dt.kind == "i" else 0, 8, len(a[::3]))
        return a
    a = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, n)
    if dt.kind == "c":
        a = a + 1j * rng.standard_normal(n)
    a = a.astype(dt)
    a[::97], a[1::101], a[2::103], a[3::107] = np.nan, np.inf, -0.0, -np.inf
    a[4::109] = -np.nan  # NaN with the sign bit set
    return a


def assert_same(want, got) -> None:
    """Same type (tuple, scalar or array), and each result the same bits."""
    want_t = want if isinstance(want, tuple) else (want,)
    got_t = got if isinstance(got, tuple) else (got,)
    assert type(want) is type(got)
    assert len(want_t) == len(got_t)
    for w, g in zip(want_t, got_t):
        assert type(w) is type(g)
        assert_same_bits(g, w)


def outcome(f, *args, **kwargs):
    """(result, exception type and text, warnings) of one call."""
    kind, value, caught = outcome_and_warnings(lambda: f(*args, **kwargs))
    if kind == "raise":
        return None, (type(value), str(value)), caught
    return value, None, caught


def assert_same_outcome(u, args, **kwargs) -> None:
    p = numext.parallel(u)
    want, want_exc, want_warn = outcome(u, *args, **kwargs)
    got, got_exc, got_warn = outcome(p, *args, **kwargs)
    assert got_exc == want_exc
    assert got_warn == want_warn
    if want_exc is None:
        assert_same(want, got)


# ---- every numeric loop of every elementwise NumPy ufunc ----------------------

SIGNATURES = numeric_signatures()


def test_introspection_finds_the_ufuncs():
    names = {u.__name__ for u, _ in SIGNATURES}
    assert {"sin", "add", "arctan2", "divmod", "power", "frexp", "ldexp", "logical_and"} <= names
    assert len(SIGNATURES) > 800


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_every_numeric_loop_matches_ufunc(threads):
    rng = np.random.default_rng(threads)
    pooled = 0
    # Each thread count sees every signature once across the THREAD_COUNTS
    # runs' union; every run samples a third of them (CI time).
    chosen = [s for i, s in enumerate(SIGNATURES) if i % 3 == threads % 3]
    with numext.threads(threads), np.errstate(all="ignore"):
        for u, t in chosen:
            ins = t.split("->")[0]
            args = [make_data(c, N, rng) for c in ins]
            p = numext.parallel(u)
            before = p._pool_calls
            try:
                want = u(*args)
            except Exception as e:  # noqa: BLE001
                with pytest.raises(type(e)):
                    p(*args)
                continue
            assert_same(want, p(*args))
            pooled += p._pool_calls - before
    if threads > 1:
        assert pooled > len(chosen) // 2, "most loops should have run on the pool"


def test_thread_count_does_not_change_bits():
    rng = np.random.default_rng(1)
    x = make_data("d", 20011, rng)
    y = make_data("d", 20011, rng)
    for u in (np.sin, np.exp, np.arctan2, np.power, np.hypot):
        args = (x,) if u.nin == 1 else (x, y)
        results = []
        for n in THREAD_COUNTS:
            with numext.threads(n), np.errstate(all="ignore"):
                results.append(numext.parallel(u)(*args))
        with np.errstate(all="ignore"):
            want = u(*args)
        for r in results:
            assert_same(want, r)


# ---- layouts and keywords -------------------------------------------------------

LAYOUTS = ["contiguous", "strided", "negative", "fortran", "broadcast", "zero-d", "empty", "c2d"]


def layout(kind: str, x: np.ndarray) -> np.ndarray:
    n = x.size
    if kind == "strided":
        return np.repeat(x, 2)[::2]
    if kind == "negative":
        return x[::-1]
    if kind == "fortran":
        return np.asfortranarray(x[: n - n % 7].reshape(-1, 7))
    if kind == "c2d":
        return x[: n - n % 7].reshape(-1, 7)
    if kind == "broadcast":
        return np.broadcast_to(x[:7], (n // 7, 7))
    if kind == "zero-d":
        return np.asarray(x[0])
    if kind == "empty":
        return x[:0]
    return x


@settings(max_examples=60, deadline=None)
@given(
    ufunc=st.sampled_from([np.sin, np.add, np.arctan2, np.divmod, np.exp, np.multiply, np.frexp]),
    kind=st.sampled_from(LAYOUTS),
    other=st.sampled_from(["same", "scalar", "column", "pyfloat", "pyint", "npscalar", "np64"]),
    dtype=st.sampled_from(["f4", "f8", "f2"]),
    threads=st.sampled_from(THREAD_COUNTS),
    n=st.integers(MIN_N, 4000),
)
def test_layouts_and_python_scalars(ufunc, kind, other, dtype, threads, n):
    rng = np.random.default_rng(n)
    x = layout(kind, make_data(dtype, n, rng))
    args = [x]
    if ufunc.nin == 2:
        if other == "same":
            args.append(layout(kind, make_data(dtype, n, rng)))
        elif other == "scalar":
            args.append(np.asarray(make_data(dtype, 1, rng)[0]))
        elif other == "column":
            args.append(make_data(dtype, 1, rng).reshape((1,) * max(x.ndim, 1)))
        elif other == "pyfloat":
            args.append(2.5)
        elif other == "npscalar":
            args.append(make_data(dtype, 1, rng)[0])
        elif other == "np64":
            args.append(np.float64(1.5))
        else:
            args.append(3)
    with numext.threads(threads), np.errstate(all="ignore"):
        assert_same_outcome(ufunc, args)


@settings(max_examples=40, deadline=None)
@given(
    kind=st.sampled_from(["out", "out-tuple", "positional", "inplace", "overlap", "where",
                          "dtype", "casting", "order", "wrong-out-dtype"]),
    threads=st.sampled_from(THREAD_COUNTS),
    n=st.integers(MIN_N, 5000),
)
def test_out_where_dtype_casting(kind, threads, n):
    rng = np.random.default_rng(n)
    x = make_data("d", n, rng)

    def run(f):
        a = x.copy()
        if kind == "out":
            o = np.empty_like(a)
            r = f(a, out=o)
            return r is o, o
        if kind == "out-tuple":
            o = np.empty_like(a)
            r = f(a, a, out=(o,)) if f.nin == 2 else f(a, out=(o,))
            return r is o, o
        if kind == "positional":
            o = np.empty_like(a)
            r = f(a, o)
            return r is o, o
        if kind == "inplace":
            r = f(a, out=a)
            return r is a, a
        if kind == "overlap":
            r = f(a[1:], out=a[:-1])
            return r.base is a, a
        if kind == "where":
            o = np.zeros_like(a)
            return None, f(a, out=o, where=a > 0)
        if kind == "dtype":
            return None, f(a, dtype="f4")
        if kind == "casting":
            o = np.empty(a.shape, "f4")
            return None, f(a, out=o, casting="same_kind")
        if kind == "order":
            return None, f(a.reshape(-1, 1), order="F")
        o = np.empty(a.shape, "f4")
        return None, f(a, out=o, casting="unsafe")

    with numext.threads(threads), np.errstate(all="ignore"):
        for u in (np.sin, np.exp, np.negative):
            want = run(u)
            got = run(numext.parallel(u))
            assert want[0] == got[0]
            assert_same(want[1], got[1])


def test_numpy_scalars_with_arrays_run_on_the_pool():
    x = np.linspace(-3, 3, 10_001)
    p = numext.parallel(np.multiply)
    before = p._pool_calls
    for s in (np.float64(1.5), np.float32(-0.5), np.int64(3), np.bool_(True), np.complex128(1j)):
        with numext.threads(2):
            assert_same(np.multiply(x, s), p(x, s))
            assert_same(np.multiply(s, x.astype("f4")), p(s, x.astype("f4")))
    assert p._pool_calls > before


def test_two_outputs_and_fresh_outputs_are_arrays():
    x = np.linspace(-5, 5, 10001)
    for u in (np.divmod, np.frexp, np.modf):
        args = (x, 0.7) if u.nin == 2 else (x,)
        assert_same(u(*args), numext.parallel(u)(*args))
        outs = tuple(np.empty(x.shape, d) for d in u(*args[:1] if u.nin == 1 else args)[0:0] or
                     [r.dtype for r in u(*args)])
        got = numext.parallel(u)(*args, out=outs)
        assert all(g is o for g, o in zip(got, outs))
        assert_same(u(*args), got)


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_where_masks_run_on_the_pool(threads):
    rng = np.random.default_rng(threads)
    n = 20_001
    x = make_data("d", n, rng)
    mask = rng.random(n) < 0.7
    mask[:5000] = False
    mask[-3000:] = True
    x[np.flatnonzero(~mask)[-1]] = 1e300  # would overflow exp, but is masked out
    masks = [mask, np.repeat(mask, 2)[::2], np.array(True), np.array(False), mask[::-1]]
    with numext.threads(threads):
        for u in (np.exp, np.sin, np.arctan2):
            p = numext.parallel(u)
            args = (x,) * u.nin
            for m in masks:
                before = p._pool_calls
                o1, o2 = np.full(n, 7.0), np.full(n, 7.0)
                for errs in ("raise", "warn"):
                    with np.errstate(all=errs):
                        a = outcome(u, *args, out=o1, where=m)
                        b = outcome(p, *args, out=o2, where=m)
                    assert a[1:] == b[1:]
                    assert_same(o1, o2)
                if threads > 1:
                    assert p._pool_calls > before
            with np.errstate(all="ignore"):
                want, want_exc, want_warn = outcome(u, *args, where=mask)
                got, got_exc, got_warn = outcome(p, *args, where=mask)
            assert (want_exc, want_warn) == (got_exc, got_warn)
            assert want.dtype == got.dtype and want.shape == got.shape
            assert_same(want[mask], got[mask])


# ---- warnings and errors from a worker's part of the array ----------------------


@pytest.mark.parametrize("mode", ["ignore", "warn", "raise"])
@pytest.mark.parametrize("where", [0, 0.5, -1])
@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_fp_errors_follow_errstate(mode, where, threads):
    n = 40_001
    x = np.zeros(n)
    i = int(where * (n - 1)) if where != -1 else n - 1
    x[i] = 1000.0
    y = np.ones(n)
    y[i] = 0.0
    with numext.threads(threads), np.errstate(all=mode):
        assert_same_outcome(np.exp, (x,))
        assert_same_outcome(np.divide, (x, y))
        assert_same_outcome(np.log, (y,))
        assert_same_outcome(np.floor_divide, (x.astype(np.int64), y.astype(np.int64)))


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_integer_power_negative_exponent_raises_from_any_part(threads):
    n = 50_000
    base = np.arange(n, dtype=np.int64) % 7
    with numext.threads(threads):
        for i in (0, n // 3, n - 1):
            e = np.ones(n, dtype=np.int64)
            e[i] = -1
            assert_same_outcome(np.power, (base, e))
            # Nothing half-reported is left behind: the next call is clean.
            ok = numext.parallel(np.power)(base, np.ones(n, dtype=np.int64))
            assert_same(np.power(base, 1), ok)


# ---- other ufunc sources ----------------------------------------------------------


def test_scipy_special_ufuncs():
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(5)
    x = make_data("d", 20_001, rng)
    with np.errstate(all="ignore"):
        for u in (special.erf, special.gamma, special.j0, special.expit, special.gammaln):
            p = numext.parallel(u)
            before = p._pool_calls
            assert_same(u(x), p(x))
            assert p._pool_calls > before
        assert_same(special.jv(1.5, x), numext.parallel(special.jv)(1.5, x))


def test_scipy_special_error_mode_is_honoured():
    special = pytest.importorskip("scipy.special")
    x = np.linspace(-3, 3, 20_001)
    x[17_000] = -2.0  # a pole of gamma, in a worker's part
    p = numext.parallel(special.gamma)
    for mode in ("ignore", "warn", "raise"):
        with special.errstate(singular=mode):
            assert_same_outcome(special.gamma, (x,))
    assert p(x) is not None


def test_numba_vectorize_ufuncs():
    numba = pytest.importorskip("numba")
    import math

    @numba.vectorize(["float64(float64)", "float32(float32)"])
    def wave(x):
        return math.sin(x) * math.exp(-x * x)

    @numba.vectorize
    def lazy(x, y):
        return x * y + 1.0

    x = np.linspace(-4, 4, 30_001)
    assert numext.parallel(wave).ufunc is getattr(wave, "ufunc", wave)
    assert_same(wave(x), numext.parallel(wave)(x))
    assert_same(wave(x.astype("f4")), numext.parallel(wave)(x.astype("f4")))
    p = numext.parallel(lazy)
    assert p.ufunc is lazy.ufunc
    assert_same(lazy(x, x), p(x, x))  # the DUFunc compiles its loop on this call
    before = p._pool_calls
    assert_same(lazy(x, x), p(x, x))
    assert p._pool_calls > before
    assert numext.parallel(p) is p


def test_numext_own_ufuncs_do_not_nest():
    x = np.arange(200_000, dtype=np.uint8)
    assert_same(numext.double_pixels(x), numext.parallel(numext.double_pixels)(x))
    m = np.ones((300, 1000))
    assert_same(numext.parallel_sum(m), numext.parallel(numext.parallel_sum)(m))


# ---- the object itself --------------------------------------------------------------


def test_rejects_what_is_not_a_ufunc():
    for bad in (len, np.sum, "sin", None, np.vectorize(abs)):
        with pytest.raises(TypeError, match="ufunc"):
            numext.parallel(bad)


def test_attributes_repr_doc_and_identity():
    p = numext.parallel(np.arctan2)
    assert p is numext.parallel(np.arctan2)
    for name in ("__name__", "nin", "nout", "nargs", "ntypes", "types", "identity", "signature"):
        assert getattr(p, name) == getattr(np.arctan2, name)
    assert "arctan2" in repr(p) and "numext.parallel" in repr(p)
    assert "parallel" in p.__doc__ and "arctan2" in p.__doc__
    assert numext.parallel(np.add).identity == 0


def test_pickles_by_reference():
    p = numext.parallel(np.sin)
    assert pickle.loads(pickle.dumps(p)) is p


def test_methods_and_gufuncs_give_ufunc_results():
    p = numext.parallel(np.add)
    x = np.arange(12.0).reshape(3, 4)
    assert_same(np.add.reduce(x, axis=0), p.reduce(x, axis=0))
    assert_same(np.add.accumulate(x, axis=1), p.accumulate(x, axis=1))
    assert_same(np.add.reduceat(x[0], [0, 2]), p.reduceat(x[0], [0, 2]))
    assert_same(np.add.outer(x[0], x[1]), p.outer(x[0], x[1]))
    a, b = x.copy(), x.copy()
    np.add.at(a, (0, 1), 5.0)
    p.at(b, (0, 1), 5.0)
    assert_same(a, b)
    m = np.random.default_rng(0).random((50, 40, 30))
    assert_same(np.matmul(m, m.transpose(0, 2, 1)), numext.parallel(np.matmul)(m, m.transpose(0, 2, 1)))


def test_subclasses_scalars_and_array_ufunc_objects():
    p = numext.parallel(np.sin)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        mat = np.matrix(np.linspace(0, 1, 400).reshape(20, 20))
    assert_same(np.sin(mat), p(mat))
    ma = np.ma.masked_greater(np.linspace(0, 2, 1000), 1.5)
    got = p(ma)
    assert isinstance(got, np.ma.MaskedArray)
    assert np.array_equal(got.mask, np.sin(ma).mask)
    assert_same(np.sin(np.float32(0.5)), p(np.float32(0.5)))
    assert_same(np.sin(0.5), p(0.5))
    assert_same(np.add(np.float16(1), 2), numext.parallel(np.add)(np.float16(1), 2))
    pd = pytest.importorskip("pandas")
    s = pd.Series(np.linspace(0, 1, 5000))
    pd.testing.assert_series_equal(np.sin(s), p(s))


def test_dask_arrays_in_and_out():
    da = pytest.importorskip("dask.array")
    x = da.from_array(np.linspace(0, 10, 40_000), chunks=10_000)
    got = numext.parallel(np.sin)(x)
    assert isinstance(got, da.Array)
    assert_same(np.sin(x.compute()), got.compute(scheduler="threads"))


# ---- threads --------------------------------------------------------------------------


def test_many_python_threads_at_once():
    rng = np.random.default_rng(3)
    inputs = [np.nan_to_num(make_data("d", 30_000 + i, rng), posinf=1.0, neginf=-1.0) for i in range(8)]
    results: list = [None] * 8
    p = numext.parallel(np.sin)

    def work(i: int) -> None:
        for _ in range(5):
            results[i] = p(inputs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for x, r in zip(inputs, results):
        assert_same(np.sin(x), r)


def test_gil_is_released_during_a_long_call():
    _P._set_min_work_ns(-1.0)  # the real rule: a big call goes parallel on its own
    x = np.linspace(0, 100, 4_000_000)
    p = numext.parallel(np.sin)
    p(x[:100_000])  # measure the loop outside the timed call
    ticks = [0]
    running = threading.Event()
    stop = threading.Event()

    def spin() -> None:
        running.set()
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=spin)
    old = __import__("sys").getswitchinterval()
    __import__("sys").setswitchinterval(1.0)  # a held GIL would starve the spinner
    try:
        t.start()
        running.wait()
        with numext.threads(2):
            before = ticks[0]
            before_calls = p._pool_calls
            for _ in range(3):
                p(x)
            progressed = ticks[0] - before
            assert p._pool_calls > before_calls
    finally:
        stop.set()
        t.join()
        __import__("sys").setswitchinterval(old)
    assert progressed > 1000


@pytest.mark.skipif(
    os.environ.get("NUMEXT_SANITIZED") == "1",
    reason="the rule measures the loops' cost, which AddressSanitizer inflates several-fold",
)
def test_work_not_size_decides_when_a_call_goes_parallel():
    special = pytest.importorskip("scipy.special")
    _P._set_min_work_ns(-1.0)  # the real rule
    rng = np.random.default_rng(9)
    x = rng.random(20_000) * 5 + 0.5
    cheap, costly = numext.parallel(np.add), numext.parallel(special.gamma)
    # The cheap call holds ~0.5 us of np.add's work against the 12 us rule: a
    # wide margin, so a loaded machine's noisy measurement cannot flip it.
    with numext.threads(2):
        cheap(x[:1000], x[:1000])  # the first call of a dtype combination measures the loop
        costly(x)
        before_cheap, before_costly = cheap._pool_calls, costly._pool_calls
        assert_same(np.add(x[:1000], x[:1000]), cheap(x[:1000], x[:1000]))
        assert_same(special.gamma(x), costly(x))
        assert cheap._pool_calls == before_cheap  # ~0.5 us of work: never worth a wake-up
        assert costly._pool_calls > before_costly  # ~100 us of work: goes parallel
