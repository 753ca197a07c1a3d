"""Stress: many Python threads inside numext at once, the pool resized under them.

16 threads call double_pixels, parallel_sum, numext.double and numext.sum for
--stress-seconds (default 3; run 300+ by hand) with every numeric dtype, sizes
from 0 to tens of MiB (mostly small), strided and reversed views, and out=
aliasing (in place, strided views of a guarded buffer, overlapping views),
while another thread calls set_num_threads(1..4) over and over. Every result
is checked against NumPy; a watchdog fails the test if the threads do not
finish in time and prints where they are stuck. Run with -s to see the
counts:  pytest tests/test_stress.py -s --stress-seconds 300
"""

from __future__ import annotations

import collections
import sys
import threading
import time
import traceback

import numpy as np
import pytest

import numext
from conftest import PARALLEL_BYTES, pool_threads
from helpers import assert_same_array

pytestmark = pytest.mark.stress

# Results are compared with nan_sign=False: which NaN inf + -inf + nan gives
# depends on the order of the operands, and a NaN's sign is payload.

N_WORKERS = 16
NUMERIC = ["?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8", "g", "c8", "c16", "G"]
LARGE_BYTES = (8 << 20, 24 << 20)  # the "tens of MiB" inputs
LARGE_AT_ONCE = 2  # at most this many large calls in flight: memory stays modest


# BUG (numext, found by this suite): double_pixels with an out= that overlaps
# its input one element behind (x = buf[1:], out = buf[:-1]) is wrong at task
# boundaries when the call is split over threads. NumPy does not copy for this
# overlap (a forward element-by-element loop is safe), but numext's tasks run
# concurrently and a later task overwrites input an earlier one still has to
# read. Pinned by test_overlapping_out_behind_input (strict xfail); the stress
# loop reports these failures separately until that is fixed, then set this
# to False.
OVERLAP_BEHIND_BUG = False


def watchdog_grace(stress_seconds: float) -> float:
    """How long after the deadline the threads may take to finish their last call."""
    return 120.0 + stress_seconds


def _values(rng: np.random.Generator, dtype: np.dtype, n: int) -> np.ndarray:
    if dtype.kind == "b":
        return rng.integers(0, 2, n).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if rng.random() < 0.3:  # wrap-around territory
            return rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
        return rng.integers(max(info.min, -100), min(info.max, 100), n, endpoint=True).astype(dtype)
    v = rng.standard_normal(n) * 50
    if dtype.kind == "c":
        v = v + 1j * rng.standard_normal(n)
    v = v.astype(dtype)
    if n and rng.random() < 0.1:
        specials = np.array([np.inf, -np.inf, -0.0, np.nan], dtype=dtype)
        idx = rng.integers(0, n, min(n, 4))
        v[idx] = specials[: len(idx)]
    return v


