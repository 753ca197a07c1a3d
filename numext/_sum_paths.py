"""How numext.sum maps a reduction onto parallel_sum calls.

``reduce_axes``: over any axes, in the input's own loop; all axes are summed
in memory order, as NumPy's iterator does (np.sum's bits for any layout that
is one strided run of memory). ``reduce_cast``: the same with the input cast
to another accumulator dtype, a cache-sized piece at a time, never the whole
input at once; or, for integers summed as float64 along one axis of a 2-D
array, in parallel_sum's cast loops, which convert as they read. Where NumPy
cuts a view that is not one run of memory into buffers across row ends
(NumPy <= 2.2, probed at import: _sum_rules.py), so does
``_sum_run_in_buffers``: its bits for every layout there.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import _sum_rules
from ._numext import parallel_sum
from ._threads import threads

#: Bytes of cast input summed per piece: fits the L2 cache, and is large
#: enough that parallel_sum shares it over threads.
_CAST_PIECE_BYTES = 1 << 20

#: How the running NumPy cuts axis=None over a view that is not one run of
#: memory (numext/_sum_rules.py, probed once at import): True, into buffers
#: counted from the start across row ends (NumPy <= 2.2); False, by whole
#: rows (NumPy >= 2.3).
_BUFFERS_ACROSS_ROWS = _sum_rules.probe_layout()

#: Whether the running NumPy turns reduced axes of negative stride round
#: when the sum goes into out= (NumPy 2.0; probed at import, _sum_rules.py).
_OUT_TURNS_AXES_ROUND = _BUFFERS_ACROSS_ROWS and _sum_rules.probe_out_flips()


def visited_into_out(x: NDArray[Any], axes: tuple[int, ...]) -> NDArray[Any]:
    """x as np.sum visits it when the sum goes into out=: on a NumPy that
    turns reduced axes of negative stride round then (the order, hence the
    buffers, change; the elements summed do not), those axes reversed."""
    if not _OUT_TURNS_AXES_ROUND or all(x.strides[d] >= 0 or x.shape[d] <= 1 for d in axes):
        return x
    if len(axes) == 1 and x.ndim > 1 and not _is_inner(x, axes[0]):
        # A strided axis (column sums): numext's own pairwise sum in the given
        # order, with or without out=, never np.sum's row-after-row bits.
        return x
    flip = [slice(None, None, -1) if d in axes and x.strides[d] < 0 else slice(None) for d in range(x.ndim)]
    return x[tuple(flip)]


def reduce_axes(x: NDArray[Any], axes: tuple[int, ...], out: NDArray[Any] | None = None) -> Any:
    """parallel_sum over `axes` (at least one) of x, in x's default loop (into out)."""
    ndim = x.ndim
    if len(axes) == ndim:
        if out is None:
            return _sum_all(x)
        out[...] = _sum_all(x)
        return out
    if len(axes) == 1:
        # The gufunc's axis= makes that axis the core dimension.
        return parallel_sum(x, axis=axes[0], out=out)
    # The reduced axes last, in memory order (axis=(1, 0) is axis=(0, 1)), so
    # that reduced axes contiguous together merge into one pairwise sum.
    reduced = sorted(axes)
    if reduced == list(range(ndim - len(reduced), ndim)):
        moved = x
    else:
        moved = x.transpose([d for d in range(ndim) if d not in axes] + reduced)
    kept = ndim - len(reduced)
    if _mergeable(moved.shape[kept:], moved.strides[kept:]):
        # A view: the reduced axes are one strided run of memory.
        return parallel_sum(moved.reshape(moved.shape[:kept] + (math.prod(moved.shape[kept:]),)), out=out)
    # Axes that cannot be merged: reduce one axis at a time, last first.
    result = moved
    for _ in reduced[1:]:
        result = parallel_sum(result)
    return parallel_sum(result, out=out)


