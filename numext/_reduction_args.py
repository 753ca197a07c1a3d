"""np.sum's argument rules, for numext's reductions (numext.sum; reusable by others).

Where np.sum sends an input (``delegate_to_numpy``), and how NumPy's reductions
read ``axis``, ``keepdims`` and ``out`` (``axis_index``, ``keepdims_flag``,
``normalize_axes``, ``check_out``), with NumPy's exceptions and messages.
"""

from __future__ import annotations

import operator
import types
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

#: np.sum's "argument not given" default (keepdims, initial, where).
NoValue: Any = np._NoValue

# PyArray_PyIntAsInt's limits: NumPy converts an axis through a C long, then a C int.
_LONG = np.iinfo(np.dtype("l"))
_INT = np.iinfo(np.intc)
_INT_MIN, _INT_MAX = int(_INT.min), int(_INT.max)

# Types np.sum converts with np.asarray and reduces with np.add.reduce: no
# .sum method, no __array_function__.
_PLAIN_TYPES = frozenset([np.ndarray, list, tuple, int, float, complex, bool])
_delegated_types: dict[type, bool] = {}


def delegate_to_numpy(a: Any, out: Any = None) -> bool:
    """Whether np.sum(a, out=out) would not end in np.add.reduce over an ndarray.

    np.sum first offers the call to ``__array_function__`` of ``a`` and ``out``
    (dask arrays, ...), then calls ``a.sum(...)`` for any type but ndarray that
    has one (NumPy scalars, ndarray subclasses such as np.matrix and masked
    arrays, pandas, xarray), and refuses generators. Those calls must go to
    NumPy, which sends them on; only plain arrays and array-likes stay with numext.
    """
    if type(a) not in _PLAIN_TYPES and _sends_elsewhere(type(a)):
        return True
    return out is not None and type(out) is not np.ndarray


def _sends_elsewhere(cls: type) -> bool:
    known = _delegated_types.get(cls)
    if known is None:
        known = (
            hasattr(cls, "sum")
            or getattr(cls, "__array_function__", np.ndarray.__array_function__)
            is not np.ndarray.__array_function__
            or issubclass(cls, (types.GeneratorType, np.ndarray))
        )
        if len(_delegated_types) < 256:
            _delegated_types[cls] = known
    return known


def axis_index(value: Any) -> int:
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


def keepdims_flag(value: Any) -> bool:
    """keepdims as NumPy's reductions read it: an integer (bool included), not a float."""
    if value is False or value is True:
        return value
    if value is NoValue:
        return False
    if isinstance(value, float):
        raise TypeError("integer argument expected, got float")
    i = operator.index(value)
    if not _LONG.min <= i <= _LONG.max:
        raise OverflowError("Python int too large to convert to C long")
    return i != 0


def normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """The reduced axes, each in range(ndim), as np.add.reduce reads ``axis``."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, tuple):
        axes = tuple([
            normalize_axis_index(a if type(a) is int and _INT_MIN <= a <= _INT_MAX else axis_index(a), ndim)
            for a in axis
        ])
        if len(set(axes)) != len(axes):
            raise ValueError("duplicate value in 'axis'")
        return axes
    index = axis_index(axis)
    if ndim == 0 and index in (0, -1):
        # NumPy's backwards-compatibility special case: a scalar "reduced"
        # along axis 0 or -1 is not reduced at all.
        return ()
    return (normalize_axis_index(index, ndim),)


def result_shape(shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> tuple[int, ...]:
    """The shape of a reduction's result over `axes` (normalized, unique)."""
    if len(axes) == 1:
        k = axes[0]
        return shape[:k] + (1,) + shape[k + 1 :] if keepdims else shape[:k] + shape[k + 1 :]
    if len(axes) == len(shape):
        return (1,) * len(shape) if keepdims else ()
    if keepdims:
        return tuple([1 if d in axes else n for d, n in enumerate(shape)])
    return tuple([n for d, n in enumerate(shape) if d not in axes])


def check_out(out: Any, shape: tuple[int, ...], axes: tuple[int, ...], keepdims: bool) -> None:
    """np.sum's checks on out=: an ndarray of the result's exact shape (never
    broadcast into), writeable; NumPy's exceptions and messages."""
    if not isinstance(out, np.ndarray):
        raise TypeError("return arrays must be of ArrayType")
    expected = result_shape(shape, axes, keepdims)
    if out.shape == expected and out.flags.writeable:
        return
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
