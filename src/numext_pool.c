/*
 * numext_pool: the process-wide pthread pool (see numext_pool.h for the
 * contract). This file runs jobs; numext_pool_workers.c keeps the workers.
 *
 * Design, and why:
 *  - Tasks are claimed through an atomic counter, so a thread that the OS
 *    descheduled simply claims fewer tasks (shared, noisy machines).
 *  - The caller computes too. When it runs out of tasks it takes back the
 *    recruits that have not woken up yet instead of waiting for their wake-up
 *    latency; it waits only for recruits that are inside a task.
 *  - Admission: `busy` counts threads computing pool jobs (callers and
 *    workers). A caller that finds busy >= size waits, so many Python threads
 *    calling at once never make more than `size` threads compute (numexpr #80
 *    and numba #8563 were crashes in that situation; here it only queues).
 *  - A job started from inside a pool task runs inline: its thread already
 *    holds a slot, and waiting for another could wait for itself.
 *  - Shrinking the size parks surplus workers rather than joining them, so
 *    set_size never waits for running jobs.
 */
#define _GNU_SOURCE
#include "numext_pool_internal.h"

#include <sched.h>
#include <unistd.h>

/* sched_getaffinity and cpu_set_t are Linux's; -DNUMEXT_POOL_NO_AFFINITY
 * builds the portable branch here too, to check that it compiles. */
#if defined(__linux__) && defined(CPU_COUNT) && !defined(NUMEXT_POOL_NO_AFFINITY)
#define NUMEXT_POOL_HAVE_AFFINITY 1
#endif

pool_state numext_pool = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .slot_freed = PTHREAD_COND_INITIALIZER,
    .fail_creation_after = -1,
};

/* Set while this thread runs pool tasks (workers, and callers in run_tasks). */
static _Thread_local int inside_pool_task = 0;

int numext_pool_inside_task(void) { return inside_pool_task; }

int numext_pool_affinity_cpus(void)
{
#ifdef NUMEXT_POOL_HAVE_AFFINITY
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) {
            return n;
        }
    }
#elif defined(_SC_NPROCESSORS_ONLN)
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n > 0) {
        return n > NUMEXT_POOL_MAX_THREADS ? NUMEXT_POOL_MAX_THREADS : (int)n;
    }
#endif
    return 1;
}

static int current_size_locked(void)
{
    if (numext_pool.size == 0) {
        numext_pool.size = numext_pool_affinity_cpus();
        if (numext_pool.size > NUMEXT_POOL_MAX_THREADS) {
            numext_pool.size = NUMEXT_POOL_MAX_THREADS;
        }
    }
    return numext_pool.size;
}

int numext_pool_get_size(void)
{
    pthread_mutex_lock(&numext_pool.lock);
    int n = current_size_locked();
    pthread_mutex_unlock(&numext_pool.lock);
    return n;
}

int numext_pool_set_size(int n)
{
    if (n < 1 || n > NUMEXT_POOL_MAX_THREADS) {
        return -1;
    }
    pthread_mutex_lock(&numext_pool.lock);
    numext_pool.size = n;
    numext_pool.creation_failed = 0;
    /* A larger size may admit callers that are waiting for a slot. */
    if (numext_pool.slot_waiters) {
        pthread_cond_broadcast(&numext_pool.slot_freed);
    }
    pthread_mutex_unlock(&numext_pool.lock);
    return 0;
}

static void add_busy_locked(int k)
{
    numext_pool.busy += k;
    if (numext_pool.busy > numext_pool.max_busy_observed) {
        numext_pool.max_busy_observed = numext_pool.busy;
    }
}

void numext_pool_release_slot_locked(void)
{
    numext_pool.busy--;
    if (numext_pool.slot_waiters) {
        pthread_cond_signal(&numext_pool.slot_freed);
    }
}

void numext_pool_run_tasks(pool_job *job, int thread_index)
{
    inside_pool_task = 1;
    size_t t;
    while ((t = atomic_fetch_add_explicit(&job->next_task, 1, memory_order_relaxed)) <
           job->ntasks) {
        job->fn(job->ctx, t, thread_index);
    }
    inside_pool_task = 0;
}

static void run_inline(size_t ntasks, numext_task_fn fn, void *ctx)
{
    for (size_t t = 0; t < ntasks; t++) {
        fn(ctx, t, 0);
    }
}

static void init_job(pool_job *job, size_t ntasks, numext_task_fn fn, void *ctx)
{
    job->fn = fn;
    job->ctx = ctx;
    job->ntasks = ntasks;
    atomic_init(&job->next_task, 0);
    atomic_init(&job->attached, 0);
    job->caller_sleeping = 0;
    job->recruits = NULL;
    pthread_cond_init(&job->done, NULL);
}

