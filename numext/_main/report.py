"""Reporting: the text report's sections 2-4 and the JSON document (the plot is in plot.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, TextIO

import numpy as np

from .config import Config
from .formatting import (
    check_marks,
    format_bytes,
    format_count,
    format_shape,
    format_speedup,
    format_time,
    plural,
)
from .measure import last_level_cache_bytes
from .results import Section
from .tutorial import PY_THREADS


def print_bandwidth(bandwidth: dict[str, Any], cfg: Config, out: TextIO) -> None:
    """Section 2: the copy and read bandwidth measured in this run, numext's ceilings."""
    t = bandwidth["threads"]
    print(f"2. Memory bandwidth, {bandwidth['buffer_MiB']} MiB buffer, best of {cfg.repeat} "
          "(GB/s = 1e9 bytes/s):", file=out)
    for what, how in (("copy", "np.copyto (bytes = 2n)"), ("read", "np.add.reduce / max (bytes = n)")):
        line = f"   {what}  {how}: {bandwidth[f'{what}_1t_GBps']:6.1f} GB/s on 1 thread"
        if t > 1:
            line += f", {bandwidth[f'{what}_{t}t_GBps']:6.1f} on {t} Python threads"
        print(line, file=out)
    print("   numext's GB/s below are compared with the better of each pair "
          "(doubling: copy; sum: read).\n", file=out)


def _over_bandwidth_reason(sec: Section) -> str:
    llc = last_level_cache_bytes()
    if llc is not None and sec.bytes_moved <= llc:
        return f"the data fit in the CPU caches ({format_bytes(llc)})"
    return ("the machine gave this call more bandwidth than it gave section 2's measurement "
            "(on shared or virtual machines it moves from minute to minute)")


def print_section(letter: str, sec: Section, out: TextIO) -> None:
    """One table of section 3: a line per implementation."""
    mark = check_marks(out)
    what = "copy" if sec.kind == "double" else "read"
    print(f"({letter}) {sec.title}  [{format_bytes(sec.bytes_moved)} moved per call]", file=out)
    print(f"   {'implementation':<52s} {'time':>9s} {'vs Python':>10s} {'vs NumPy':>9s} {'GB/s':>7s} "
          f"{'% ' + what + ' bw':>10s}  ok", file=out)
    for r in sec.rows:
        if not r.available:
            print(f"   {r.label:<52s} {'-':>9s} {'':>10s} {'':>9s} {'':>7s} {'':>10s}  -  {r.note}", file=out)
            continue
        label = r.label + ("*" if r.key == "python" and r.note else "")
        line = (f"   {label:<52s} {format_time(r.time_s):>9s} {format_speedup(r.speedup_vs_python):>10s} "
                f"{format_speedup(r.speedup_vs_numpy):>9s} {r.GBps:7.2f} {r.pct_of_bandwidth:9.0f}%  "
                f"{mark[r.check or 'differs']}")
        if r.note and r.key != "python":
            line += f"  {r.note}"
        print(line, file=out)
    python_row = sec.rows[0]
    if python_row.note:
        print(f"   * {python_row.note}", file=out)
    for note in sec.notes:
        print(f"   {note}", file=out)
    if any((r.pct_of_bandwidth or 0) > 100 for r in sec.rows):
        print(f"   over 100% of the {what} bandwidth: {_over_bandwidth_reason(sec)}", file=out)
    print(file=out)


def _column_title(s: Section) -> str:
    return f"image {format_shape(s.shape[:2])}" if s.kind == "double" else f"sum {format_count(s.shape[0])}"


def print_tutorial_table(sections: list[Section], cfg: Config, out: TextIO) -> dict[str, Any]:
    """Section 4: the tutorial's closing table, its claims beside the speed-ups measured here."""
    tmax = max(cfg.threads)
    lines = [
        ("pure Python", "1x", "python"),
        ("native (numext, 1 thread)", "2-5x", f"numext-{min(cfg.threads)}t"),
        (f"native without the GIL ({PY_THREADS} Python threads)", "2-5x", "numext-pythreads"),
        (f"native + threads (numext, {plural(tmax, 'thread')})", "10-50x", f"numext-{tmax}t"),
        ("NumPy, for reference", "", "numpy"),
    ]
    images = [s for s in sections if s.kind == "double" and len(s.shape) == 3]
    chosen = images + [s for s in sections if s.kind == "sum" and s.shape[0] == max(cfg.sizes)]
    columns = [(s, _column_title(s)) for s in chosen]
    print("4. The tutorial's table, measured: speed-up over pure Python", file=out)
    print(f"   {'':<44s} {'tutorial':>9s}" + "".join(f" {title:>16s}" for _, title in columns), file=out)
    table: dict[str, Any] = {}
    for name, claim, key in lines:
        cells = []
        for s, title in columns:
            r = next((r for r in s.rows if r.key == key), None)
            speedup = r.speedup_vs_python if r is not None else None
            cells.append(format_speedup(speedup))
            table.setdefault(name, {"tutorial": claim})[title] = speedup
        print(f"   {name:<44s} {claim:>9s}" + "".join(f" {c:>16s}" for c in cells), file=out)
    native = [v for v in table.get(lines[1][0], {}).values() if isinstance(v, float)]
    if native:
        print(f"   Native code runs {min(native):,.0f}-{max(native):,.0f}x faster than the Python loop here, "
              "not 2-5x; on memory-bound", file=out)
        print("   work, extra threads then add at most what the memory bandwidth allows (see the GB/s "
              "columns).", file=out)
    return table


def to_json(cfg: Config, env: dict[str, Any], checks: list[dict[str, Any]], bandwidth: dict[str, Any],
            sections: list[Section], tutorial: dict[str, Any]) -> dict[str, Any]:
    """The JSON document (``--json``) less ``elapsed_s`` and ``other_load``, which the CLI adds;
    tests/test_main_job.py reads its fields."""
    numext_rows_ok = all(r.ok for s in sections for r in s.rows if r.key.startswith("numext"))
    section_dicts = []
    for s in sections:
        d = asdict(s)
        for row_dict, r in zip(d["rows"], s.rows):
            row_dict["ok"] = r.ok
        section_dicts.append(d)
    return {
        "config": asdict(cfg),
        "environment": env,
        "demonstration": checks,
        "bandwidth": bandwidth,
        "sections": section_dicts,
        "tutorial_table": tutorial,
        "verified": numext_rows_ok and all(c["ok"] for c in checks),
    }


def json_default(o: Any) -> Any:
    """``json.dumps(default=...)``: NumPy scalars and tuples."""
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return float(o)
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")
