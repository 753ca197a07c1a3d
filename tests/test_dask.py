"""numext's ufuncs on dask arrays: blockwise, equal to NumPy, with the threaded
scheduler (several threads inside numext at once) and with dask.distributed
clusters on loopback (worker processes: the ufuncs travel pickled by name).

Each worker's numext pool is capped to the cores the worker was given, and the
tests check it on every worker with ``client.run(numext.get_num_threads)``.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading

import numpy as np
import pytest

import numext
from conftest import pool_threads
from helpers import assert_same_array, random_array

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")

# The scheduler's HTTP server moves off 8787 when another cluster holds it.
pytestmark = pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning")

# Enough bytes per block that numext splits each block over its pool.
BIG_BLOCK = 2 * numext._numext.PARALLEL_MIN_BYTES
CLUSTER_TIMEOUT = 60  # seconds, for start-up, every result and close


# -- pickling ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["double_pixels", "parallel_sum"])
def test_ufuncs_pickle_by_name(name):
    ufunc = getattr(numext, name)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(ufunc, protocol=protocol)
        assert pickle.loads(data) is ufunc
        assert len(data) < 200  # a reference by name, not the ufunc's loops
    cloudpickle = pytest.importorskip("cloudpickle")
    assert cloudpickle.loads(cloudpickle.dumps(ufunc)) is ufunc


# -- blockwise, local schedulers -----------------------------------------------


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
@pytest.mark.parametrize("dtype", ["uint8", "int16", "int64", "float32", "float64", "complex128"])
def test_double_pixels_blockwise(dtype, scheduler):
    x = random_array((60, 50), dtype)
    d = da.from_array(x, chunks=(16, 20))
    result = numext.double_pixels(d)
    assert isinstance(result, da.Array)
    assert result.chunks == d.chunks
    assert result.dtype == (x * 2).dtype
    assert_same_array(result.compute(scheduler=scheduler), x * 2)


def test_double_pixels_views_and_wider_dtype():
    x = random_array((8, 6), "uint8")
    d = da.from_array(x, chunks=(3, 6))
    assert_same_array(numext.double_pixels(d[:, ::2]).compute(), x[:, ::2] * 2)
    # dask drops a unary ufunc's dtype= and casts the uint8 result afterwards
    # (np.square(d, dtype=...) alike), so widen the input instead:
    assert_same_array(numext.double_pixels(d.astype(np.int16)).compute(), np.multiply(x, 2, dtype=np.int16))


@pytest.mark.parametrize("scheduler", ["sync", "threads"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int32", "uint8", "complex64"])
def test_parallel_sum_core_axis_in_one_chunk(dtype, scheduler):
    x = random_array((6, 10, 700), dtype)
    d = da.from_array(x, chunks=(2, 4, 700))  # core axis (last) in one chunk
    result = numext.parallel_sum(d)
    assert isinstance(result, da.Array)
    assert result.chunks == d.chunks[:-1]
    expected = np.sum(x, axis=-1)
    assert result.dtype == expected.dtype
    assert_same_array(result.compute(scheduler=scheduler), expected)


def test_parallel_sum_split_core_axis_needs_rechunk():
    x = random_array((4, 100), "float64")
    d = da.from_array(x, chunks=(2, 30))
    with pytest.raises(ValueError, match="(?i)core dimension"):
        numext.parallel_sum(d)
    assert_same_array(numext.parallel_sum(d.rechunk({-1: -1})).compute(), np.sum(x, axis=-1))


def test_numext_sum_and_double_accept_computed_blocks():
    # The array-level API runs inside map_blocks like any NumPy function.
    x = random_array((40, 300), "float64")
    d = da.from_array(x, chunks=(10, 300))
    rows = d.map_blocks(numext.sum, axis=1, drop_axis=1, dtype=x.dtype)
    assert_same_array(rows.compute(), np.sum(x, axis=1))
    assert_same_array(d.map_blocks(numext.double).compute(), x * 2)


def test_threaded_scheduler_calls_numext_from_several_threads_at_once():
    """Four dask threads enter numext at the same moment (a barrier lines them
    up) with a 2-thread pool: results stay exact and nothing deadlocks."""
    n_workers = 4
    barrier = threading.Barrier(n_workers, timeout=CLUSTER_TIMEOUT)
    callers: set[int] = set()
    lock = threading.Lock()

    def together(func):
        def run(block):
            with lock:
                callers.add(threading.get_ident())
            barrier.wait()
            return func(block)

        return run

    side = int(np.sqrt(BIG_BLOCK))
    img = random_array((n_workers * side, side), "uint8")
    x = random_array((n_workers * 64, BIG_BLOCK // 8 // 64), "float64")
    d_img = da.from_array(img, chunks=(side, side))
    d_x = da.from_array(x, chunks=(64, -1))
    with pool_threads(2):  # process-wide: dask's threads do not share this context
        # meta= keeps dask from calling the function at graph-build time.
        doubled = d_img.map_blocks(
            together(numext.double_pixels), dtype=np.uint8, meta=np.empty((0, 0), np.uint8)
        )
        (got_img,) = dask.compute(doubled, scheduler="threads", num_workers=n_workers)
        summed = d_x.map_blocks(
            together(numext.parallel_sum), drop_axis=1, dtype=np.float64, meta=np.empty((0,), np.float64)
        )
        (got_sum,) = dask.compute(summed, scheduler="threads", num_workers=n_workers)
        # And the plain ufunc call on many blocks, no barrier.
        got_direct = numext.double_pixels(d_img).compute(scheduler="threads", num_workers=n_workers)
    assert len(callers) == n_workers
    assert_same_array(got_img, img * 2)
    assert_same_array(got_sum, np.sum(x, axis=-1))
    assert_same_array(got_direct, img * 2)


# -- dask.distributed ----------------------------------------------------------


@contextlib.contextmanager
def _restored_environ():
    # A Nanny copies distributed.nanny.pre-spawn-environ into its own process's
    # os.environ (this test process for a LocalCluster); undo that.
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def local_client(**cluster_kwargs):
    """A LocalCluster listening on 127.0.0.1 only, closed on exit."""
    distributed = pytest.importorskip("distributed")
    # protocol="tcp": in-process clusters default to inproc://, whose address
    # (and the scheduler's HTTP server, started even without a dashboard)
    # would use the machine's network address instead of loopback.
    kwargs = dict(host="127.0.0.1", protocol="tcp", dashboard_address=None, silence_logs=40)
    kwargs.update(cluster_kwargs)
    with _restored_environ():
        cluster = distributed.LocalCluster(**kwargs)
        try:
            with distributed.Client(cluster, timeout=CLUSTER_TIMEOUT) as client:
                yield client
        finally:
            cluster.close(timeout=CLUSTER_TIMEOUT)


def compute(client, collection):
    return client.compute(collection).result(timeout=CLUSTER_TIMEOUT)


PRE_SPAWN_CAP = {"distributed.nanny.pre-spawn-environ.NUMEXT_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def process_client():
    """Two worker processes, one thread each, capped to one numext thread each
    through dask's config: distributed.nanny.pre-spawn-environ puts
    NUMEXT_NUM_THREADS=1 in each worker's environment before the process starts
    (LocalCluster(env=...) sets it only after start-up, too late for a script
    whose main module imports numext: spawned workers re-import it first)."""
    with dask.config.set(PRE_SPAWN_CAP):
        with local_client(processes=True, n_workers=2, threads_per_worker=1) as client:
            yield client


def test_process_workers_numext_threads_capped(process_client):
    counts = process_client.run(numext.get_num_threads)
    assert len(counts) == 2
    assert set(counts.values()) == {1}, counts
    pids = process_client.run(os.getpid)
    assert os.getpid() not in pids.values() and len(set(pids.values())) == 2


def test_process_workers_double_pixels(process_client):
    img = random_array((400, 300, 3), "uint8")
    d = da.from_array(img, chunks=(100, 300, 3))
    assert_same_array(compute(process_client, numext.double_pixels(d)), img * 2)
    x = random_array((50, 40), "float32")
    assert_same_array(compute(process_client, numext.double_pixels(da.from_array(x, chunks=10))), x * 2)


def test_process_workers_parallel_sum(process_client):
    x = random_array((64, 5000), "float64")
    d = da.from_array(x, chunks=(8, -1))
    assert_same_array(compute(process_client, numext.parallel_sum(d)), np.sum(x, axis=-1))
    i = random_array((20, 300), "int16")
    di = da.from_array(i, chunks=(5, -1))
    assert_same_array(compute(process_client, numext.parallel_sum(di)), np.sum(i, axis=-1))


def test_process_workers_submit_ufunc_directly(process_client):
    # A ufunc pickled by name as the function of a task.
    x = np.arange(10, dtype=np.int32)
    future = process_client.submit(numext.double_pixels, x, pure=False)
    assert_same_array(future.result(timeout=CLUSTER_TIMEOUT), x * 2)


SCRIPT = """
import numext                      # the main module imports numext at the top
import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster, WorkerPlugin


