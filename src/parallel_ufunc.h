/*
 * numext._numext._ParallelUfunc: the object numext.parallel(u) returns.
 *
 * Calling it: the simple case (ufunc_operands.h) with a loop that needs no
 * Python API and enough work runs on the pool (ufunc_executor.h); every
 * other call is u's own call, unchanged. Its attributes are u's.
 */
#ifndef NUMEXT_PARALLEL_UFUNC_H
#define NUMEXT_PARALLEL_UFUNC_H

#include "numext_numpy.h"

/* Adds the type and its tuning constants to the module; -1 on error. */
int numext_add_parallel_ufunc(PyObject *module);

#endif
