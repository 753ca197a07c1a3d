"""Which contiguous float reductions np.sum adds up one buffer at a time.

NumPy's add.reduce sums a contiguous float axis pairwise; whether it runs one
pairwise tree over the whole axis or one per buffer of ``np.getbufsize()``
elements (added in order: ``out = 0; out += pairwise(chunk)`` for each chunk
of every row, counted from the row's start) depends on the NumPy version and
on whether the input must pass through the iterator's buffers. Found by
experiment:

- NumPy <= 2.2: per buffer, for every contiguous float input.
- NumPy >= 2.3: one tree for native, aligned input of the loop's dtype; per
  buffer for byte-swapped, misaligned or cast input (as before).

numext does not trust a version table: at import, ``probe()`` asks the running
NumPy with one crafted sum per kind of input, and parallel_sum follows what
it finds (src/sum_rules.c).
"""

from __future__ import annotations

import numpy as np

# Kinds of input, as bits (src/sum_rules.h uses the same values).
NATIVE = 1  # native byte order, aligned, already the loop's dtype
SWAPPED = 2  # byte-swapped
MISALIGNED = 4  # not aligned to its itemsize
CAST = 8  # another dtype, cast to the loop's (dtype=)

_PROBE_BUFSIZE = 8192


def _probe_values(bufsize: int) -> np.ndarray:
    """bufsize + 16 float64 values whose sum is 2**53 + 2 when summed as one
    pairwise tree, 2**53 when summed one buffer at a time.

    One tree splits n = bufsize + 16 at bufsize/2 + 8: its left half holds
    2**53, its right half both ones, which add to 2 first. Per buffer, the
    first buffer adds one 1 to 2**53 (a tie, rounded to even: 2**53), then
    the second buffer's 1 the same way.
    """
    x = np.zeros(bufsize + 16)
    x[0] = 2.0**53
    x[bufsize // 2 + 64] = 1.0
    x[bufsize + 8] = 1.0
    return x


def _classify(total: float) -> bool | None:
    """True: one buffer at a time; False: one tree; None: neither."""
    if total == 2.0**53:
        return True
    if total == 2.0**53 + 2:
        return False
    return None


def _misaligned(x: np.ndarray) -> np.ndarray:
    raw = np.zeros(x.nbytes + 1, np.uint8)
    m = np.ndarray(x.shape, x.dtype, buffer=raw, offset=1)
    m[...] = x
    assert not m.flags.aligned
    return m


def _version_guess(kind: int) -> bool:
    """What the experiments found, for a probe that is inconclusive."""
    major, minor = (int(p) for p in np.__version__.split(".")[:2])
    return kind != NATIVE or (major, minor) < (2, 3)


def probe() -> int:
    """The kinds of input (bits) that np.sum of the running NumPy reduces one
    buffer at a time along a contiguous axis."""
    old = np.getbufsize()
    bufsize = old if old >= 256 else _PROBE_BUFSIZE
    if bufsize != old:
        np.setbufsize(bufsize)
    try:
        x = _probe_values(bufsize)
        sums = {
            NATIVE: np.sum(x),
            SWAPPED: np.sum(x.astype(x.dtype.newbyteorder())),
            MISALIGNED: np.sum(_misaligned(x)),
            CAST: np.sum(x.astype(np.float32), dtype=np.float64),
        }
    finally:
        if bufsize != old:
            np.setbufsize(old)
    rules = 0
    for kind, total in sums.items():
        buffered = _classify(float(total))
        if buffered is None:
            buffered = _version_guess(kind)
        if buffered:
            rules |= kind
    return rules
