"""The array-level API on top of the two ufuncs."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy._core.fromnumeric as _fromnumeric
from numpy.lib.array_utils import normalize_axis_index
from numpy.typing import ArrayLike, DTypeLike, NDArray

from ._numext import RELEASE_GIL_MIN_BYTES, SUM_LOOP_CACHE_MAX, double_pixels, parallel_sum
from ._reduction_args import (
    NoValue,
    check_out,
    delegate_to_numpy,
    keepdims_flag,
    normalize_axes,
    result_shape,
)
from ._sum_paths import reduce_axes, reduce_cast, visited_into_out

# np.sum itself, taken at import: numext.sum hands it the inputs np.sum sends
# elsewhere (and it stays NumPy's when a test suite swaps np.sum for numext.sum).
_np_sum = _fromnumeric.sum


def double(arr: ArrayLike, out: NDArray[Any] | None = None) -> Any:
    """Return ``arr * 2`` (NumPy's values and dtype), computed by ``double_pixels``.

    ``arr`` may be any array-like; ``out`` an existing array to write into
    (``out=arr`` doubles in place). Large inputs are split over numext's threads.
    """
    if out is None:
        return double_pixels(arr)
    return double_pixels(arr, out=out)



_ALL_AXES = [tuple(range(n)) for n in range(65)]


def sum(
    a: ArrayLike,
    axis: int | tuple[int, ...] | None = None,
    dtype: DTypeLike | None = None,
    out: NDArray[Any] | None = None,
    keepdims: Any = NoValue,
    initial: Any = NoValue,
    where: Any = NoValue,
) -> Any:
    """Sum of array elements over the given axes: ``np.sum``, for every argument and input.

    Same arguments, result, type, dtype, warnings and errors as ``np.sum``. For
    ndarrays and array-likes of numeric dtypes the sum is ``parallel_sum``'s:
    pairwise for floats, the GIL released, large inputs split over numext's
    threads; with np.sum's bits for a contiguous reduced axis and for
    ``axis=None`` over any layout that is one strided run of memory (C, F,
    transposed, reversed: summed in memory order, as NumPy's iterator does),
    and pairwise where NumPy adds row after row (a strided axis: more accurate
    than np.sum).
    Small integer and bool sums (exact in any order) are NumPy's own loop. ``dtype=``
    upcasts are cast in cache-sized pieces, one ``np.getbufsize()`` buffer
    at a time in NumPy's order, never the whole input at once.

    Everything else goes where ``np.sum`` sends it: objects with their own
    ``.sum`` or ``__array_function__`` (NumPy scalars, ``np.matrix``, masked
    arrays, pandas, xarray, dask arrays), and ``initial=``, ``where=``, object,
    timedelta and other dtypes with no loop of numext's (``np.add.reduce``).

    One difference in bits: with an ``out`` whose dtype is not the
    accumulator's, NumPy casts the partial sum of every buffer into ``out`` and
    back; numext.sum casts the whole sum once, which is NumPy's answer whenever
    the sum fits one buffer.
    """
    # Fast path, the common calls: no Python-level work beyond one gufunc call.
    if (
        type(a) is np.ndarray
        and dtype is None
        and out is None
        and (keepdims is NoValue or keepdims is False)
        and initial is NoValue
        and where is NoValue
        and a.ndim
    ):
        try:
            if axis is None:
                if a.ndim == 1:
                    return parallel_sum(a)
                flags = a.flags
                if flags.c_contiguous:
                    # One pairwise sum over the whole buffer, exactly as np.sum.
                    return parallel_sum(a.reshape(-1))
                if flags.f_contiguous:
                    # The same in memory order, as NumPy's iterator sums it.
                    return parallel_sum(a.T.reshape(-1))
            elif type(axis) is int:
                # The gufunc's axis= moves the core dimension (AxisError as NumPy).
                return parallel_sum(a, axis=axis)
            elif type(axis) is tuple and len(axis) == a.ndim and a.flags.c_contiguous:
                if len(normalize_axes(axis, a.ndim)) == a.ndim:  # every axis, in any order
                    return parallel_sum(a.reshape(-1))
        except TypeError:
            # No loop of parallel_sum's for a's dtype (object, datetime, ...):
            # the general path sends it where np.sum does.
            pass
    return _sum(a, axis, dtype, out, keepdims, initial, where)


def _given(keepdims: Any, initial: Any, where: Any) -> dict[str, Any]:
    """The optional arguments np.sum passes on: only those given."""
    kwargs = {}
    if keepdims is not NoValue:
        kwargs["keepdims"] = keepdims
    if initial is not NoValue:
        kwargs["initial"] = initial
    if where is not NoValue:
        kwargs["where"] = where
    return kwargs


def _sum(a: Any, axis: Any, dtype: Any, out: Any, keepdims: Any, initial: Any, where: Any) -> Any:
    arr = a
    if type(a) is not np.ndarray or (out is not None and type(out) is not np.ndarray):
        if delegate_to_numpy(a, out):
            return _np_sum(a, axis=axis, dtype=dtype, out=out, **_given(keepdims, initial, where))
        arr = np.asanyarray(a)
        if type(arr) is not np.ndarray:  # an __array__ that makes a subclass
            return _np_sum(a, axis=axis, dtype=dtype, out=out, **_given(keepdims, initial, where))
    # From here out is None or an ndarray (delegate_to_numpy sent any other on).
    if initial is not NoValue or where is not NoValue or arr.dtype.kind not in "biufc":
        # np.sum's own call for an ndarray (or array-like) input.
        return np.add.reduce(a, axis, dtype, out, **_given(keepdims, initial, where))

    # Arguments checked in np.sum's order: keepdims as it parses it, then the
    # axes, the accumulator dtype, out's shape and writeability.
    keep = keepdims is True or (keepdims is not NoValue and keepdims is not False and keepdims_flag(keepdims))
    ndim = arr.ndim
    if axis is None:
        axes = _ALL_AXES[ndim] if ndim < 65 else tuple(range(ndim))
    elif type(axis) is int and ndim:
        axes = (normalize_axis_index(axis, ndim),)
    else:
        axes = normalize_axes(axis, ndim)
    loop = None if dtype is None and out is None else _loop_dtype(arr.dtype, dtype, out)
    if not axes or (loop is not None and loop.kind not in "biufc") or (
        (arr.dtype if loop is None else loop).kind in "biu" and arr.nbytes < RELEASE_GIL_MIN_BYTES
    ):
        # Nothing to reduce (np.sum returns the cast values), an object or
        # timedelta accumulator, or a small integer or bool sum (exact in any
        # order; numext would keep the GIL and one thread): NumPy's own loop,
        # which costs less than any Python around parallel_sum.
        return np.add.reduce(arr, axis, dtype, out, **_given(keepdims, NoValue, NoValue))
    if out is not None:
        if len(axes) == ndim:
            expected: Any = _ALL_AXES_KEPT[ndim] if keep else ()
        elif len(axes) == 1 and not keep:
            expected = arr.shape[: axes[0]] + arr.shape[axes[0] + 1 :]
        else:
            expected = None
        if expected is None or out.shape != expected or not out.flags.writeable:
            check_out(out, arr.shape, axes, keep)
        if out.dtype.kind == "c" and loop is not None and loop.kind != "c":
            # NumPy reads out into the accumulator too: complex to real.
            warnings.warn(
                "Casting complex values to real discards the imaginary part",
                np.exceptions.ComplexWarning,
                stacklevel=2,
            )
        arr = visited_into_out(arr, axes)
    result = _one_call(arr, axes, keep, loop, out)
    if result is None:
        result = _general(arr, axes, keep, loop, out)
    return result


def _general(arr: NDArray[Any], axes: tuple[int, ...], keep: bool, loop: Any, out: Any) -> Any:
    """Any axes, any loop: reduce_axes / reduce_cast, then np.sum's result type and out."""
    if loop is None or loop.type is _RESULT_TYPES.get(arr.dtype.char):
        result = reduce_axes(arr, axes)
    else:
        result = reduce_cast(arr, axes, loop)
    if loop is not None and result.dtype.type is not loop.type:
        # bool: a count, nonzero exactly where NumPy's logical-or sum is True.
        # Small integers: the 64-bit sum modulo 2**bits, as adding in `loop`.
        # (Also long long from long: the same int64, NumPy's scalar type.)
        result = result.astype(loop)
    if keep:
        result = result.reshape(result_shape(arr.shape, axes, True))
    if out is None:
        return result
    np.copyto(out, result, casting="unsafe")
    return out


def _one_call(arr: NDArray[Any], axes: tuple[int, ...], keep: bool, loop: Any, out: Any) -> Any:
    """The sum as one parallel_sum call, where the reduced axes are one axis
    and parallel_sum has the loop (casting into out as NumPy does); else None."""
    if len(axes) == 1:
        axis = axes[0]
    elif len(axes) == arr.ndim and arr.flags.c_contiguous:
        if keep:
            # All axes kept as length 1: the same call on arr as one axis.
            arr = arr.reshape(_ALL_AXES_KEPT[arr.ndim - 1] + (-1,))
            axis = -1
        else:
            arr = arr.reshape(-1)
            axis = 0
    else:
        return None
    if loop is None or loop.type is _RESULT_TYPES.get(arr.dtype.char):
        if out is None:
            return parallel_sum(arr, axis=axis, keepdims=keep)
        if keep:
            return parallel_sum(arr, axis=axis, keepdims=True, out=out, casting="unsafe")
        if arr.ndim == 1:
            return parallel_sum(arr, out=out, casting="unsafe")
        return parallel_sum(arr, axis=axis, out=out, casting="unsafe")
    if loop.char in _LOOP_CHARS and arr.size <= _BUFSIZE:
        # Cast in the gufunc: one buffer, the bits of NumPy's cast and sum.
        return parallel_sum(arr, axis=axis, keepdims=keep, out=out, dtype=loop, casting="unsafe")
    if loop.kind in "iu" and arr.dtype.kind in "biu" and out is None:
        # The 64-bit sum cast into loop: wraps exactly as adding in loop.
        result = np.empty(result_shape(arr.shape, (axis % arr.ndim,), keep), loop)
        parallel_sum(arr, axis=axis, keepdims=keep, out=result, casting="unsafe")
        return result if result.ndim else result[()]
    return None


# NumPy's default buffer (np.getbufsize()): a cast sum of at most this many
# elements is one pairwise sum of the cast values.
_BUFSIZE = 8192
_LOOP_CHARS = frozenset(t[-1] for t in parallel_sum.types)
# The scalar type of parallel_sum's result, by input dtype char: its first
# loop's (reversed: the first wins), not a cast loop's after it.
_RESULT_TYPES = {t[0]: np.dtype(t[-1]).type for t in reversed(parallel_sum.types)}
_ALL_AXES_KEPT = [(1,) * n for n in range(65)]


# Accumulator dtypes already resolved, by (dtype=, input dtype, out dtype).
_LOOPS: dict[tuple[Any, ...], np.dtype[Any]] = {}
_UNCACHED = object()


def _loop_dtype(in_dtype: np.dtype[Any], dtype: Any, out: NDArray[Any] | None) -> np.dtype[Any]:
    """The dtype np.sum adds in, given dtype= and/or out=."""
    out_dtype = None if out is None else out.dtype
    # Dtype numbers keep long and long long apart (equal dtypes, different
    # scalar types); dtypes of one number that differ otherwise (byte order,
    # units, sizes) resolve to the same loop, or to none numext runs.
    given: Any
    if dtype is None or isinstance(dtype, (type, str)):
        given = dtype
    elif isinstance(dtype, np.dtype):
        given = dtype.num
    else:
        given = _UNCACHED
    key = (given, in_dtype.num, None if out_dtype is None else out_dtype.num)
    cached = _LOOPS.get(key)
    if cached is not None:
        return cached
    # NumPy's own resolution for a reduction: out's dtype (if any) as the first
    # operand, the input's as the second, dtype= fixing the loop.
    kwargs: dict[str, Any] = {} if dtype is None else {"signature": (dtype, None, None)}
    loop: np.dtype[Any] = np.add.resolve_dtypes(
        (out_dtype, in_dtype, None), casting="unsafe", reduction=True, **kwargs
    )[0]
    if given is not _UNCACHED and len(_LOOPS) < SUM_LOOP_CACHE_MAX:
        _LOOPS[key] = loop
    return loop
