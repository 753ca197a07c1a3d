"""numext.fsum: the correctly rounded sum along any axes, of NumPy and dask arrays.

The work is the ``exact_sum`` gufunc's (exact accumulators, rounded once). On a
dask array the partial results are exact accumulator states (``_exact_sum_state``,
a fixed-size int64 vector per output element, carried as one structured field),
merged exactly (``_exact_state_merge``) and rounded once at the end
(``_exact_state_round``): the same bits for every chunking and scheduler.
"""

from __future__ import annotations

import functools
import re
import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from ._numext import _exact_state_merge, _exact_state_round, _exact_sum_state, exact_sum
from ._reduction_args import keepdims_flag, normalize_axes

_STATE_WORDS = int(re.findall(r"\d+", _exact_sum_state.signature)[-1])
# One output element's exact accumulator, as one record (dask concatenates and
# moves these like any array elements).
STATE_DTYPE = np.dtype([("state", np.int64, (_STATE_WORDS,))])

_RESULTS: dict[np.dtype[Any], np.dtype[Any]] = {
    np.dtype(t): np.dtype(t) for t in ("f2", "f4", "f8", "c8", "c16")
}
_REAL_OF: dict[np.dtype[Any], np.dtype[Any]] = {
    np.dtype("c8"): np.dtype("f4"),
    np.dtype("c16"): np.dtype("f8"),
}


def _check_input(dtype: np.dtype[Any]) -> None:
    if dtype.kind not in "biufc":
        raise TypeError(f"numext.fsum: cannot sum values of dtype {dtype} (numbers only)")
    if dtype.kind in "fc" and dtype.itemsize > (8 if dtype.kind == "f" else 16):
        raise TypeError(
            f"numext.fsum: {dtype} is not supported: its exponent range exceeds float64's "
            "(cast to float64 first, if that is exact enough)"
        )


def _result_dtype(in_dtype: np.dtype[Any], dtype: Any, out: Any) -> np.dtype[Any]:
    """dtype= if given, else out's float/complex dtype, else the input's own
    float type (float64 for bool and integers)."""
    if dtype is not None:
        dt = np.dtype(dtype)
    elif out is not None and out.dtype.kind in "fc" and out.dtype in _RESULTS:
        dt = out.dtype
    elif in_dtype.kind in "fc":
        dt = in_dtype
    else:
        dt = np.dtype("f8")
    native = dt.newbyteorder("=") if dt.byteorder not in "=|" else dt
    if native not in _RESULTS:
        raise TypeError(
            "numext.fsum: dtype must be float16, float32, float64, complex64 or complex128, "
            f"not {dt}"
        )
    return _RESULTS[native]


def _flat_last(x: NDArray[Any], axes: tuple[int, ...]) -> NDArray[Any]:
    """x with the reduced axes merged into one last axis (a view when they can
    be: any order of the values gives the same exact sum)."""
    if len(axes) == 1:
        return np.moveaxis(x, axes[0], -1)
    kept = [d for d in range(x.ndim) if d not in axes]
    # Reduced axes in memory order, so that contiguous ones merge without a copy.
    reduced = sorted(axes, key=lambda d: -abs(x.strides[d]))
    moved = x.transpose(kept + reduced)
    return moved.reshape(moved.shape[: len(kept)] + (-1,))


def _exact(x: NDArray[Any], axes: tuple[int, ...], dt: np.dtype[Any]) -> Any:
    """The exact sum over `axes` (at least one) rounded to dt (real or complex)."""
    if x.dtype.kind == "c" and dt.kind != "c":
        warnings.warn(
            "Casting complex values to real discards the imaginary part",
            np.exceptions.ComplexWarning,
            stacklevel=4,
        )
        x = x.real
    real_target = _REAL_OF.get(dt) if x.dtype.kind != "c" else None
    target = real_target if real_target is not None else dt
    if len(axes) == 1:
        result = exact_sum(x, axis=axes[0], dtype=target)
    elif len(axes) == x.ndim:
        result = exact_sum(np.ravel(x, order="K"), dtype=target)
    else:
        result = exact_sum(_flat_last(x, axes), dtype=target)
    if real_target is not None:
        result = np.asarray(result).astype(dt)[()]
    return result


def _check_out(out: NDArray[Any], shape: tuple[int, ...]) -> None:
    if out.shape != shape:
        raise ValueError(
            f"output parameter for reduction operation fsum has shape {out.shape}, "
            f"the result has shape {shape}"
        )
    if not out.flags.writeable:
        raise ValueError("output array is read-only")


