"""Faults: worker threads that cannot be created (the test hook, and a real
low RLIMIT_NPROC), allocations that fail (MemoryError, never a crash), and the
default thread count under a restricted CPU affinity and cgroup v2 quotas.

Most of these run in a fresh subprocess: the pool is process-wide and only
workers not yet created are affected by a creation failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import numext
from conftest import PARALLEL_BYTES, pool_threads
from helpers import assert_same_array

# The extension may be built with AddressSanitizer (CI): address-space limits
# cannot work there (ASan reserves terabytes of shadow memory up front).
UNDER_ASAN = (
    os.environ.get("NUMEXT_SANITIZED") == "1"
    or "asan" in os.environ.get("LD_PRELOAD", "").lower()
    or "ASAN_OPTIONS" in os.environ
)


def run_python(code: str, cwd, env_extra: dict | None = None, timeout: float = 180) -> dict:
    """Run `code` in a fresh interpreter (not in the checkout); it prints one JSON line last."""
    env = dict(os.environ)
    env.pop("NUMEXT_NUM_THREADS", None)
    env["OPENBLAS_NUM_THREADS"] = "1"  # no BLAS threads: thread counts stay ours
    env["OMP_NUM_THREADS"] = "1"
    env.update(env_extra or {})
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:{proc.stdout[-2000:]}\nstderr:{proc.stderr[-3000:]}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


CHECKS = """
import json, os, sys
import numpy as np
import numext
from numext import _numext

PARALLEL_BYTES = {parallel_bytes}

