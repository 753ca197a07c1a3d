"""What one run of ``python -m numext`` measures: the command line and its defaults."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numext

TUTORIAL_IMAGE = (512, 512, 3)  # the tutorial's image


@dataclass
class Config:
    image_shapes: list[tuple[int, int, int]]  # the tutorial's image first, then a big one
    sizes: list[int]  # float64 element counts of the doubling and sum tables
    threads: list[int]  # numext pool sizes timed
    repeat: int  # best of this many timings per figure
    bandwidth_mib: int  # buffer of the bandwidth measurement
    quick: bool


def _parse_sizes(values: list[str]) -> list[int]:
    sizes = []
    for value in values:
        for part in value.replace(",", " ").split():
            size = int(float(part))
            if size < 1:
                raise argparse.ArgumentTypeError(f"size must be >= 1: {part!r}")
            sizes.append(size)
    return sorted(set(sizes))


def _parse_threads(values: list[str]) -> list[int]:
    counts = []
    for value in values:
        for part in value.replace(",", " ").split():
            count = numext.default_num_threads() if part == "all" else int(part)
            if not 1 <= count <= numext._numext.MAX_THREADS:
                raise argparse.ArgumentTypeError(f"thread count out of range: {part!r}")
            counts.append(count)
    return sorted(set(counts))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m numext",
        description="Reproduce the 'Python extensions that escape the GIL' tutorial's table with "
        "measured figures: pure Python, NumPy, numext (1 and all threads, and called from 4 Python "
        "threads), numexpr and Numba, on image doubling, float64 doubling and a float64 sum.",
    )
    p.add_argument("--sizes", nargs="+", metavar="N",
                   help="element counts for the float64 doubling and sum tables "
                        "(default 1e5 1e6 1e7; --quick: 1e5 1e6)")
    p.add_argument("--threads", nargs="+", metavar="T",
                   help="numext pool sizes to time ('all' = numext.default_num_threads(); "
                        "default: 1 all)")
    p.add_argument("--repeat", type=int, metavar="R",
                   help="best of R timings per figure (default 7; --quick: 3)")
    p.add_argument("--json", nargs="?", const="-", metavar="FILE",
                   help="write the results as JSON to FILE, or to stdout with no FILE "
                        "(the human-readable report then goes to stderr)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="plot throughput against size and thread count (needs matplotlib)")
    p.add_argument("--quick", action="store_true",
                   help="small sizes and few repeats (a few seconds; for CI)")
    p.add_argument("--bandwidth-mib", type=int, metavar="MiB",
                   help="buffer size for the bandwidth measurement (default 256; --quick: 64)")
    return p


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, Config]:
    """The parsed options (``json``, ``plot`` are read by the CLI) and the run's Config."""
    p = _parser()
    args = p.parse_args(argv)
    try:
        default_sizes = [10**5, 10**6] if args.quick else [10**5, 10**6, 10**7]
        sizes = _parse_sizes(args.sizes) if args.sizes else default_sizes
        threads = _parse_threads(args.threads) if args.threads else sorted({1, numext.default_num_threads()})
    except (argparse.ArgumentTypeError, ValueError) as exc:
        p.error(str(exc))
    repeat = args.repeat if args.repeat is not None else (3 if args.quick else 7)
    if repeat < 1:
        p.error("--repeat must be >= 1")
    big_image = (1024, 1024, 3) if args.quick else (4096, 4096, 3)
    cfg = Config(
        image_shapes=[TUTORIAL_IMAGE, big_image],
        sizes=sizes,
        threads=threads,
        repeat=repeat,
        bandwidth_mib=args.bandwidth_mib or (64 if args.quick else 256),
        quick=args.quick,
    )
    return args, cfg
