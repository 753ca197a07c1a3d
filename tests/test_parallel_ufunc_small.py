"""numext.parallel(u) at the small-call shortcut's boundaries (src/ufunc_call_bound.c).

A call is handed to u at once when a bound on its iteration, read from the
arguments alone, says it is certainly too little work for the pool. These
tests check that every call near that decision still gives u's result (type,
bits, errors, warnings), and that a call whose operands are each small but
whose broadcast iteration is large still goes to the pool. ``_set_min_work_ns(0)``
puts every call of ``PARALLEL_UFUNC_MIN_ELEMENTS`` and more on the pool, so
"goes to the pool" is exactly "the iteration has at least that many elements".
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numext
from helpers import assert_same_bits

_P = numext._numext._ParallelUfunc
MIN_N = numext._numext.PARALLEL_UFUNC_MIN_ELEMENTS
K = 100  # < MIN_N, while K * K > MIN_N
assert K < MIN_N < K * K


@pytest.fixture(autouse=True)
def every_call_on_the_pool():
    previous = _P._set_min_work_ns(0.0)
    with numext.threads(2):
        yield
    _P._set_min_work_ns(previous)


def outcome(f, *args, **kwargs):
    """(result, exception type and text, warnings) of one call."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, exc = f(*args, **kwargs), None
        except Exception as e:  # noqa: BLE001 - any exception is an outcome here
            result, exc = None, (type(e), str(e))
    return result, exc, [(w.category, str(w.message)) for w in caught]


def assert_same(want, got) -> None:
    """Same type (tuple, scalar, array or other), and each array the same bits."""
    assert type(want) is type(got)
    want_t = want if isinstance(want, tuple) else (want,)
    got_t = got if isinstance(got, tuple) else (got,)
    assert len(want_t) == len(got_t)
    for w, g in zip(want_t, got_t):
        assert type(w) is type(g)
        if isinstance(w, (np.ndarray, np.generic)):
            assert_same_bits(g, w)
        else:
            assert w == g


def fresh(args):
    """Copies of the arrays among args (outputs are written), others as they are."""
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def fresh_kwargs(kwargs):
    out = {}
    for k, v in kwargs.items():
        if k == "out" and isinstance(v, tuple):
            v = tuple(o.copy() if isinstance(o, np.ndarray) else o for o in v)
        elif k == "out" and isinstance(v, np.ndarray):
            v = v.copy()
        out[k] = v
    return out


def check(u, args, kwargs=None, pooled=None):
    """p(*args, **kwargs) gives u's outcome, outputs included; `pooled`: whether
    it must (True) or must not (False) have run on the pool."""
    kwargs = kwargs or {}
    p = numext.parallel(u)
    p(*fresh(args), **fresh_kwargs(kwargs)) if pooled else None  # the loop is measured once
    want_args, want_kwargs = fresh(args), fresh_kwargs(kwargs)
    got_args, got_kwargs = fresh(args), fresh_kwargs(kwargs)
    want, want_exc, want_warn = outcome(u, *want_args, **want_kwargs)
    before = p._pool_calls
    got, got_exc, got_warn = outcome(p, *got_args, **got_kwargs)
    assert got_exc == want_exc
    assert got_warn == want_warn
    if want_exc is None:
        assert_same(want, got)
    for w, g in zip(want_args[u.nin :], got_args[u.nin :]):  # positional outputs
        assert_same(w, g)
    if "out" in kwargs:
        assert_same(want_kwargs["out"], got_kwargs["out"])
    if pooled is not None:
        assert (p._pool_calls > before) == pooled


rng = np.random.default_rng(5)
col = rng.random((K, 1)) * 4 - 2
row = rng.random((1, K)) * 4 - 2
vec = rng.random(K) * 4 - 2
big = rng.random(MIN_N) * 4 - 2
one = rng.random(1)
mask = rng.random((K, K)) < 0.5


