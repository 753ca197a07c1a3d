"""Packaging: build the sdist and, from it, the wheel (``python -m build``), check
what each contains, install the wheel into a fresh virtual environment and
smoke-test it there.

Slow (a build and a venv with NumPy): runs only with NUMEXT_TEST_PACKAGING=1,
e.g. ``NUMEXT_TEST_PACKAGING=1 pytest -m packaging tests/test_packaging.py``.
Needs ``build`` and a package index that serves setuptools and numpy.
"""

from __future__ import annotations

import glob
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile

import pytest

pytestmark = [
    pytest.mark.packaging,
    pytest.mark.skipif(
        os.environ.get("NUMEXT_TEST_PACKAGING") != "1",
        reason="slow packaging test: set NUMEXT_TEST_PACKAGING=1 to run it",
    ),
]

CHECKOUT = pathlib.Path(__file__).resolve().parent.parent
BUILD_TIMEOUT = 600

# Never copied into the build folder: build outputs and local environments.
_IGNORE = shutil.ignore_patterns(
    ".git", "build", "dist", ".venv*", "*.egg-info", "__pycache__", "*.so", "*.o",
    "*.pyc", ".hypothesis", ".pytest_cache", ".mypy_cache", ".asv", "env", "results", "html",
)


def run(args, cwd, timeout=BUILD_TIMEOUT, env=None):
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def checkout_files(pattern):
    return sorted(
        str(pathlib.Path(p).relative_to(CHECKOUT)) for p in glob.glob(str(CHECKOUT / pattern))
    )


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    pytest.importorskip("build")
    root = tmp_path_factory.mktemp("packaging")
    src = root / "src"
    shutil.copytree(CHECKOUT, src, ignore=_IGNORE, symlinks=True)
    out = root / "dist"
    # No --sdist/--wheel: build makes the sdist, then the wheel *from the
    # sdist*, so a file missing from the sdist breaks the wheel build here.
    run([sys.executable, "-m", "build", "--outdir", str(out), str(src)], cwd=root)
    (sdist,) = out.glob("numext-*.tar.gz")
    (wheel,) = out.glob("numext-*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def sdist_names(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    return {n[len(top) + 1:] for n in names if n.startswith(top + "/")}


@pytest.fixture(scope="module")
def wheel_names(dists):
    _, wheel = dists
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_sdist_contains_sources(sdist_names):
    required = (
        checkout_files("src/*.c")
        + checkout_files("src/*.h")
        + checkout_files("numext/*.py")
        + checkout_files("numext/*.pyi")
        + ["setup.py", "pyproject.toml", "README.md", "LICENSE", "numext/py.typed", "MANIFEST.in"]
    )
    assert checkout_files("src/*.c") and checkout_files("src/*.h")
    missing = sorted(set(required) - sdist_names)
    assert not missing, f"sdist lacks {missing}"


def test_sdist_contains_test_suite(sdist_names):
    required = (
        checkout_files("tests/*.py")
        + checkout_files("tests/typing/*.py")
        + checkout_files("asv_bench/benchmarks/*.py")
        + ["asv_bench/asv.conf.json"]
    )
    assert "tests/conftest.py" in required
    missing = sorted(set(required) - sdist_names)
    assert not missing, f"sdist lacks {missing}"


def test_sdist_has_no_build_outputs(sdist_names):
    junk = sorted(
        n for n in sdist_names
        if n.endswith((".so", ".o", ".pyc")) or "__pycache__" in n or n.startswith(("build/", ".ci/"))
    )
    assert not junk, junk


def test_wheel_contents(wheel_names):
    assert any(
        n.startswith("numext/_numext") and n.endswith(".so") and n.count("/") == 1
        for n in wheel_names
    ), sorted(wheel_names)
    for name in ["numext/__init__.py", "numext/__init__.pyi", "numext/py.typed"]:
        assert name in wheel_names
    for name in checkout_files("numext/*.py"):
        assert name in wheel_names
    stray = sorted(n for n in wheel_names if n.startswith(("src/", "tests/")) or n.endswith(".c"))
    assert not stray, stray


def test_license(dists, wheel_names):
    """LICENSE is in the wheel's .dist-info (licenses/ from metadata 2.4 on) and the
    metadata of both distributions names the BSD-3-Clause licence."""
    licence = (CHECKOUT / "LICENSE").read_text()
    assert "BSD 3-Clause" in licence
    in_wheel = [n for n in wheel_names if n.split("/")[0].endswith(".dist-info") and n.endswith("/LICENSE")]
    assert in_wheel, sorted(wheel_names)
    sdist, wheel = dists
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read(in_wheel[0]).decode() == licence
        (metadata,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        wheel_meta = zf.read(metadata).decode()
    with tarfile.open(sdist) as tar:
        (pkg_info,) = [m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")]
        sdist_meta = tar.extractfile(pkg_info).read().decode()
    for meta in (wheel_meta, sdist_meta):
        headers = meta.split("\n\n", 1)[0]
        assert "License: BSD-3-Clause" in headers or "License-Expression: BSD-3-Clause" in headers, headers


SMOKE = r"""
import pathlib, sys
import numpy as np
import numext

assert pathlib.Path(numext.__file__).resolve().is_relative_to(pathlib.Path(sys.prefix).resolve()), numext.__file__
img = np.arange(256, dtype=np.uint8).reshape(16, 16)
assert np.array_equal(numext.double_pixels(img), img * 2)
x = np.random.default_rng(0).standard_normal((8, 100_000))
assert np.array_equal(numext.parallel_sum(x), np.sum(x, axis=-1))
assert numext.sum(x) == np.sum(x)
with numext.threads(1):
    assert numext.get_num_threads() == 1
print("smoke ok", numext.__version__, numext.get_num_threads())
"""


def test_wheel_installs_into_fresh_venv(dists, tmp_path):
    _, wheel = dists
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NUMEXT_NUM_THREADS")}
    run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
        cwd=tmp_path,
        env=env,
    )
    out = run([python, "-c", SMOKE], cwd=tmp_path, env=env)
    assert "smoke ok" in out
    # The typed-API example runs against the installed wheel too.
    out = run([python, str(CHECKOUT / "tests" / "typing" / "usage.py")], cwd=tmp_path, env=env)
    assert out.strip().endswith("ok")
