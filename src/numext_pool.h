/*
 * numext_pool: one persistent pthread pool for the process.
 *
 * It knows nothing of Python or NumPy: a caller hands it `ntasks` independent
 * tasks and a function; the calling thread and up to `max_threads - 1` pool
 * workers take task indices from a shared counter until none are left, and
 * the call returns when every task has finished.
 *
 * Guarantees (see numext_pool.c and numext_pool_workers.c for how):
 *  - workers are started on first need and parked between jobs;
 *  - at most `numext_pool_get_size()` threads compute pool jobs at once, callers
 *    included: a caller that finds every slot taken waits for one;
 *  - a job started from inside a pool task (a task that calls numext_pool_run)
 *    runs inline on that thread: it never waits for a slot its caller holds;
 *  - a worker that cannot be created is not an error, the job runs on fewer threads;
 *  - workers block all signals, so signals reach the interpreter's threads;
 *  - a child made by fork() starts with an empty pool and builds a new one.
 *
 * The hooks tests use to observe and disturb the pool are declared apart, in
 * numext_pool_testing.h.
 */
#ifndef NUMEXT_POOL_H
#define NUMEXT_POOL_H

#include <stddef.h>

/* One task. `thread_index` is 0 for the calling thread and 1.. for the
 * workers that helped with this job (dense per job, < max_threads). */
typedef void (*numext_task_fn)(void *ctx, size_t task, int thread_index);

/* Run tasks 0..ntasks-1 on up to max_threads threads (the caller included). */
void numext_pool_run(size_t ntasks, numext_task_fn fn, void *ctx, int max_threads);

/* 1 while the calling thread runs a pool task (so a job it starts runs inline). */
int numext_pool_inside_task(void);

/* Threads the pool may use at once, the caller included (>= 1). */
int numext_pool_get_size(void);
/* Returns 0, or -1 if n is outside 1..NUMEXT_POOL_MAX_THREADS. */
int numext_pool_set_size(int n);
#define NUMEXT_POOL_MAX_THREADS 1024

/* CPUs this process may run on, at least 1: sched_getaffinity where the
 * platform has it (Linux), else the CPUs online. */
int numext_pool_affinity_cpus(void);

#endif
