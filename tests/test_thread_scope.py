"""numext.threads(n) is scoped like np.errstate: a cap local to the current
thread or asyncio task (a ContextVar), which every numext ufunc call captures
with the GIL and its loop honours; set_num_threads stays process-wide.
Each numext ufunc call also captures np.getbufsize() for its loop."""

from __future__ import annotations

import asyncio
import contextvars
import sys
import threading

import numpy as np
import pytest

import numext
from conftest import PARALLEL_BYTES
from helpers import assert_same_array
from numext import _numext

JOIN_TIMEOUT = 120.0


class Steps:
    """Run two threads in a fixed interleaving: step(k) waits until k is reached."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.now = 0

    def wait(self, k: int) -> None:
        with self.cond:
            assert self.cond.wait_for(lambda: self.now >= k, JOIN_TIMEOUT), f"step {k} never came"

    def done(self, k: int) -> None:
        with self.cond:
            self.now = k
            self.cond.notify_all()


def run_pair(a, b) -> None:
    errors: list[BaseException] = []

    def guard(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)
        return run

    threads = [threading.Thread(target=guard(f), daemon=True) for f in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread never finished"
    if errors:
        raise errors[0]


def test_overlapping_blocks_in_two_threads():
    """The issue's interleaving: A enters, B enters, A leaves, B looks, B leaves."""
    numext.set_num_threads(4)
    steps = Steps()
    seen: dict[str, int] = {}

    def a():
        with numext.threads(1):
            steps.done(1)
            steps.wait(2)
            seen["A inside, B inside"] = numext.get_num_threads()
        steps.done(3)

    def b():
        steps.wait(1)
        with numext.threads(3):
            steps.done(2)
            steps.wait(3)
            seen["B inside, A left"] = numext.get_num_threads()
        seen["B left"] = numext.get_num_threads()

    run_pair(a, b)
    assert seen == {"A inside, B inside": 1, "B inside, A left": 3, "B left": 4}
    assert numext.get_num_threads() == 4  # the process setting untouched


def test_a_thread_outside_any_block_is_unaffected():
    numext.set_num_threads(3)
    steps = Steps()
    seen: dict[str, int] = {}

    def a():
        with numext.threads(1):
            steps.done(1)
            steps.wait(2)

    def b():
        steps.wait(1)
        seen["B while A is inside"] = numext.get_num_threads()
        steps.done(2)

    run_pair(a, b)
    assert seen == {"B while A is inside": 3}


def test_nested_blocks_cap_the_process_setting():
    numext.set_num_threads(2)
    with numext.threads(4) as n:  # a cap, never a raise
        assert n == 4 and numext.get_num_threads() == 2
        with numext.threads(1):
            assert numext.get_num_threads() == 1
            with numext.threads(3):  # the innermost block wins, still capped
                assert numext.get_num_threads() == 2
            assert numext.get_num_threads() == 1
        assert numext.get_num_threads() == 2
        numext.set_num_threads(6)
        assert numext.get_num_threads() == 4
    assert numext.get_num_threads() == 6


def test_an_exception_leaves_the_block_restored_and_keeps_process_changes():
    numext.set_num_threads(3)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with numext.threads(2):
            with numext.threads(1):
                numext.set_num_threads(5)  # process-wide: outlives the blocks
                assert numext.get_num_threads() == 1
                raise Boom
    assert numext.get_num_threads() == 5
    with pytest.raises(ValueError):
        with numext.threads(0):
            pass
    with pytest.raises(TypeError):
        with numext.threads(1.0):
            pass
    assert numext.get_num_threads() == 5


def test_asyncio_tasks_each_keep_their_own_limit():
    numext.set_num_threads(4)
    seen: dict[str, int] = {}

    async def task(name: str, n: int, entered: asyncio.Event, other: asyncio.Event, leave: asyncio.Event):
        with numext.threads(n):
            entered.set()
            await other.wait()
            seen[f"{name} after the other entered"] = numext.get_num_threads()
            await leave.wait()
            seen[f"{name} after the other left"] = numext.get_num_threads()
        seen[f"{name} left"] = numext.get_num_threads()

    async def main():
        a_in, b_in, a_leave, b_leave = (asyncio.Event() for _ in range(4))
        a = asyncio.create_task(task("A", 1, a_in, b_in, a_leave))
        b = asyncio.create_task(task("B", 3, b_in, a_in, b_leave))
        await asyncio.sleep(0)
        a_leave.set()  # A leaves first, while B is still inside
        await a
        b_leave.set()
        await b
        seen["main"] = numext.get_num_threads()

    asyncio.run(main())
    assert seen == {
        "A after the other entered": 1, "B after the other entered": 3,
        "A after the other left": 1, "B after the other left": 3,
        "A left": 4, "B left": 4, "main": 4,
    }


