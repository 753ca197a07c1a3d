"""The typed API: numext ships __init__.pyi and py.typed; tests/typing/usage.py
passes ``mypy --strict`` and runs; stubtest finds the stub true to the runtime;
every public name is documented."""

from __future__ import annotations

import ast
import os
import pathlib
import pydoc
import shutil
import subprocess
import sys

import pytest

import numext

HERE = pathlib.Path(__file__).resolve().parent
USAGE = HERE / "typing" / "usage.py"
PACKAGE_DIR = pathlib.Path(numext.__file__).resolve().parent  # the installed numext


def run(args, cwd, env=None, timeout=120):
    proc = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_stub_and_marker_installed():
    assert (PACKAGE_DIR / "py.typed").is_file()
    assert (PACKAGE_DIR / "__init__.pyi").is_file()


def test_stub_all_matches_runtime():
    tree = ast.parse((PACKAGE_DIR / "__init__.pyi").read_text())
    stub_all = None
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            stub_all = ast.literal_eval(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.FunctionDef):
            names.add(node.name)
    assert stub_all == list(numext.__all__)
    assert set(numext.__all__) <= names


def test_usage_runs(tmp_path):
    # Run from a temporary folder so the checkout never shadows the install.
    rc, out = run([sys.executable, str(USAGE)], cwd=tmp_path)
    assert rc == 0, out
    assert out.strip().endswith("ok")


def _mypy_env(tmp_path):
    env = dict(os.environ)
    env.pop("MYPYPATH", None)
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n")
    return env, config


def test_mypy_strict_usage(tmp_path):
    pytest.importorskip("mypy")
    shutil.copy(USAGE, tmp_path / "usage.py")
    env, config = _mypy_env(tmp_path)
    rc, out = run(
        [
            sys.executable, "-m", "mypy", "--strict",
            "--config-file", str(config),
            "--cache-dir", str(tmp_path / ".mypy_cache"),
            "usage.py",
        ],
        cwd=tmp_path,
        env=env,
    )
    assert rc == 0, out


def test_stubtest(tmp_path):
    """mypy's stubtest: names, signatures and __all__ of the stub against the
    imported module. Only the stub is put on MYPYPATH: numext's private
    submodules are not part of the typed API."""
    pytest.importorskip("mypy.stubtest")
    stub_dir = tmp_path / "stubs" / "numext"
    stub_dir.mkdir(parents=True)
    shutil.copy(PACKAGE_DIR / "__init__.pyi", stub_dir)
    shutil.copy(PACKAGE_DIR / "py.typed", stub_dir)
    allowlist = tmp_path / "allowlist.txt"
    # `python -m numext` (numext/__main__.py and the numext/_main/ package), not an API.
    allowlist.write_text("numext\\.__main__\nnumext\\._main(\\..*)?\n")
    env, config = _mypy_env(tmp_path)
    env["MYPYPATH"] = str(tmp_path / "stubs")
    rc, out = run(
        [
            sys.executable, "-m", "mypy.stubtest", "numext",
            "--allowlist", str(allowlist),
            "--ignore-unused-allowlist",
            "--mypy-config-file", str(config),
        ],
        cwd=tmp_path,
        env=env,
    )
    assert rc == 0, out


@pytest.mark.parametrize("name", numext.__all__)
def test_public_names_have_docstrings(name):
    doc = getattr(numext, name).__doc__
    assert doc and len(doc.strip()) > 20, name


@pytest.mark.parametrize("name", ["double_pixels", "parallel_sum"])
def test_help_mentions_dtypes_and_threads(name):
    text = pydoc.render_doc(getattr(numext, name), renderer=pydoc.plaintext).lower()
    assert "dtype" in text
    assert "thread" in text
    assert "gil" in text
