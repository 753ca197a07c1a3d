/*
 * ufunc_executor: run another ufunc's strided loop (as NumPy's
 * ufunc._get_strided_loop hands it out) over ranges of one 1-D iteration on
 * numext's pool, with the GIL released.
 *
 * Each thread uses its own (context, auxdata) pair, since some auxdata is
 * written by its loop. Floating-point flags raised on workers are carried
 * back to the calling thread (parallel_for); Python errors raised by a loop
 * on any thread mark the run failed (worker_pyerr), leaving no error set.
 */
#ifndef NUMEXT_UFUNC_EXECUTOR_H
#define NUMEXT_UFUNC_EXECUTOR_H

#include "numext_numpy.h"

#include <numpy/dtype_api.h>

/* The filled capsule from ufunc._get_strided_loop (its public prefix). */
typedef struct {
    PyArrayMethod_StridedLoop *strided_loop;
    PyArrayMethod_Context *context;
    NpyAuxData *auxdata;
    npy_bool requires_pyapi;
    npy_bool no_floatingpoint_errors;
} numext_ufunc_call_info;

#define NUMEXT_UFUNC_CALL_INFO_NAME "numpy_1.24_ufunc_call_info"

/* One call: nop operands (inputs then outputs) seen as 1-D arrays of n
 * elements; a broadcast operand has stride 0. */
typedef struct {
    int nop;
    npy_intp n;
    char *data[NPY_MAXARGS];
    npy_intp strides[NPY_MAXARGS];
    npy_intp out_itemsize; /* of operand nop-1, to cut at its cache lines */
    const char *mask;      /* where=: the loop runs on runs of True; or NULL */
    npy_intp mask_stride;
    numext_ufunc_call_info *const *info; /* one per thread */
    int nthreads;                        /* threads allowed, <= infos available */
    size_t ntasks;                       /* ranges wanted */
} numext_ufunc_run;

/* The loop on n elements at data/strides, or, with a mask, on each run of
 * True of it (as NumPy's masked loop calls the unmasked one). No GIL needed;
 * -1 when the loop failed. */
int numext_ufunc_loop_masked(const numext_ufunc_call_info *info, int nop, char *const *data,
                             const npy_intp *strides, npy_intp n, const char *mask,
                             npy_intp mask_stride);

/* GIL held on entry and exit (released inside). Returns 0, or -1 if a loop
 * failed on some thread; no Python error is set either way. `*fp_status`
 * gets NumPy's NPY_FPE_* flags raised by the loops (cleared before the run). */
int numext_ufunc_execute(const numext_ufunc_run *run, int *fp_status);

#endif
