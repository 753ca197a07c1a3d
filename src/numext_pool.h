/*
 * numext_pool: one persistent pthread pool for the process.
 *
 * It knows nothing of Python or NumPy: a caller hands it `ntasks` independent
 * tasks and a function; the calling thread and up to `max_threads - 1` pool
 * workers take task indices from a shared counter until none are left, and
 * the call returns when every task has finished.
 *
 * Guarantees (see numext_pool.c for how):
 *  - workers are started on first need and parked between jobs;
 *  - at most `numext_pool_get_size()` threads compute pool jobs at once, callers
 *    included: a caller that finds every slot taken waits for one;
 *  - a worker that cannot be created is not an error, the job runs on fewer threads;
 *  - workers block all signals, so signals reach the interpreter's threads;
 *  - a child made by fork() starts with an empty pool and builds a new one.
 */
#ifndef NUMEXT_POOL_H
#define NUMEXT_POOL_H

#include <stddef.h>

/* One task. `thread_index` is 0 for the calling thread and 1.. for the
 * workers that helped with this job (dense per job, < max_threads). */
typedef void (*numext_task_fn)(void *ctx, size_t task, int thread_index);

/* Run tasks 0..ntasks-1 on up to max_threads threads (the caller included). */
void numext_pool_run(size_t ntasks, numext_task_fn fn, void *ctx, int max_threads);

/* Threads the pool may use at once, the caller included (>= 1). */
int numext_pool_get_size(void);
/* Returns 0, or -1 if n is outside 1..NUMEXT_POOL_MAX_THREADS. */
int numext_pool_set_size(int n);
#define NUMEXT_POOL_MAX_THREADS 1024

/* CPUs this process may run on (sched_getaffinity), at least 1. */
int numext_pool_affinity_cpus(void);

/* Introspection for tests and threadpoolctl. */
int numext_pool_workers_alive(void);       /* workers created and not lost to fork */
int numext_pool_max_busy_observed(void);   /* high-water mark of computing threads */
void numext_pool_reset_max_busy(void);
/* Test hook: after `n` more successful creations, pthread_create is treated
 * as failing (as under a low RLIMIT_NPROC). n < 0 switches the hook off. */
void numext_pool_simulate_create_failure_after(int n);

#endif