def checks():
    # Big enough that a 4-thread pool would use every thread.
    rng = np.random.default_rng(0)
    x = rng.standard_normal(4 * PARALLEL_BYTES // 8)
    rows = x.reshape(4, -1)
    u8 = rng.integers(0, 256, 8 * PARALLEL_BYTES, dtype=np.uint8)
    ok = bool(np.array_equal(numext.double_pixels(x), x * 2))
    ok &= bool(np.array_equal(numext.parallel_sum(rows), np.sum(rows, axis=-1)))
    ok &= bool(numext.parallel_sum(x) == np.sum(x))
    ok &= bool(np.array_equal(numext.double(u8), u8 * 2))
    ok &= bool(numext.sum(u8) == np.sum(u8))
    out = np.empty_like(x)
    numext.double_pixels(x, out=out)
    ok &= bool(np.array_equal(out, x * 2))
    return ok
""".replace("{parallel_bytes}", str(PARALLEL_BYTES))


# ---------------------------------------------------------------------------
# Thread creation failing: the test hook.


def test_create_failure_before_first_use(tmp_path):
    res = run_python(
        CHECKS
        + """
_numext._testing.simulate_thread_create_failure(0)
numext.set_num_threads(4)
ok = checks()
alive = _numext._testing.pool_workers_alive()
# Setting the size again retries creation: it fails again, still fine.
numext.set_num_threads(4)
ok &= checks()
alive_again = _numext._testing.pool_workers_alive()
# Hook off: the next size change lets workers be created.
_numext._testing.simulate_thread_create_failure(-1)
numext.set_num_threads(4)
ok &= checks()
print(json.dumps(dict(ok=ok, alive=alive, alive_again=alive_again,
                      alive_after=_numext._testing.pool_workers_alive(), max_busy=_numext._testing.pool_max_busy())))
""",
        tmp_path,
    )
    assert res["ok"]
    assert res["alive"] == 0
    assert res["alive_again"] == 0
    assert 1 <= res["alive_after"] <= 3
    assert res["max_busy"] <= 4


@pytest.mark.parametrize("size", [3, 4, 8])
def test_create_failure_after_one(tmp_path, size):
    res = run_python(
        CHECKS
        + f"""
_numext._testing.simulate_thread_create_failure(1)
numext.set_num_threads({size})
ok = checks()
alive = _numext._testing.pool_workers_alive()
# Many Python threads at once on a pool that has fewer workers than its size.
import threading
errors = []
def hammer():
    for _ in range(5):
        if not checks():
            errors.append(1)
ts = [threading.Thread(target=hammer) for _ in range(6)]
for t in ts: t.start()
for t in ts: t.join(120)
print(json.dumps(dict(ok=ok and not errors, alive=alive, stuck=sum(t.is_alive() for t in ts),
                      alive_end=_numext._testing.pool_workers_alive(), max_busy=_numext._testing.pool_max_busy())))
""",
        tmp_path,
    )
    assert res["ok"]
    assert res["stuck"] == 0
    assert res["alive"] == 1
    assert res["alive_end"] == 1
    assert res["max_busy"] <= {3: 3, 4: 4, 8: 8}[size]


def test_create_failure_in_this_process():
    """In-process: only workers not yet created are affected, so grow the pool."""
    before = numext._numext._testing.pool_workers_alive()
    x = np.arange(16 * PARALLEL_BYTES // 8, dtype=np.float64)
    rows = x.reshape(16, -1)
    try:
        numext._numext._testing.simulate_thread_create_failure(0)
        with pool_threads(before + 4):
            assert_same_array(numext.parallel_sum(rows), np.sum(rows, axis=-1))
            assert_same_array(numext.double_pixels(x), x * 2)
            assert numext._numext._testing.pool_workers_alive() == before
        numext._numext._testing.simulate_thread_create_failure(2)
        with pool_threads(before + 6):
            assert_same_array(numext.parallel_sum(rows), np.sum(rows, axis=-1))
            assert numext._numext._testing.pool_workers_alive() <= before + 2
    finally:
        numext._numext._testing.simulate_thread_create_failure(-1)
    with pool_threads(before + 4):
        assert_same_array(numext.parallel_sum(rows), np.sum(rows, axis=-1))


def test_simulate_hook_argument_types():
    with pytest.raises(TypeError):
        numext._numext._testing.simulate_thread_create_failure("1")
    with pytest.raises(OverflowError):
        numext._numext._testing.simulate_thread_create_failure(2**80)
    numext._numext._testing.simulate_thread_create_failure(-(2**40))  # clamps to "off"
    numext._numext._testing.simulate_thread_create_failure(-1)


# ---------------------------------------------------------------------------
# A real RLIMIT_NPROC.

_NPROC = """
# Everything imported before dropping to 'nobody', who may not be able to
# read the interpreter's files (e.g. under /root).
import pwd, resource, threading, zlib
import numpy.random
np.random.default_rng(0).standard_normal(4)
def own_tasks():
    return len(os.listdir("/proc/self/task"))

def drop_to(limit_extra):
    # Root is exempt from RLIMIT_NPROC: become 'nobody' first.
    if os.getuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.setgroups([])
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)
    # Tasks of this real uid elsewhere count as well.
    uid = os.getuid()
    others = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("Uid:") and int(line.split()[1]) == uid:
                            others += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
    limit = others + own_tasks() + limit_extra
    resource.setrlimit(resource.RLIMIT_NPROC, (limit, hard))
    return limit, others
"""


@pytest.mark.parametrize("extra_threads", [0, 1])
def test_real_rlimit_nproc(tmp_path, extra_threads):
    if os.getuid() == 0:
        import pwd

        try:
            pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("running as root and there is no 'nobody' user to switch to")
    # The subprocess must be able to read its own files as nobody.
    os.chmod(tmp_path, 0o755)
    res = run_python(
        CHECKS
        + _NPROC
        + f"""
try:
    limit, others = drop_to({extra_threads})
except (PermissionError, OSError, ValueError) as exc:
    print(json.dumps(dict(skip=repr(exc))))
    sys.exit(0)
# Is the limit really enforced? Of extra_threads + 1 live threads the last
# must fail to start.
enforced = False
gate = threading.Event()
live = []
try:
    for _ in range({extra_threads} + 1):
        t = threading.Thread(target=gate.wait)
        t.start()
        live.append(t)
except RuntimeError:
    enforced = True
gate.set()
for t in live:
    t.join()
numext.set_num_threads(4)
ok = checks()
print(json.dumps(dict(ok=ok, alive=_numext._testing.pool_workers_alive(), enforced=enforced,
                      limit=limit, others=others, uid=os.getuid())))
