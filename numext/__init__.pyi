"""Type stubs for numext's public API (checked with mypy --strict and stubtest)."""

from contextlib import AbstractContextManager
from typing import Any, Final, Literal, TypeVar, overload

import numpy as np
from numpy._globals import _NoValueType
from numpy.typing import ArrayLike, DTypeLike, NDArray

__version__: Final[str]

__all__ = [
    "double_pixels",
    "parallel_sum",
    "exact_sum",
    "fsum",
    "double",
    "sum",
    "parallel",
    "get_num_threads",
    "set_num_threads",
    "threads",
    "default_num_threads",
]

_NumberT = TypeVar("_NumberT", bound=np.number[Any])
_InexactT = TypeVar("_InexactT", bound=np.inexact[Any])
_ScalarT = TypeVar("_ScalarT", bound=np.generic)
_ArrayT = TypeVar("_ArrayT", bound=np.ndarray[Any, Any])
_ShapeT = TypeVar("_ShapeT", bound=tuple[int, ...])

_Axis = int | tuple[int, ...] | None
# np.sum's initial= and where= (numext.sum takes every argument np.sum takes).
_Initial = complex | np.number[Any] | np.bool_ | _NoValueType
_Where = ArrayLike | _NoValueType

# Elementwise ``x * 2`` (1 input, 1 output): bool -> int64, every other numeric
# dtype keeps its own. Calls return NDArray for arrays and a NumPy scalar for
# scalars, as any ufunc; ``out=``, ``where=``, ``dtype=``, ``casting=`` work.
double_pixels: Final[np.ufunc]

# Generalized ufunc ``(n)->()``: exactly ``np.sum(x, axis=-1)``.
parallel_sum: Final[np.ufunc]

# Generalized ufunc ``(n)->()``: the correctly rounded sum of each row.
exact_sum: Final[np.ufunc]

@overload
def double(
    arr: np.ndarray[_ShapeT, np.dtype[np.bool_]], out: None = None
) -> np.ndarray[_ShapeT, np.dtype[np.int64]]: ...
@overload
def double(
    arr: np.ndarray[_ShapeT, np.dtype[_NumberT]], out: None = None
) -> np.ndarray[_ShapeT, np.dtype[_NumberT]]: ...
@overload
def double(arr: ArrayLike, out: None = None) -> Any: ...
@overload
def double(arr: ArrayLike, out: _ArrayT) -> _ArrayT: ...

# Whole-array sums of typed arrays give the scalar np.sum gives.
@overload
def sum(
    a: NDArray[np.bool_ | np.signedinteger[Any]],
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] | _NoValueType = ...,
    initial: _Initial = ...,
    where: _Where = ...,
) -> np.int64: ...
@overload
def sum(
    a: NDArray[np.unsignedinteger[Any]],
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] | _NoValueType = ...,
    initial: _Initial = ...,
    where: _Where = ...,
) -> np.uint64: ...
@overload
def sum(
    a: NDArray[_InexactT],
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] | _NoValueType = ...,
    initial: _Initial = ...,
    where: _Where = ...,
) -> _InexactT: ...
@overload
def sum(
    a: ArrayLike,
    axis: None = None,
    *,
    dtype: type[_ScalarT] | np.dtype[_ScalarT],
    out: None = None,
    keepdims: Literal[False] | _NoValueType = ...,
    initial: _Initial = ...,
    where: _Where = ...,
) -> _ScalarT: ...
@overload
def sum(
    a: ArrayLike,
    axis: _Axis,
    dtype: DTypeLike | None,
    out: _ArrayT,
    keepdims: bool | _NoValueType = ...,
    initial: _Initial = ...,
    where: _Where = ...,
) -> _ArrayT: ...
@overload
def sum(
    a: ArrayLike,
    axis: _Axis = None,
    dtype: DTypeLike | None = None,
    *,
    out: _ArrayT,
    keepdims: bool | _NoValueType = ...,
    initial: _Initial = ...,
    where: _Where = ...,
) -> _ArrayT: ...
@overload
def sum(
    a: ArrayLike,
    axis: _Axis = None,
    dtype: DTypeLike | None = None,
    out: None = None,
    keepdims: bool | _NoValueType = ...,
    initial: _Initial = ...,
    where: _Where = ...,
) -> Any: ...
# ``u`` run on numext's pool: a callable with u's results, attributes and methods.
def parallel(u: Any) -> Any: ...
def get_num_threads() -> int:
    """Threads a numext call made here would use: the process-wide setting,
    capped by the innermost enclosing ``threads(n)`` of this thread or task."""
def set_num_threads(n: int) -> int:
    """Set the process-wide thread count (1..1024); returns the previous one."""
def threads(n: int) -> AbstractContextManager[int]:
    """Cap numext calls in this thread or asyncio task at ``n`` threads for the
    block (a ContextVar, like ``np.errstate``); never raises the process setting."""
# The correctly rounded sum (np.sum's arguments); floats keep their dtype,
# bool and integers give float64. Dask arrays give a lazy dask array (Any).
@overload
def fsum(
    a: NDArray[_InexactT],
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] = False,
) -> _InexactT: ...
@overload
def fsum(
    a: NDArray[np.bool_ | np.integer[Any]],
    axis: None = None,
    dtype: None = None,
    out: None = None,
    keepdims: Literal[False] = False,
) -> np.float64: ...
@overload
def fsum(
    a: ArrayLike,
    axis: _Axis,
    dtype: DTypeLike | None,
    out: _ArrayT,
    keepdims: bool = False,
) -> _ArrayT: ...
@overload
def fsum(
    a: ArrayLike,
    axis: _Axis = None,
    dtype: DTypeLike | None = None,
    *,
    out: _ArrayT,
    keepdims: bool = False,
) -> _ArrayT: ...
@overload
def fsum(
    a: Any,
    axis: _Axis = None,
    dtype: DTypeLike | None = None,
    out: None = None,
    keepdims: bool = False,
) -> Any: ...
def default_num_threads() -> int: ...
