/*
 * numext_pool driven directly: every task once, the admission limit with many
 * callers, unstarted recruits taken back, thread-creation failure, set_size
 * while jobs run, nested jobs inline.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "c_test.h"
#include "numext_pool.h"
#include "numext_pool_testing.h"

/* ---- a job that records who ran what -------------------------------------- */

#define MAX_TASKS 4096

typedef struct {
    atomic_int runs[MAX_TASKS]; /* times each task ran */
    size_t out[MAX_TASKS];      /* plain writes, read by the caller after the job:
                                   ThreadSanitizer checks the pool orders them */
    atomic_int bad_index;       /* thread_index outside 0..max_threads-1 */
    int max_threads;
    long sleep_us; /* per task, to make threads overlap */
} counting_job;

static void count_task(void *arg, size_t task, int thread_index)
{
    counting_job *job = arg;
    atomic_fetch_add(&job->runs[task], 1);
    job->out[task] = task * 3 + 1;
    if (thread_index < 0 || thread_index >= job->max_threads) {
        atomic_store(&job->bad_index, 1);
    }
    if (job->sleep_us > 0) {
        c_test_sleep_us(job->sleep_us);
    }
}

/* Runs `ntasks` tasks on up to max_threads; 1 when each ran exactly once. */
static int run_counting(size_t ntasks, int max_threads, long sleep_us)
{
    counting_job *job = calloc(1, sizeof(*job));
    job->max_threads = max_threads < 1 ? 1 : max_threads;
    job->sleep_us = sleep_us;
    numext_pool_run(ntasks, count_task, job, max_threads);
    int ok = !atomic_load(&job->bad_index);
    for (size_t t = 0; t < ntasks; t++) {
        ok &= atomic_load(&job->runs[t]) == 1 && job->out[t] == t * 3 + 1;
    }
    free(job);
    return ok;
}

static void test_every_task_runs_once(void)
{
    numext_pool_set_size(4);
    size_t sizes[] = {0, 1, 2, 3, 7, 64, 1000, MAX_TASKS};
    int threads[] = {1, 2, 3, 4, 16};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        for (size_t j = 0; j < sizeof(threads) / sizeof(threads[0]); j++) {
            CHECK(run_counting(sizes[i], threads[j], 0));
        }
    }
    CHECK(run_counting(32, 4, 200));
    CHECK(numext_pool_testing_workers_alive() <= 3);
}

/* ---- admission: never more than `size` threads inside tasks ----------------- */

static atomic_int computing, most_computing;

static void overlap_task(void *arg, size_t task, int thread_index)
{
    (void)arg;
    (void)task;
    (void)thread_index;
    int now = atomic_fetch_add(&computing, 1) + 1;
    int seen = atomic_load(&most_computing);
    while (now > seen && !atomic_compare_exchange_weak(&most_computing, &seen, now)) {
    }
    c_test_sleep_us(100);
    atomic_fetch_sub(&computing, 1);
}

static atomic_int caller_errors;

static void *overlapping_caller(void *arg)
{
    int calls = *(int *)arg;
    for (int i = 0; i < calls; i++) {
        numext_pool_run(8, overlap_task, NULL, 8);
        if (!run_counting(16, 8, 0)) {
            atomic_fetch_add(&caller_errors, 1);
        }
    }
    return NULL;
}

static void run_callers(int ncallers, int calls)
{
    pthread_t tid[32];
    for (int i = 0; i < ncallers; i++) {
        CHECK(pthread_create(&tid[i], NULL, overlapping_caller, &calls) == 0);
    }
    for (int i = 0; i < ncallers; i++) {
        pthread_join(tid[i], NULL);
    }
}

static void test_admission_limit_many_callers(void)
{
    numext_pool_set_size(3);
    atomic_store(&most_computing, 0);
    atomic_store(&caller_errors, 0);
    numext_pool_testing_reset_max_busy();
    run_callers(8, 20);
    CHECK(atomic_load(&caller_errors) == 0);
    /* Sleeping tasks overlap on any number of cores: 3 are reached. */
    CHECK(atomic_load(&most_computing) == 3);
    CHECK(numext_pool_testing_max_busy() <= 3);
    CHECK(numext_pool_testing_max_busy() >= 2);
}

