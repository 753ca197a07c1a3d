"""The tutorial's pure-Python code, as it stands there: the baseline every row is measured against."""

from __future__ import annotations

import math
import threading

PY_THREADS = 4  # the tutorial's 4 Python threads


def double_pixels_py(image: list) -> list:
    """Every channel of every pixel, doubled in a Python loop (uint8 wraps, as in NumPy)."""
    result = []
    for row in image:
        new_row = []
        for pixel in row:
            new_row.append([(value * 2) % 256 for value in pixel])
        result.append(new_row)
    return result


def double_py(values: list) -> list:
    """Doubling a list of floats in a Python loop."""
    result = [0.0] * len(values)
    for i in range(len(values)):
        result[i] = values[i] * 2
    return result


def calculate_sum(numbers: list) -> float:
    """The tutorial's ``calculate_sum``."""
    total = 0
    for number in numbers:
        total += number
    return total


def calculate_sum_threaded(numbers: list, nthreads: int = PY_THREADS) -> float:
    """``calculate_sum`` split over ``nthreads`` Python threads, as in the tutorial.

    The GIL lets one thread run Python code at a time, so this is no faster
    than one thread (usually a little slower).
    """
    chunk = math.ceil(len(numbers) / nthreads)
    partial_sums = [0.0] * nthreads

    def worker(i: int) -> None:
        partial_sums[i] = calculate_sum(numbers[i * chunk : (i + 1) * chunk])

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(nthreads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return calculate_sum(partial_sums)