""",
        tmp_path,
    )
    if "skip" in res:
        pytest.skip(f"cannot lower RLIMIT_NPROC here: {res['skip']}")
    if not res["enforced"]:
        pytest.skip(f"RLIMIT_NPROC not enforced for uid {res['uid']} here (limit {res['limit']})")
    assert res["ok"]
    assert res["alive"] <= extra_threads


# ---------------------------------------------------------------------------
# Allocation failures.


def _np_error(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001
        return type(exc)
    return None


@pytest.mark.parametrize(
    "make,call,np_call",
    [
        (
            lambda: np.broadcast_to(np.uint8(1), (2**40,)),
            lambda a: numext.double_pixels(a),
            lambda a: np.multiply(a, 2),
        ),
        (
            lambda: np.broadcast_to(np.float64(1), (2**40,)),
            lambda a: numext.double(a),
            lambda a: a * 2,
        ),
        (
            lambda: np.broadcast_to(np.complex128(1), (2**20, 2**20)),
            lambda a: numext.double_pixels(a),
            lambda a: np.multiply(a, 2),
        ),
        (
            lambda: np.broadcast_to(np.float64(1), (2**42, 2)),
            lambda a: numext.parallel_sum(a),
            lambda a: np.sum(a, axis=-1),
        ),
        (
            lambda: np.broadcast_to(np.int8(1), (2**42, 3)),
            lambda a: numext.sum(a, axis=1),
            lambda a: np.sum(a, axis=1),
        ),
        (
            lambda: np.broadcast_to(np.float32(1), (2**41, 2)),
            lambda a: numext.parallel_sum(a, dtype=np.float64),
            lambda a: np.sum(a, axis=-1, dtype=np.float64),
        ),
    ],
    ids=["double_pixels-u8", "double-f8", "double_pixels-c16-2d", "parallel_sum", "sum-axis1", "parallel_sum-dtype"],
)
def test_unallocatable_output_is_memory_error(make, call, np_call):
    a = make()
    expected = _np_error(lambda: np_call(a))
    assert expected is not None and issubclass(expected, MemoryError), f"NumPy gave {expected}"
    with pytest.raises(MemoryError):
        call(a)
    # And nothing broke.
    x = np.arange(PARALLEL_BYTES // 8, dtype=np.float64)
    assert_same_array(numext.parallel_sum(x), np.sum(x))


@pytest.mark.skipif(UNDER_ASAN, reason="RLIMIT_AS cannot work under AddressSanitizer")
def test_rlimit_as(tmp_path):
    """Under a tight address-space limit: results right, or MemoryError where
    NumPy's own equivalent raises one; never a crash. Worker stacks (2 MiB
    each) may fail to map too: fewer threads, same answers."""
    res = run_python(
        CHECKS
        + """
