"""Shared test set-up.

Tests import the *installed* numext (pytest runs in importlib mode, so the
checkout is never on sys.path); the guard below fails loudly if a source
folder without the built extension would shadow it.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
from collections.abc import Iterator

import pytest

import numext

_CHECKOUT = pathlib.Path(__file__).resolve().parent.parent
if pathlib.Path(numext.__file__).resolve().parent == _CHECKOUT / "numext" and not any(
    (_CHECKOUT / "numext").glob("_numext*.so")
):
    raise RuntimeError("tests must run against the installed numext, not the source folder")

# Thread counts every threaded behaviour is checked at: 1, 2, 3 and the default.
DEFAULT_THREADS = numext.get_num_threads()
THREAD_COUNTS = sorted({1, 2, 3, DEFAULT_THREADS})

# Enough bytes that every thread of a 3-thread pool gets several tasks.
PARALLEL_BYTES = max(numext._numext.PARALLEL_MIN_BYTES, 12 * numext._numext.TASK_MIN_BYTES)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stress-seconds",
        type=float,
        default=float(os.environ.get("NUMEXT_STRESS_SECONDS", "3")),
        help="how long the stress tests run (default 3 s; use 300+ for a long run)",
    )
    parser.addoption(
        "--fuzz-examples",
        type=int,
        default=int(os.environ.get("NUMEXT_FUZZ_EXAMPLES", "300")),
        help="hypothesis examples for the differential fuzz tests (tens of thousands by hand)",
    )


@pytest.fixture
def stress_seconds(request: pytest.FixtureRequest) -> float:
    return float(request.config.getoption("--stress-seconds"))


@pytest.fixture
def fuzz_examples(request: pytest.FixtureRequest) -> int:
    return int(request.config.getoption("--fuzz-examples"))


@contextlib.contextmanager
def pool_threads(n: int) -> Iterator[int]:
    """Set the process-wide thread count for the block, then restore it.

    Unlike ``numext.threads(n)`` (a cap local to this thread or task) it can
    raise the count and reaches the threads a test starts; tests run one at a
    time, so changing process-wide state for a block is safe here.
    """
    before = numext.set_num_threads(n)
    try:
        yield n
    finally:
        numext.set_num_threads(before)


@pytest.fixture(params=THREAD_COUNTS, ids=lambda n: f"threads={n}")
def num_threads(request: pytest.FixtureRequest):
    """Run the test at each thread count (process-wide), restoring it afterwards."""
    with pool_threads(request.param):
        yield request.param


@pytest.fixture(autouse=True)
def _restore_pool_size():
    before = numext.get_num_threads()
    yield
    numext.set_num_threads(before)
