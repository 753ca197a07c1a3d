/*
 * numext_pool: the process-wide pthread pool (see numext_pool.h for the contract).
 *
 * Design, and why:
 *  - One mutex guards all pool state; it is held only for bookkeeping, never
 *    while a task runs.
 *  - Tasks are claimed through an atomic counter, so a thread that the OS
 *    descheduled simply claims fewer tasks (shared, noisy machines).
 *  - Each worker has its own condition variable, so a job wakes exactly the
 *    workers it recruited (no thundering herd). A worker spins for
 *    NUMEXT_POOL_SPIN_US after a job before it sleeps, so back-to-back calls
 *    need no wake-up at all.
 *  - The caller computes too. When it runs out of tasks it takes back the
 *    recruits that have not woken up yet instead of waiting for their wake-up
 *    latency; it waits only for recruits that are inside a task.
 *  - Admission: `busy` counts threads computing pool jobs (callers and
 *    workers). A caller that finds busy >= size waits, so many Python threads
 *    calling at once never make more than `size` threads compute (numexpr #80
 *    and numba #8563 were crashes in that situation; here it only queues).
 *  - fork(): pthread_atfork holds the mutex across fork() so the child never
 *    inherits it locked, and the child forgets the parent's workers (they do
 *    not exist there) and starts new ones on first need (numexpr #33).
 *  - Workers are created with every signal blocked, so SIGINT and friends are
 *    delivered to Python's threads only.
 *  - pthread_create failing (RLIMIT_NPROC, numexpr #110) is not an error: the
 *    job runs on the threads that exist, and creation is not retried until
 *    the size is set again.
 *  - Shrinking the size parks surplus workers rather than joining them, so
 *    set_size never waits for running jobs.
 */
#define _GNU_SOURCE
#include "numext_pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#ifndef NUMEXT_POOL_SPIN_US
#define NUMEXT_POOL_SPIN_US 50.0
#endif

typedef struct pool_job {
    numext_task_fn fn;
    void *ctx;
    size_t ntasks;
    atomic_size_t next_task;
    atomic_int attached;    /* recruits not yet released; changed under lock */
    int caller_sleeping;    /* the caller waits on `done` (under lock) */
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

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slot_freed = PTHREAD_COND_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static int pool_size = 0;          /* 0: not chosen yet, use the affinity count */
static int workers_alive = 0;
static int busy = 0;               /* threads computing pool jobs */
static int slot_waiters = 0;
static int max_busy_observed = 0;
static int creation_failed = 0;    /* stop retrying until set_size */
static int fail_creation_after = -1;
static pool_worker *idle_workers = NULL;
static int idle_count = 0;

static void push_idle_locked(pool_worker *w)
{
    w->next_idle = idle_workers;
    idle_workers = w;
    idle_count++;
}

static pool_worker *pop_idle_locked(void)
{
    pool_worker *w = idle_workers;
    if (w != NULL) {
        idle_workers = w->next_idle;
        idle_count--;
    }
    return w;
}

int numext_pool_affinity_cpus(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) {
            return n;
        }
    }
    return 1;
}

static int current_size_locked(void)
{
    if (pool_size == 0) {
        pool_size = numext_pool_affinity_cpus();
        if (pool_size > NUMEXT_POOL_MAX_THREADS) {
            pool_size = NUMEXT_POOL_MAX_THREADS;
        }
    }
    return pool_size;
}

int numext_pool_get_size(void)
{
    pthread_mutex_lock(&pool_lock);
    int n = current_size_locked();
    pthread_mutex_unlock(&pool_lock);
    return n;
}

int numext_pool_set_size(int n)
{
    if (n < 1 || n > NUMEXT_POOL_MAX_THREADS) {
        return -1;
    }
    pthread_mutex_lock(&pool_lock);
    pool_size = n;
    creation_failed = 0;
    /* A larger size may admit callers that are waiting for a slot. */
    if (slot_waiters) {
        pthread_cond_broadcast(&slot_freed);
    }
    pthread_mutex_unlock(&pool_lock);
    return 0;
}

