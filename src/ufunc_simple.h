/*
 * ufunc_simple: the simple case (ufunc_operands.h) on the pool: Python
 * scalars converted to the loop's dtype, fresh outputs allocated, then the
 * loop over ranges of the one 1-D iteration (ufunc_executor.h).
 */
#ifndef NUMEXT_UFUNC_SIMPLE_H
#define NUMEXT_UFUNC_SIMPLE_H

#include "ufunc_loop_cache.h"
#include "ufunc_operands.h"

/* GIL held; `name` is u.__name__ for FP error messages. 1: done (u's result
 * or NULL with u's error in *result); 0: not the simple case after all (an
 * output of another dtype...), nothing ran; -1: a loop raised on the pool,
 * hand the call to u, which raises it as u does. No error set unless 1. */
int numext_simple_run(PyObject *ufunc, PyObject *name, ufunc_operands *ops,
                      numext_loop_entry *entry, int nthreads, size_t ntasks, PyObject **result);

#endif
