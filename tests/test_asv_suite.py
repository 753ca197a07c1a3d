"""The asv suite (asv_bench/) cannot rot: every benchmark's setup (and teardown) runs
at every combination of its parameters, each benchmark is called once at the
smallest ones (a call at every size too would more than double the file's time,
more under the sanitizers), and asv itself finds no problem in it."""

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


def _import_suite():
    """The suite's own loader (asv_bench/benchmarks/common.py), imported as asv imports it."""
    if not BENCH_DIR.is_dir():
        return None
    sys.path.insert(0, str(ASV_BENCH))
    try:
        return importlib.import_module("benchmarks.common")
    finally:
        sys.path.remove(str(ASV_BENCH))


SUITE = _import_suite()
MODULES = SUITE.suite_modules() if SUITE is not None else {}


def _benchmarks():
    if SUITE is None:
        return
    for module_name, cls, method in SUITE.benchmark_methods():
        yield pytest.param(cls, method, id=f"{module_name}.{cls.__name__}.{method}")


def _benchmark_classes():
    if SUITE is None:
        return
    seen = []
    for module_name, cls, _ in SUITE.benchmark_methods():
        if cls not in seen:
            seen.append(cls)
            yield pytest.param(cls, id=f"{module_name}.{cls.__name__}")


def _combos(cls, smallest_only=False):
    """Every combination of the parameters; with ``smallest_only``, size-like ones
    held at their first (smallest) value."""
    from benchmarks.common import SIZE_PARAMS

    params = getattr(cls, "params", [])
    names = getattr(cls, "param_names", [])
    if params and not isinstance(params[0], list):
        params = [params]
    axes = [p[:1] if smallest_only and n in SIZE_PARAMS else p for n, p in zip(names, params)]
    return list(itertools.product(*axes)) or [()]


def test_suite_has_benchmarks():
    assert {"bench_double_pixels", "bench_parallel_sum", "bench_gil", "common"} <= set(MODULES)
    assert len(list(_benchmarks())) >= 6


@pytest.mark.parametrize("cls, method", list(_benchmarks()))
def test_benchmark_runs_at_smallest_params(cls, method):
    before = numext.get_num_threads()
    for combo in _combos(cls, smallest_only=True):
        bench = cls()
        if hasattr(bench, "setup"):
            bench.setup(*combo)
        try:
            getattr(bench, method)(*combo)
        finally:
            if hasattr(bench, "teardown"):
                bench.teardown(*combo)
        assert numext.get_num_threads() == before, "teardown must restore the pool size"


@pytest.mark.parametrize("cls", list(_benchmark_classes()))
def test_benchmark_setup_runs_at_every_params(cls):
    """setup and teardown at every combination, the largest inputs included (not
    timed: asv calls setup before each one). Each instance, and the arrays its setup
    made, is dropped before the next is set up. NotImplementedError is asv's "skip
    this combination" (e.g. scipy's ufuncs without scipy)."""
    before = numext.get_num_threads()
    combos = _combos(cls)
    skipped = 0
    for combo in combos:
        bench = cls()
        try:
            if hasattr(bench, "setup"):
                bench.setup(*combo)
        except NotImplementedError:
            skipped += 1
        except Exception as exc:
            raise AssertionError(f"{cls.__name__}.setup{combo} failed: {exc!r}") from exc
        finally:
            if hasattr(bench, "teardown"):
                bench.teardown(*combo)
            del bench
        assert numext.get_num_threads() == before, f"{cls.__name__}.teardown{combo}: pool size not restored"
    assert skipped < len(combos), f"{cls.__name__}: every combination skipped"


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


def test_impl_pairs_differ_only_in_impl():
    """The pairs tools/asv_ratios.py and tools/measure_targets.py time: every other
    parameter combination once, numext's and NumPy's parameters alike but for impl."""
    for _, cls, _ in SUITE.benchmark_methods(("time_",)):
        names = list(cls.param_names)
        impl_at = names.index("impl")
        pairs = SUITE.impl_pairs(cls)
        n_other = 1
        for i, values in enumerate(cls.params):
            n_other *= len(values) if i != impl_at else 1
        assert len(pairs) == n_other, cls
        assert len({label for label, _, _ in pairs}) == n_other, cls
        for label, ours, theirs in pairs:
            assert ours[impl_at] == "numext" and theirs[impl_at] == "numpy"
            assert ours[:impl_at] + ours[impl_at + 1:] == theirs[:impl_at] + theirs[impl_at + 1:]
            assert "impl=" not in label


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