int numext_pool_workers_alive(void)
{
    pthread_mutex_lock(&pool_lock);
    int n = workers_alive;
    pthread_mutex_unlock(&pool_lock);
    return n;
}

int numext_pool_max_busy_observed(void)
{
    pthread_mutex_lock(&pool_lock);
    int n = max_busy_observed;
    pthread_mutex_unlock(&pool_lock);
    return n;
}

void numext_pool_reset_max_busy(void)
{
    pthread_mutex_lock(&pool_lock);
    max_busy_observed = busy;
    pthread_mutex_unlock(&pool_lock);
}

void numext_pool_simulate_create_failure_after(int n)
{
    pthread_mutex_lock(&pool_lock);
    fail_creation_after = n;
    creation_failed = 0;
    pthread_mutex_unlock(&pool_lock);
}

static void add_busy_locked(int k)
{
    busy += k;
    if (busy > max_busy_observed) {
        max_busy_observed = busy;
    }
}

static void release_slot_locked(void)
{
    busy--;
    if (slot_waiters) {
        pthread_cond_signal(&slot_freed);
    }
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Spin until *flag says stop or `us` microseconds pass. Spinning a little
 * after a job lets a worker pick up the next job without a futex wake-up
 * (tens of microseconds on a VM), and lets a caller see its last helper
 * finish without sleeping; beyond NUMEXT_POOL_SPIN_US it would only burn a
 * core someone else may want. */
#define SPIN_WHILE(cond, us)                                           \
    do {                                                               \
        double spin_deadline_ = now_us() + (us);                       \
        for (unsigned spin_i_ = 1; (cond); spin_i_++) {                \
            cpu_relax();                                               \
            if (spin_i_ % 64 == 0 && now_us() > spin_deadline_) {      \
                break;                                                 \
            }                                                          \
        }                                                              \
    } while (0)

static void run_tasks(pool_job *job, int thread_index)
{
    size_t t;
    while ((t = atomic_fetch_add_explicit(&job->next_task, 1, memory_order_relaxed)) <
           job->ntasks) {
        job->fn(job->ctx, t, thread_index);
    }
}

static void *worker_main(void *arg)
{
    pool_worker *w = arg;
    for (;;) {
        SPIN_WHILE(atomic_load_explicit(&w->job, memory_order_acquire) == NULL,
                   NUMEXT_POOL_SPIN_US);
        pthread_mutex_lock(&pool_lock);
        while (atomic_load_explicit(&w->job, memory_order_relaxed) == NULL) {
            w->sleeping = 1;
            pthread_cond_wait(&w->wake, &pool_lock);
            w->sleeping = 0;
        }
        pool_job *job = atomic_load_explicit(&w->job, memory_order_relaxed);
        w->started = 1;
        pthread_mutex_unlock(&pool_lock);

        run_tasks(job, w->thread_index);

        pthread_mutex_lock(&pool_lock);
        atomic_store_explicit(&w->job, NULL, memory_order_relaxed);
        w->started = 0;
        push_idle_locked(w);
        release_slot_locked();
        /* The job lives on its caller's stack: touch it only under the lock,
         * which the caller takes before it returns. */
        if (atomic_fetch_sub_explicit(&job->attached, 1, memory_order_release) == 1 &&
            job->caller_sleeping) {
            pthread_cond_signal(&job->done);
        }
        pthread_mutex_unlock(&pool_lock);
    }
    return NULL;
}

/* Start one parked worker; returns 0 on success. Called with the lock held. */
static int start_worker_locked(void)
{
    if (fail_creation_after == 0) {
        return -1;
    }
    pool_worker *w = calloc(1, sizeof(*w));
    if (w == NULL) {
        return -1;
    }
    atomic_init(&w->job, NULL);
    if (pthread_cond_init(&w->wake, NULL) != 0) {
        free(w);
        return -1;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* The kernels recurse O(log n) deep with small frames; 2 MiB is ample,
     * also under AddressSanitizer. */
    pthread_attr_setstacksize(&attr, (size_t)2 << 20);
    /* Block every signal in the new thread from its first instruction: it
     * inherits this thread's mask at creation. */
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pthread_t tid;
    int rc = pthread_create(&tid, &attr, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_cond_destroy(&w->wake);
        free(w);
        return -1;
    }
    if (fail_creation_after > 0) {
        fail_creation_after--;
    }
    workers_alive++;
    push_idle_locked(w);
    return 0;
}

static void atfork_prepare(void) { pthread_mutex_lock(&pool_lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&pool_lock); }

static void atfork_child(void)
{
    /* Only the forking thread exists here. The parent's workers and their
     * jobs are gone; their memory is abandoned (a few hundred bytes). */
    pthread_mutex_init(&pool_lock, NULL);
    pthread_cond_init(&slot_freed, NULL);
    idle_workers = NULL;
    idle_count = 0;
    workers_alive = 0;
    busy = 0;
    slot_waiters = 0;
    max_busy_observed = 0;
    creation_failed = 0;
}

static void register_atfork(void)
{
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

void numext_pool_run(size_t ntasks, numext_task_fn fn, void *ctx, int max_threads)
{
    if (ntasks <= 1 || max_threads <= 1) {
        for (size_t t = 0; t < ntasks; t++) {
            fn(ctx, t, 0);
        }
        return;
    }
    pthread_once(&atfork_once, register_atfork);

    pool_job job;
    job.fn = fn;
    job.ctx = ctx;
    job.ntasks = ntasks;
    atomic_init(&job.next_task, 0);
    atomic_init(&job.attached, 0);
    job.caller_sleeping = 0;
    job.recruits = NULL;
    pthread_cond_init(&job.done, NULL);

    pthread_mutex_lock(&pool_lock);
    int size = current_size_locked();
    while (busy >= size) {
        slot_waiters++;
        pthread_cond_wait(&slot_freed, &pool_lock);
        slot_waiters--;
        size = current_size_locked();
    }
    add_busy_locked(1);

    int want = max_threads < size ? max_threads : size;
    if ((size_t)want > ntasks) {
        want = (int)ntasks;
    }
    want -= 1; /* the caller is one of them */
    if (want > size - busy) {
        want = size - busy;
    }
    /* Workers are started on first need, up to size - 1 of them. */
    while (idle_count < want && workers_alive < size - 1 && !creation_failed) {
        if (start_worker_locked() != 0) {
            creation_failed = 1;
        }
    }
    int recruited = 0;
    pool_worker *w;
    while (recruited < want && (w = pop_idle_locked()) != NULL) {
        w->started = 0;
        w->thread_index = ++recruited;
        w->next_recruit = job.recruits;
        job.recruits = w;
        atomic_store_explicit(&w->job, &job, memory_order_release);
        if (w->sleeping) {
            pthread_cond_signal(&w->wake);
        }
    }
    atomic_store_explicit(&job.attached, recruited, memory_order_relaxed);
    add_busy_locked(recruited);
    pthread_mutex_unlock(&pool_lock);

    run_tasks(&job, 0);

    pthread_mutex_lock(&pool_lock);
    /* Take back recruits that have not started: there is nothing left for them. */
    for (w = job.recruits; w != NULL; w = w->next_recruit) {
        if (atomic_load_explicit(&w->job, memory_order_relaxed) == &job && !w->started) {
            atomic_store_explicit(&w->job, NULL, memory_order_relaxed);
            push_idle_locked(w);
            atomic_fetch_sub_explicit(&job.attached, 1, memory_order_relaxed);
            release_slot_locked();
        }
    }
    if (atomic_load_explicit(&job.attached, memory_order_relaxed) > 0) {
        /* Recruits are finishing their last task: usually microseconds. */
        pthread_mutex_unlock(&pool_lock);
        SPIN_WHILE(atomic_load_explicit(&job.attached, memory_order_acquire) > 0,
                   NUMEXT_POOL_SPIN_US);
        pthread_mutex_lock(&pool_lock);
        while (atomic_load_explicit(&job.attached, memory_order_relaxed) > 0) {
            job.caller_sleeping = 1;
            pthread_cond_wait(&job.done, &pool_lock);
        }
    }
    release_slot_locked();
    pthread_mutex_unlock(&pool_lock);
    pthread_cond_destroy(&job.done);
}
