"""numext.parallel(u) on calls that need casts or general broadcasting.

These run on the pool through NumPy's own iterator (src/ufunc_general.c,
src/ufunc_iter_executor.c); u itself is the oracle for values (bits, NaN signs
included), dtypes, warnings and errors. ``_set_min_work_ns(0)`` puts every
call of ``PARALLEL_UFUNC_MIN_ELEMENTS`` and more on the pool; ``_pool_calls``
shows that a call used it.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numext
from conftest import THREAD_COUNTS
from test_parallel_ufunc import assert_same, make_data, outcome

_P = numext._numext._ParallelUfunc
MIN_N = numext._numext.PARALLEL_UFUNC_MIN_ELEMENTS


@pytest.fixture(autouse=True)
def every_call_on_the_pool():
    previous = _P._set_min_work_ns(0.0)
    yield
    _P._set_min_work_ns(previous)


def check(u, args, kwargs=None, *, pooled=True, fresh_out=None):
    """u and numext.parallel(u) on the same call: same result, warnings, errors.

    fresh_out: a function making the out= operand(s), called once per side so
    in-place and overlapping outputs start from the same data."""
    kwargs = dict(kwargs or {})
    p = numext.parallel(u)
    sides = []
    for f in (u, p):
        kw = dict(kwargs)
        call_args = tuple(a.copy() if isinstance(a, np.ndarray) and a.flags.owndata else a for a in args)
        if fresh_out is not None:
            kw["out"] = fresh_out(call_args)
        before = p._pool_calls
        result, exc, warns = outcome(f, *call_args, **kw)
        sides.append((result, exc, warns, kw.get("out"), p._pool_calls - before))
    (want, want_exc, want_warn, want_out, _), (got, got_exc, got_warn, got_out, ran) = sides
    assert got_exc == want_exc
    assert got_warn == want_warn
    if want_exc is None:
        assert_same(want, got)
        if want_out is not None:
            assert_same(want_out, got_out)
    if pooled and want_exc is None and numext.get_num_threads() > 1:
        assert ran > 0, "the call should have run on the pool"


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_mixed_input_dtypes(threads):
    rng = np.random.default_rng(threads)
    n = 5001
    i8, f8, f4 = make_data("b", n, rng), make_data("d", n, rng), make_data("f", n, rng)
    u8, f2, c8 = make_data("B", n, rng), make_data("e", n, rng), make_data("F", n, rng)
    with numext.threads(threads), np.errstate(all="ignore"):
        check(np.add, (i8, f8))
        check(np.multiply, (f4, f8))
        check(np.arctan2, (u8, f4))
        check(np.add, (f2, c8))
        check(np.hypot, (i8, f2))
        check(np.divmod, (f4, i8))
        check(np.sin, (i8,))
        check(np.exp, (f2,))
        check(np.add, (f4, 2.5))  # NEP 50: stays float32, no cast
        check(np.add, (i8, np.float64(2.5)))
        check(np.multiply, (f4, np.float64(-1.5)))


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_dtype_signature_and_casting_keywords(threads):
    rng = np.random.default_rng(10 + threads)
    n = 4099
    x, y = make_data("d", n, rng), make_data("d", n, rng)
    i = make_data("l", n, rng)
    with numext.threads(threads), np.errstate(all="ignore"):
        check(np.sin, (x,), {"dtype": "f4"})
        check(np.exp, (x * 100,), {"dtype": np.float32})
        check(np.add, (x, y), {"signature": "ff->f"})
        check(np.add, (x, y), {"signature": (None, None, "f4")})
        check(np.add, (i, x), {"dtype": "f2"})
        check(np.power, (i, i), {"signature": "dd->d"})
        check(np.add, (x, y), {"casting": "unsafe", "dtype": "i4"})
        check(np.add, (i.astype("i1"), x), {"casting": "no"}, pooled=False)  # u's TypeError
        check(np.add, (x, y), {"dtype": "i4"}, pooled=False)  # same_kind refuses


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_out_of_another_dtype(threads):
    rng = np.random.default_rng(20 + threads)
    n = 3001
    x, y = make_data("d", n, rng), make_data("d", n, rng)
    with numext.threads(threads), np.errstate(all="ignore"):
        check(np.add, (x, y), fresh_out=lambda a: np.empty(n, "f4"))
        check(np.sin, (x,), fresh_out=lambda a: np.empty(n, "f2"))
        check(np.add, (x, y), {"casting": "unsafe"}, fresh_out=lambda a: np.empty(n, "i2"))
        check(np.multiply, (x.astype("f4"), y.astype("f4")), fresh_out=lambda a: np.empty(n, "c16"))
        check(np.divmod, (x, y), fresh_out=lambda a: (np.empty(n, "f4"), np.empty(n, "f2")))
        check(np.add, (x, y), fresh_out=lambda a: np.empty(n, "i8"), pooled=False)  # refused


@pytest.mark.parametrize("mode", ["ignore", "warn", "raise"])
@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_fp_errors_from_casts_and_loops(mode, threads):
    n = 20_001
    x = np.ones(n)
    x[n - 7] = 1e300  # overflows a float32 cast, in the last worker's part
    y = np.ones(n, "f4")
    y[n // 2] = 0
    with numext.threads(threads), np.errstate(all=mode):
        check(np.add, (x, x), fresh_out=lambda a: np.empty(n, "f4"))
        check(np.sin, (x,), {"dtype": "f4"})
        check(np.divide, (np.ones(n, "i2"), y))
        check(np.add, (x, x), {"casting": "unsafe"}, fresh_out=lambda a: np.empty(n, "i4"))
        check(np.log, (np.arange(n, dtype="i4") - 5,))


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_integer_errors_from_a_cast_call(threads):
    n = 30_000
    e = np.ones(n, "i1")
    e[n - 3] = -1
    with numext.threads(threads):
        check(np.power, (np.arange(n, dtype="i8") % 5, e), pooled=False)  # ValueError, as u
        ok = numext.parallel(np.power)(np.arange(n, dtype="i8") % 5, np.ones(n, "i1"))
        assert_same(np.power(np.arange(n, dtype="i8") % 5, np.ones(n, "i1")), ok)


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_where_with_casts(threads):
    rng = np.random.default_rng(30 + threads)
    n = 10_001
    x = make_data("d", n, rng)
    mask = rng.random(n) < 0.6
    mask[:3000] = False
    x[np.flatnonzero(~mask)[-1]] = 1e300  # overflows the f4 output, but masked out
    with np.errstate(all="ignore"):
        x4 = x.astype("f4")
    with numext.threads(threads):
        for errs in ("warn", "raise"):
            with np.errstate(all=errs):
                check(np.sin, (x,), {"where": mask}, fresh_out=lambda a: np.full(n, 7.0, "f4"))
                check(np.add, (x, x4), {"where": mask}, fresh_out=lambda a: np.full(n, 7.0))
                check(np.exp, (x,), {"where": mask[None, :]},
                      fresh_out=lambda a: np.full((2, n), 7.0, "f4"))


BROADCASTS = ["column-row", "row-matrix", "scalar-array", "3d", "transposed", "strided", "negative",
              "fortran", "out-bigger"]


def broadcast_args(kind, dt_a, dt_b, rng):
    a = make_data(dt_a, 3 * 4 * 197, rng)
    b = make_data(dt_b, 3 * 4 * 197, rng)
    if kind == "column-row":
        return a[:97, None], b[:131], None
    if kind == "row-matrix":
        return a[:61], b[: 61 * 37].reshape(37, 61), None
    if kind == "scalar-array":
        return np.asarray(a[0]), b.reshape(12, 197), None
    if kind == "3d":
        return a[:197].reshape(1, 1, 197), b.reshape(3, 4, 197), None
    if kind == "transposed":
        return a[: 40 * 50].reshape(40, 50).T, b[: 40 * 50].reshape(50, 40), None
    if kind == "strided":
        return a[::3], b[::-3], None
    if kind == "negative":
        return a[::-1], b, None
    if kind == "fortran":
        return np.asfortranarray(a.reshape(12, 197)), b.reshape(12, 197), None
    return a[:197], b[:197], (5, 197)  # out= of a bigger, broadcast shape


@settings(max_examples=60, deadline=None)
@given(
    ufunc=st.sampled_from([np.add, np.multiply, np.arctan2, np.maximum, np.copysign, np.divmod]),
    kind=st.sampled_from(BROADCASTS),
    dt_a=st.sampled_from(["f8", "f4", "i1", "u2", "f2"]),
    dt_b=st.sampled_from(["f8", "f4", "i8"]),
    out_dtype=st.sampled_from([None, "same", "f4", "f8"]),
    threads=st.sampled_from(THREAD_COUNTS),
    seed=st.integers(0, 2**16),
)
def test_broadcasting_and_layouts(ufunc, kind, dt_a, dt_b, out_dtype, threads, seed):
    rng = np.random.default_rng(seed)
    a, b, out_shape = broadcast_args(kind, dt_a, dt_b, rng)
    with np.errstate(all="ignore"):
        want = ufunc(a, b)
    want0 = want[0] if isinstance(want, tuple) else want
    shape = out_shape or want0.shape
    fresh = None
    if out_dtype is not None or out_shape is not None:
        dt = want0.dtype if out_dtype in (None, "same") else np.dtype(out_dtype)

        def fresh(args):
            o = np.empty(shape, dt)
            return (o, np.empty(shape, dt)) if ufunc.nout == 2 else o
    with numext.threads(threads), np.errstate(all="ignore"):
        check(ufunc, (a, b), {"casting": "unsafe"} if fresh else None, fresh_out=fresh,
              pooled=int(np.prod(shape)) >= MIN_N)


@pytest.mark.parametrize("threads", THREAD_COUNTS, ids=lambda n: f"threads={n}")
def test_in_place_and_overlap(threads):
    rng = np.random.default_rng(40 + threads)
    n = 6001
    x = make_data("d", n, rng)
    i8 = make_data("b", n, rng)
    with numext.threads(threads), np.errstate(all="ignore"):
        # in place with a cast (int8 += float, unsafe): on the pool
        check(np.add, (i8, x), {"casting": "unsafe"}, fresh_out=lambda a: a[0])
        check(np.multiply, (x[:6000].reshape(3, -1).copy(), x[:2000]), fresh_out=lambda a: a[0])
        # shifted overlap: u's own call (NumPy runs such loops on another path)
        y = x.copy()
        want = np.exp(y[1:], out=y[:-1])
        z = x.copy()
        got = numext.parallel(np.exp)(z[1:], out=z[:-1])
        assert got.base is z and want.base is y
        assert_same(y, z)


def test_thread_count_does_not_change_bits_with_casts():
    rng = np.random.default_rng(7)
    a = make_data("f", 20_011, rng)
    b = make_data("d", 20_011, rng)
    with np.errstate(all="ignore"):
        want = np.arctan2(a[:, None][:400], b[:300])
        for n in THREAD_COUNTS:
            with numext.threads(n):
                assert_same(want, numext.parallel(np.arctan2)(a[:, None][:400], b[:300]))


def test_small_casting_calls_stay_with_u():
    _P._set_min_work_ns(-1.0)  # the real rule
    p = numext.parallel(np.add)
    x = np.ones(1000, "i1")
    y = np.ones(1000)
    with numext.threads(2):
        p(x, y)
        before = p._pool_calls
        assert_same(np.add(x, y), p(x, y))
        assert p._pool_calls == before


def test_concurrent_first_calls():
    """Many threads meet new dtype combinations at once: one cache entry each
    wins, every call gives u's answer (free-threaded CPython runs them truly
    at once; with the GIL, prepare's Python calls interleave them)."""
    import threading

    rng = np.random.default_rng(11)
    pairs = [("i1", "f2"), ("u1", "f4"), ("i2", "f8"), ("u2", "f2"), ("i4", "f4"), ("e", "b")]
    data = [(make_data(a, 4001, rng), make_data(b, 4001, rng)) for a, b in pairs]
    p = numext.parallel(np.logaddexp2)
    barrier = threading.Barrier(len(data) * 2)
    results: dict = {}

    def work(k: int) -> None:
        a, b = data[k % len(data)]
        barrier.wait()
        with np.errstate(all="ignore"), numext.threads(2):
            results[k] = p(a, b)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(data) * 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with np.errstate(all="ignore"):
        for k, r in results.items():
            assert_same(np.logaddexp2(*data[k % len(data)]), r)
    assert len(results) == len(data) * 2
