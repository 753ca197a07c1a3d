"""The array-level API on top of the two ufuncs."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index
from numpy.typing import ArrayLike, DTypeLike, NDArray

from ._numext import double_pixels, parallel_sum


def double(arr: ArrayLike, out: NDArray[Any] | None = None) -> Any:
    """Return ``arr * 2`` (NumPy's values and dtype), computed by ``double_pixels``.

    ``arr`` may be any array-like; ``out`` an existing array to write into
    (``out=arr`` doubles in place). Large inputs are split over numext's threads.
    """
    if out is None:
        return double_pixels(arr)
    return double_pixels(arr, out=out)


# PyArray_PyIntAsInt's limits: NumPy converts an axis through a C long, then a C int.
_LONG = np.iinfo(np.dtype("l"))
_INT = np.iinfo(np.intc)
_INT_MIN, _INT_MAX = int(_INT.min), int(_INT.max)
_NO_LOOP = "numext.sum: parallel_sum has no loop for the {} accumulator np.sum would add in"


def _axis_index(value: Any) -> int:
    """An axis as NumPy's reductions read it (PyArray_PyIntAsInt): no bools, C int range."""
    if type(value) is int and _INT_MIN <= value <= _INT_MAX:
        return value
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("an integer is required")
    i = operator.index(value)
    if not _LONG.min <= i <= _LONG.max:
        raise OverflowError("Python int too large to convert to C long")
    if not _INT.min <= i <= _INT.max:
        raise ValueError("integer won't fit into a C int")
    return i


def _keepdims_flag(value: Any) -> bool:
    """keepdims as NumPy's reductions read it: an integer (bool included), not a float."""
    if value is False or value is True:
        return value
    if isinstance(value, float):
        raise TypeError("integer argument expected, got float")
    i = operator.index(value)
    if not _LONG.min <= i <= _LONG.max:
        raise OverflowError("Python int too large to convert to C long")
    return i != 0


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        axes = tuple([normalize_axis_index(_axis_index(a), ndim) for a in axis])
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
        return axes
    index = _axis_index(axis)
    if ndim == 0 and index in (0, -1):
        # NumPy's backwards-compatibility special case: a scalar "reduced"
        # along axis 0 or -1 is not reduced at all.
        return ()
    return (normalize_axis_index(index, ndim),)


def sum(
    a: ArrayLike,
    axis: int | tuple[int, ...] | None = None,
    dtype: DTypeLike | None = None,
    out: NDArray[Any] | None = None,
    keepdims: bool = False,
) -> Any:
    """Sum of array elements over the given axes, mirroring ``np.sum``.

    Same result dtype as ``np.sum`` (bool and signed ints -> int64, unsigned ->
    uint64, floats and complex keep theirs) and, for axes that are contiguous
    in memory, the same bits. Computed by ``parallel_sum``: pairwise for floats,
    with the GIL released and large inputs split over numext's threads.

    ``axis`` None (all), an int or a tuple; ``dtype`` the accumulator/result
    dtype (any numeric dtype: bool adds as logical or, small integers wrap in
    their own width, exactly as ``np.sum``); ``out`` an array of exactly the
    result's shape, into which the result is cast unsafely (its dtype takes
    part in choosing the accumulator, as in NumPy); ``keepdims`` as in NumPy.

    One difference in bits: with an ``out`` whose dtype is not the
    accumulator's, NumPy casts the partial sum of every buffer
    (``np.getbufsize()`` elements) into ``out`` and back; numext.sum casts the
    whole sum once, which is NumPy's answer whenever the sum fits one buffer.
    Where NumPy would add in object (``dtype=object``, an object ``out``) or
    timedelta, numext.sum raises TypeError, as for such inputs.
    """
    # Fast path, the common calls: no Python-level work beyond one gufunc call.
    if dtype is None and out is None and keepdims is False and type(a) is np.ndarray and a.ndim:
        if axis is None:
            if a.ndim == 1:
                return parallel_sum(a)
            if a.flags.c_contiguous:
                # One pairwise sum over the whole buffer, exactly as np.sum.
                return parallel_sum(a.reshape(-1))
        elif type(axis) is int:
            # The gufunc's axis= moves the core dimension (AxisError as NumPy).
            return parallel_sum(a, axis=axis)
    return _sum(a, axis, dtype, out, keepdims)


def _sum(a: Any, axis: Any, dtype: Any, out: Any, keepdims: Any) -> Any:
    # Arguments checked in np.sum's order: keepdims and out as it parses them,
    # then the axes, the accumulator dtype, out's shape and writeability.
    keep_dims = _keepdims_flag(keepdims)
    if out is not None and not isinstance(out, np.ndarray):
        raise TypeError("return arrays must be of ArrayType")
    arr = np.asanyarray(a)
    axes = _normalize_axes(axis, arr.ndim)
    if not axes:
        # Nothing to reduce: np.sum returns the (cast) values themselves.
        result = np.add.reduce(arr, axis=(), dtype=dtype, out=out, keepdims=keep_dims)
        if out is not None and isinstance(a, np.generic):
            # np.sum calls a NumPy scalar's own .sum(), which returns a scalar
            # even when it has filled out=.
            return out[()]
        return result

    loop = None if dtype is None and out is None else _loop_dtype(arr.dtype, dtype, out)
    if out is not None:
        _check_out(out, arr.shape, axes, keep_dims)

    native = loop is None or _same_type(arr.dtype, loop)
    if loop is None or native:
        x = arr
    elif loop.kind == "b":
        x = arr.astype(bool)
    elif loop.kind in "iu" and arr.dtype.kind in "biu":
        # Integer sums wrap: the 64-bit sum cast to `loop` is `loop`'s own sum.
        x = arr
    else:
        x = arr.astype(loop)

    if out is not None and loop is not None and native and out.dtype == loop and (
        loop.kind in "fc" or loop.itemsize == 8
    ):
        # parallel_sum's own loop for x is `loop` (floats, complex, 64-bit
        # integers) and out has its dtype: parallel_sum writes into out itself.
        _reduce(x, axes, out.squeeze(axis=axes) if keep_dims else out)
        return out
    result = _reduce(x, axes)
    if loop is not None and result.dtype.type is not loop.type:
        # bool: a count, nonzero exactly where NumPy's logical-or sum is True.
        # Small integers: the 64-bit sum modulo 2**bits, as adding in `loop`.
        # (Also long long from long: the same int64, NumPy's scalar type.)
        result = result.astype(loop)
    if keep_dims:
        result = np.expand_dims(result, axes)
    if out is None:
        return result
    np.copyto(out, result, casting="unsafe")
    return out


# Accumulator dtypes already resolved, by (dtype=, input dtype, out dtype); the
# dtype chars keep long and long long apart (equal dtypes, different scalar types).
_LOOPS: dict[tuple[Any, ...], np.dtype[Any]] = {}


def _loop_dtype(in_dtype: np.dtype[Any], dtype: Any, out: NDArray[Any] | None) -> np.dtype[Any]:
    """The dtype np.sum adds in, given dtype= and/or out=."""
    out_dtype = None if out is None else out.dtype
    key = None
    if dtype is None or isinstance(dtype, (type, str, np.dtype)):
        key = (dtype, getattr(dtype, "char", None), in_dtype, in_dtype.char,
               out_dtype, getattr(out_dtype, "char", None))
        cached = _LOOPS.get(key)
        if cached is not None:
            return cached
    # NumPy's own resolution for a reduction: out's dtype (if any) as the first
    # operand, the input's as the second, dtype= fixing the loop.
    kwargs: dict[str, Any] = {} if dtype is None else {"signature": (dtype, None, None)}
    loop: np.dtype[Any] = np.add.resolve_dtypes(
        (out_dtype, in_dtype, None), casting="unsafe", reduction=True, **kwargs
    )[0]
    if loop.kind not in "biufc":
        raise TypeError(_NO_LOOP.format(loop))
    if key is not None and len(_LOOPS) < 512:
        _LOOPS[key] = loop
    return loop


def _same_type(a: np.dtype[Any], b: np.dtype[Any]) -> bool:
    """Same numeric type, byte order aside (parallel_sum reads either)."""
    return a == b or (a.kind == b.kind and a.itemsize == b.itemsize and a.kind in "biufc")


def _check_out(out: NDArray[Any], shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> None:
    """np.sum's checks on out=: the result's exact shape (never broadcast into), writeable."""
    if keepdims:
        expected = tuple(1 if d in axes else n for d, n in enumerate(shape))
    else:
        expected = tuple(n for d, n in enumerate(shape) if d not in axes)
    if out.ndim != len(expected):
        raise ValueError(
            "output parameter for reduction operation add has the wrong number of dimensions: "
            f"Found {out.ndim} but expected {len(expected)}"
            + (" (must match the operand's when keepdims=True)" if keepdims else "")
        )
    if out.shape != expected:
        raise ValueError(
            f"non-broadcastable output operand with shape {out.shape} doesn't match "
            f"the result's shape {expected}"
        )
    if not out.flags.writeable:
        raise ValueError("output array is read-only")


def _reduce(x: NDArray[Any], axes: tuple[int, ...], out: NDArray[Any] | None = None) -> Any:
    """parallel_sum over `axes` (at least one) of x, in x's default loop (into out)."""
    if len(axes) == 1:
        # The gufunc's axis= makes that axis the core dimension.
        return parallel_sum(x, axis=axes[0], out=out)
    ndim = x.ndim
    # The reduced axes last, in memory order (axis=(1, 0) is axis=(0, 1)), so
    # that reduced axes contiguous together merge into one pairwise sum.
    reduced = sorted(axes)
    if reduced == list(range(ndim - len(reduced), ndim)):
        moved = x
    else:
        moved = x.transpose([d for d in range(ndim) if d not in axes] + reduced)
    try:
        # A view when the reduced axes can be merged without copying; a
        # C-contiguous array reduced over everything is one pairwise sum,
        # exactly as np.sum does it.
        flat = _reshape_view(moved, moved.shape[: ndim - len(reduced)] + (-1,))
    except ValueError:
        # Axes that cannot be merged: reduce one axis at a time, last first.
        result = moved
        for _ in reduced[1:]:
            result = parallel_sum(result)
        return parallel_sum(result, out=out)
    return parallel_sum(flat, out=out)



def _reshape_view(x: NDArray[Any], shape: tuple[int, ...]) -> NDArray[Any]:
    """x.reshape(shape, copy=False): a view, ValueError where it would copy.

    reshape's copy= is NumPy >= 2.1; on 2.0 reshape and see whether it copied.
    """
    try:
        return x.reshape(shape, copy=False)
    except TypeError:
        pass
    view = x.reshape(shape)
    if view.size and not np.may_share_memory(view, x):
        raise ValueError("cannot reshape without copying")
    return view
