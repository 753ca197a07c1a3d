/*
 * ufunc_iter_executor: run another ufunc's strided loop over a general call
 * (casts, broadcasting, any layout, overlap, where=) on numext's pool, with
 * NumPy's own iterator doing what NumPy's ufunc call does around the loop.
 *
 * One buffered, ranged NpyIter is made with the flags of NumPy's own ufunc
 * call (execute_ufunc_loop), so casts go through the same cast functions and
 * buffers; one NpyIter_Copy per extra thread is made with the GIL held (with
 * where=, a new iterator per thread: see make_copies), and
 * each task resets its thread's copy to its range of the iteration
 * (NpyIter_ResetToIterIndexRange) and runs the loop on every inner piece, as
 * NumPy's iterator documentation recommends for threads. With where= the
 * outputs are WRITEMASKED and the loop runs on the runs of True of the mask.
 */
#ifndef NUMEXT_UFUNC_ITER_EXECUTOR_H
#define NUMEXT_UFUNC_ITER_EXECUTOR_H

#include "ufunc_executor.h"

typedef struct {
    int nin, nout;
    /* inputs (arrays, any dtype), outputs (NULL: allocate), then the mask */
    PyArrayObject *op[NPY_MAXARGS + 1];
    PyArray_Descr *descr[NPY_MAXARGS];   /* the loop's dtypes, per operand */
    PyArrayObject *mask;                 /* where=, bool; or NULL */
    numext_ufunc_call_info *const *info; /* one per thread */
    int nthreads;
    size_t ntasks;
    npy_intp grain; /* ranges start at multiples of it (ufunc_general.c says why) */
} numext_iter_run;

/* GIL held on entry and exit (released inside). 1: ran, outs[o] holds a new
 * reference to output o (the array given or the one allocated), *fp_status
 * NumPy's NPY_FPE_* flags the loops and casts raised. 0: the iterator could
 * not be made or needs the Python API: nothing ran, no error set. -1: a loop
 * failed on some thread; no error set. */
int numext_iter_execute(const numext_iter_run *run, PyObject **outs, int *fp_status);

#endif
