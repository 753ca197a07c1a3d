/*
 * ufunc_call_bound: the most elements a ufunc call can iterate over, read
 * from its arguments alone (no collection, no layout checks), so that a call
 * certainly too small for the pool goes to u's own call at once.
 *
 * Only the common forms are bounded: inputs that are exact ndarrays, Python
 * float/int/complex or NumPy numeric scalars; outputs given positionally or
 * as out= (an exact ndarray, None, or a tuple of them); where= as an exact
 * ndarray or True; other keywords (dtype=, signature=, casting=...) change no
 * shape and are passed over. The bound is the product over broadcast axes of the
 * largest extent any array operand has there: the iteration's size whenever
 * the operands broadcast, never less (two 1e3 inputs shaped (1000, 1) and
 * (1, 1000) give 1e6). Anything else is "not bounded" and takes the full
 * path. Never sets a Python error.
 */
#ifndef NUMEXT_UFUNC_CALL_BOUND_H
#define NUMEXT_UFUNC_CALL_BOUND_H

#include "numext_numpy.h"

/* The bound, with each input's cache key (ufunc_operands.h) in key[0..nin);
 * -1: not bounded. `out_name` and `where_name` are the interned keywords. */
npy_intp numext_call_bound(int nin, int nout, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames, PyObject *out_name, PyObject *where_name,
                           PyObject **key);

#endif