@pytest.mark.parametrize(
    "u, args, kwargs, pooled",
    [
        # Each operand small, the broadcast iteration K * K: the pool.
        (np.add, (col, row), {}, True),
        (np.add, (col, row), {"out": np.empty((K, K))}, True),
        (np.arctan2, (col.reshape(K, 1, 1), row.reshape(1, 1, K)), {}, True),
        (np.add, (vec.reshape(4, 1, 25), vec.reshape(25, 4, 1)[:, :1, :]), {}, None),
        # Only the output (or the mask) is large: the pool.
        (np.add, (one, 2.0), {"out": np.empty((K, K))}, True),
        (np.add, (one, one), {"out": np.zeros((K, K)), "where": mask}, True),
        (np.sin, (one, np.empty((K, K))), {}, True),
        # 1-D: the largest operand is the iteration; at the threshold and below it.
        (np.add, (big, one), {}, True),
        (np.add, (big[:-1], one), {}, False),
        (np.add, (big[:-1], big[:-1]), {"out": np.empty(MIN_N - 1)}, False),
        (np.multiply, (vec, 3), {}, False),
        (np.multiply, (big, 3), {}, True),
        # Several outputs: out= tuples with None, positional outputs.
        (np.divmod, (big, 0.75), {"out": (np.empty(MIN_N), np.empty(MIN_N))}, True),
        (np.divmod, (big, 0.75), {"out": (None, np.empty(MIN_N))}, True),
        (np.divmod, (vec, 0.75), {"out": (np.empty(K), None)}, False),
        (np.modf, (big, np.empty(MIN_N), np.empty(MIN_N)), {}, True),
        (np.modf, (col, np.empty((K, K)), None), {}, True),
        (np.frexp, (vec, None, np.empty(K, np.int32)), {}, False),
        # where= of every form, small and large.
        (np.add, (vec, vec), {"out": np.zeros(K), "where": vec > 0}, False),
        (np.add, (big, big), {"out": np.zeros(MIN_N), "where": big > 0}, True),
        (np.add, (big, big), {"where": True}, True),
        (np.add, (vec, vec), {"where": False}, None),
        (np.add, (vec, vec), {"where": [True, False] * (K // 2), "out": np.zeros(K)}, None),
        # 0-d arrays, NumPy and Python scalars: u's types (scalars for 0-d inputs).
        (np.sin, (np.array(0.5),), {}, False),
        (np.sin, (np.array(0.5),), {"out": np.empty(())}, False),
        (np.add, (np.float32(1.5), np.array(2.0, np.float32)), {}, False),
        (np.add, (np.float32(1.5), big.astype(np.float32)), {}, True),
        (np.add, (np.int8(100), np.int8(100)), {}, False),
        (np.add, (3, np.arange(3, dtype=np.uint8)), {}, False),
        (np.add, (300, np.arange(MIN_N, dtype=np.uint8)), {}, None),  # OverflowError
        (np.add, (True, 1j), {}, False),
        # Keywords the bound does not read: u's call or the full path decides.
        (np.add, (big, big), {"dtype": np.float32}, True),
        (np.add, (vec, vec), {"dtype": np.float32}, False),
        (np.add, (col, row, None), {"dtype": np.float64}, True),
        (np.add, (col, row), {"casting": "same_kind"}, True),
        (np.add, (vec, vec), {"signature": "ff->f"}, None),
        (np.add, (vec, vec), {"casting": "no", "out": np.empty(K, np.float32)}, None),
        (np.add, (vec, vec), {"order": "F", "subok": False}, None),
        # Calls u refuses: u's error.
        (np.add, (vec,), {}, None),
        (np.add, (vec, vec, np.empty(K)), {"out": np.empty(K)}, None),
        (np.add, (vec, vec), {"out": (np.empty(K), np.empty(K))}, None),
        (np.add, (vec, vec), {"out": np.empty(K - 1)}, None),
        (np.add, (col, row), {"out": np.empty(K)}, None),
        (np.add, (vec, vec[:-1]), {}, None),
        (np.add, (vec, vec), {"bogus": 1}, None),
        (np.sin, (vec, vec), {"out": vec}, None),
    ],
)
def test_calls_near_the_shortcut_are_ufunc_calls(u, args, kwargs, pooled):
    check(u, args, kwargs, pooled)


def test_keywords_not_interned_take_the_full_path():
    out_name, where_name = "".join(["o", "ut"]), "".join(["wh", "ere"])  # equal, other objects
    p = numext.parallel(np.add)
    # A large output named by a string that is not the interned "out": still the pool.
    o_want, o_got = np.empty((K, K)), np.empty((K, K))
    before = p._pool_calls
    np.add(one, 1.0, **{out_name: o_want})
    assert p(one, 1.0, **{out_name: o_got}) is o_got
    assert p._pool_calls > before
    assert_same_bits(o_got, o_want)
    # where= spelt the same way, with a mask and with True.
    o_want, o_got = np.zeros((K, K)), np.zeros((K, K))
    before = p._pool_calls
    np.add(col, row, out=o_want, **{where_name: mask})
    p(col, row, out=o_got, **{where_name: mask})
    assert p._pool_calls > before
    assert_same_bits(o_got, o_want)
    before = p._pool_calls
    assert_same_bits(p(col, row, **{where_name: True}), np.add(col, row))
    assert p._pool_calls > before


class Wrapped:
    """An __array_ufunc__ object: u hands the call to it whatever its size."""

    def __init__(self, a):
        self.a = a

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return ("handled", ufunc.__name__, method, len(inputs), sorted(kwargs))


class Sub(np.ndarray):
    pass


@pytest.mark.parametrize("size", [1, K, MIN_N, K * K])
def test_subclasses_and_array_ufunc_objects_of_any_size(size):
    x = np.linspace(-1, 1, size)
    check(np.add, (Wrapped(x), x), {})
    check(np.add, (x, Wrapped(x)), {"out": np.empty(size)})
    check(np.add, (x, x), {"out": Wrapped(x)})
    check(np.sin, (x.view(Sub),), {})
    check(np.add, (x, x.view(Sub)), {})
    check(np.add, (x, x), {"out": np.empty(size).view(Sub)})
    check(np.add, (x, x), {"where": (x > 0).view(Sub), "out": np.zeros(size)})
    masked = np.ma.masked_greater(x, 0.5)
    p = numext.parallel(np.sin)
    got, want = p(masked), np.sin(masked)
    assert type(got) is type(want)
    assert np.array_equal(np.ma.getmaskarray(got), np.ma.getmaskarray(want))
    assert_same_bits(got.data, want.data)
    check(np.add, (x.tolist(), x), {})
    check(np.add, ([[v] for v in x[:K]], x[:K]), {})  # a list that broadcasts to K * K


@st.composite
def broadcast_pair(draw):
    """A result shape and two input shapes that broadcast to it, each axis of
    an input either the result's or 1 (often: small inputs, large result)."""
    result = draw(st.lists(st.integers(0, 16), min_size=0, max_size=4))
    shapes = []
    for _ in range(2):
        drop = draw(st.integers(0, len(result)))
        shapes.append(tuple(n if draw(st.booleans()) else 1 for n in result[drop:]))
    return shapes, tuple(result)


@settings(max_examples=80, deadline=None)
@given(pair=broadcast_pair(), with_out=st.booleans(), swap=st.booleans())
def test_pool_exactly_when_the_broadcast_iteration_is_large(pair, with_out, swap):
    (sa, sb), _ = pair
    a = np.linspace(-3, 3, int(np.prod(sa))).reshape(sa)
    b = np.linspace(2, -2, int(np.prod(sb))).reshape(sb)
    if swap:  # the other operand order, and one input reversed (negative strides)
        a, b = b, (a[..., ::-1] if a.ndim else a)
    shape = np.broadcast_shapes(a.shape, b.shape)
    kwargs = {"out": np.empty(shape)} if with_out else {}
    check(np.add, (a, b), kwargs, pooled=int(np.prod(shape)) >= MIN_N)


def test_real_rule_small_operands_broadcast_to_a_large_call_go_parallel():
    """With the measured rule, a call whose operands hold 1e3 elements each but
    whose iteration holds 1e6 goes parallel (np.arctan2: ~10 ns an element, so
    the 1e6-element call holds ~10 ms of work, far above the rule's 12 us)."""
    _P._set_min_work_ns(-1.0)
    x = np.linspace(-1, 1, 1000)
    p = numext.parallel(np.arctan2)
    p(x, x)  # the first call of these dtypes measures the loop
    before = p._pool_calls
    got = p(x[:, None], x[None, :])
    assert p._pool_calls > before
    assert_same_bits(got, np.arctan2(x[:, None], x[None, :]))