def _mergeable(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """Whether these axes (in this order) are one strided run of memory, so that
    reshape merges them into one axis without copying (NumPy's no-copy rule)."""
    inner = None
    for n, s in zip(reversed(shape), reversed(strides), strict=True):
        if n == 1:
            continue
        if inner is not None and s != inner[0] * inner[1]:
            return False
        inner = (n, s)
    return True


def _in_memory_order(x: NDArray[Any]) -> NDArray[Any]:
    """x's axes ordered as NumPy's iterator visits them (largest |stride|
    outermost), length-1 axes dropped, neighbours merged where memory allows."""
    if x.ndim == 2 and 1 not in x.shape:
        # The common case, without the general bookkeeping.
        v = x if abs(x.strides[0]) >= abs(x.strides[1]) else x.T
        if v.strides[0] == v.shape[1] * v.strides[1]:
            return v.reshape(v.shape[0] * v.shape[1])
        return v
    dims = sorted((d for d in range(x.ndim) if x.shape[d] != 1), key=lambda d: -abs(x.strides[d]))
    shape = [x.shape[d] for d in dims]
    strides = [x.strides[d] for d in dims]
    merged: list[int] = []
    for i, n in enumerate(shape):
        if merged and strides[i - 1] == n * strides[i]:
            merged[-1] *= n
        else:
            merged.append(n)
    view = x.transpose(dims + [d for d in range(x.ndim) if x.shape[d] == 1])
    return view.reshape(merged)


def _sum_all(x: NDArray[Any]) -> Any:
    """The sum of every element in memory order, as NumPy's iterator visits
    it: np.sum's bits when x is one strided run of memory (C, F, transposed,
    reversed: one pairwise tree), and for 2-D views whose runs are short or
    a buffer long; the same value to rounding for other layouts."""
    if x.flags.c_contiguous or x.size == 0:
        return parallel_sum(x.reshape(-1))
    if x.flags.f_contiguous:
        return parallel_sum(x.T.reshape(-1))
    v = _in_memory_order(x)
    if v.ndim == 1:
        return parallel_sum(v)
    floats = v.dtype.kind in "fc" and v.dtype.itemsize > 2 and v.dtype.isnative
    if floats and _BUFFERS_ACROSS_ROWS:
        return _sum_run_in_buffers(v, v.dtype, _CAST_PIECE_BYTES // v.itemsize)
    if v.ndim == 2 and floats:
        length = v.shape[1]
        if length < _SHORT_RUN or length >= np.getbufsize():
            # Rows of a buffer or more: NumPy's order costs nothing. Short
            # rows: copying whole rows into buffers, as NumPy does, is faster
            # than one tiny pairwise sum per row.
            return _sum_rows_as_numpy(v)
    # Otherwise each run summed pairwise where it lies (no copy: faster than
    # NumPy's buffering), then the runs' sums pairwise too: np.sum's value to
    # rounding, not its bits.
    return parallel_sum(parallel_sum(v).reshape(-1))


def _copy_rows(dst: NDArray[Any], src: NDArray[Any]) -> None:
    """dst[...] = src for C-contiguous dst; very short rows a column at a time
    (a few long strided copies beat NumPy's copy of many tiny rows)."""
    if dst.shape[1] <= 16:
        for j in range(dst.shape[1]):
            dst[:, j] = src[:, j]
    else:
        np.copyto(dst, src)


#: Runs of memory shorter than this are summed through buffers, as NumPy does.
_SHORT_RUN = 64


def _sum_rows_as_numpy(v: NDArray[Any]) -> Any:
    """Rows of memory that are not one run, summed in NumPy's order (its bits):
    rows of a buffer or more each one pairwise sum; shorter rows copied as
    many whole rows as fit a buffer (np.getbufsize() elements), each buffer one
    pairwise sum; the sums added one after another from 0."""
    rows, length = v.shape
    buf = np.getbufsize()
    if length >= buf:
        return _add_in_order(parallel_sum(v))
    per_buffer = buf // length
    buffers = -(-rows // per_buffer)
    # Copy a cache-sized piece of whole buffers at a time, then sum them together.
    rows_per_piece = per_buffer * max(1, _CAST_PIECE_BYTES // (v.itemsize * per_buffer * length))
    scratch = np.empty(min(rows, rows_per_piece) * length, v.dtype)
    sums = np.empty(buffers, v.dtype)
    j = 0
    for start in range(0, rows, rows_per_piece):
        piece = v[start : start + rows_per_piece]
        n = piece.shape[0]
        flat = scratch[: n * length]
        _copy_rows(flat.reshape(n, length), piece)
        full = n // per_buffer
        if full:
            parallel_sum(flat[: full * per_buffer * length].reshape(full, -1), out=sums[j : j + full])
            j += full
        if n > full * per_buffer:
            sums[j] = parallel_sum(flat[full * per_buffer * length :])
            j += 1
    return _add_in_order(sums)


def _add_in_order(partials: NDArray[Any]) -> Any:
    """Partial sums added one after another from 0, as NumPy adds each inner
    loop's sum into the output (integers: any order, they wrap exactly)."""
    if partials.dtype.kind not in "fc":
        return parallel_sum(partials)
    return np.add.accumulate(partials)[-1] if partials.size else parallel_sum(partials)


def reduce_cast(arr: NDArray[Any], axes: tuple[int, ...], loop: np.dtype[Any]) -> Any:
    """The sum of arr cast to `loop` (unsafely, as np.sum casts), over axes."""
    if loop.kind == "b":
        # Logical or: parallel_sum counts the nonzero values.
        loop = np.dtype(bool)
    elif loop.kind in "iu" and arr.dtype.kind in "biu":
        # Integer sums wrap: the 64-bit sum cast to `loop` is `loop`'s own sum.
        return reduce_axes(arr, axes)
    if len(axes) == 1 and _casts_in_the_loop(arr, axes[0], loop):
        return parallel_sum(arr, axis=axes[0], signature=(arr.dtype, loop))
    piece = max(1, _CAST_PIECE_BYTES // loop.itemsize)
    if len(axes) == arr.ndim and arr.size:
        return _cast_sum_all(_in_memory_order(arr), loop, piece)
    if len(axes) == 1 and np.getbufsize() < arr.shape[axes[0]] <= piece and _is_inner(arr, axes[0]):
        return _cast_sum_buffered_rows(np.moveaxis(arr, axes[0], -1), loop, piece)
    if arr.size <= piece:
        return reduce_axes(arr.astype(loop), axes)
    return _cast_sum_kept(arr, axes, loop, piece)


def _cast_loops() -> frozenset[str]:
    """parallel_sum's cast loops (src/pairwise_sum_casts.h), as "l->d": each
    after its input type's first loop, which NumPy's type search finds."""
    seen: set[str] = set()
    casts: set[str] = set()
    for t in parallel_sum.types:
        if t[0] in seen:
            casts.add(t)
        seen.add(t[0])
    return frozenset(casts)


_CAST_LOOPS = _cast_loops()


def _casts_in_the_loop(arr: NDArray[Any], axis: int, loop: np.dtype[Any]) -> bool:
    """Whether parallel_sum has a cast loop for arr into loop (each element
    converted as it is read: no cast copy) and sums `axis` of arr
    as numext does through a cast copy: columns of a 2-D arr (the other axis, of positive
    stride, is NumPy's inner loop), each its own pairwise sum; or rows along
    NumPy's inner loop, of positive stride, one np.getbufsize() buffer at a
    time as NumPy sums cast input (sum_rules.h: np.sum's bits).
    tests/test_sum_casts.py checks both against their oracles."""
    if arr.ndim < 2 or f"{arr.dtype.char}->{loop.char}" not in _CAST_LOOPS:
        return False
    if not (arr.dtype.isnative and arr.flags.aligned):
        return False
    if _is_inner(arr, axis):
        return arr.strides[axis] > 0
    return arr.ndim == 2 and arr.strides[1 - axis] > 0


def _cast_sum_all(v: NDArray[Any], loop: np.dtype[Any], piece: int) -> Any:
    """Every element of v (in memory order) cast to loop and summed, piece by piece."""
    if v.ndim <= 1 or _BUFFERS_ACROSS_ROWS:
        return _sum_run_in_buffers(v.reshape(-1) if v.ndim == 0 else v, loop, piece)
    if v.size <= piece:
        return _sum_all(v.astype(loop))
    step = piece // (v.size // v.shape[0])
    if step <= 1:
        # A row alone is larger than a piece: one row at a time (v[i] has one
        # dimension fewer, so this ends; v[i:i + 1] would recurse for ever).
        parts = [_cast_sum_all(v[i], loop, piece) for i in range(v.shape[0])]
    else:
        parts = [_cast_sum_all(v[i : i + step], loop, piece) for i in range(0, v.shape[0], step)]
    return parallel_sum(np.array(parts))


def _sum_run_in_buffers(v: NDArray[Any], loop: np.dtype[Any], piece: int) -> Any:
    """v's elements in memory order (v's axes already in it), cast to loop and
    summed as NumPy's buffered iterator does: one pairwise sum per buffer of
    np.getbufsize() elements counted from the start, across row ends, the
    buffers' sums added in order. Copied a cache-sized piece at a time."""
    n = v.size
    buf = np.getbufsize()
    piece = max(buf, piece - piece % buf)
    scratch = np.empty(min(piece, n), loop)
    sums = np.empty(-(-n // buf), parallel_sum(scratch[:0]).dtype)
    j = 0
    for start in range(0, n, piece):
        m = min(piece, n - start)
        cast = scratch[:m]
        _copy_flat(cast, v, start)
        full = m - m % buf
        if full:
            parallel_sum(cast[:full].reshape(-1, buf), out=sums[j : j + full // buf])
            j += full // buf
        if m > full:
            sums[j] = parallel_sum(cast[full:])
            j += 1
    return _add_in_order(sums)


def _copy_flat(dst: NDArray[Any], v: NDArray[Any], start: int) -> None:
    """dst (1-D, contiguous) = elements start, start + 1, ... of v in C order
    of its axes (unsafe cast), without flattening all of v."""
    if v.ndim <= 1:
        np.copyto(dst, v[start : start + dst.size], casting="unsafe")
        return
    inner = math.prod(v.shape[1:])
    i, offset = divmod(start, inner)
    pos = 0
    if offset:
        pos = min(inner - offset, dst.size)
        _copy_flat(dst[:pos], v[i], offset)
        i += 1
    whole = (dst.size - pos) // inner
    if whole:
        block = dst[pos : pos + whole * inner].reshape((whole,) + v.shape[1:])
        if v.ndim == 2 and v.dtype == dst.dtype:
            _copy_rows(block, v[i : i + whole])
        else:
            np.copyto(block, v[i : i + whole], casting="unsafe")
        pos += whole * inner
        i += whole
    if pos < dst.size:
        _copy_flat(dst[pos:], v[i], 0)


def _cast_sum_kept(arr: NDArray[Any], axes: tuple[int, ...], loop: np.dtype[Any], piece: int) -> Any:
    """Some axes kept: cast and reduce a slab of the outermost kept axis at a time."""
    kept = [d for d in range(arr.ndim) if d not in axes]
    if len(axes) == 1 and arr.shape[axes[0]] > piece and _is_inner(arr, axes[0]):
        return _cast_sum_rows(arr, axes[0], loop, piece)
    outer = max(kept, key=lambda d: abs(arr.strides[d]))
    per_index = arr.size // arr.shape[outer]
    step = max(1, piece // max(per_index, 1))
    shape = [arr.shape[d] for d in kept]
    pos = kept.index(outer)
    result = None
    for start in range(0, arr.shape[outer], step):
        index = [slice(None)] * arr.ndim
        index[outer] = slice(start, start + step)
        part = reduce_axes(arr[tuple(index)].astype(loop), axes)
        if result is None:
            result = np.empty(shape, part.dtype)
        target = [slice(None)] * len(kept)
        target[pos] = slice(start, start + step)
        result[tuple(target)] = part
    return result


def _cast_sum_buffered_rows(rows: NDArray[Any], loop: np.dtype[Any], piece: int) -> Any:
    """Rows (the last axis, NumPy's inner loop, longer than a buffer and at
    most a piece) cast to loop and summed as NumPy sums cast input: one
    pairwise sum per np.getbufsize() buffer from the row's start, the
    buffers' sums added in order (its bits). A slab of whole rows (at most a
    piece) is cast at a time, never the whole input."""
    if rows.ndim > 2 and rows[0].size > piece:
        parts = [_cast_sum_buffered_rows(rows[i], loop, piece) for i in range(rows.shape[0])]
        return np.stack(parts) if parts else parallel_sum(rows.astype(loop))
    length = rows.shape[-1]
    step = max(1, piece // max(rows[0].size if rows.ndim > 1 else length, 1))
    buf = np.getbufsize()
    full = length - length % buf
    result = None
    for start in range(0, rows.shape[0] if rows.ndim > 1 else 1, step):
        cast = (rows[start : start + step] if rows.ndim > 1 else rows).astype(loop)
        sums = parallel_sum(cast[..., :full].reshape(cast.shape[:-1] + (full // buf, buf)))
        if full < length:
            sums = np.concatenate([sums, parallel_sum(cast[..., full:])[..., None]], axis=-1)
        part = np.add.accumulate(sums, axis=-1)[..., -1]
        if rows.ndim == 1:
            return part
        if result is None:
            result = np.empty(rows.shape[:-1], part.dtype)
        result[start : start + step] = part
    return result


def _is_inner(arr: NDArray[Any], axis: int) -> bool:
    """Whether `axis` has the smallest stride: NumPy's inner loop, which it
    sums one buffer at a time."""
    step = abs(arr.strides[axis])
    return all(step <= abs(s) for d, s in enumerate(arr.strides) if d != axis and arr.shape[d] > 1)


def _cast_sum_rows(arr: NDArray[Any], axis: int, loop: np.dtype[Any], piece: int) -> Any:
    """Rows (along NumPy's inner `axis`) each longer than a piece: each cast
    and summed piece by piece into one scratch buffer, NumPy's buffers in
    order (its bits), never a whole row cast at once. On one thread: the cast
    between pieces is serial, and waking the pool for each piece's sum cost
    more than it saved (uint8 (3, 3e6) at 2 threads: 0.69-0.86x NumPy, against
    1.10-1.26x on one; measured on a loaded 2-core machine)."""
    rows = np.moveaxis(arr, axis, -1)
    result = None
    with threads(1):
        for index in np.ndindex(*rows.shape[:-1]):
            total = _sum_run_in_buffers(rows[index], loop, piece)
            if result is None:
                result = np.empty(rows.shape[:-1], np.asarray(total).dtype)
            result[index] = total
    return result
