"""The thread pool: thread-count API, GIL release, real parallelism, many
Python threads at once, fork(), and NUMEXT_NUM_THREADS."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import warnings

import numpy as np
import pytest

import numext
from conftest import DEFAULT_THREADS, PARALLEL_BYTES, THREAD_COUNTS, pool_threads
from helpers import assert_same_array
from numext import _numext

MAX_THREADS = _numext.MAX_THREADS
JOIN_TIMEOUT = 120.0  # seconds; generous for AddressSanitizer on a loaded box


# ---- get / set / threads() --------------------------------------------------------


def test_constants_and_default():
    assert MAX_THREADS == 1024
    assert _numext.PARALLEL_MIN_BYTES > 0 and _numext.TASK_MIN_BYTES > 0
    assert 0 < _numext.RELEASE_GIL_MIN_BYTES <= _numext.PARALLEL_MIN_BYTES
    n = numext.get_num_threads()
    assert type(n) is int and 1 <= n <= MAX_THREADS
    default = numext.default_num_threads()
    assert 1 <= default <= len(os.sched_getaffinity(0))
    if not os.environ.get("NUMEXT_NUM_THREADS", "").strip():
        assert DEFAULT_THREADS == default


def test_set_num_threads_returns_previous_and_sets():
    start = numext.get_num_threads()
    assert numext.set_num_threads(1) == start
    assert numext.get_num_threads() == 1
    assert numext.set_num_threads(3) == 1
    assert numext.get_num_threads() == 3
    assert numext.set_num_threads(np.int64(2)) == 3  # any integer index type
    assert numext.set_num_threads(MAX_THREADS) == 2
    assert numext.get_num_threads() == MAX_THREADS
    assert _numext.set_num_threads(5) == MAX_THREADS  # the C function directly
    assert _numext.get_num_threads() == 5 == numext.get_num_threads()
    assert numext.set_num_threads(start) == 5
    assert numext.get_num_threads() == start


@pytest.mark.parametrize("bad", [1.0, 2.5, "2", b"2", True, False, None, np.float64(2.0), [2], 2 + 0j],
                         ids=repr)
def test_set_num_threads_rejects_non_integers(bad):
    numext.set_num_threads(2)
    with pytest.raises(TypeError):
        numext.set_num_threads(bad)
    with pytest.raises(TypeError):
        _numext.set_num_threads(bad)
    assert numext.get_num_threads() == 2
    with pytest.raises(TypeError):
        with numext.threads(bad):
            pass
    assert numext.get_num_threads() == 2


@pytest.mark.parametrize("bad", [0, -1, -2, MAX_THREADS + 1, 2**31, 2**63, 10**30, -(10**30), np.int64(0)],
                         ids=repr)
def test_set_num_threads_rejects_out_of_range(bad):
    numext.set_num_threads(2)
    with pytest.raises(ValueError):
        numext.set_num_threads(bad)
    assert numext.get_num_threads() == 2
    with pytest.raises(ValueError):
        with numext.threads(bad):
            pass
    assert numext.get_num_threads() == 2


def test_threads_context_manager_restores():
    numext.set_num_threads(3)
    with numext.threads(2) as n:
        assert n == 2 and numext.get_num_threads() == 2
        with numext.threads(1):
            assert numext.get_num_threads() == 1
        assert numext.get_num_threads() == 2
    assert numext.get_num_threads() == 3

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with numext.threads(1):
            assert numext.get_num_threads() == 1
            raise Boom
    assert numext.get_num_threads() == 3
    # A block caps the process-wide setting and never raises it.
    with numext.threads(8):
        assert numext.get_num_threads() == 3
    # set_num_threads inside a block is process-wide: it outlives the block,
    # which still caps it.
    with numext.threads(2):
        numext.set_num_threads(4)
        assert numext.get_num_threads() == 2
    assert numext.get_num_threads() == 4


def _big_float16(nbytes: int = 64 << 20) -> np.ndarray:
    """A 1-D float16 array of nbytes whose sum is exactly 0 (float16 kernels are
    the slow ones: a call takes tens of ms even on one thread)."""
    return np.tile(np.array([1.0, -1.0, 0.5, -0.5], np.float16), nbytes // 8)


@pytest.mark.parametrize("n", sorted(set(THREAD_COUNTS) | {4, 8}))
def test_a_large_call_uses_exactly_the_threads_allowed(n):
    x = np.arange(2 * PARALLEL_BYTES // 8, dtype=np.float64)
    with pool_threads(n):
        for fn, expected in [(numext.double_pixels, np.multiply(x, 2)), (numext.parallel_sum, np.sum(x))]:
            _numext._testing.pool_reset_max_busy()
            got = fn(x)
            busy = _numext._testing.pool_max_busy()
            assert_same_array(got, expected)
            assert busy <= max(n, 1)
            if n == 1:
                assert busy <= 1
            elif n <= 3:
                # PARALLEL_BYTES is enough for every thread of a 3-thread pool to get work.
                assert busy == n, (fn.__name__, busy)
                assert _numext._testing.pool_workers_alive() >= n - 1
            else:
                assert busy >= 3, (fn.__name__, busy)


# ---- the GIL -----------------------------------------------------------------------


def _gil_released_during(call, attempts: int = 3):
    """Whether a spinning Python thread ran while `call()` ran on another thread.

    The spinner holds the GIL only to record perf_counter() and gives it up at
    once (sleep). With the switch interval at 1 s no thread is ever forced to
    drop the GIL, so a sample strictly between the caller's t0 and t1 (each
    taken holding the GIL) proves the caller released it during the call.
    Returns (released?, seconds the last call took, its result).
    """
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    try:
        duration, result = None, None
        for _ in range(attempts):
            samples: list[float] = []
            stop = [False]
            window: list[float] = []
            box: list = []

            def spin():
                now, pause, record = time.perf_counter, time.sleep, samples.append
                while not stop[0]:
                    record(now())
                    pause(0.0002)

            def caller():
                now = time.perf_counter
                t0 = now()
                out = call()
                t1 = now()
                window.extend((t0, t1))
                box.append(out)

            spinner = threading.Thread(target=spin, daemon=True)
            spinner.start()
            deadline = time.monotonic() + 30
            while len(samples) < 20 and time.monotonic() < deadline:
                time.sleep(0.001)
            assert samples, "the spinner thread never ran"
            worker = threading.Thread(target=caller, daemon=True)
            worker.start()
            worker.join(JOIN_TIMEOUT)
            assert not worker.is_alive(), "the call did not return"
            before_stop = len(samples)
            time.sleep(0.01)
            stop[0] = True
            spinner.join(JOIN_TIMEOUT)
            assert not spinner.is_alive()
            t0, t1 = window
            duration, result = t1 - t0, box[0]
            if any(t0 < s < t1 for s in samples[: before_stop + 100]):
                return True, duration, result
        return False, duration, result
    finally:
        sys.setswitchinterval(old_interval)


def test_gil_detector_sees_a_gil_holding_call():
    """The detector itself: list.sort() of floats holds the GIL throughout."""
    rng = random.Random(0)
    data = [rng.random() for _ in range(300_000)]

    def sort_copy():
        lst = list(data)
        lst.sort()
        return lst

    released, duration, result = _gil_released_during(sort_copy, attempts=1)
    assert result == sorted(data)
    assert not released, f"a GIL-holding call of {duration * 1e3:.1f} ms looked GIL-free"


@pytest.mark.parametrize("threads", [1, DEFAULT_THREADS], ids=["threads=1", "threads=default"])
def test_double_pixels_releases_the_gil(threads):
    x = np.arange(8 << 20, dtype=np.float64)  # 64 MB in, 64 MB out
    with pool_threads(threads):
        released, duration, result = _gil_released_during(lambda: numext.double_pixels(x))
    assert_same_array(result, np.multiply(x, 2))
    assert released, f"no other Python thread ran during a {duration * 1e3:.1f} ms double_pixels call"


@pytest.mark.parametrize("threads", [1, DEFAULT_THREADS], ids=["threads=1", "threads=default"])
def test_parallel_sum_of_one_row_releases_the_gil(threads):
    """NumPy does not release the GIL for a 1-D gufunc call: numext must."""
    x = _big_float16()
    with pool_threads(threads):
        released, duration, result = _gil_released_during(lambda: numext.parallel_sum(x))
    assert_same_array(result, np.sum(x))
    assert released, f"no other Python thread ran during a {duration * 1e3:.1f} ms parallel_sum call"


_GIL_HELD_BY_ANOTHER_THREAD = """
import sys, threading, time, numpy as np, numext
sys.setswitchinterval(1e-6)
rows = np.ones((4000, 64))  # NumPy releases the GIL around this call (4000 rows)
stop = []
def spin():  # Python threads taking the GIL from each other all the time
    d, i = {}, 0
    while not stop:
        d[i % 97] = str(i)
        i += 1
