"""The array-level API on top of the two ufuncs."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
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


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        axes = tuple(np.lib.array_utils.normalize_axis_index(int(operator_index(a)), ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
        return axes
    return (np.lib.array_utils.normalize_axis_index(operator_index(axis), ndim),)


def operator_index(value: Any) -> int:
    import operator

    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"'{type(value).__name__}' object cannot be interpreted as an integer"
        ) from None


def sum(
    a: ArrayLike,
    axis: int | tuple[int, ...] | None = None,
    dtype: DTypeLike = None,
    out: NDArray[Any] | None = None,
    keepdims: bool = False,
) -> Any:
    """Sum of array elements over the given axes, mirroring ``np.sum``.

    Same result dtype as ``np.sum`` (bool and signed ints -> int64, unsigned ->
    uint64, floats and complex keep theirs) and, for axes that are contiguous
    in memory, the same bits. Computed by ``parallel_sum``: pairwise for floats,
    with the GIL released and large inputs split over numext's threads.

    ``axis`` None (all), an int or a tuple; ``dtype`` the accumulator/result
    dtype; ``out`` an array of the result's shape; ``keepdims`` as in NumPy.
    """
    arr = np.asanyarray(a)
    axes = _normalize_axes(axis, arr.ndim)
    kwargs: dict[str, Any] = {}
    if dtype is not None:
        kwargs["dtype"] = dtype
    if arr.ndim == 0 or not axes:
        # Nothing to reduce: np.sum returns the (cast) value itself.
        result = np.add.reduce(arr, axis=(), dtype=dtype, keepdims=keepdims)
        return _finish(result, out, keepdims)
    keep = [d for d in range(arr.ndim) if d not in axes]
    moved = np.moveaxis(arr, axes, range(arr.ndim - len(axes), arr.ndim))
    if len(axes) == 1:
        flat = moved
    else:
        try:
            # A view when the reduced axes can be merged without copying; a
            # C-contiguous array reduced over everything is one pairwise sum,
            # exactly as np.sum does it.
            flat = moved.reshape(moved.shape[: len(keep)] + (-1,), copy=False)
        except ValueError:
            flat = None
    if flat is None:
        # Axes that cannot be merged: reduce one axis at a time, last first.
        result = moved
        for _ in axes:
            result = parallel_sum(result, **kwargs)
    else:
        result = parallel_sum(flat, **kwargs)
    if keepdims:
        result = np.expand_dims(result, axes)
    return _finish(result, out, keepdims)


def _finish(result: Any, out: NDArray[Any] | None, keepdims: bool) -> Any:
    if out is None:
        return result
    out_arr = out
    if not isinstance(out_arr, np.ndarray):
        raise TypeError("out must be a numpy array")
    np.copyto(out_arr, result, casting="same_kind")
    return out_arr


_ = builtins  # the builtin sum stays reachable as builtins.sum inside numext
