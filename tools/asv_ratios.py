"""Target (1) of the performance issue, checked the robust way: every asv
``time_*`` benchmark that has an ``impl`` parameter is run for numext and for
NumPy *interleaved* (numext, numpy, numext, ...), best of --samples each, and
the ratio numpy_time / numext_time is printed, worst first. asv itself times
the two impls minutes apart, which on a shared 2-core machine is noise.

    python tools/asv_ratios.py [--samples 9] [--min-sample-ms 5] [-k substring]

Exit status 1 when any ratio is below --floor (default 0.95).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import itertools
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "asv_bench"))


def benchmarks():
    for path in sorted((ROOT / "asv_bench" / "benchmarks").glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or "impl" not in getattr(cls, "param_names", ()):
                continue
            for name, _method in inspect.getmembers(cls, inspect.isfunction):
                if name.startswith("time_"):
                    yield cls, name


def run_sample(bench, method: str, params, number: int) -> float:
    fn = getattr(bench, method)
    t0 = time.perf_counter()
    for _ in range(number):
        fn(*params)
    return (time.perf_counter() - t0) / number


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=9)
    parser.add_argument("--min-sample-ms", type=float, default=5.0)
    parser.add_argument("--floor", type=float, default=0.95)
    parser.add_argument("-k", default="", help="only benchmarks whose name contains this")
    args = parser.parse_args()
    rows = []
    for cls, method in benchmarks():
        names = list(cls.param_names)
        impl_at = names.index("impl")
        others = [p for i, p in enumerate(cls.params) if i != impl_at]
        for combo in itertools.product(*others):
            label = f"{cls.__name__}.{method}({', '.join(map(str, combo))})"
            if args.k not in label:
                continue
            per_impl = {}
            for impl in ("numext", "numpy"):
                params = list(combo)
                params.insert(impl_at, impl)
                bench = cls()
                try:
                    bench.setup(*params)
                except NotImplementedError:  # asv's way to skip a combination
                    break
                per_impl[impl] = (bench, params)
            if len(per_impl) != 2:
                continue
            # Calls per sample so one sample lasts --min-sample-ms (at least 1).
            once = max(run_sample(*per_impl["numext"][:1], method, per_impl["numext"][1], 1), 1e-7)
            number = max(1, int(args.min_sample_ms / 1e3 / once))
            best = {"numext": float("inf"), "numpy": float("inf")}
            for _ in range(args.samples):
                for impl, (bench, params) in per_impl.items():
                    best[impl] = min(best[impl], run_sample(bench, method, params, number))
            for bench, params in per_impl.values():
                if hasattr(bench, "teardown"):
                    bench.teardown(*params)
            ratio = best["numpy"] / best["numext"]
            rows.append((ratio, label, best["numext"], best["numpy"]))
            print(f"{ratio:6.2f}x  {label:75} numext {best['numext'] * 1e6:10.1f} us"
                  f"  numpy {best['numpy'] * 1e6:10.1f} us", flush=True)
    rows.sort()
    below = [r for r in rows if r[0] < args.floor]
    print(f"\n{len(rows)} pairs, {len(below)} below {args.floor}x NumPy; worst first:")
    for ratio, label, ours, theirs in rows[:15]:
        print(f"{ratio:6.2f}x  {label:75} numext {ours * 1e6:10.1f} us  numpy {theirs * 1e6:10.1f} us")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