spinners = [threading.Thread(target=spin) for _ in range(3)]
for t in spinners:
    t.start()
try:
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        assert numext.parallel_sum(rows)[0] == 64
finally:
    stop.append(1)
    for t in spinners:
        t.join()
print("ok")
"""


def test_a_call_never_releases_the_gil_another_thread_holds():
    """Before Python 3.12 the unchecked thread-state getter answers the GIL
    holder of the whole runtime: taken for "this thread holds the GIL", a loop
    NumPy had already released the GIL for released another thread's GIL, and
    that thread crashed (abort or segfault in 6 of 6 runs of this script)."""
    proc = subprocess.run([sys.executable, "-c", _GIL_HELD_BY_ANOTHER_THREAD], capture_output=True,
                          text=True, timeout=JOIN_TIMEOUT, cwd=os.path.dirname(os.path.abspath(__file__)))
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", (proc.returncode, proc.stderr[-2000:])


# ---- more than one core --------------------------------------------------------------


def _cpu_ticks_of_other_threads(caller_tid: int) -> int:
    """utime + stime (clock ticks) of every thread of this process but the caller."""
    total = 0
    for tid in os.listdir("/proc/self/task"):
        if int(tid) == caller_tid:
            continue
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread just exited
        fields = stat[stat.rindex(")") + 2 :].split()  # fields[0] is field 3, state
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15: utime, stime
    return total


@pytest.mark.parametrize("op", ["double_pixels", "parallel_sum"])
def test_more_than_one_core_works_during_one_large_call(op):
    x = _big_float16()
    fn = getattr(numext, op)
    expected = np.multiply(x, 2) if op == "double_pixels" else np.sum(x)
    have_proc = os.path.isdir("/proc/self/task")
    caller = threading.get_native_id()
    busy, ticks = 0, 0
    with pool_threads(max(2, DEFAULT_THREADS)):
        fn(x[:1024])  # start nothing big yet; the pool may already exist
        for _ in range(3):  # a loaded machine may starve a worker once
            _numext._testing.pool_reset_max_busy()
            before = _cpu_ticks_of_other_threads(caller) if have_proc else 0
            got = fn(x)
            after = _cpu_ticks_of_other_threads(caller) if have_proc else 0
            assert_same_array(got, expected)
            busy, ticks = _numext._testing.pool_max_busy(), after - before
            if busy >= 2 and (ticks > 0 or not have_proc):
                break
    assert busy >= 2, f"at most {busy} thread computed at once"
    if not have_proc:
        pytest.skip("no /proc/self/task: only the pool's own count was checked")
    assert ticks > 0, "no thread but the caller used CPU time during the call"


# ---- many Python threads at once ----------------------------------------------------


def _workloads(count: int):
    """Per-thread inputs above the parallel threshold and NumPy's answers."""
    rng = np.random.default_rng(123)
    dtypes = [np.float64, np.uint8, np.float32, np.int16, np.complex128, np.float16, np.int64, np.uint32]
    loads = []
    for i in range(count):
        dtype = np.dtype(dtypes[i % len(dtypes)])
        n = 2 * PARALLEL_BYTES // dtype.itemsize + 7 * i
        if dtype.kind in "iu":
            x = rng.integers(0, 100, n).astype(dtype)
        else:
            x = (rng.standard_normal(n) * 10).astype(dtype)
        rows = x[: (n // 64) * 64].reshape(-1, 64)
        loads.append((x, np.multiply(x, 2), rows, np.sum(rows, axis=-1), x, np.sum(x)))
    return loads


def _run_concurrently(loads, rounds: int, errors: list):
    barrier = threading.Barrier(len(loads))

    def work(i):
        x, doubled, rows, row_sums, line, total = loads[i]
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            for r in range(rounds):
                got = numext.double_pixels(x)
                if not np.array_equal(got, doubled, equal_nan=True) or got.dtype != doubled.dtype:
                    errors.append(f"thread {i} round {r}: double_pixels differs")
                got = numext.parallel_sum(rows)
                if got.tobytes() != row_sums.tobytes():
                    errors.append(f"thread {i} round {r}: parallel_sum of rows differs")
                got = numext.parallel_sum(line)
                if np.asarray(got).tobytes() != np.asarray(total).tobytes():
                    errors.append(f"thread {i} round {r}: parallel_sum of one row differs")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(f"thread {i}: {exc!r}")

    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(loads))]
    for w in workers:
        w.start()
    for w in workers:
        w.join(JOIN_TIMEOUT)
    return [w for w in workers if w.is_alive()]


