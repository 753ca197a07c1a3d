/*
 * reduction_driver: the outer part of a (n)->() gufunc loop that is the same
 * for every reduction (parallel_sum.c, exact_sum.c): how many bytes the call
 * reads, whether to release the GIL for it, how many threads and tasks it
 * gets. The reduction plans and runs its own work from there: which rows or
 * column groups go to which task is the kernel file's business.
 *
 * NumPy releases the GIL around a gufunc loop only when the loop dimensions
 * are large, never for a 1-D input; a reduction of a large input releases
 * it here itself. Floating-point flags raised in workers come back through
 * numext_parallel_for (parallel_for.h).
 */
#ifndef NUMEXT_REDUCTION_DRIVER_H
#define NUMEXT_REDUCTION_DRIVER_H

#include "numext_numpy.h"

/* A reduction's work for one loop call: `ntasks` tasks (1: run it all on
 * this thread) over at most `nthreads` threads (numext_parallel_for). */
typedef void (*numext_reduction_run)(void *job, int nthreads, size_t ntasks);

/* Run `job`, which reads nouter * n items of `itemsize` bytes: with the GIL
 * released when the calling thread holds it and the input is large
 * (NUMEXT_RELEASE_GIL_MIN_BYTES), on the pool from NUMEXT_PARALLEL_MIN_BYTES
 * (the threads numext.threads()/set_num_threads allow). */
void numext_run_reduction(void *job, npy_intp nouter, npy_intp n, npy_intp itemsize,
                          numext_reduction_run run);

#endif
