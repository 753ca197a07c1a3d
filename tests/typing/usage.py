"""numext's typed API in use: checked with ``mypy --strict`` (tests/test_typing.py)
and also run as a plain script, so every line here is true at runtime too."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
from numpy.typing import NDArray

import numext

if sys.version_info >= (3, 11):
    from typing import assert_type
else:  # pragma: no cover
    from typing_extensions import assert_type


def brighten(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return numext.double(image)


def row_totals(table: NDArray[np.float64]) -> NDArray[np.float64]:
    totals: NDArray[np.float64] = numext.parallel_sum(table)
    return totals


def main() -> None:
    image: NDArray[np.uint8] = np.arange(12, dtype=np.uint8).reshape(3, 4)
    values: NDArray[np.float64] = np.linspace(0.0, 1.0, 12).reshape(3, 4)
    counts: NDArray[np.int16] = np.arange(5, dtype=np.int16)
    flags: NDArray[np.bool_] = np.array([True, False, True])

    # The ufuncs are NumPy ufuncs.
    ufunc: np.ufunc = numext.double_pixels
    assert ufunc.nin == 1 and numext.parallel_sum.signature == "(n)->()"
    doubled = numext.double_pixels(image)
    assert isinstance(doubled, np.ndarray) and doubled.dtype == np.uint8

    # double: dtype-preserving overloads; bool doubles to int64; out= returns out.
    assert_type(numext.double(image), NDArray[np.uint8])
    assert_type(numext.double(values), NDArray[np.float64])
    assert_type(numext.double(flags), NDArray[np.int64])
    out: NDArray[np.uint8] = np.empty_like(image)
    assert_type(numext.double(image, out=out), NDArray[np.uint8])
    assert numext.double(image, out=out) is out
    scalar: Any = numext.double(3)
    assert scalar == 6

    # sum: np.sum's result type for whole-array sums of typed arrays.
    assert_type(numext.sum(values), np.float64)
    assert_type(numext.sum(counts), np.int64)
    assert_type(numext.sum(image), np.uint64)
    assert_type(numext.sum(counts, dtype=np.float32), np.float32)
    assert isinstance(numext.sum(counts, dtype=np.float32), np.float32)
    rows: NDArray[np.float64] = numext.sum(values, axis=1)
    assert rows.shape == (3,)
    target: NDArray[np.float64] = np.zeros(4)
    assert_type(numext.sum(values, axis=0, out=target), NDArray[np.float64])
    assert numext.sum(values, 0, None, target) is target
    assert numext.sum(values, axis=(0, 1), keepdims=True).shape == (1, 1)
    assert float(numext.sum(values)) == float(np.sum(values))

    assert brighten(image).dtype == np.uint8
    assert row_totals(values).shape == (3,)

    # Thread control.
    n: int = numext.get_num_threads()
    previous: int = numext.set_num_threads(n)
    assert previous == n
    with numext.threads(1) as inside:
        assert_type(inside, int)
        assert numext.get_num_threads() == 1
    assert numext.get_num_threads() == n
    assert numext.default_num_threads() >= 1
    version: str = numext.__version__
    assert version
    assert "sum" in numext.__all__


if __name__ == "__main__":
    main()
    print("ok")