def test_eight_python_threads_call_both_ufuncs(num_threads):
    loads = _workloads(8)
    errors: list[str] = []
    _numext._testing.pool_reset_max_busy()
    alive = _run_concurrently(loads, rounds=4, errors=errors)
    assert not alive, f"{len(alive)} calling threads never finished (deadlock?)"
    assert not errors, errors[:10]
    assert _numext._testing.pool_max_busy() <= numext.get_num_threads() == num_threads


def test_set_num_threads_from_another_thread_during_calls():
    loads = _workloads(8)
    errors: list[str] = []
    sizes = [1, 3, 2, DEFAULT_THREADS, 4]
    stop = threading.Event()

    def toggle():
        i = 0
        while not stop.is_set():
            try:
                numext.set_num_threads(sizes[i % len(sizes)])
            except Exception as exc:  # noqa: BLE001
                errors.append(f"set_num_threads: {exc!r}")
            i += 1
            time.sleep(0.0005)

    _numext._testing.pool_reset_max_busy()
    toggler = threading.Thread(target=toggle, daemon=True)
    toggler.start()
    try:
        alive = _run_concurrently(loads, rounds=4, errors=errors)
    finally:
        stop.set()
        toggler.join(JOIN_TIMEOUT)
    assert not toggler.is_alive()
    assert not alive, f"{len(alive)} calling threads never finished (deadlock?)"
    assert not errors, errors[:10]
    assert _numext._testing.pool_max_busy() <= max(sizes)
    # The pool still works normally afterwards.
    with pool_threads(2):
        x = np.arange(2 * PARALLEL_BYTES // 8, dtype=np.float64)
        _numext._testing.pool_reset_max_busy()
        assert_same_array(numext.double_pixels(x), np.multiply(x, 2))
        assert _numext._testing.pool_max_busy() == 2


# ---- fork ---------------------------------------------------------------------------


def _wait_child(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail(f"forked child {pid} still running after {timeout} s (deadlock?)")
        time.sleep(0.01)


def _child_checks(x, doubled, total, threads) -> int:
    """Run in the forked child: 0 when all is right, else which check failed."""
    numext.set_num_threads(threads)
    _numext._testing.pool_reset_max_busy()
    got = numext.double_pixels(x)
    if got.tobytes() != doubled.tobytes():
        return 10
    if _numext._testing.pool_max_busy() != threads:
        return 11  # the child's pool did not (re)start its workers
    if np.asarray(numext.parallel_sum(x)).tobytes() != np.asarray(total).tobytes():
        return 12
    if numext.get_num_threads() != threads:
        return 13
    if os.path.isdir("/proc/self/task") and len(os.listdir("/proc/self/task")) < threads:
        return 14  # the child was born with one thread: its workers were never started
    return 0


def _fork_and_check(x, doubled, total, threads) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork() with threads, Python 3.12+
        pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            code = _child_checks(x, doubled, total, threads)
        except BaseException:  # noqa: BLE001
            code = 2
        finally:
            os._exit(code)
    status = _wait_child(pid, JOIN_TIMEOUT)
    assert os.WIFEXITED(status), f"child died: status {status:#x}"
    assert os.WEXITSTATUS(status) == 0, f"child check {os.WEXITSTATUS(status)} failed"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_computes_correctly():
    x = np.arange(2 * PARALLEL_BYTES // 8, dtype=np.float64) * 0.25
    doubled, total = np.multiply(x, 2), np.sum(x)
    threads = 3  # x is large enough for every thread of 3 to get work
    with pool_threads(threads):
        _numext._testing.pool_reset_max_busy()
        assert_same_array(numext.double_pixels(x), doubled)
        assert _numext._testing.pool_max_busy() == threads  # the parent's pool ran
        assert _numext._testing.pool_workers_alive() >= threads - 1
        _fork_and_check(x, doubled, total, threads)
        # And the parent's pool is unharmed.
        assert_same_array(numext.parallel_sum(x), total)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_while_another_thread_is_inside_a_call():
    x = np.arange(2 * PARALLEL_BYTES // 8, dtype=np.float64) * 0.25
    doubled, total = np.multiply(x, 2), np.sum(x)
    busy_input = _big_float16(16 << 20)
    stop = threading.Event()
    errors: list[str] = []

    def keep_busy():
        while not stop.is_set():
            if numext.parallel_sum(busy_input) != 0:
                errors.append("background parallel_sum wrong")

    with pool_threads(max(2, DEFAULT_THREADS)):
        background = threading.Thread(target=keep_busy, daemon=True)
        background.start()
        try:
            for _ in range(3):
                time.sleep(0.005)
                _fork_and_check(x, doubled, total, 2)
        finally:
            stop.set()
            background.join(JOIN_TIMEOUT)
    assert not background.is_alive()
    assert not errors


# ---- NUMEXT_NUM_THREADS -----------------------------------------------------------------

_CHILD = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import numext
import numpy as np
from numext import _numext
x = np.arange(2 * max(_numext.PARALLEL_MIN_BYTES, 12 * _numext.TASK_MIN_BYTES) // 8, dtype=np.float64)
_numext._testing.pool_reset_max_busy()
ok = bool(np.array_equal(numext.double_pixels(x), x * 2))
print(json.dumps({
    "n": numext.get_num_threads(),
    "default": numext.default_num_threads(),
    "busy": _numext._testing.pool_max_busy(),
    "ok": ok,
    "warnings": [[w.category.__name__, str(w.message)] for w in caught],
}))
"""


def _import_in_child(tmp_path, value):
    env = dict(os.environ)
    env.pop("NUMEXT_NUM_THREADS", None)
    if value is not None:
        env["NUMEXT_NUM_THREADS"] = value
    # cwd outside the checkout, so the installed numext is imported.
    proc = subprocess.run([sys.executable, "-c", _CHILD], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=JOIN_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("value, expected", [("3", 3), (" 2 ", 2), ("1", 1), (str(MAX_THREADS), MAX_THREADS)])
def test_env_var_sets_the_thread_count(tmp_path, value, expected):
    info = _import_in_child(tmp_path, value)
    assert info["n"] == expected
    assert info["ok"]
    assert not [w for w in info["warnings"] if w[0] == "RuntimeWarning"], info["warnings"]
    # The variable really sets the threads a call uses.
    assert info["busy"] <= expected
    if 1 < expected <= 3:
        assert info["busy"] == expected


@pytest.mark.parametrize("value", ["abc", "0", "-2", "2.5", str(MAX_THREADS + 1), "3x"])
def test_malformed_env_var_warns_and_uses_the_default(tmp_path, value):
    info = _import_in_child(tmp_path, value)
    runtime = [w for w in info["warnings"] if w[0] == "RuntimeWarning"]
    assert len(runtime) == 1, info["warnings"]
    assert "NUMEXT_NUM_THREADS" in runtime[0][1]
    assert info["n"] == info["default"]
    assert info["ok"]


@pytest.mark.parametrize("value", [None, "", "  "], ids=["unset", "empty", "blank"])
def test_unset_or_empty_env_var_uses_the_default_silently(tmp_path, value):
    info = _import_in_child(tmp_path, value)
    assert info["n"] == info["default"]
    assert not [w for w in info["warnings"] if w[0] == "RuntimeWarning"], info["warnings"]
