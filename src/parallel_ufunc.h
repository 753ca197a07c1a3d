/*
 * numext._numext._ParallelUfunc: the object numext.parallel(u) returns.
 *
 * Calling it: a call with enough work and a loop that needs no Python API
 * runs on the pool, the simple case (ufunc_operands.h) as one 1-D iteration
 * (ufunc_simple.h), casts and general broadcasting through NumPy's iterator
 * (ufunc_general.h); every other call is u's own call, unchanged. Its
 * attributes are u's.
 */
#ifndef NUMEXT_PARALLEL_UFUNC_H
#define NUMEXT_PARALLEL_UFUNC_H

#include "numext_numpy.h"

/* Adds the type and its tuning constants to the module; -1 on error. */
int numext_add_parallel_ufunc(PyObject *module);

#endif
