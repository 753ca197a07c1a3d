"""The asv suite (asv_bench/) cannot rot: every benchmark's setup and one call run
at the smallest parameters, and asv itself finds no problem in it."""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import pathlib
import re
import subprocess
import sys

import pytest

import numext

ASV_BENCH = pathlib.Path(__file__).resolve().parent.parent / "asv_bench"
BENCH_DIR = ASV_BENCH / "benchmarks"

pytestmark = pytest.mark.skipif(not BENCH_DIR.is_dir(), reason="asv_bench/benchmarks missing")

BENCH_PREFIXES = ("time_", "peakmem_", "mem_", "track_", "timeraw_")


def _import_suite() -> dict[str, object]:
    """The benchmark modules, imported as asv imports them (package ``benchmarks``)."""
    if not BENCH_DIR.is_dir():
        return {}
    sys.path.insert(0, str(ASV_BENCH))
    try:
        return {
            p.stem: importlib.import_module(f"benchmarks.{p.stem}")
            for p in sorted(BENCH_DIR.glob("*.py"))
            if p.stem != "__init__"
        }
    finally:
        sys.path.remove(str(ASV_BENCH))


MODULES = _import_suite()


def _benchmarks():
    for mod_name, mod in MODULES.items():
        for name, obj in vars(mod).items():
            if isinstance(obj, type) and obj.__module__ == mod.__name__:
                for meth in sorted(m for m in dir(obj) if m.startswith(BENCH_PREFIXES)):
                    yield pytest.param(obj, meth, id=f"{mod_name}.{name}.{meth}")


def _smallest_combos(cls):
    """Every combination of the parameters, size-like ones held at their first (smallest) value."""
    from benchmarks.common import SIZE_PARAMS

    params = getattr(cls, "params", [])
    names = getattr(cls, "param_names", [])
    if params and not isinstance(params[0], list):
        params = [params]
    axes = [p[:1] if n in SIZE_PARAMS else p for n, p in zip(names, params)]
    return list(itertools.product(*axes)) or [()]


def test_suite_has_benchmarks():
    assert {"bench_double_pixels", "bench_parallel_sum", "bench_gil", "common"} <= set(MODULES)
    assert len(list(_benchmarks())) >= 6


@pytest.mark.parametrize("cls, method", list(_benchmarks()))
def test_benchmark_runs_at_smallest_params(cls, method):
    before = numext.get_num_threads()
    combos = _smallest_combos(cls)
    for combo in combos:
        bench = cls()
        if hasattr(bench, "setup"):
            bench.setup(*combo)
        try:
            getattr(bench, method)(*combo)
        finally:
            if hasattr(bench, "teardown"):
                bench.teardown(*combo)
        assert numext.get_num_threads() == before, "teardown must restore the pool size"


@pytest.mark.parametrize("cls, method", list(_benchmarks()))
def test_benchmark_is_parametrised_by_threads_and_impl(cls, method):
    from benchmarks.common import IMPLS, THREADS

    names = list(cls.param_names)
    assert len(names) == len(cls.params)
    assert "threads" in names and cls.params[names.index("threads")] == THREADS
    assert 1 in THREADS and numext.default_num_threads() in THREADS
    assert "impl" in names and cls.params[names.index("impl")] == IMPLS == ["numext", "numpy"]


def test_numext_and_numpy_calls_agree():
    """The two impls of a benchmark compute the same thing (so the ratio means something)."""
    import numpy as np
    from benchmarks import bench_double_pixels as bd
    from benchmarks import bench_parallel_sum as bs

    x = np.arange(10, dtype=np.uint8) * 30
    assert np.array_equal(bd._call("numext", x, None)(), bd._call("numpy", x, None)())
    for case in ("rows 1000x2500", "cols 1000x2500"):
        got = []
        for impl in ("numext", "numpy"):
            b = bs.ParallelSum2D()
            b.setup(case, 1, impl)
            got.append(b.call())
            b.teardown(case, 1, impl)
        np.testing.assert_allclose(got[0], got[1], rtol=1e-12)


def _load_conf() -> dict:
    text = (ASV_BENCH / "asv.conf.json").read_text()
    return json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))


def test_asv_conf_layout():
    conf = _load_conf()
    assert conf["repo"] == ".."
    assert conf["benchmark_dir"] == "benchmarks"
    assert conf["environment_type"] in ("existing", "virtualenv", "conda")
    assert conf["version"] == 1


@pytest.mark.skipif(importlib.util.find_spec("asv") is None, reason="asv not installed")
def test_asv_check(tmp_path):
    """``asv check --python=same`` (imports the suite in a subprocess, runs nothing)."""
    proc = subprocess.run(
        [sys.executable, "-m", "asv", "check", "--python=same"],
        cwd=ASV_BENCH, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No problems found" in proc.stdout + proc.stderr
