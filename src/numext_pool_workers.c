/*
 * numext_pool's worker threads: creating them, parking them between jobs, and
 * forgetting them in a child made by fork().
 *
 * Design, and why:
 *  - Each worker has its own condition variable, so a job wakes exactly the
 *    workers it recruited (no thundering herd). A worker spins for
 *    NUMEXT_POOL_SPIN_US after a job before it sleeps, so back-to-back calls
 *    need no wake-up at all.
 *  - Workers are created with every signal blocked, so SIGINT and friends are
 *    delivered to Python's threads only.
 *  - pthread_create failing (RLIMIT_NPROC, numexpr #110) is not an error: the
 *    job runs on the threads that exist (numext_pool.c stops retrying until
 *    the size is set again).
 *  - fork(): pthread_atfork holds the lock across fork() so the child never
 *    inherits it locked, and the child forgets the parent's workers (they do
 *    not exist there) and starts new ones on first need (numexpr #33).
 */
#include "numext_pool_internal.h"

#include <signal.h>
#include <stdlib.h>

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

void numext_pool_push_idle_locked(pool_worker *w)
{
    w->next_idle = numext_pool.idle_workers;
    numext_pool.idle_workers = w;
    numext_pool.idle_count++;
}

pool_worker *numext_pool_pop_idle_locked(void)
{
    pool_worker *w = numext_pool.idle_workers;
    if (w != NULL) {
        numext_pool.idle_workers = w->next_idle;
        numext_pool.idle_count--;
    }
    return w;
}

static int worker_has_job(void *arg)
{
    pool_worker *w = arg;
    return atomic_load_explicit(&w->job, memory_order_acquire) != NULL;
}

/* Park until a job is assigned; returns it, claimed (`started`), lock released. */
static pool_job *wait_for_job(pool_worker *w)
{
    numext_pool_spin_until(worker_has_job, w);
    pthread_mutex_lock(&numext_pool.lock);
    while (atomic_load_explicit(&w->job, memory_order_relaxed) == NULL) {
        w->sleeping = 1;
        pthread_cond_wait(&w->wake, &numext_pool.lock);
        w->sleeping = 0;
    }
    pool_job *job = atomic_load_explicit(&w->job, memory_order_relaxed);
    w->started = 1;
    pthread_mutex_unlock(&numext_pool.lock);
    return job;
}

/* Back to the idle list; wake the caller if this was its last recruit. */
static void finish_job(pool_worker *w, pool_job *job)
{
    pthread_mutex_lock(&numext_pool.lock);
    atomic_store_explicit(&w->job, NULL, memory_order_relaxed);
    w->started = 0;
    numext_pool_push_idle_locked(w);
    numext_pool_release_slot_locked();
    /* The job lives on its caller's stack: touch it only under the lock,
     * which the caller takes before it returns. */
    if (atomic_fetch_sub_explicit(&job->attached, 1, memory_order_release) == 1 &&
        job->caller_sleeping) {
        pthread_cond_signal(&job->done);
    }
    pthread_mutex_unlock(&numext_pool.lock);
}

static void *worker_main(void *arg)
{
    pool_worker *w = arg;
    for (;;) {
        pool_job *job = wait_for_job(w);
        numext_pool_run_tasks(job, w->thread_index);
        finish_job(w, job);
    }
    return NULL;
}

/* pthread_create with every signal blocked in the new thread from its first
 * instruction (it inherits this thread's mask at creation). */
static int create_detached_thread(pool_worker *w)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* The kernels recurse O(log n) deep with small frames; 2 MiB is ample,
     * also under AddressSanitizer. */
    pthread_attr_setstacksize(&attr, (size_t)2 << 20);
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pthread_t tid;
    int rc = pthread_create(&tid, &attr, worker_main, w);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    pthread_attr_destroy(&attr);
    return rc;
}

/* Start one parked worker; returns 0 on success. */
int numext_pool_start_worker_locked(void)
{
    if (numext_pool.fail_creation_after == 0) {
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
    if (create_detached_thread(w) != 0) {
        pthread_cond_destroy(&w->wake);
        free(w);
        return -1;
    }
    if (numext_pool.fail_creation_after > 0) {
        numext_pool.fail_creation_after--;
    }
    numext_pool.workers_alive++;
    numext_pool_push_idle_locked(w);
    return 0;
}

static void atfork_prepare(void) { pthread_mutex_lock(&numext_pool.lock); }
static void atfork_parent(void) { pthread_mutex_unlock(&numext_pool.lock); }

static void atfork_child(void)
{
    /* Only the forking thread exists here. The parent's workers and their
     * jobs are gone; their memory is abandoned (a few hundred bytes). */
    pthread_mutex_init(&numext_pool.lock, NULL);
    pthread_cond_init(&numext_pool.slot_freed, NULL);
    numext_pool.idle_workers = NULL;
    numext_pool.idle_count = 0;
    numext_pool.workers_alive = 0;
    numext_pool.busy = 0;
    numext_pool.slot_waiters = 0;
    numext_pool.max_busy_observed = 0;
    numext_pool.creation_failed = 0;
}

static void register_atfork_once(void)
{
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

void numext_pool_register_atfork(void) { pthread_once(&atfork_once, register_atfork_once); }
