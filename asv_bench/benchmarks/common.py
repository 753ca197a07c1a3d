"""Shared parameters and cheap, cached inputs for the numext benchmarks.

Every benchmark class takes a ``threads`` parameter (numext's pool size: 1, 2
and ``numext.default_num_threads()``, duplicates removed) and an ``impl``
parameter, ``"numext"`` or ``"numpy"``, so NumPy's own call is timed beside
numext's under the same name and the ratio can be read off one table.

Size-like parameters (named ``case``, ``n`` or ``shape``) list their smallest
value first: tests/test_asv_suite.py calls every benchmark once at those (and
runs every setup at every combination of parameters).

``suite_modules``, ``benchmark_methods`` and ``impl_pairs`` are the one loader
of this suite outside asv (tests/test_asv_suite.py, tools/asv_ratios.py,
tools/measure_targets.py): put ``asv_bench/`` on ``sys.path`` and
``from benchmarks.common import ...``.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import os
import pathlib
from collections.abc import Iterator
from types import ModuleType

import numpy as np

import numext

#: Run the 400 MiB cases (and 5e7-element sums) only when asked: CI checks the
#: suite, it does not time it.
BIG = os.environ.get("NUMEXT_BENCH_BIG", "").strip() not in ("", "0")

ALL_THREADS = numext.default_num_threads()
THREADS = sorted({1, 2, ALL_THREADS})
IMPLS = ["numext", "numpy"]

#: Parameter names whose first value is the smallest input (see the module doc).
SIZE_PARAMS = ("case", "n", "shape")

#: Method-name prefixes asv runs as benchmarks.
BENCH_PREFIXES = ("time_", "peakmem_", "mem_", "track_", "timeraw_")


@functools.lru_cache(maxsize=3)
def _make(shape: tuple[int, ...], dtype: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt.kind == "u":
        return rng.integers(0, np.iinfo(dt).max, size=shape, dtype=dt, endpoint=True)
    if dt.kind == "i":
        info = np.iinfo(dt)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), size=shape, dtype=dt)
    return rng.random(shape, dtype=np.float64 if dt == np.float64 else np.float32).astype(dt, copy=False)


def make(shape: tuple[int, ...] | int, dtype: str, seed: int = 0) -> np.ndarray:
    """A random array, made once per process (the last few are kept). Read-only
    so a benchmark cannot change another's input."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    a = _make(shape, dtype, seed)
    a.flags.writeable = False
    return a


def empty_touched(like: np.ndarray) -> np.ndarray:
    """An output array whose pages are already mapped (out= cases time the kernel, not page faults)."""
    out = np.empty(like.shape, like.dtype)
    out.fill(0)
    return out


class ThreadsBenchmark:
    """Sets numext's pool size from the ``threads`` parameter; restores it after."""

    def set_threads(self, threads: int) -> None:
        self._previous_threads = numext.set_num_threads(threads)

    def teardown(self, *params) -> None:
        previous = getattr(self, "_previous_threads", None)
        if previous is not None:
            numext.set_num_threads(previous)


# ---- the suite, loaded as asv loads it (for tests/ and tools/) ----------------


def suite_modules() -> dict[str, ModuleType]:
    """Every module of this package by short name, imported as asv imports them."""
    here = pathlib.Path(__file__).resolve().parent
    return {
        path.stem: importlib.import_module(f"{__package__}.{path.stem}")
        for path in sorted(here.glob("*.py"))
        if path.stem != "__init__"
    }


def benchmark_methods(prefixes: tuple[str, ...] = BENCH_PREFIXES) -> Iterator[tuple[str, type, str]]:
    """(module short name, class, method name) of every benchmark method defined in the suite."""
    for module_name, module in suite_modules().items():
        for obj in vars(module).values():
            if isinstance(obj, type) and obj.__module__ == module.__name__:
                for method in sorted(m for m in dir(obj) if m.startswith(prefixes)):
                    yield module_name, obj, method


def impl_pairs(cls: type) -> list[tuple[str, tuple, tuple]]:
    """(label, numext's parameters, NumPy's parameters) per combination of ``cls``'s
    other parameters; the label names those, e.g. ``n=1000, threads=2``. No pairs
    for a class without an ``impl`` parameter."""
    names = list(getattr(cls, "param_names", ()))
    if "impl" not in names:
        return []
    impl_at = names.index("impl")
    pairs = []
    for combo in itertools.product(*cls.params):
        if combo[impl_at] != "numext":
            continue
        label = ", ".join(f"{n}={v}" for n, v in zip(names, combo) if n != "impl")
        numpy_combo = combo[:impl_at] + ("numpy",) + combo[impl_at + 1:]
        pairs.append((label, combo, numpy_combo))
    return pairs
