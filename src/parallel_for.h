/*
 * parallel_for: the pool (numext_pool.h) plus what a floating-point kernel
 * needs on top of it. NumPy reads the floating-point exception flags of the
 * *calling* thread after a loop; flags raised in a worker would be lost, so
 * each worker task runs with cleared flags and the caller re-raises what the
 * workers collected (overflow then warns, or raises under np.errstate).
 */
#ifndef NUMEXT_PARALLEL_FOR_H
#define NUMEXT_PARALLEL_FOR_H

#include <stddef.h>
#include "numext_pool.h"

/* Threads a job may use now: the pool size, capped by this thread's call
 * limit. */
int numext_threads_available(void);

/* Cap what numext_threads_available() says on this thread (0: no cap);
 * returns the previous cap. call_settings.c sets it around each ufunc call
 * from the caller's numext.threads(n). */
int numext_set_call_thread_limit(int limit);

/* numext_pool_run with floating-point exception flags carried back. */
void numext_parallel_for(size_t ntasks, numext_task_fn fn, void *ctx, int max_threads);

/* How many tasks to cut `nbytes` of work into for `nthreads` threads. */
size_t numext_plan_tasks(size_t nbytes, int nthreads);

#endif
