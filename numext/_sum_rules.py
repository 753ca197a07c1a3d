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

A second rule, for axis=None over 2-D (and more) views that are not one
strided run of memory (rows reversed, F-ordered then sliced, ``x[:, ::2]``),
whose elements np.sum visits in memory order (the axis of largest |stride|
outermost):

- NumPy >= 2.3: each row (run of memory) a buffer long or more is one
  pairwise tree; shorter rows are copied, as many whole rows as fit, into
  buffers of ``np.getbufsize()`` elements, one tree per buffer.
- NumPy <= 2.2: the iterator cuts the whole visit into buffers of
  ``np.getbufsize()`` elements counted from its start, crossing row ends
  (copying the pieces that do), one tree per buffer.

Either way the trees' sums are added in order from 0. ``probe_layout()``
asks the running NumPy which (numext/_sum_paths.py follows it). NumPy <= 2.2
also visits axes of negative stride backwards, as they are, unless the sum
goes into an ``out=`` array: then it turns them round first (memory order
from the lowest address). ``probe_out_flips()`` asks that too.
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


def _layout_probe_values(bufsize: int) -> np.ndarray:
    """Two rows of bufsize + 16 values, not one run of memory (a slice of
    wider rows): row 0 holds _probe_values, row 1 zeros. Whole rows: row 0 is
    one tree, 2**53 + 2. Buffers across rows: the first buffer ends before row
    0's second 1, which the next buffer (row 0's tail and row 1's head) adds
    to 2**53 alone: 2**53."""
    wide = np.zeros((2, bufsize + 32))
    wide[0, : bufsize + 16] = _probe_values(bufsize)
    return wide[:, : bufsize + 16]


def probe_layout() -> bool:
    """Whether np.sum(axis=None) of the running NumPy cuts a view that is not
    one run of memory into buffers across its rows (NumPy <= 2.2), rather
    than summing whole rows (NumPy >= 2.3). Costs one sum of 16 K doubles."""
    old = np.getbufsize()
    bufsize = old if old >= 256 else _PROBE_BUFSIZE
    if bufsize != old:
        np.setbufsize(bufsize)
    try:
        total = float(np.sum(_layout_probe_values(bufsize)))
    finally:
        if bufsize != old:
            np.setbufsize(old)
    across = _classify(total)
    if across is None:
        # Neither rule: a NumPy not tried; guess by version.
        return _version_guess(NATIVE)
    return across


def _reversed_rows_probe_values(bufsize: int) -> np.ndarray:
    """Two rows of bufsize + 16 in reverse order (a[::-1]): row 0 in memory
    holds 2**53 first, row 1 a 1 at bufsize - 8 and at bufsize + 8. Visited
    as they are (row 1 first), buffers across rows put the ones in two
    buffers and the second with 2**53: 2**53. Turned round (row 0 first), both
    ones fall in the third buffer: 2**53 + 2."""
    a = np.zeros((2, bufsize + 16))
    a[0, 0] = 2.0**53
    a[1, bufsize - 8] = a[1, bufsize + 8] = 1.0
    return a[::-1]


def probe_out_flips() -> bool:
    """Whether np.sum(axis=None, out=...) of the running NumPy turns axes of
    negative stride round before cutting buffers across rows (NumPy <= 2.2).
    Only meaningful where probe_layout() is True (whole rows: False)."""
    if not probe_layout():
        return False
    old = np.getbufsize()
    bufsize = old if old >= 256 else _PROBE_BUFSIZE
    if bufsize != old:
        np.setbufsize(bufsize)
    try:
        out = np.zeros(())
        np.sum(_reversed_rows_probe_values(bufsize), out=out)
    finally:
        if bufsize != old:
            np.setbufsize(old)
    flips = _classify(float(out))
    return not flips if flips is not None else _version_guess(NATIVE)
