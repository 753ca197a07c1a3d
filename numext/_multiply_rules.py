"""Where NumPy's complex multiply loop fuses its products (FMA), for x * 2.

np.multiply(x, 2) of complex64/complex128 computes (a + bi) * (2 + 0i) either
with fused multiply-adds (its SIMD loop) or with four plain products (its
scalar loop). The values are the same; the "invalid" flag and which NaN comes
out are not: (inf + nan j) * 2 raises "invalid" only through the plain
products (inf * 0), the FMA does not. Which layouts take which loop depends
on the NumPy version and on the machine it was built for. Found by
experiment on x86-64:

- NumPy 2.0: fused for every input stride (a multiple of the component size)
  into an output that does not partly overlap it.
- NumPy >= 2.2: the same, except that complex64 with a negative input stride
  (x[::-1] into a forward output) takes the plain loop.

numext does not trust a version table: ``probe()`` sends inf + nan j through
np.multiply once per layout class, under np.errstate(invalid='raise'), and
double_pixels follows what it finds (src/double_pixels_rules.c reads it at
import; src/double_pixels_kernels.h applies it per call). Layouts NumPy
always sends to its plain loop (an output stride of 0, partly overlapping
operands, misaligned strides, long double) are not probed: no NumPy fuses
them.
"""

from __future__ import annotations

import numpy as np

# Layout classes, as bits (src/double_pixels_kernels.h uses the same values):
# the input's stride into a forward output.
CFLOAT_CONTIGUOUS = 1
CFLOAT_STRIDED = 2  # positive (or 0), not contiguous
CFLOAT_REVERSED = 4  # negative
CDOUBLE_CONTIGUOUS = 8
CDOUBLE_STRIDED = 16
CDOUBLE_REVERSED = 32

_CLASSES = (
    (CFLOAT_CONTIGUOUS, np.complex64, slice(None)),
    (CFLOAT_STRIDED, np.complex64, slice(None, None, 2)),
    (CFLOAT_REVERSED, np.complex64, slice(None, None, -1)),
    (CDOUBLE_CONTIGUOUS, np.complex128, slice(None)),
    (CDOUBLE_STRIDED, np.complex128, slice(None, None, 2)),
    (CDOUBLE_REVERSED, np.complex128, slice(None, None, -1)),
)


def _fuses(dtype: type, view: slice) -> bool:
    """Whether np.multiply(x, 2) of inf + nan j in this layout is silent (fused)."""
    x = np.full(32, complex(np.inf, np.nan), dtype)[view]
    out = np.empty(x.shape, dtype)
    with np.errstate(invalid="raise"):
        try:
            np.multiply(x, 2, out=out)
        except FloatingPointError:
            return False
    return True


def probe() -> int:
    """The layout classes (bits) in which the running NumPy's complex multiply
    fuses its products. Six multiplies of 16 elements: a few microseconds."""
    return sum(bit for bit, dtype, view in _CLASSES if _fuses(dtype, view))
