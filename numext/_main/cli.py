"""``python -m numext``: runs the sections in order and writes the report, JSON and plot."""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

import numext

from .cases import Data, demonstrate, timing_sections
from .config import Config, parse_args
from .extras import extra_sections_ok, run_extra_sections
from .formatting import check_marks
from .libraries import OtherLibraries
from .measure import OtherLoad, environment, measure_bandwidth
from .plot import plot
from .report import (
    json_default,
    print_bandwidth,
    print_section,
    print_tutorial_table,
    to_json,
)
from .results import Section, add_speedups


def _print_header(env: dict[str, Any], cfg: Config, libs: OtherLibraries, out: TextIO) -> None:
    print(f"numext {env['numext']}: NumPy {env['numpy']}, Python {env['python']}, {env['cpu']}, "
          f"{env['numext_default_threads']} CPUs usable, pool of {numext.get_num_threads()} threads", file=out)
    layer = f" ({libs.numba_layer} threading layer)" if libs.numba_layer else ""
    print(f"numexpr {env['numexpr'] or 'not installed'}, Numba {env['numba'] or 'not installed'}{layer}; "
          f"best of {cfg.repeat}{', --quick' if cfg.quick else ''}\n", file=out)


def _run_sections(cfg: Config, env: dict[str, Any], libs: OtherLibraries,
                  out: TextIO) -> tuple[dict[str, Any], list[Section]]:
    """Sections 1-4 and the extra sections: the JSON document (less time and load) and the tables."""
    data = Data()
    checks = demonstrate(cfg, data, out)
    bandwidth = measure_bandwidth(cfg.bandwidth_mib, cfg.repeat,
                                  max(max(cfg.threads), numext.default_num_threads()))
    print_bandwidth(bandwidth, cfg, out)
    print("3. Timings (speed-up vs NumPy compares like with like: fresh output with x * 2, "
          "out= with np.multiply(out=))\n", file=out)
    sections = timing_sections(cfg, data, libs)
    for letter, sec in zip("abcdefghijklmnopqrstuvwxyz", sections):
        add_speedups(sec, bandwidth)
        print_section(letter, sec, out)
    tutorial = print_tutorial_table(sections, cfg, out)
    extras = run_extra_sections(cfg, out)
    result = to_json(cfg, env, checks, bandwidth, sections, tutorial)
    if extras:
        result["extra_sections"] = extras
        result["verified"] = result["verified"] and extra_sections_ok(extras)
    return result, sections


def _write_json(result: dict[str, Any], path: str, out: TextIO) -> None:
    text = json.dumps(result, indent=1, default=json_default)
    if path == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(path, "w") as f:
            f.write(text + "\n")
        print(f"JSON written to {path}", file=out)


def main(argv: list[str] | None = None) -> int:
    t_start = time.perf_counter()
    args, cfg = parse_args(argv)
    out = sys.stderr if args.json == "-" else sys.stdout  # stdout holds the JSON then
    libs = OtherLibraries(max(cfg.threads))
    env = environment()
    env["numba_compile_s"] = libs.numba_compile_s
    env["numba_threading_layer"] = libs.numba_layer
    _print_header(env, cfg, libs, out)
    with OtherLoad() as load:
        result, sections = _run_sections(cfg, env, libs, out)
    elapsed = time.perf_counter() - t_start
    result["elapsed_s"] = elapsed
    result["other_load"] = {"cpus": load.cpus, "fraction": load.fraction}
    if load.cpus is not None and load.cpus > 0.1:
        print(f"\nnote: {load.describe()} during this run: the timings, threaded ones most, "
              "are pessimistic; run again on a quiet machine", file=out)
    mark = check_marks(out)
    verdict = (f"{mark['exact']} every numext result equals NumPy's" if result["verified"]
               else f"{mark['differs']} some numext result differs from NumPy's (see the ok column)")
    print(f"\n{verdict}; finished in {elapsed:.1f} s", file=out)
    if args.plot:
        problem = plot(sections, result["bandwidth"], cfg, args.plot)
        print(problem or f"plot written to {args.plot}", file=out if not problem else sys.stderr)
    if args.json:
        _write_json(result, args.json, out)
    return 0 if result["verified"] else 1
