"""GIL release: K=4 Python threads each calling at once vs the same calls one after another.

With the GIL released the concurrent calls overlap (at most ``cpus`` at a time);
with it held they would take as long as the sequential ones. NumPy releases
the GIL in these loops too, so its figures are the reference.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import numext

from .common import IMPLS, THREADS, ThreadsBenchmark, empty_touched, make

K = 4
ELEMENTS = 2**20  # per call: 1 MiB of uint8 pixels, 8 MiB of float64


class ConcurrentCalls(ThreadsBenchmark):
    params = [["double_pixels", "parallel_sum"], ["concurrent", "sequential"], THREADS, IMPLS]
    param_names = ["kernel", "mode", "threads", "impl"]

    def setup(self, kernel, mode, threads, impl):
        if kernel == "double_pixels":
            inputs = [make(ELEMENTS, "uint8", seed=i) for i in range(K)]
            outs = [empty_touched(x) for x in inputs]
            f = numext.double_pixels if impl == "numext" else np.multiply
            if impl == "numext":
                self.calls = [functools.partial(f, x, out=o) for x, o in zip(inputs, outs)]
            else:
                self.calls = [functools.partial(f, x, 2, out=o) for x, o in zip(inputs, outs)]
        else:
            # make() keeps the last 3 arrays only: hold our own references.
            inputs = [make(ELEMENTS, "float64", seed=i) for i in range(K)]
            f = numext.parallel_sum if impl == "numext" else np.sum
            self.calls = [functools.partial(f, x) for x in inputs]
        self.inputs = inputs
        self.pool = ThreadPoolExecutor(K) if mode == "concurrent" else None
        if self.pool is not None:
            list(self.pool.map(lambda c: c(), self.calls))  # start the threads now
        self.set_threads(threads)

    def teardown(self, kernel, mode, threads, impl):
        if self.pool is not None:
            self.pool.shutdown()
        super().teardown()

    def time_calls(self, kernel, mode, threads, impl):
        if self.pool is not None:
            for f in [self.pool.submit(c) for c in self.calls]:
                f.result()
        else:
            for c in self.calls:
                c()