class NumextThreads(WorkerPlugin):
    name = "numext-threads"

    def __init__(self, n=None):
        self.n = n

    def setup(self, worker):
        import numext

        numext.set_num_threads(self.n or worker.state.nthreads)


def cluster(**kwargs):
    return LocalCluster(n_workers=1, processes=True, host="127.0.0.1",
                        dashboard_address=None, silence_logs=40, **kwargs)


if __name__ == "__main__":
    x = np.random.default_rng(0).standard_normal((16, 1000))
    with dask.config.set({"distributed.nanny.pre-spawn-environ.NUMEXT_NUM_THREADS": "1"}):
        with cluster(threads_per_worker=1) as c, Client(c, timeout=60) as client:
            pre_spawn = list(client.run(numext.get_num_threads).values())
            got = client.compute(numext.parallel_sum(da.from_array(x, chunks=(4, -1))))
            assert np.array_equal(got.result(timeout=60), np.sum(x, axis=-1))
    with cluster(threads_per_worker=1) as c, Client(c, timeout=60) as client:
        client.register_plugin(NumextThreads())
        plugin = list(client.run(numext.get_num_threads).values())
    print("caps", pre_spawn, plugin)
"""


def test_caps_hold_when_main_module_imports_numext(tmp_path):
    """A user script with `import numext` at the top: pre-spawn-environ and the
    worker plugin both cap the spawned workers' pools."""
    pytest.importorskip("distributed")
    script = tmp_path / "cap_numext_threads.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if k not in ("NUMEXT_NUM_THREADS", "PYTHONPATH")}
    env["PYTHONWARNINGS"] = "ignore"
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=2 * CLUSTER_TIMEOUT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "caps [1] [1]" in proc.stdout, proc.stdout + proc.stderr[-3000:]