def fsum(
    a: ArrayLike,
    axis: int | tuple[int, ...] | None = None,
    dtype: DTypeLike | None = None,
    out: NDArray[Any] | None = None,
    keepdims: bool = False,
) -> Any:
    """The correctly rounded sum of array elements over the given axes.

    The exact sum of the values, as real numbers, rounded once to nearest with
    ties to even: ``math.fsum``'s value for float64, along any axes, and the
    same bits whatever the thread count, memory layout, order of ``axis`` or
    (for a dask array) chunking. Arguments as ``np.sum``'s: ``axis`` None,
    an int or a tuple; ``dtype`` the result dtype (float16/32/64, complex64/128;
    the exact sum rounds straight to it); ``out`` an array of the result's
    shape (a float or complex ``out`` is rounded to directly, any other is
    cast into); ``keepdims``.

    The result dtype is the input's for floats and complex, float64 for bool
    and integers (their exact integer sum, rounded once). Any NaN gives NaN;
    +inf with -inf gives NaN and an "invalid" RuntimeWarning; a sum past the
    largest finite value gives +-inf and an "overflow" RuntimeWarning
    (``np.errstate`` applies). A zero or empty sum is +0.0.

    A ``dask.array.Array`` gives a lazy dask array whose partial results are
    exact accumulator states, merged exactly and rounded once.
    """
    keep = keepdims_flag(keepdims)
    if _is_dask(a):
        if out is not None:
            raise TypeError("numext.fsum: out= is not supported for dask arrays")
        return _fsum_dask(a, axis, dtype, keep)
    if out is not None and not isinstance(out, np.ndarray):
        raise TypeError("return arrays must be of ArrayType")
    arr = np.asarray(a)
    _check_input(arr.dtype)
    dt = _result_dtype(arr.dtype, dtype, out)
    axes = normalize_axes(axis, arr.ndim)
    if axes:
        result = _exact(arr, axes, dt)
    else:
        # Nothing to reduce: the values themselves, each rounded once to dt.
        result = arr.astype(dt) if arr.dtype.kind != "c" or dt.kind == "c" else _exact_none(arr, dt)
    if keep:
        result = np.expand_dims(result, axes)
    if out is None:
        return result[()] if isinstance(result, np.ndarray) and result.ndim == 0 else result
    _check_out(out, np.shape(result))
    np.copyto(out, result, casting="unsafe")
    return out


def _exact_none(arr: NDArray[Any], dt: np.dtype[Any]) -> Any:
    warnings.warn(
        "Casting complex values to real discards the imaginary part",
        np.exceptions.ComplexWarning,
        stacklevel=4,
    )
    return arr.real.astype(dt)


# ---- dask ------------------------------------------------------------------


def _is_dask(a: Any) -> bool:
    module = type(a).__module__
    return module.startswith("dask.") and type(a).__name__ == "Array"


def _states(x: NDArray[Any], axes: tuple[int, ...]) -> NDArray[Any]:
    """Exact states of x (real) over axes, as records, reduced axes kept as 1."""
    if not axes:
        flat = x[..., np.newaxis]
    elif len(axes) == x.ndim:
        flat = np.ravel(x, order="K").reshape(1, -1)
    else:
        flat = _flat_last(x, axes)
    words = np.ascontiguousarray(_exact_sum_state(flat))
    records = words.view(STATE_DTYPE)[..., 0].reshape([n for d, n in enumerate(x.shape) if d not in axes])
    return np.expand_dims(records, axes)


def _state_chunk(x: NDArray[Any], axis: tuple[int, ...], keepdims: bool = True, **_: Any) -> NDArray[Any]:
    records = _states(np.asarray(x), tuple(axis))
    return records if keepdims else records.squeeze(axis=tuple(axis))


def _merge(records: NDArray[Any], axis: tuple[int, ...], keepdims: bool) -> NDArray[Any]:
    """The states along `axis` merged into one per remaining element."""
    axes = tuple(axis)
    kept = [d for d in range(records.ndim) if d not in axes]
    words = records["state"].transpose(kept + list(axes) + [records.ndim])
    shape = words.shape[: len(kept)]
    words = words.reshape(shape + (-1, _STATE_WORDS))
    merged = np.ascontiguousarray(_exact_state_merge(words)).view(STATE_DTYPE)[..., 0]
    merged = merged.reshape(shape)
    return np.expand_dims(merged, axes) if keepdims else merged


def _state_combine(records: NDArray[Any], axis: tuple[int, ...], keepdims: bool = True, **_: Any) -> NDArray[Any]:
    return _merge(records, axis, keepdims)


def _state_aggregate(
    records: NDArray[Any], axis: tuple[int, ...], keepdims: bool = False, *, dtype: Any, **_: Any
) -> NDArray[Any]:
    merged = _merge(records, axis, keepdims)
    return np.asarray(_exact_state_round(merged["state"], dtype=dtype))


def _complex_from_parts(re_part: NDArray[Any], im_part: NDArray[Any], dtype: Any) -> NDArray[Any]:
    result = np.empty(np.shape(re_part), dtype=dtype)
    result.real = re_part
    result.imag = im_part
    return result


def _fsum_dask(a: Any, axis: Any, dtype: Any, keep: bool) -> Any:
    import dask.array as da

    _check_input(a.dtype)
    dt = _result_dtype(a.dtype, dtype, None)
    axes = normalize_axes(axis, a.ndim)
    if a.dtype.kind == "c" and dt.kind != "c":
        warnings.warn(
            "Casting complex values to real discards the imaginary part",
            np.exceptions.ComplexWarning,
            stacklevel=3,
        )
        a = a.real
    real_dt = _REAL_OF.get(dt, dt)
    if a.dtype.kind == "c":
        parts = [_dask_real_sum(da, part, axes, real_dt, keep) for part in (a.real, a.imag)]
        return da.map_blocks(functools.partial(_complex_from_parts, dtype=dt), *parts, dtype=dt)
    result = _dask_real_sum(da, a, axes, real_dt, keep)
    return result.astype(dt) if dt != real_dt else result


def _dask_real_sum(da: Any, a: Any, axes: tuple[int, ...], dt: np.dtype[Any], keep: bool) -> Any:
    ndim = a.ndim if keep else a.ndim - len(axes)
    return da.reduction(
        a,
        _state_chunk,
        functools.partial(_state_aggregate, dtype=dt),
        combine=_state_combine,
        axis=axes,
        keepdims=keep,
        dtype=dt,
        concatenate=True,
        meta=np.empty((0,) * ndim, dtype=dt),
    )