import resource
x = np.random.default_rng(1).standard_normal(40 * 2**20 // 8)   # 40 MiB
rows = x.reshape(8, -1)
expected_rows = np.sum(rows, axis=-1)
expected_all = np.sum(x)
def vm_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
results = {}
def attempt(name, fn, expected=None):
    try:
        r = fn()
        results[name] = "ok" if expected is None or np.array_equal(r, expected) else "WRONG"
    except MemoryError:
        results[name] = "MemoryError"
# Leave ~24 MiB of headroom: a 40 MiB output cannot be made, small ones can.
resource.setrlimit(resource.RLIMIT_AS, (vm_bytes() + 24 * 2**20, resource.RLIM_INFINITY))
numext.set_num_threads(4)
attempt("parallel_sum_rows", lambda: numext.parallel_sum(rows), expected_rows)
attempt("parallel_sum_row", lambda: numext.parallel_sum(x), expected_all)
attempt("sum", lambda: numext.sum(x), expected_all)
attempt("sum_axis0", lambda: numext.sum(rows, axis=0))
attempt("double_pixels", lambda: numext.double_pixels(x))
attempt("np_multiply", lambda: np.multiply(x, 2))
attempt("parallel_sum_cast", lambda: numext.parallel_sum(rows, dtype=np.float32))
attempt("np_sum_cast", lambda: np.sum(rows.astype(np.float32), axis=-1))
out = np.empty(16, np.float64)
attempt("double_pixels_small", lambda: numext.double_pixels(x[:16], out=out), x[:16] * 2)
resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
ok = checks()
print(json.dumps(dict(results=results, ok=ok, alive=_numext._testing.pool_workers_alive())))
""",
        tmp_path,
    )
    r = res["results"]
    print(f"\n  under RLIMIT_AS: {r}, workers alive {res['alive']}")
    assert res["ok"], res
    assert "WRONG" not in r.values(), r
    # Summing allocates (almost) nothing: it must still work.
    assert r["parallel_sum_rows"] == "ok", r
    assert r["parallel_sum_row"] == "ok", r
    assert r["sum"] == "ok", r
    assert r["double_pixels_small"] == "ok", r
    # A 40 MiB output cannot fit: NumPy raises MemoryError, so must numext.
    assert r["np_multiply"] == "MemoryError", r
    assert r["double_pixels"] == "MemoryError", r


# ---------------------------------------------------------------------------
# Default thread count: affinity and cgroup quota.


@pytest.mark.parametrize("cpus", [{0}, "first-two"])
def test_default_threads_follow_affinity(tmp_path, cpus):
    available = sorted(os.sched_getaffinity(0))
    if cpus == "first-two":
        if len(available) < 2:
            pytest.skip("needs two CPUs")
        cpus = set(available[:2])
    elif not cpus <= set(available):
        cpus = {available[0]}
    res = run_python(
        f"""
import os, json
os.sched_setaffinity(0, {sorted(cpus)!r})
import numext
from numext import _threads
limit = _threads._cgroup_cpu_limit()
print(json.dumps(dict(default=numext.default_num_threads(), threads=numext.get_num_threads(),
                      affinity=numext._numext._affinity_cpus(), limit=limit)))
""",
        tmp_path,
    )
    expected = len(cpus) if res["limit"] is None else min(len(cpus), res["limit"])
    assert res["affinity"] == len(cpus)
    assert res["default"] == expected
    assert res["threads"] == expected


def _cgroup_tree(tmp_path, files: dict[str, str], proc_line: str | None):
    root = tmp_path / "cgroup"
    root.mkdir()
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    proc = tmp_path / "proc_self_cgroup"
    if proc_line is not None:
        proc.write_text(proc_line)
    return str(root), str(proc)


@pytest.mark.parametrize(
    "files,proc_line,expected",
    [
        ({"cpu.max": "max 100000\n"}, "0::/\n", None),
        ({"cpu.max": "200000 100000\n"}, "0::/\n", 2),
        ({"cpu.max": "150000 100000\n"}, "0::/\n", 2),
        ({"cpu.max": "100000 100000\n"}, "0::/\n", 1),
        ({"cpu.max": "1000 100000\n"}, "0::/\n", 1),  # a sliver of a CPU is still one
        ({"cpu.max": "6400000 100000"}, "0::/\n", 64),
        # Nested: every level from ours up to the root may limit; the smallest wins.
        (
            {"cpu.max": "max 100000", "a/cpu.max": "100000 100000", "a/b/cpu.max": "400000 100000"},
            "0::/a/b\n",
            1,
        ),
        (
            {"cpu.max": "300000 100000", "a/cpu.max": "max 100000", "a/b/cpu.max": "500000 100000"},
            "0::/a/b\n",
            3,
        ),
        ({"a/b/cpu.max": "250000 100000"}, "0::/a/b\n", 3),  # missing levels skipped
        # Garbage at one level is ignored, the others still count.
        ({"cpu.max": "garbage", "a/cpu.max": "200000 100000"}, "0::/a\n", 2),
        ({"cpu.max": "", "a/cpu.max": "x y z"}, "0::/a\n", None),
        ({"cpu.max": "100000"}, "0::/\n", None),  # one field
        ({"cpu.max": "100000 0"}, "0::/\n", None),  # zero period
        ({"cpu.max": "-5 100000"}, "0::/\n", 1),
        ({"cpu.max": "1.5 100000"}, "0::/\n", None),
        ({"cpu.max": "\x00\xff binary"}, "0::/\n", None),
        # cgroup v1 lines only, or no /proc/self/cgroup: the root's cpu.max.
        ({"cpu.max": "200000 100000"}, "4:memory:/x\n1:cpu:/y\n", 2),
        ({"cpu.max": "200000 100000"}, None, 2),
        ({}, "0::/a\n", None),
        # The v2 line among v1 lines.
        ({"cpu.max": "max 100000", "k/cpu.max": "300000 100000"}, "12:cpu:/z\n0::/k\n3:pids:/\n", 3),
    ],
    ids=lambda v: repr(v)[:40] if not isinstance(v, (int, type(None))) else str(v),
)
def test_cgroup_cpu_limit_fake_tree(tmp_path, files, proc_line, expected):
    root, proc = _cgroup_tree(tmp_path, files, proc_line)
    assert numext._threads._cgroup_cpu_limit(root=root, proc_cgroup=proc) == expected


def test_cgroup_cpu_limit_unreadable(tmp_path):
    root, proc = _cgroup_tree(tmp_path, {"cpu.max/oops": "x"}, "0::/\n")  # cpu.max is a folder
    assert numext._threads._cgroup_cpu_limit(root=root, proc_cgroup=proc) is None
    absent = str(tmp_path / "absent")
    assert numext._threads._cgroup_cpu_limit(root=absent, proc_cgroup=absent) is None


def test_default_threads_capped_by_cgroup(monkeypatch):
    affinity = numext._numext._affinity_cpus()
    monkeypatch.setattr(numext._threads, "_cgroup_cpu_limit", lambda: 1)
    assert numext.default_num_threads() == 1
    monkeypatch.setattr(numext._threads, "_cgroup_cpu_limit", lambda: None)
    assert numext.default_num_threads() == min(affinity, numext._numext.MAX_THREADS)
    monkeypatch.setattr(numext._threads, "_cgroup_cpu_limit", lambda: affinity + 10)
    assert numext.default_num_threads() == min(affinity, numext._numext.MAX_THREADS)


def test_cgroup_quota_applies_at_import(tmp_path):
    """The import-time configuration sizes the pool from the quota reader: with
    a 1-CPU quota reported, a fresh interpreter's pool has 1 thread."""
    res = run_python(
        """
import json
import numext._threads as t
# The package's import already configured the pool once (with the real
# quota); run the same configuration again with the reader reporting 1 CPU.
t._cgroup_cpu_limit = lambda *a, **k: 1
t._configure_at_import()
import numext
print(json.dumps(dict(threads=numext.get_num_threads(), default=numext.default_num_threads())))
""",
        tmp_path,
    )
    assert res == {"threads": 1, "default": 1}


@pytest.mark.skipif(UNDER_ASAN, reason="RLIMIT_AS cannot work under AddressSanitizer")
def test_rlimit_as_no_room_for_worker_stacks(tmp_path):
    """A real pthread_create failure: no address space left for a worker's
    stack. The pool runs on the threads it has; answers stay right."""
    res = run_python(
        CHECKS
        + """
import resource
rng = np.random.default_rng(2)
x = rng.standard_normal(4 * PARALLEL_BYTES // 8)
rows = x.reshape(4, -1)
expected_rows = np.sum(rows, axis=-1)
expected_double = x * 2
out = np.empty_like(x)
def vm_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
# Under 2 MiB of headroom: not even one worker stack fits.
resource.setrlimit(resource.RLIMIT_AS, (vm_bytes() + 1 * 2**20, resource.RLIM_INFINITY))
numext.set_num_threads(4)
ok = True
errors = []
for _ in range(3):
    try:
        ok &= bool(np.array_equal(numext.parallel_sum(rows), expected_rows))
        numext.double_pixels(x, out=out)
        ok &= bool(np.array_equal(out, expected_double))
    except MemoryError as exc:
        errors.append(repr(exc))
alive = _numext._testing.pool_workers_alive()
resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
numext.set_num_threads(4)   # creation is retried after a size change
ok &= checks()
print(json.dumps(dict(ok=ok, errors=errors, alive=alive, alive_after=_numext._testing.pool_workers_alive())))
""",
        tmp_path,
    )
    print(f"\n  no room for stacks: {res}")
    assert res["ok"], res
    assert res["alive"] == 0, res
    assert res["alive_after"] >= 1, res