static void test_many_callers(void)
{
    numext_pool_set_size(4);
    atomic_store(&caller_errors, 0);
    run_callers(24, 10);
    CHECK(atomic_load(&caller_errors) == 0);
    CHECK(numext_pool_testing_workers_alive() <= 3);
    /* Every slot came back: a lone caller still gets all of them. */
    atomic_store(&most_computing, 0);
    numext_pool_run(64, overlap_task, NULL, 4);
    CHECK(atomic_load(&most_computing) == 4);
}

/* ---- unstarted recruits are taken back ------------------------------------- */

static void nothing_task(void *arg, size_t task, int thread_index)
{
    (void)arg;
    (void)task;
    (void)thread_index;
}

static void test_unstarted_recruits_taken_back(void)
{
    numext_pool_set_size(2);
    CHECK(run_counting(64, 2, 100)); /* a worker exists */
    long before = numext_pool_testing_recruits_taken_back();
    for (int i = 0; i < 50; i++) {
        /* The worker has gone to sleep; the caller finishes two empty tasks
         * long before a futex wake-up reaches it. */
        c_test_sleep_us(1000);
        numext_pool_run(2, nothing_task, NULL, 2);
        numext_pool_testing_reset_max_busy();
        CHECK(numext_pool_testing_max_busy() == 0); /* no slot kept */
    }
    CHECK(numext_pool_testing_recruits_taken_back() > before);
    CHECK(numext_pool_testing_workers_alive() >= 1);
    /* The workers taken back still serve the next jobs. */
    atomic_store(&most_computing, 0);
    numext_pool_run(16, overlap_task, NULL, 2);
    CHECK(atomic_load(&most_computing) == 2);
}

/* ---- pthread_create failing ------------------------------------------------- */

static void test_thread_creation_failure(void)
{
    int alive = numext_pool_testing_workers_alive();
    int size = alive + 3;
    numext_pool_set_size(size);
    numext_pool_testing_fail_creation_after(0);
    CHECK(run_counting(256, size, 50));
    CHECK(numext_pool_testing_workers_alive() == alive);
    numext_pool_testing_fail_creation_after(1);
    CHECK(run_counting(256, size, 50));
    CHECK(numext_pool_testing_workers_alive() == alive + 1);
    numext_pool_testing_fail_creation_after(-1);
    numext_pool_set_size(size); /* creation is retried after set_size */
    CHECK(run_counting(256, size, 50));
    CHECK(numext_pool_testing_workers_alive() == size - 1);
}

/* ---- set_size while jobs run ------------------------------------------------ */

static atomic_int stop_resizing;

static void *resizer(void *arg)
{
    (void)arg;
    for (int n = 0; !atomic_load(&stop_resizing); n++) {
        numext_pool_set_size(1 + n % 4);
        c_test_sleep_us(50);
    }
    return NULL;
}

static void test_set_size_while_jobs_run(void)
{
    atomic_store(&stop_resizing, 0);
    atomic_store(&caller_errors, 0);
    pthread_t tid;
    CHECK(pthread_create(&tid, NULL, resizer, NULL) == 0);
    run_callers(6, 20);
    atomic_store(&stop_resizing, 1);
    pthread_join(tid, NULL);
    CHECK(atomic_load(&caller_errors) == 0);
    numext_pool_set_size(2);
    numext_pool_testing_reset_max_busy();
    CHECK(numext_pool_testing_max_busy() == 0);
    CHECK(run_counting(64, 4, 50));
    CHECK(numext_pool_testing_max_busy() <= 2);
}

/* A caller waiting for a slot is admitted when the size grows. */
static atomic_int grown, second_done, second_saw_grown, done_while_held;

static void *second_caller(void *arg)
{
    (void)arg;
    numext_pool_run(2, nothing_task, NULL, 2); /* waits: the only slot is taken */
    atomic_store(&second_saw_grown, atomic_load(&grown));
    atomic_store(&second_done, 1);
    return NULL;
}

static void *grower(void *arg)
{
    (void)arg;
    c_test_sleep_us(20000);
    atomic_store(&grown, 1);
    numext_pool_set_size(2);
    return NULL;
}