def _pick_size(rng, itemsize: int, allow_large: bool) -> tuple[int, bool]:
    r = rng.random()
    if r < 0.70:
        return int(rng.integers(0, 2000)), False
    if r < 0.97 or not allow_large:
        return int(rng.integers(PARALLEL_BYTES // 2, 4 * PARALLEL_BYTES) // itemsize), False
    return int(rng.integers(*LARGE_BYTES) // itemsize), True


def _view(rng, x: np.ndarray) -> tuple[np.ndarray, str]:
    """x itself or a strided / reversed / transposed view of it."""
    r = rng.integers(0, 5)
    if r == 0 or x.size == 0:
        return x, "contiguous"
    if r == 1:
        return x[..., ::2], "step2"
    if r == 2:
        return x[..., ::-1], "reversed"
    if r == 3 and x.ndim == 2:
        return x.T, "transposed"
    return x[..., 1::3], "step3"


def _close(got, expected, x, axis, keepdims=False) -> bool:
    """Equal up to the order of the additions (tolerance for strided float sums)."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.dtype != expected.dtype or got.shape != expected.shape:
        return False
    if got.dtype.kind not in "fc":
        return bool(np.array_equal(got, expected))
    finite = np.isfinite(got) & np.isfinite(expected)
    if not np.array_equal(np.isnan(got), np.isnan(expected)):
        return False
    with np.errstate(all="ignore"):
        wide = np.asarray(x).astype(np.complex256 if x.dtype.kind == "c" else np.longdouble)
        mag = np.sum(np.abs(wide), axis=axis, keepdims=keepdims)
        mag = np.broadcast_to(np.asarray(mag).real.astype(np.float64), got.shape)
        real = got.real.dtype
        # np.sum may add in the result dtype itself (float16 row after row).
        eps = float(np.finfo(real).eps)
        n = max(1, np.asarray(x).size // max(1, got.size))
        bound = 4 * n * eps * mag + 2 * float(np.finfo(real).eps) * np.abs(expected) + 1e-30
        diff = np.abs(got.astype(np.complex128) - expected.astype(np.complex128))
    return bool(np.all(~finite | (diff <= bound)))


class Stress:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.calls = collections.Counter()
        self.failures: list[str] = []
        self.known_bug_failures: list[str] = []
        self.lock = threading.Lock()
        self.large = threading.BoundedSemaphore(LARGE_AT_ONCE)
        self.set_calls = 0
        self.max_size_set = numext.get_num_threads()

    def fail(self, what: str, known_bug: bool = False) -> None:
        with self.lock:
            (self.known_bug_failures if known_bug else self.failures).append(what)

    def count(self, op: str) -> None:
        with self.lock:
            self.calls[op] += 1

    # --- one operation -----------------------------------------------------

    def one_call(self, rng: np.random.Generator) -> None:
        dtype = np.dtype(NUMERIC[rng.integers(len(NUMERIC))])
        allow_large = self.large.acquire(blocking=False)
        try:
            n, large = _pick_size(rng, dtype.itemsize, allow_large)
            op = ["double_pixels", "double_pixels_out", "inplace", "out_view", "overlap", "double",
                  "parallel_sum", "sum_axis", "sum_all"][rng.integers(9)]
            self._run(op, rng, dtype, n, large)
        finally:
            if allow_large:
                self.large.release()

    def _run(self, op, rng, dtype, n, large):
        tag = f"{op} {dtype} n={n}"
        with np.errstate(all="ignore"):
            if op in ("double_pixels", "double_pixels_out", "double"):
                x, how = _view(rng, _values(rng, dtype, n))
                expected = np.multiply(x, 2)
                if op == "double_pixels":
                    got = numext.double_pixels(x)
                elif op == "double":
                    got = numext.double(x)
                else:
                    out = np.empty_like(expected)
                    got = numext.double_pixels(x, out=out)
                    if got is not out:
                        self.fail(f"{tag} {how}: out= not returned")
                self._same(got, expected, f"{tag} {how}")
            elif op == "inplace":
                if dtype == np.bool_:
                    dtype = np.dtype(np.uint8)
                base = _values(rng, dtype, n)
                x, how = _view(rng, base)
                expected = np.multiply(x, 2)
                fn = numext.double if rng.random() < 0.5 else (lambda a, out: numext.double_pixels(a, out=out))
                got = fn(x, out=x)
                if got is not x:
                    self.fail(f"{tag} {how}: in place did not return x")
                self._same(x, expected, f"{tag} {how} in place")
            elif op == "out_view":
                x, how = _view(rng, _values(rng, dtype, n))
                res = np.multiply(x, 2)
                # out is every other element of a zeroed buffer with margins.
                guard = 64
                buf = np.zeros(2 * res.size + 2 * guard, res.dtype)
                out = buf[guard : guard + 2 * res.size : 2].reshape(res.shape)
                numext.double_pixels(x, out=out)
                self._same(out, res, f"{tag} {how} out=view")
                rest = buf.copy()
                rest[guard : guard + 2 * res.size : 2] = 0
                if rest.any():
                    self.fail(f"{tag} {how}: wrote outside out")
            elif op == "overlap":
                if dtype == np.bool_:
                    dtype = np.dtype(np.int16)
                buf = _values(rng, dtype, n + 1)
                shift = 1 if rng.random() < 0.5 else -1
                x = buf[1:] if shift == 1 else buf[:-1]
                out = buf[:-1] if shift == 1 else buf[1:]
                expected = np.multiply(x.copy(), 2)
                numext.double_pixels(x, out=out)
                self._same(out, expected, f"{tag} overlapping out shift={shift}",
                           known_bug=OVERLAP_BEHIND_BUG and shift == 1)
            elif op == "parallel_sum":
                rows = int(rng.choice([1, 2, 3, 7, 100]))
                m = max(n // rows, 0)
                base = _values(rng, dtype, rows * m).reshape(rows, m)
                x, how = _view(rng, base)
                got = numext.parallel_sum(x)
                if how == "contiguous":
                    expected = np.sum(x, axis=-1)
                else:
                    # Pairwise along the row whatever its stride: the bits of
                    # np.sum over a contiguous copy.
                    expected = np.sum(np.ascontiguousarray(x), axis=-1)
                self._same(got, expected, f"{tag} {how} rows={rows}")
            elif op == "sum_axis":
                rows = int(rng.choice([1, 2, 5, 64]))
                base = _values(rng, dtype, rows * (n // rows)).reshape(rows, n // rows)
                x, how = _view(rng, base)
                axis = int(rng.integers(-2, 2))
                keepdims = bool(rng.random() < 0.3)
                got = numext.sum(x, axis=axis, keepdims=keepdims)
                moved = np.ascontiguousarray(np.moveaxis(x, axis, -1))
                expected = np.sum(moved, axis=-1)
                if keepdims:
                    expected = np.expand_dims(expected, axis)
                self._same(got, expected, f"{tag} {how} axis={axis}")
                self._close(got, np.sum(x, axis=axis, keepdims=keepdims), x, axis,
                            f"{tag} {how} axis={axis} vs np.sum", keepdims)
            else:  # sum_all
                x, how = _view(rng, _values(rng, dtype, n))
                got = numext.sum(x)
                if how == "contiguous" or x.ndim == 1:
                    expected = np.sum(np.ascontiguousarray(x))
                    self._same(got, expected, f"{tag} {how}")
                self._close(got, np.sum(x), x, None, f"{tag} {how} vs np.sum")
        self.count(op + (" (large)" if large else ""))

    def _same(self, got, expected, tag, known_bug=False):
        try:
            assert_same_array(got, expected, nan_sign=False)
        except AssertionError as exc:
            self.fail(f"{tag}: {str(exc)[:300]}", known_bug)

    def _close(self, got, expected, x, axis, tag, keepdims=False):
        if not _close(got, expected, x, axis, keepdims):
            self.fail(f"{tag}: got {np.asarray(got).ravel()[:4]} expected {np.asarray(expected).ravel()[:4]}")

    # --- threads -------------------------------------------------------------

    def worker(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        while time.monotonic() < self.deadline:
            try:
                self.one_call(rng)
            except Exception:  # noqa: BLE001 - every exception is a failure to report
                self.fail(f"exception: {traceback.format_exc(limit=3)}")

    def resizer(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        while time.monotonic() < self.deadline:
            n = int(rng.integers(1, 5))
            numext.set_num_threads(n)
            with self.lock:
                self.set_calls += 1
                self.max_size_set = max(self.max_size_set, n)
            time.sleep(float(rng.random()) * 0.003)


def _run_threads(targets, deadline_seconds: float) -> list[threading.Thread]:
    threads = [threading.Thread(target=t, args=a, daemon=True, name=f"stress-{i}") for i, (t, a) in enumerate(targets)]
    for t in threads:
        t.start()
    end = time.monotonic() + deadline_seconds
    for t in threads:
        t.join(timeout=max(0.0, end - time.monotonic()))
    return [t for t in threads if t.is_alive()]


def _stuck_report(stuck: list[threading.Thread]) -> str:
    frames = sys._current_frames()
    lines = []
    for t in stuck:
        lines.append(f"--- {t.name} (ident {t.ident}) still running:")
        frame = frames.get(t.ident)
        if frame is not None:
            lines.extend(traceback.format_stack(frame))
    return "\n".join(lines)


def _report(title: str, stress: Stress, elapsed: float) -> None:
    total = sum(stress.calls.values())
    print(f"\n  {title}: {elapsed:.1f} s, {total} calls, {len(stress.failures)} failures, "
          f"{stress.set_calls} set_num_threads calls, workers alive {numext._numext._testing.pool_workers_alive()}, "
          f"max busy {numext._numext._testing.pool_max_busy()}")
    for op, count in sorted(stress.calls.items()):
        print(f"    {count:9d}  {op}")
    for f in stress.failures[:20]:
        print("    FAIL", f)
    if stress.known_bug_failures:
        print(f"    {len(stress.known_bug_failures)} failures of the known overlapping-out bug, "
              f"e.g. {stress.known_bug_failures[0][:200]}")


def test_stress_mixed_calls_and_resizing(stress_seconds):
    before_workers = numext._numext._testing.pool_workers_alive()
    numext._numext._testing.pool_reset_max_busy()
    stress = Stress(stress_seconds)
    targets = [(stress.worker, (1000 + i,)) for i in range(N_WORKERS)] + [(stress.resizer, (7,))]
    t0 = time.monotonic()
    stuck = _run_threads(targets, stress_seconds + watchdog_grace(stress_seconds))
    elapsed = time.monotonic() - t0
    _report("stress", stress, elapsed)
    assert not stuck, f"watchdog: {len(stuck)} threads did not finish\n{_stuck_report(stuck)}"
    assert not stress.failures, f"{len(stress.failures)} failures, first: {stress.failures[:5]}"
    assert sum(stress.calls.values()) > 0
    # The pool never ran more threads than the largest size ever set, and
    # resizing created no workers beyond what the largest size needs.
    biggest = max(stress.max_size_set, 4)
    assert numext._numext._testing.pool_max_busy() <= biggest
    assert numext._numext._testing.pool_workers_alive() <= max(before_workers, biggest - 1)
    # Still right afterwards at each size.
    x = np.arange(PARALLEL_BYTES // 8 * 3, dtype=np.float64)
    for n in (1, 2, 3, 4):
        with pool_threads(n):
            assert_same_array(numext.parallel_sum(x), np.sum(x), nan_sign=False)
            assert_same_array(numext.double_pixels(x), x * 2, nan_sign=False)


@pytest.mark.parametrize("size", [1, 3])
def test_stress_admission_bound(stress_seconds, size):
    """With the size fixed, at most `size` threads compute at once, however
    many Python threads call in (callers queue, nothing crashes)."""
    seconds = max(0.5, stress_seconds / 3)
    deadline = time.monotonic() + seconds
    failures: list[str] = []
    calls = [0] * N_WORKERS

    def hammer(i):
        rng = np.random.default_rng(i)
        x = rng.standard_normal(PARALLEL_BYTES // 8 * 2)
        rows = x.reshape(4, -1)
        expected_sum = np.sum(rows, axis=-1)
        expected_double = x * 2
        out = np.empty_like(x)
        while time.monotonic() < deadline:
            try:
                if calls[i] % 2:
                    assert_same_array(numext.parallel_sum(rows), expected_sum, nan_sign=False)
                else:
                    numext.double_pixels(x, out=out)
                    assert_same_array(out, expected_double, nan_sign=False)
            except Exception:  # noqa: BLE001
                failures.append(traceback.format_exc(limit=2))
            calls[i] += 1

    with pool_threads(size):
        numext._numext._testing.pool_reset_max_busy()
        stuck = _run_threads([(hammer, (i,)) for i in range(N_WORKERS)], seconds + watchdog_grace(seconds))
        max_busy = numext._numext._testing.pool_max_busy()
    print(f"\n  admission size={size}: {sum(calls)} calls, max busy {max_busy}, {len(failures)} failures")
    assert not stuck, _stuck_report(stuck)
    assert not failures, failures[:3]
    assert max_busy <= size
    if size > 1:
        assert max_busy >= 1  # the pool did run jobs


def _overlap_behind_once(n_elements: int, dtype) -> np.ndarray:
    buf = (np.arange(n_elements + 1) % 251).astype(dtype)
    x, out = buf[1:], buf[:-1]
    expected = np.multiply(x.copy(), 2)
    numext.double_pixels(x, out=out)
    return np.flatnonzero(out != expected)


def test_overlapping_out_behind_input(stress_seconds):
    """np.multiply(buf[1:], 2, out=buf[:-1]) is well defined (NumPy runs it
    forward without a copy); numext must give the same. A race: repeated until
    it shows or the time is up (it shows within a few calls on 2 cores)."""
    import os

    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("the race needs two CPUs to show")
    # NumPy's own answer for this overlap is the copy's.
    buf = np.arange(1001, dtype=np.uint8)
    ref = buf.copy()
    np.multiply(ref[1:], 2, out=ref[:-1])
    assert np.array_equal(ref[:-1], np.multiply(buf[1:], 2))
    n = 4 * numext._numext.PARALLEL_MIN_BYTES
    deadline = time.monotonic() + max(5.0, stress_seconds)
    reps = 0
    with pool_threads(4):
        while time.monotonic() < deadline:
            bad = _overlap_behind_once(n, np.uint8)
            reps += 1
            assert len(bad) == 0, f"after {reps} calls: wrong at {bad[:8]} (n={n})"
    print(f"\n  overlap behind input: {reps} calls, all right")