def test_what_carries_the_limit_and_what_does_not():
    numext.set_num_threads(3)
    seen: dict[str, int] = {}
    with numext.threads(1):
        ctx = contextvars.copy_context()
        t = threading.Thread(target=lambda: seen.setdefault("new thread", numext.get_num_threads()))
        t.start()
        t.join(JOIN_TIMEOUT)

        async def via_to_thread():
            return await asyncio.to_thread(numext.get_num_threads)

        seen["asyncio.to_thread"] = asyncio.run(via_to_thread())
    seen["copied context"] = ctx.run(numext.get_num_threads)
    inherits = bool(getattr(sys.flags, "thread_inherit_context", 0))
    assert seen == {"new thread": 1 if inherits else 3, "asyncio.to_thread": 1, "copied context": 1}


# ---- the C loops honour the calling context -----------------------------------------------

def _calls():
    x = np.arange(2 * PARALLEL_BYTES // 8, dtype=np.float64)
    rows = x.reshape(64, -1)
    return [
        ("double_pixels", lambda: numext.double_pixels(x), np.multiply(x, 2)),
        ("double_pixels out=", lambda: numext.double_pixels(x, out=np.empty_like(x)), np.multiply(x, 2)),
        ("parallel_sum 1-D", lambda: numext.parallel_sum(x), np.sum(x)),
        ("parallel_sum rows", lambda: numext.parallel_sum(rows), np.sum(rows, axis=-1)),
        ("numext.sum", lambda: numext.sum(rows, axis=1), np.sum(rows, axis=1)),
    ]


@pytest.mark.parametrize("case", range(len(_calls())), ids=[c[0] for c in _calls()])
def test_a_block_limits_its_own_calls_and_no_other_threads(case):
    """Thread A inside threads(1) and thread B outside any block call in turn
    (a fixed interleaving, so the pool's high-water mark belongs to one call):
    A's call runs on 1 thread, B's on the 3 the process allows."""
    name, call, expected = _calls()[case]
    numext.set_num_threads(3)
    call()  # start the workers
    steps = Steps()
    busy: dict[str, int] = {}

    def measured(label):
        _numext._testing.pool_reset_max_busy()
        got = call()
        busy[label] = _numext._testing.pool_max_busy()
        assert_same_array(got, expected)

    def a():
        with numext.threads(1):
            steps.done(1)
            steps.wait(2)
            measured("A inside threads(1)")
        steps.done(3)

    def b():
        steps.wait(1)
        measured("B while A is inside")
        steps.done(2)
        steps.wait(3)
        with numext.threads(2):
            measured("B inside threads(2)")

    run_pair(a, b)
    assert busy["A inside threads(1)"] <= 1, (name, busy)
    assert busy["B while A is inside"] == 3, (name, busy)
    assert busy["B inside threads(2)"] == 2, (name, busy)


def test_settings_are_restored_after_a_call_that_raises():
    numext.set_num_threads(3)
    with numext.threads(1):
        with pytest.raises(TypeError):
            numext.double_pixels(np.array(["a"]))
        assert _numext._last_call_settings()[0] == 1
    x = np.arange(2 * PARALLEL_BYTES // 8, dtype=np.float64)
    _numext._testing.pool_reset_max_busy()
    assert_same_array(numext.double_pixels(x), x * 2)
    assert _numext._testing.pool_max_busy() == 3
    assert _numext._last_call_settings()[0] == 0


# ---- np.getbufsize() captured per call -----------------------------------------------------

def test_each_call_captures_the_buffer_size_in_force():
    x = np.ones(4)
    numext.double_pixels(x)
    assert _numext._last_call_settings()[1] == np.getbufsize() == 8192
    for size in (4096, 16384, 8192 * 3, 4096):  # a fresh NumPy context each time
        with np.errstate(all="ignore"):
            np.setbufsize(size)
            numext.double_pixels(x)
            assert _numext._last_call_settings()[1] == size
            numext.parallel_sum(x)
            assert _numext._last_call_settings()[1] == size
        numext.parallel_sum(x)
        assert _numext._last_call_settings()[1] == 8192


def test_the_buffer_size_is_per_thread():
    steps = Steps()
    seen: dict[str, int] = {}
    x = np.ones(4)

    def a():
        with np.errstate(all="ignore"):
            np.setbufsize(4096)
            steps.done(1)
            steps.wait(2)
            numext.double_pixels(x)
            seen["A"] = _numext._last_call_settings()[1]

    def b():
        steps.wait(1)
        numext.double_pixels(x)
        seen["B"] = _numext._last_call_settings()[1]
        steps.done(2)

    run_pair(a, b)
    assert seen == {"A": 4096, "B": 8192}
