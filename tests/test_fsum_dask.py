"""numext.fsum on dask arrays: reductions over exact accumulator states, the
same bits as numext.fsum of the NumPy array for every chunking, with the
threaded scheduler and a distributed cluster of worker processes; and
numext.exact_sum through dask's gufunc support."""

from __future__ import annotations

import math

import numpy as np
import pytest

import numext
from helpers import assert_same_bits
from test_fsum import wide_data


@pytest.mark.parametrize("dtype", ["f8", "f4", "i8", "c16"])
@pytest.mark.parametrize("axis", [None, 0, 1, (0, 2), (2, 1)])
def test_dask_same_bits_for_every_chunking(dtype, axis):
    da = pytest.importorskip("dask.array")
    base = wide_data((20, 9, 31), seed=7)
    normal = np.random.default_rng(8).standard_normal(base.shape)
    if dtype == "c16":
        x = base + 1j * normal
    elif dtype == "i8":
        x = (normal * 2.0**58).astype(np.int64)
    elif dtype == "f4":
        x = (normal * np.ldexp(1.0, np.arange(base.size).reshape(base.shape) % 40 - 20)).astype(dtype)
    else:
        x = base
    expected = numext.fsum(x, axis=axis)
    for chunks in [(20, 9, 31), (7, 4, 10), (1, 9, 5), (3, 2, 31)]:
        d = da.from_array(x, chunks=chunks)
        lazy = numext.fsum(d, axis=axis)
        assert isinstance(lazy, da.Array)
        assert_same_bits(lazy.compute(scheduler="threads"), expected)
    kept = numext.fsum(da.from_array(x, chunks=(7, 4, 10)), axis=axis, keepdims=True)
    assert_same_bits(kept.compute(scheduler="threads"), numext.fsum(x, axis=axis, keepdims=True))


def test_dask_split_every_and_float32_result():
    da = pytest.importorskip("dask.array")
    x = np.random.default_rng(9).standard_normal((64, 40)) * 1e30
    d = da.from_array(x, chunks=(4, 5))
    assert_same_bits(numext.fsum(d, axis=0, dtype=np.float32).compute(), numext.fsum(x, axis=0, dtype=np.float32))
    assert_same_bits(numext.fsum(d).compute(), np.float64(math.fsum(x.ravel().tolist())))


def test_dask_exact_sum_gufunc_like_parallel_sum():
    da = pytest.importorskip("dask.array")
    x = wide_data((30, 200), seed=10)
    d = da.from_array(x, chunks=(7, -1))
    lazy = numext.exact_sum(d)
    assert isinstance(lazy, da.Array)
    assert_same_bits(lazy.compute(scheduler="threads"), numext.exact_sum(x))


@pytest.mark.filterwarnings("ignore:Port .* is already in use:UserWarning")
def test_dask_process_cluster_same_bits():
    pytest.importorskip("distributed")
    da = pytest.importorskip("dask.array")
    from test_dask import local_client

    x = wide_data((40, 300), seed=11)
    with local_client(processes=True, n_workers=2, threads_per_worker=1) as client:
        for chunks, axis in [((7, 300), None), ((40, 33), 0), ((9, 50), 1)]:
            lazy = numext.fsum(da.from_array(x, chunks=chunks), axis=axis)
            got = client.compute(lazy).result(timeout=60)
            assert_same_bits(got, numext.fsum(x, axis=axis))
        got = client.compute(numext.exact_sum(da.from_array(x, chunks=(10, -1)))).result(timeout=60)
        assert_same_bits(got, numext.exact_sum(x))


