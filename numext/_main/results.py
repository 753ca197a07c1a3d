"""What a table holds: a Section per case, a Row per implementation, and how rows are judged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Row:
    key: str  # stable id: python, numpy, numpy-out, numext-<T>t, numext-out, numext-pythreads, numexpr, numba
    label: str
    time_s: float | None = None
    check: str | None = None  # "exact", "close" (other summation order), "differs"; None: not run
    expected_check: str = "exact"
    mode: str = "fresh"  # "fresh" output, or "out" (into an existing array)
    available: bool = True
    note: str = ""
    speedup_vs_python: float | None = None
    speedup_vs_numpy: float | None = None
    GBps: float | None = None
    pct_of_bandwidth: float | None = None

    @property
    def ok(self) -> bool:
        return self.check == "exact" or (self.check == "close" and self.expected_check == "close")


def unavailable_row(key: str, label: str, note: str) -> Row:
    """The row of a library that is not installed (or failed to load)."""
    return Row(key, label, available=False, note=note)


@dataclass
class Section:
    key: str
    title: str
    kind: str  # "double" or "sum"
    shape: tuple[int, ...]
    dtype: str
    bytes_moved: int
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def compare(got: Any, expected: Any, allow_close: bool = False) -> str:
    """"exact" (same dtype, shape and values), "close" (rtol 1e-9, if allowed) or "differs"."""
    got_a, exp_a = np.asarray(got), np.asarray(expected)
    if got_a.dtype == exp_a.dtype and got_a.shape == exp_a.shape and np.array_equal(got_a, exp_a):
        return "exact"
    if allow_close and got_a.shape == exp_a.shape and np.allclose(got_a, exp_a, rtol=1e-9, atol=0):
        return "close"
    return "differs"


def add_speedups(sec: Section, bandwidth: dict[str, Any]) -> None:
    """Speed-ups against pure Python and NumPy (same output mode), GB/s and % of bandwidth."""
    by_key = {r.key: r for r in sec.rows}
    python_time = by_key["python"].time_s
    ceiling = bandwidth["copy_GBps"] if sec.kind == "double" else bandwidth["read_GBps"]
    for r in sec.rows:
        if r.time_s is None:
            continue
        numpy_row = by_key.get("numpy-out" if r.mode == "out" else "numpy")
        r.speedup_vs_python = python_time / r.time_s if python_time else None
        r.speedup_vs_numpy = numpy_row.time_s / r.time_s if numpy_row and numpy_row.time_s else None
        r.GBps = sec.bytes_moved / r.time_s / 1e9
        r.pct_of_bandwidth = 100 * r.GBps / ceiling
