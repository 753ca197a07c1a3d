/*
 * ufunc_general: a call the simple case (ufunc_operands.h) does not cover,
 * run on the pool through NumPy's iterator (ufunc_iter_executor.h): inputs
 * that need a cast, outputs of another dtype, dtype=, signature=, casting=,
 * general broadcasting and layouts, overlapping outputs.
 *
 * The loop and its dtypes are what NumPy resolves for exactly this call
 * (ufunc._resolve_dtypes_and_context with the outputs' dtypes, signature and
 * casting, which also validates the casts); a call NumPy would refuse, or
 * one that needs the Python API, is handed back to u, which raises or runs it.
 */
#ifndef NUMEXT_UFUNC_GENERAL_H
#define NUMEXT_UFUNC_GENERAL_H

#include "ufunc_loop_cache.h"
#include "ufunc_operands.h"

typedef struct {
    PyObject *ufunc;
    PyObject *name;           /* u.__name__, for FP error messages */
    numext_loop_entry *entry; /* the inputs' cache entry (usable for the pool) */
    int nthreads;
    size_t ntasks;
    npy_intp n; /* elements in the broadcast iteration */
} numext_general_call;

/* GIL held. 1: done, *result is u's result or NULL with u's error set;
 * 0: hand the call to u (no error set). */
int numext_general_run(const numext_general_call *call, const ufunc_operands *ops,
                       PyObject **result);

#endif
