"""threadpoolctl sees numext's pool: threadpool_info() lists it, threadpool_limits()
and ThreadpoolController().limit() resize it and restore it afterwards.

numext/__init__.py calls numext._threadpoolctl.install(), which registers a
LibController with threadpoolctl (>= 3.2) without importing threadpoolctl itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import types

import numpy as np
import pytest

import numext

threadpoolctl = pytest.importorskip("threadpoolctl", minversion="3.2")

from numext import _threadpoolctl  # noqa: E402


def numext_infos(info=None):
    if info is None:
        info = threadpoolctl.threadpool_info()
    return [entry for entry in info if entry["user_api"] == "numext"]


def run_python(code: str) -> str:
    """Run code in a fresh interpreter (no NUMEXT_NUM_THREADS) and return stdout."""
    env = {k: v for k, v in os.environ.items() if k != "NUMEXT_NUM_THREADS"}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=os.path.dirname(os.path.abspath(__file__)),  # never the checkout root
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(autouse=True)
def _registered():
    # Idempotent; numext/__init__.py has already done it on import.
    assert _threadpoolctl.register()


def test_threadpool_info_lists_numext():
    numext.set_num_threads(3)
    infos = numext_infos()
    assert len(infos) == 1, infos
    info = infos[0]
    assert info["internal_api"] == "numext"
    assert info["prefix"] == "_numext"
    assert info["num_threads"] == 3 == numext.get_num_threads()
    assert info["version"] == numext.__version__
    assert os.path.samefile(info["filepath"], numext._numext.__file__)


def test_threadpool_limits_sets_and_restores():
    numext.set_num_threads(2)
    with threadpoolctl.threadpool_limits(1):
        assert numext.get_num_threads() == 1
        assert numext_infos()[0]["num_threads"] == 1
    assert numext.get_num_threads() == 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"limits": 1, "user_api": "numext"},
        {"limits": {"numext": 1}},
    ],
    ids=["user_api", "dict"],
)
def test_threadpool_limits_by_user_api(kwargs):
    numext.set_num_threads(3)
    with threadpoolctl.threadpool_limits(**kwargs):
        assert numext.get_num_threads() == 1
    assert numext.get_num_threads() == 3


def test_threadpool_limits_other_api_leaves_numext_alone():
    numext.set_num_threads(3)
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        assert numext.get_num_threads() == 3
    assert numext.get_num_threads() == 3


def test_controller_limit_sets_and_restores():
    numext.set_num_threads(2)
    controller = threadpoolctl.ThreadpoolController()
    selected = controller.select(user_api="numext")
    assert len(selected.lib_controllers) == 1
    with controller.limit(limits=1, user_api="numext"):
        assert numext.get_num_threads() == 1
    assert numext.get_num_threads() == 2


def test_controller_as_decorator():
    numext.set_num_threads(3)
    controller = threadpoolctl.ThreadpoolController()

    @controller.wrap(limits=1, user_api="numext")
    def inside():
        return numext.get_num_threads()

    assert inside() == 1
    assert numext.get_num_threads() == 3


def test_limit_is_clamped_to_pool_maximum():
    numext.set_num_threads(2)
    big = numext._numext.MAX_THREADS + 10
    with threadpoolctl.threadpool_limits(limits=big, user_api="numext"):
        assert numext.get_num_threads() == numext._numext.MAX_THREADS
    assert numext.get_num_threads() == 2


def test_results_unchanged_under_limits():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4096))
    img = rng.integers(0, 256, size=(512, 1024), dtype=np.uint8)
    with threadpoolctl.threadpool_limits(1):
        s1, d1 = numext.parallel_sum(x), numext.double_pixels(img)
    s2, d2 = numext.parallel_sum(x), numext.double_pixels(img)
    np.testing.assert_array_equal(s1, np.sum(x, axis=-1))
    np.testing.assert_array_equal(s2, np.sum(x, axis=-1))
    np.testing.assert_array_equal(d1, img * 2)
    np.testing.assert_array_equal(d2, img * 2)


def test_thread_limit_scope_is_process():
    info = numext_infos(threadpoolctl.threadpool_info(debugging_info=True))[0]
    assert info.get("thread_limit_scope", "process") == "process"


def test_register_is_idempotent():
    before = sum(1 for c in threadpoolctl._ALL_CONTROLLERS if c.user_api == "numext")
    assert _threadpoolctl.register()
    _threadpoolctl.install()
    after = sum(1 for c in threadpoolctl._ALL_CONTROLLERS if c.user_api == "numext")
    assert before == after == 1


@pytest.mark.parametrize(
    "fake",
    [
        types.SimpleNamespace(__version__="3.1.0"),  # before register() existed
        types.SimpleNamespace(__version__="3.5.0"),  # claims a version, lacks register
    ],
    ids=["3.1", "no-register"],
)
def test_unusable_threadpoolctl_is_ignored(fake, monkeypatch):
    monkeypatch.setattr(_threadpoolctl, "_registered_module", None)
    assert _threadpoolctl._register_with(fake) is False


# -- fresh interpreters: import order, no threadpoolctl, env var -----------------


def test_import_numext_does_not_import_threadpoolctl_and_registers_later():
    out = run_python(
        """
        import sys
        import numext
        assert "threadpoolctl" not in sys.modules
        from threadpoolctl import threadpool_info, threadpool_limits
        infos = [i for i in threadpool_info() if i["user_api"] == "numext"]
        assert len(infos) == 1, infos
        with threadpool_limits(1):
            assert numext.get_num_threads() == 1
        print(infos[0]["num_threads"], numext.get_num_threads())
        """
    )
    a, b = out.split()
    assert a == b


def test_threadpoolctl_imported_first():
    out = run_python(
        """
        import threadpoolctl
        threadpoolctl.threadpool_info()  # caches the libraries seen before numext
        import numext
        infos = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "numext"]
        assert len(infos) == 1, infos
        print(infos[0]["num_threads"] == numext.get_num_threads())
        """
    )
    assert out.strip() == "True"


def test_env_var_shows_in_threadpool_info():
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import numext, threadpoolctl;"
            "print([i['num_threads'] for i in threadpoolctl.threadpool_info()"
            " if i['user_api'] == 'numext'])",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NUMEXT_NUM_THREADS": "3"},
        cwd=os.path.dirname(os.path.abspath(__file__)),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[3]"


def test_import_without_threadpoolctl():
    out = run_python(
        """
        import sys
        sys.modules["threadpoolctl"] = None  # makes `import threadpoolctl` fail
        import numext
        from numext import _threadpoolctl
        assert _threadpoolctl.register() is False
        print(numext.double_pixels(3))
        """
    )
    assert out.strip() == "6"
