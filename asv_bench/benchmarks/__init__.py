"""asv benchmarks for numext: every numext call timed beside NumPy's own call."""