/* Wait for a free slot and take it; returns the pool size. */
static int admit_caller_locked(void)
{
    int size = current_size_locked();
    while (numext_pool.busy >= size) {
        numext_pool.slot_waiters++;
        pthread_cond_wait(&numext_pool.slot_freed, &numext_pool.lock);
        numext_pool.slot_waiters--;
        size = current_size_locked();
    }
    add_busy_locked(1);
    return size;
}

/* Workers to recruit besides the caller: no more than the job, the caller's
 * limit or the free slots allow. */
static int helpers_wanted_locked(int size, int max_threads, size_t ntasks)
{
    int want = max_threads < size ? max_threads : size;
    if ((size_t)want > ntasks) {
        want = (int)ntasks;
    }
    want -= 1; /* the caller is one of them */
    if (want > size - numext_pool.busy) {
        want = size - numext_pool.busy;
    }
    return want;
}

/* Workers are started on first need, up to size - 1 of them. */
static void start_workers_locked(int want, int size)
{
    while (numext_pool.idle_count < want && numext_pool.workers_alive < size - 1 &&
           !numext_pool.creation_failed) {
        if (numext_pool_start_worker_locked() != 0) {
            numext_pool.creation_failed = 1;
        }
    }
}

/* Hand the job to up to `want` idle workers; returns how many took it. */
static int recruit_locked(pool_job *job, int want)
{
    int recruited = 0;
    pool_worker *w;
    while (recruited < want && (w = numext_pool_pop_idle_locked()) != NULL) {
        w->started = 0;
        w->thread_index = ++recruited;
        w->next_recruit = job->recruits;
        job->recruits = w;
        atomic_store_explicit(&w->job, job, memory_order_release);
        if (w->sleeping) {
            pthread_cond_signal(&w->wake);
        }
    }
    atomic_store_explicit(&job->attached, recruited, memory_order_relaxed);
    add_busy_locked(recruited);
    return recruited;
}

/* Take back recruits that have not started: there is nothing left for them. */
static void take_back_unstarted_locked(pool_job *job)
{
    for (pool_worker *w = job->recruits; w != NULL; w = w->next_recruit) {
        if (atomic_load_explicit(&w->job, memory_order_relaxed) == job && !w->started) {
            atomic_store_explicit(&w->job, NULL, memory_order_relaxed);
            numext_pool_push_idle_locked(w);
            atomic_fetch_sub_explicit(&job->attached, 1, memory_order_relaxed);
            numext_pool_release_slot_locked();
            numext_pool.recruits_taken_back++;
        }
    }
}

static int recruits_released(void *arg)
{
    pool_job *job = arg;
    return atomic_load_explicit(&job->attached, memory_order_acquire) == 0;
}

/* Wait until every recruit inside a task has finished it. */
static void wait_for_recruits_locked(pool_job *job)
{
    if (atomic_load_explicit(&job->attached, memory_order_relaxed) == 0) {
        return;
    }
    /* Recruits are finishing their last task: usually microseconds. */
    pthread_mutex_unlock(&numext_pool.lock);
    numext_pool_spin_until(recruits_released, job);
    pthread_mutex_lock(&numext_pool.lock);
    while (atomic_load_explicit(&job->attached, memory_order_relaxed) > 0) {
        job->caller_sleeping = 1;
        pthread_cond_wait(&job->done, &numext_pool.lock);
    }
}

void numext_pool_run(size_t ntasks, numext_task_fn fn, void *ctx, int max_threads)
{
    if (ntasks <= 1 || max_threads <= 1 || inside_pool_task) {
        run_inline(ntasks, fn, ctx);
        return;
    }
    numext_pool_register_atfork();
    pool_job job;
    init_job(&job, ntasks, fn, ctx);

    pthread_mutex_lock(&numext_pool.lock);
    int size = admit_caller_locked();
    int want = helpers_wanted_locked(size, max_threads, ntasks);
    start_workers_locked(want, size);
    recruit_locked(&job, want);
    pthread_mutex_unlock(&numext_pool.lock);

    numext_pool_run_tasks(&job, 0);

    pthread_mutex_lock(&numext_pool.lock);
    take_back_unstarted_locked(&job);
    wait_for_recruits_locked(&job);
    numext_pool_release_slot_locked();
    pthread_mutex_unlock(&numext_pool.lock);
    pthread_cond_destroy(&job.done);
}
