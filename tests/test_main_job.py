"""The main job, ``python -m numext``: it runs, reports every row, and checks numext against NumPy.

One ``--quick --json`` run in a subprocess (a temporary working directory, so
the installed package is what runs) serves all the checks below.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

import numext

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
OPTIONAL_ROWS = {"numexpr": "numexpr", "numba": "numba"}


@pytest.fixture(scope="module")
def main_job(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("main_job")
    cmd = [sys.executable, "-m", "numext", "--quick", "--json"]
    if HAS_MATPLOTLIB:
        cmd += ["--plot", str(tmp / "throughput.png")]
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("NUMEXT_NUM_THREADS", None)
    proc = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"python -m numext failed:\n{proc.stderr[-4000:]}"
    return json.loads(proc.stdout), proc.stderr, tmp


def test_numext_results_verified_equal_to_numpy(main_job):
    data, report, _ = main_job
    assert data["verified"] is True
    assert data["demonstration"], "the demonstration ran no case"
    assert all(c["ok"] for c in data["demonstration"])
    assert "every numext result equals NumPy's" in report


def test_every_section_and_row_is_present(main_job):
    data, _, _ = main_job
    cfg = data["config"]
    assert cfg["quick"] is True
    assert cfg["threads"] == sorted({1, numext.default_num_threads()})
    threads_keys = {f"numext-{t}t" for t in cfg["threads"]}
    common = {"python", "numpy", "numext-pythreads", "numexpr", "numba"} | threads_keys
    expected_sections = (
        [f"image-{'x'.join(map(str, s))}" for s in cfg["image_shapes"]]
        + [f"double-float64-{n}" for n in cfg["sizes"]]
        + [f"sum-float64-{n}" for n in cfg["sizes"]]
    )
    sections = {s["key"]: s for s in data["sections"]}
    assert list(sections) == expected_sections
    assert cfg["image_shapes"][0] == [512, 512, 3]  # the tutorial's image
    for key, sec in sections.items():
        rows = {r["key"]: r for r in sec["rows"]}
        wanted = common | ({"numpy-out", "numext-out"} if sec["kind"] == "double" else set())
        assert set(rows) == wanted, key
        for r in sec["rows"]:
            module = OPTIONAL_ROWS.get(r["key"])
            if module is not None:
                # A "not installed" row when the module is missing, a timing otherwise.
                assert r["available"] == (importlib.util.find_spec(module) is not None), (key, r)
            if not r["available"]:
                assert r["time_s"] is None and ("not installed" in r["note"] or "failed" in r["note"])
                continue
            assert r["time_s"] > 0, (key, r["key"])
            assert r["GBps"] > 0 and r["speedup_vs_numpy"] > 0 and r["speedup_vs_python"] > 0
            if r["key"].startswith("numext"):
                assert r["ok"], (key, r)
        assert rows["python"]["speedup_vs_python"] == pytest.approx(1.0)
        assert rows["numpy"]["speedup_vs_numpy"] == pytest.approx(1.0)


def test_pure_python_rows_are_scaled_from_a_subset(main_job):
    data, report, _ = main_job
    for sec in data["sections"]:
        python = sec["rows"][0]
        assert python["key"] == "python"
        n = 1
        for d in sec["shape"]:
            n *= d
        if n > 100_000:
            assert "scaled per element" in python["note"]
    assert "scaled per element" in report


def test_bandwidth_is_reported(main_job):
    data, report, _ = main_job
    bw = data["bandwidth"]
    assert bw["copy_GBps"] > 0 and bw["read_GBps"] > 0
    assert "copy" in report and "read" in report and "GB/s" in report


def test_tutorial_table(main_job):
    data, report, _ = main_job
    assert "tutorial" in report
    table = data["tutorial_table"]
    assert table["pure Python"]["tutorial"] == "1x"
    assert any(name.startswith("native + threads") for name in table)


@pytest.mark.skipif(not HAS_MATPLOTLIB, reason="matplotlib not installed")
def test_plot_written(main_job):
    _, _, tmp = main_job
    png = tmp / "throughput.png"
    assert png.is_file()
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path):
    from numext._main.config import Config
    from numext._main.plot import plot

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    cfg = Config([(2, 2, 3)], [10], [1], 1, 1, True)
    message = plot([], {"copy_GBps": 1.0, "read_GBps": 1.0}, cfg, str(tmp_path / "x.png"))
    assert message is not None and "matplotlib" in message
    assert not (tmp_path / "x.png").exists()


def test_bad_arguments_are_rejected():
    from numext._main.config import parse_args

    for argv in (["--sizes", "0"], ["--threads", "0"], ["--repeat", "0"], ["--sizes", "abc"]):
        with pytest.raises(SystemExit) as exc:
            parse_args(argv)
        assert exc.value.code == 2, argv


def test_arguments_parse():
    from numext._main.config import parse_args

    _, cfg = parse_args(["--sizes", "1e3,2e4", "5000", "--threads", "1", "all", "--repeat", "2"])
    assert cfg.sizes == [1000, 5000, 20000]
    assert cfg.threads == sorted({1, numext.default_num_threads()})
    assert cfg.repeat == 2
    _, quick = parse_args(["--quick"])
    assert quick.repeat == 3 and quick.image_shapes[-1] == (1024, 1024, 3)


def test_extra_sections_run_in_order_and_can_fail_the_run(monkeypatch: pytest.MonkeyPatch):
    """The registration point for extra sections (numext/_main/extras.py): each gets the
    config and the report stream, its data lands under its name, "ok": False fails the run."""
    import io

    from numext._main import extras
    from numext._main.config import parse_args

    _, cfg = parse_args(["--quick"])
    calls = []

    def good(config, out):
        calls.append(("good", config))
        print("good section", file=out)
        return {"ok": True, "values": [1, 2]}

    def bad(config, out):
        calls.append(("bad", config))
        return {"ok": False}

    monkeypatch.setattr(extras, "EXTRA_SECTIONS", (("good", good), ("bad", bad)))
    out = io.StringIO()
    results = extras.run_extra_sections(cfg, out)
    assert [name for name, _ in calls] == ["good", "bad"] and all(c is cfg for _, c in calls)
    assert list(results) == ["good", "bad"] and results["good"]["values"] == [1, 2]
    assert "good section" in out.getvalue()
    assert extras.extra_sections_ok({"good": results["good"], "list": [1]})
    assert not extras.extra_sections_ok(results)
