"""Thread control: the pool's default size, NUMEXT_NUM_THREADS, and the
``threads`` context manager. The pool itself lives in C (src/numext_pool.c)."""

from __future__ import annotations

import contextlib
import math
import os
import warnings
from typing import Iterator

from . import _numext

ENV_VAR = "NUMEXT_NUM_THREADS"


def _cgroup_cpu_limit(root: str = "/sys/fs/cgroup", proc_cgroup: str = "/proc/self/cgroup") -> int | None:
    """CPUs allowed by the cgroup v2 quota (``cpu.max``), rounded up; None if unlimited.

    A container limited to 2 CPUs on a 64-CPU host still sees 64 CPUs in its
    affinity mask; its quota is what tells. Every cgroup from ours up to the
    root may carry a quota, the smallest wins.
    """
    paths = []
    try:
        with open(proc_cgroup) as f:
            for line in f:
                parts = line.strip().split(":", 2)
                if len(parts) == 3 and parts[0] == "0":  # the unified (v2) hierarchy
                    rel = parts[2].strip("/")
                    while True:
                        paths.append(os.path.join(root, rel, "cpu.max") if rel else os.path.join(root, "cpu.max"))
                        if not rel:
                            break
                        rel = os.path.dirname(rel)
    except OSError:
        pass
    if not paths:
        paths = [os.path.join(root, "cpu.max")]
    best: int | None = None
    for path in paths:
        try:
            with open(path) as f:
                quota, period = f.read().split()[:2]
        except (OSError, ValueError):
            continue
        if quota == "max":
            continue
        try:
            cpus = max(1, math.ceil(int(quota) / int(period)))
        except (ValueError, ZeroDivisionError):
            continue
        best = cpus if best is None else min(best, cpus)
    return best


def default_num_threads() -> int:
    """The CPUs this process may run on (affinity), capped by its cgroup quota."""
    n = _numext._affinity_cpus()
    limit = _cgroup_cpu_limit()
    if limit is not None:
        n = min(n, limit)
    return max(1, min(n, _numext.MAX_THREADS))


def _threads_from_env(value: str) -> int | None:
    try:
        n = int(value.strip())
    except ValueError:
        n = 0
    if 1 <= n <= _numext.MAX_THREADS:
        return n
    warnings.warn(
        f"ignoring {ENV_VAR}={value!r}: expected an integer from 1 to {_numext.MAX_THREADS}",
        RuntimeWarning,
        stacklevel=3,
    )
    return None


def _configure_at_import() -> None:
    n = None
    value = os.environ.get(ENV_VAR)
    if value is not None and value.strip():
        n = _threads_from_env(value)
    _numext.set_num_threads(n if n is not None else default_num_threads())


def get_num_threads() -> int:
    """Threads a numext call made here would use at once, the calling thread included.

    The process-wide setting (``set_num_threads``), capped by the innermost
    enclosing ``numext.threads(n)`` of this thread or asyncio task.
    """
    return _numext.get_num_threads()


def set_num_threads(n: int) -> int:
    """Set the threads numext's kernels may use at once (1..1024); returns the old value.

    Process-wide: every thread and task, also inside ``numext.threads(n)``
    blocks, which only cap it. threadpoolctl's ``threadpool_limits`` changes
    this setting. Raises TypeError for a non-integer and ValueError out of range.
    """
    return _numext.set_num_threads(n)


@contextlib.contextmanager
def threads(n: int) -> Iterator[int]:
    """Context manager: numext calls made inside the block use at most ``n`` threads.

    >>> with numext.threads(1):
    ...     numext.double_pixels(image)   # single-threaded

    Scoped like ``np.errstate``: the limit belongs to the current context
    (``contextvars``), so it holds for this thread or asyncio task only
    (``asyncio.to_thread`` and ``contextvars.copy_context().run`` carry it;
    a new ``threading.Thread`` or a pool executor's thread does not), and
    leaving the block restores exactly what was in force before, whatever
    other threads did meanwhile. The innermost block wins. A block caps the
    process-wide ``set_num_threads`` setting and never raises it: to use more
    threads, call ``set_num_threads``.
    """
    token = _numext._thread_limit.set(_numext._check_num_threads(n))
    try:
        yield n
    finally:
        _numext._thread_limit.reset(token)


@contextlib.contextmanager
def _process_threads(n: int) -> Iterator[int]:
    """Set the process-wide thread count for the block, then restore it.

    For single-threaded tools (the demo, benchmarks) that time other thread
    counts, raise the count above the process setting, or call numext from
    threads of their own; never for library code, where concurrent blocks would
    undo each other's settings (what ``threads`` avoids).
    """
    previous = _numext.set_num_threads(n)
    try:
        yield n
    finally:
        _numext.set_num_threads(previous)
