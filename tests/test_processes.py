"""numext across processes: os.fork() after the pool ran and while another
thread is inside numext, multiprocessing with the fork, spawn and forkserver
start methods, ProcessPoolExecutor, and interpreter exit during and after
pool use (NUMEXT_EXIT_RUNS scripts, default 50).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import numext
from conftest import PARALLEL_BYTES, pool_threads

# Under importlib mode this module is "tests.test_processes", which a spawned
# child cannot import (the checkout is not on sys.path, on purpose: it would
# shadow the installed numext). tests/ is on sys.path, so pickled references
# use the name "test_processes" instead.
_ALIAS = "test_processes"
sys.modules.setdefault(_ALIAS, sys.modules[__name__])

CHILD_TIMEOUT = 120.0  # seconds a child may take before it counts as hung
EXIT_RUNS = int(os.environ.get("NUMEXT_EXIT_RUNS", "50"))

pytestmark = pytest.mark.filterwarnings(
    # Python 3.12+ warns about fork() in a multi-threaded process; that is
    # exactly what is being tested.
    "ignore:This process .* is multi-threaded:DeprecationWarning",
    "ignore::DeprecationWarning:multiprocessing",
)


def _check_in_process(seed: int) -> tuple[int, bool, str]:
    """Compute with numext in this process and compare with NumPy; picklable."""
    try:
        rng = np.random.default_rng(seed)
        n = 3 * PARALLEL_BYTES // 8
        x = rng.standard_normal(n)
        ok = np.array_equal(numext.double_pixels(x), x * 2)
        rows = x.reshape(3, -1)
        ok &= np.array_equal(numext.parallel_sum(rows), np.sum(rows, axis=-1))
        ok &= numext.sum(x) == np.sum(x)
        u8 = rng.integers(0, 256, 4 * PARALLEL_BYTES, dtype=np.uint8)
        out = np.empty_like(u8)
        numext.double(u8, out=out)
        ok &= np.array_equal(out, u8 * 2)
        ok &= numext.sum(u8) == np.sum(u8)
        with numext.threads(3):
            ok &= np.array_equal(numext.parallel_sum(rows), np.sum(rows, axis=-1))
        return os.getpid(), bool(ok), ""
    except Exception as exc:  # noqa: BLE001
        return os.getpid(), False, repr(exc)


_check_in_process.__module__ = _ALIAS


def _wait_child(pid: int, timeout: float = CHILD_TIMEOUT) -> int:
    """Exit status of a forked child; kills it and fails if it hangs."""
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"forked child {pid} hung for {timeout} s")
        time.sleep(0.005)


def _fork_and_check(expect_fresh_pool: bool = True) -> int:
    pid = os.fork()
    if pid == 0:  # child: only os._exit from here, never back into pytest
        code = 1
        try:
            fresh = numext._numext._pool_workers_alive() == 0
            _, ok, _ = _check_in_process(os.getpid())
            code = 0 if ok and (fresh or not expect_fresh_pool) else (2 if ok else 1)
        finally:
            os._exit(code)
    return _wait_child(pid)


def test_fork_after_pool_used():
    x = np.ones(4 * PARALLEL_BYTES // 8)
    with pool_threads(3):
        numext.parallel_sum(x)
        numext.double_pixels(x)
    assert numext._numext._pool_workers_alive() >= 1
    codes = [_fork_and_check() for _ in range(5)]
    # 2 would mean the child inherited worker bookkeeping for threads it lacks.
    assert codes == [0] * 5
    # The parent's pool still works.
    _, ok, err = _check_in_process(1)
    assert ok, err


@pytest.mark.parametrize("pool_size", [2, 4])
def test_fork_while_another_thread_is_inside_numext(pool_size):
    stop = threading.Event()
    calls = [0]
    errors: list[str] = []

    def busy():
        x = np.arange(8 * PARALLEL_BYTES // 8, dtype=np.float64)
        expected = np.sum(x)
        out = np.empty_like(x)
        while not stop.is_set():
            if numext.parallel_sum(x) != expected:
                errors.append("parallel_sum")
            numext.double_pixels(x, out=out)
            calls[0] += 1

    with pool_threads(pool_size):
        t = threading.Thread(target=busy, daemon=True)
        t.start()
        try:
            while calls[0] == 0:
                time.sleep(0.001)
            codes = []
            for _ in range(12):
                codes.append(_fork_and_check())
                time.sleep(0.002)
        finally:
            stop.set()
            t.join(timeout=60)
    assert not t.is_alive(), "busy thread did not stop"
    assert codes == [0] * len(codes), codes
    assert not errors
    assert calls[0] > 0


def test_fork_from_a_thread_while_main_is_inside_numext():
    """The forking thread is not the main thread, and the main thread is computing."""
    results: list[int] = []

    def forker():
        time.sleep(0.01)
        for _ in range(4):
            results.append(_fork_and_check())

    t = threading.Thread(target=forker)
    x = np.arange(8 * PARALLEL_BYTES // 8, dtype=np.float64)
    with pool_threads(3):
        t.start()
        deadline = time.monotonic() + 60
        while t.is_alive() and time.monotonic() < deadline:
            assert numext.parallel_sum(x) == np.sum(x)
    t.join(timeout=60)
    assert results == [0, 0, 0, 0]


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_multiprocessing_pool(method, tmp_path, monkeypatch):
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} not available")
    # A spawned child must not find the source folder first.
    monkeypatch.chdir(tmp_path)
    # Use the pool in the parent first, so 'fork' children inherit a used one.
    x = np.ones(4 * PARALLEL_BYTES // 8)
    numext.parallel_sum(x)
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(3) as pool:
        res = pool.map_async(_check_in_process, range(12))
        results = res.get(timeout=CHILD_TIMEOUT)
    assert all(ok for _, ok, _ in results), [r for r in results if not r[1]]
    assert len({pid for pid, _, _ in results}) >= 1


@pytest.mark.parametrize("method", [None, "spawn"])
def test_process_pool_executor(method, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    numext.parallel_sum(np.ones(4 * PARALLEL_BYTES // 8))
    ctx = multiprocessing.get_context(method) if method else None
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        results = list(ex.map(_check_in_process, range(8), timeout=CHILD_TIMEOUT))
    assert all(ok for _, ok, _ in results), [r for r in results if not r[1]]


def test_pickled_ufuncs_in_spawned_children(tmp_path, monkeypatch):
    """The ufuncs themselves travel to a spawned child by name."""
    monkeypatch.chdir(tmp_path)
    x = np.arange(3 * PARALLEL_BYTES // 8, dtype=np.float64)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        doubled, summed = pool.map(_apply, [(numext.double_pixels, x), (numext.parallel_sum, x)])
    assert np.array_equal(doubled, x * 2)
    assert summed == np.sum(x)


def _apply(args):
    fn, x = args
    return fn(x)


_apply.__module__ = _ALIAS


# ---------------------------------------------------------------------------
# Interpreter exit.

_EXIT_PRELUDE = """
import os, sys, threading, time
import numpy as np
import numext
n = int(os.environ.get("RUN_THREADS", "2"))
numext.set_num_threads(n)
big = np.arange({big}, dtype=np.float64)
"""

EXIT_SCRIPTS = {
    # A daemon thread is inside a large numext call (or queued for a slot)
    # when the interpreter shuts down.
    "daemon_inside_call": """
