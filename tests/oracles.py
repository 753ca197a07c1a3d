"""Slow, obviously-correct references that numext is tested against.

`pairwise_sum` is NumPy's pairwise summation (numpy/_core/src/umath/
loops_utils.h.src) written out in Python with NumPy scalars of the
accumulator type, so every addition rounds exactly as the C code's does.
`np.sum` along a contiguous axis equals `0 + pairwise_sum(row)`; along a
strided axis np.sum adds row after row, and this is the reference numext's
pairwise result must match there.
"""

from __future__ import annotations

import numpy as np


def accumulator_dtype(dtype: np.dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype == np.float16:
        return np.dtype(np.float32)
    if dtype.kind == "c":
        return np.dtype(dtype.type(0).real.dtype)
    return dtype


def _pairwise_real(x: np.ndarray, acc: type) -> np.generic:
    n = len(x)
    if n < 8:
        res = acc(-0.0)
        for v in x:
            res = acc(res + acc(v))
        return res
    if n <= 128:
        m = n - n % 8
        # np.add.accumulate is strictly sequential: column k is r[k] of the C code.
        r = np.add.accumulate(x[:m].astype(acc).reshape(-1, 8), axis=0)[-1]
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        for v in x[m:]:
            res = acc(res + acc(v))
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return acc(_pairwise_real(x[:n2], acc) + _pairwise_real(x[n2:], acc))


def _pairwise_complex(x: np.ndarray, acc: type) -> tuple[np.generic, np.generic]:
    m = len(x)  # complex elements; NumPy's tree runs over 2m scalars
    if m < 4:
        rr, ri = acc(-0.0), acc(-0.0)
        for v in x:
            rr, ri = acc(rr + v.real), acc(ri + v.imag)
        return rr, ri
    if m <= 64:
        k = m - m % 4
        r = np.add.accumulate(x[:k].reshape(-1, 4), axis=0)[-1]
        rr = (r[0].real + r[1].real) + (r[2].real + r[3].real)
        ri = (r[0].imag + r[1].imag) + (r[2].imag + r[3].imag)
        for v in x[k:]:
            rr, ri = acc(rr + v.real), acc(ri + v.imag)
        return rr, ri
    m2 = (m - m % 8) // 2
    a = _pairwise_complex(x[:m2], acc)
    b = _pairwise_complex(x[m2:], acc)
    return acc(a[0] + b[0]), acc(a[1] + b[1])


def pairwise_sum(x: np.ndarray) -> np.generic:
    """np.sum's result for a 1-D float or complex array summed pairwise."""
    x = np.asarray(x)
    dtype = x.dtype
    acc = accumulator_dtype(dtype).type
    with np.errstate(all="ignore"):
        if dtype.kind == "c":
            rr, ri = _pairwise_complex(x, acc)
            out = np.empty((), dtype)
            out.real = acc(acc(0.0) + rr)
            out.imag = acc(acc(0.0) + ri)
            return out[()]
        return dtype.type(acc(acc(0.0) + _pairwise_real(x, acc)))


def pairwise_sum_last_axis(x: np.ndarray) -> np.ndarray:
    """pairwise_sum over the last axis of an n-d float or complex array."""
    x = np.asarray(x)
    out = np.empty(x.shape[:-1], x.dtype)
    for idx in np.ndindex(*x.shape[:-1]):
        out[idx] = pairwise_sum(x[idx])
    return out