/* Task 0 holds the pool's only slot until the second caller got one. */
static void hold_slot_task(void *arg, size_t task, int thread_index)
{
    (void)thread_index;
    pthread_t *tids = arg;
    if (task != 0) {
        return;
    }
    CHECK(pthread_create(&tids[0], NULL, second_caller, NULL) == 0);
    CHECK(pthread_create(&tids[1], NULL, grower, NULL) == 0);
    double deadline = c_test_now_s() + 10.0;
    while (!atomic_load(&second_done) && c_test_now_s() < deadline) {
        c_test_sleep_us(100);
    }
    atomic_store(&done_while_held, atomic_load(&second_done));
}

static void test_growing_admits_waiting_caller(void)
{
    numext_pool_set_size(1);
    atomic_store(&grown, 0);
    atomic_store(&second_done, 0);
    atomic_store(&second_saw_grown, 0);
    atomic_store(&done_while_held, 0);
    pthread_t tids[2];
    numext_pool_run(2, hold_slot_task, tids, 2);
    pthread_join(tids[0], NULL);
    pthread_join(tids[1], NULL);
    CHECK(atomic_load(&done_while_held) == 1);  /* admitted while the slot was held */
    CHECK(atomic_load(&second_saw_grown) == 1); /* and not before the size grew */
}

/* ---- nested jobs run inline ------------------------------------------------- */

typedef struct {
    atomic_int wrong_thread; /* inner task on another thread, or index != 0 */
    atomic_int inner_runs;
    atomic_int outside_flag; /* numext_pool_inside_task() was 0 inside a task */
} nesting;

typedef struct {
    nesting *n;
    pthread_t outer_thread;
} inner_ctx;

static void inner_task(void *arg, size_t task, int thread_index)
{
    (void)task;
    inner_ctx *ctx = arg;
    if (thread_index != 0 || !pthread_equal(ctx->outer_thread, pthread_self())) {
        atomic_store(&ctx->n->wrong_thread, 1);
    }
    atomic_fetch_add(&ctx->n->inner_runs, 1);
}

static void outer_task(void *arg, size_t task, int thread_index)
{
    (void)task;
    (void)thread_index;
    nesting *n = arg;
    if (!numext_pool_inside_task()) {
        atomic_store(&n->outside_flag, 1);
    }
    inner_ctx ctx = {.n = n, .outer_thread = pthread_self()};
    numext_pool_run(4, inner_task, &ctx, 4);
    c_test_sleep_us(200); /* keep every slot taken while others nest */
}

static void test_nested_calls_run_inline(void)
{
    int sizes[] = {2, 4};
    for (int i = 0; i < 2; i++) {
        numext_pool_set_size(sizes[i]);
        nesting n = {0};
        numext_pool_run(32, outer_task, &n, sizes[i]);
        CHECK(atomic_load(&n.inner_runs) == 32 * 4);
        CHECK(atomic_load(&n.wrong_thread) == 0);
        CHECK(atomic_load(&n.outside_flag) == 0);
        CHECK(numext_pool_inside_task() == 0);
    }
}

/* sched_getaffinity on Linux, sysconf elsewhere (run_c_tests.sh builds both). */
static void test_affinity_cpus(void)
{
    int n = numext_pool_affinity_cpus();
    CHECK(n >= 1 && n <= NUMEXT_POOL_MAX_THREADS);
    long configured = sysconf(_SC_NPROCESSORS_CONF);
    CHECK(configured <= 0 || n <= configured);
}

const c_test pool_tests[] = {
    {"affinity_cpus", test_affinity_cpus},
    {"every_task_runs_once", test_every_task_runs_once},
    {"admission_limit_many_callers", test_admission_limit_many_callers},
    {"many_callers", test_many_callers},
    {"unstarted_recruits_taken_back", test_unstarted_recruits_taken_back},
    {"thread_creation_failure", test_thread_creation_failure},
    {"set_size_while_jobs_run", test_set_size_while_jobs_run},
    {"growing_admits_waiting_caller", test_growing_admits_waiting_caller},
    {"nested_calls_run_inline", test_nested_calls_run_inline},
    {NULL, NULL},
};
