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
import pathlib
import sys

TOOLS = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))  # tools/timing.py, also under python -P
sys.path.insert(0, str(TOOLS.parent / "asv_bench"))  # the suite's package ``benchmarks``
from benchmarks.common import benchmark_methods, impl_pairs  # noqa: E402
from timing import Candidate, time_candidates  # noqa: E402


def time_pair(cls: type, method: str, ours: tuple, theirs: tuple, samples: int,
              min_sample_s: float) -> tuple[float, float] | None:
    """Best seconds per call of numext's and NumPy's benchmark, interleaved; None when
    setup skips the combination (asv's NotImplementedError)."""
    benches = []
    try:
        for params in (ours, theirs):
            bench = cls()
            bench.setup(*params)  # NotImplementedError: asv's way to skip a combination
            benches.append((bench, params))
        candidates = [Candidate(impl, lambda b=b, p=p: getattr(b, method)(*p))
                      for impl, (b, p) in zip(("numext", "numpy"), benches)]
        best = time_candidates(candidates, repeat=samples, min_time=min_sample_s)
    except NotImplementedError:
        return None
    finally:
        for bench, params in benches:
            if hasattr(bench, "teardown"):
                bench.teardown(*params)
    return best["numext"], best["numpy"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=9)
    parser.add_argument("--min-sample-ms", type=float, default=5.0)
    parser.add_argument("--floor", type=float, default=0.95)
    parser.add_argument("-k", default="", help="only benchmarks whose name contains this")
    args = parser.parse_args()
    rows = []
    for _, cls, method in benchmark_methods(("time_",)):
        for params_label, ours, theirs in impl_pairs(cls):
            label = f"{cls.__name__}.{method}({params_label})"
            if args.k not in label:
                continue
            times = time_pair(cls, method, ours, theirs, args.samples, args.min_sample_ms / 1e3)
            if times is None:
                continue
            numext_s, numpy_s = times
            rows.append((numpy_s / numext_s, label, numext_s, numpy_s))
            print(f"{numpy_s / numext_s:6.2f}x  {label:75} numext {numext_s * 1e6:10.1f} us"
                  f"  numpy {numpy_s * 1e6:10.1f} us", flush=True)
    rows.sort()
    below = [r for r in rows if r[0] < args.floor]
    print(f"\n{len(rows)} pairs, {len(below)} below {args.floor}x NumPy; worst first:")
    for ratio, label, ours_s, theirs_s in rows[:15]:
        print(f"{ratio:6.2f}x  {label:75} numext {ours_s * 1e6:10.1f} us  numpy {theirs_s * 1e6:10.1f} us")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