def _numext_threads_plugin():
    distributed = pytest.importorskip("distributed")

    class NumextThreads(distributed.WorkerPlugin):
        """Cap numext's pool to the threads each worker was given (or to ``n``)."""

        name = "numext-threads"

        def __init__(self, n=None):
            self.n = n

        def setup(self, worker):
            import numext

            numext.set_num_threads(self.n or worker.state.nthreads)

    return NumextThreads


# The graph is pickled even for in-process workers, so the barrier lives in a
# module global and the task function is looked up by reference.
_BARRIER: list[threading.Barrier | None] = [None]


def _double_together(block):
    barrier = _BARRIER[0]
    assert barrier is not None
    barrier.wait()
    return numext.double_pixels(block)


def test_threads_cluster_several_threads_in_numext():
    """In-process workers (processes=False): 4 dask threads call numext at once.
    numext's pool is process-wide, so a worker plugin caps it for the process."""
    NumextThreads = _numext_threads_plugin()
    with local_client(processes=False, n_workers=1, threads_per_worker=4) as client:
        client.register_plugin(NumextThreads(n=2))
        assert list(client.run(numext.get_num_threads).values()) == [2]
        assert numext.get_num_threads() == 2  # same process

        n = 4
        side = int(np.sqrt(BIG_BLOCK))
        img = random_array((n * side, side), "uint8")
        d = da.from_array(img, chunks=(side, side))
        _BARRIER[0] = threading.Barrier(n, timeout=CLUSTER_TIMEOUT)
        try:
            doubled = d.map_blocks(_double_together, dtype=np.uint8, meta=np.empty((0, 0), np.uint8))
            got = compute(client, doubled)
        finally:
            _BARRIER[0] = None
        assert_same_array(got, img * 2)

        x = random_array((n * 16, 8192), "float64")  # 1 MiB blocks: split over the pool
        dx = da.from_array(x, chunks=(16, -1))
        assert_same_array(compute(client, numext.parallel_sum(dx)), np.sum(x, axis=-1))
        assert_same_array(compute(client, numext.double_pixels(dx)), x * 2)


def test_worker_plugin_defaults_to_worker_threads():
    NumextThreads = _numext_threads_plugin()
    with local_client(processes=False, n_workers=1, threads_per_worker=1) as client:
        client.register_plugin(NumextThreads())
        assert list(client.run(numext.get_num_threads).values()) == [1]
