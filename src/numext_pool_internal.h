/*
 * What the pool's own files share; not for users of the pool.
 *   numext_pool.c          jobs: admission, recruiting, running, waiting; the size
 *   numext_pool_workers.c  worker threads: creation, parking, fork
 *   numext_pool_testing.c  the test interface (numext_pool_testing.h)
 */
#ifndef NUMEXT_POOL_INTERNAL_H
#define NUMEXT_POOL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "numext_pool.h"
#include "numext_tuning.h" /* NUMEXT_POOL_SPIN_US */

/* One numext_pool_run call; lives on its caller's stack. */
typedef struct pool_job {
    numext_task_fn fn;
    void *ctx;
    size_t ntasks;
    atomic_size_t next_task;
    atomic_int attached; /* recruits not yet released; changed under lock */
    int caller_sleeping; /* the caller waits on `done` (under lock) */
    pthread_cond_t done;
    struct pool_worker *recruits;
} pool_job;

typedef struct pool_worker {
    pthread_cond_t wake;
    _Atomic(pool_job *) job; /* assigned job, NULL when idle; written under lock */
    int started;             /* has claimed `job` (under lock) */
    int sleeping;            /* blocked on `wake`, needs a signal (under lock) */
    int thread_index;
    struct pool_worker *next_idle;
    struct pool_worker *next_recruit;
} pool_worker;

/* All of the pool's state. One mutex guards every field; it is held only for
 * bookkeeping, never while a task runs. */
typedef struct pool_state {
    pthread_mutex_t lock;
    pthread_cond_t slot_freed;
    int size; /* 0: not chosen yet, use the affinity count */
    int workers_alive;
    int busy; /* threads computing pool jobs, callers included */
    int slot_waiters;
    int max_busy_observed;
    int creation_failed;      /* stop retrying until set_size */
    long recruits_taken_back; /* for tests: unstarted recruits the caller took back */
    int fail_creation_after;  /* test hook; < 0: off */
    pool_worker *idle_workers;
    int idle_count;
} pool_state;

extern pool_state numext_pool;

/* Job side (numext_pool.c). */
void numext_pool_run_tasks(pool_job *job, int thread_index);
void numext_pool_release_slot_locked(void);

/* Worker side (numext_pool_workers.c). */
void numext_pool_register_atfork(void);
int numext_pool_start_worker_locked(void);
void numext_pool_push_idle_locked(pool_worker *w);
pool_worker *numext_pool_pop_idle_locked(void);

static inline double numext_pool_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static inline void numext_pool_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Spin until done(arg) or NUMEXT_POOL_SPIN_US pass. Spinning a little after a
 * job lets a worker pick up the next job without a futex wake-up (tens of
 * microseconds on a VM), and lets a caller see its last helper finish without
 * sleeping; longer would only burn a core someone else may want. */
static inline void numext_pool_spin_until(int (*done)(void *), void *arg)
{
    double deadline = numext_pool_now_us() + NUMEXT_POOL_SPIN_US;
    for (unsigned i = 1; !done(arg); i++) {
        numext_pool_cpu_relax();
        if (i % 64 == 0 && numext_pool_now_us() > deadline) {
            return;
        }
    }
}

#endif