def loop():
    out = np.empty_like(big)
    while True:
        numext.parallel_sum(big)
        numext.double_pixels(big, out=out)
for _ in range(3):
    threading.Thread(target=loop, daemon=True).start()
time.sleep(0.05)
""",
    # Exit right after pool use: workers parked.
    "after_use": """
assert numext.parallel_sum(big) == np.sum(big)
assert np.array_equal(numext.double(big), big * 2)
""",
    # sys.exit from the main thread while a daemon computes.
    "sys_exit_while_daemon": """
threading.Thread(target=lambda: [numext.parallel_sum(big) for _ in iter(int, 1)], daemon=True).start()
time.sleep(0.02)
sys.exit(0)
""",
    # Pool resized to larger, used, then shrunk before exit (parked surplus workers).
    "resized": """
numext.set_num_threads(4)
numext.parallel_sum(big)
numext.set_num_threads(1)
numext.parallel_sum(big)
""",
    # A non-daemon thread finishes its calls; exit waits for it.
    "non_daemon_thread": """
t = threading.Thread(target=lambda: [numext.parallel_sum(big) for _ in range(20)])
t.start()
""",
    # An atexit handler calls numext during finalization.
    "atexit_call": """
import atexit
atexit.register(lambda: numext.parallel_sum(big))
numext.parallel_sum(big)
""",
}


def _exit_script(name: str) -> str:
    prelude = _EXIT_PRELUDE.format(big=4 * PARALLEL_BYTES // 8)
    return prelude + textwrap.dedent(EXIT_SCRIPTS[name])


def test_interpreter_exit_during_and_after_pool_use(tmp_path):
    """EXIT_RUNS scripts (NUMEXT_EXIT_RUNS, default 50), a few at a time; each
    must exit with status 0 within the timeout."""
    names = sorted(EXIT_SCRIPTS)
    runs = [(names[i % len(names)], 1 + i % 4) for i in range(EXIT_RUNS)]
    failures = []
    at_once = 4
    t0 = time.monotonic()
    for start in range(0, len(runs), at_once):
        batch = []
        for name, nthreads in runs[start : start + at_once]:
            env = dict(os.environ, RUN_THREADS=str(nthreads))
            env.pop("NUMEXT_NUM_THREADS", None)
            p = subprocess.Popen(
                [sys.executable, "-c", _exit_script(name)],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            batch.append((name, nthreads, p))
        for name, nthreads, p in batch:
            try:
                _, err = p.communicate(timeout=CHILD_TIMEOUT)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
                failures.append(f"{name} threads={nthreads}: hung")
                continue
            if p.returncode != 0:
                failures.append(f"{name} threads={nthreads}: exit {p.returncode}: {err[-500:]}")
    elapsed = time.monotonic() - t0
    print(f"\n  interpreter exit: {len(runs)} runs in {elapsed:.1f} s, {len(failures)} failures")
    assert not failures, failures[:5]
