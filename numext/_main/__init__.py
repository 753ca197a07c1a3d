"""``python -m numext``: the tutorial "Python extensions that escape the GIL", measured.

The tutorial doubles every pixel of a 512x512x3 uint8 image and a float array,
sums an array with a pure-Python ``calculate_sum`` run by 4 Python threads, and
ends with a table: pure Python 1x, native 2-5x, native without the GIL 2-5x,
native + threads 10-50x. The main job reproduces that with measured figures:

1. a short demonstration: what runs, and that numext's results equal NumPy's;
2. the machine's memory bandwidth (copy and read), measured in the same run;
3. one table per case, (a) image doubling, (b) float64 doubling, (c) float64
   sum: pure Python, NumPy, numext at each thread count, numext called from 4
   Python threads at once, numexpr and Numba where installed;
4. the tutorial's own table with the measured speed-ups beside its claims;
5. extra showcase sections, registered in ``extras.py`` (``EXTRA_SECTIONS``:
   the one place to plug in a new section; its docstring gives the signature).

Options: ``python -m numext --help``. Pure-Python loops are timed on a subset
(about 1e5 elements) and scaled per element, so the default run takes seconds.

Where things are, in reading order:

- ``cli.py``: ``main()``, the run from start to finish;
- ``config.py``: the command line and what a run measures (``Config``);
- ``tutorial.py``: the tutorial's pure-Python code, the baseline;
- ``cases.py``: what is compared: the demonstration's checks and the tables;
- ``libraries.py``: numexpr and Numba, when installed;
- ``results.py``: ``Section`` and ``Row``, how a result is judged, speed-ups;
- ``measure.py``: interleaved timing, memory bandwidth, other processes' load;
- ``report.py``, ``formatting.py``, ``plot.py``: the text report, JSON, plot;
- ``extras.py``: the registration point for extra sections.
"""

from .cli import main

__all__ = ["main"]
