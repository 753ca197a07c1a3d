/*
 * numext_parallel_for: floating-point exception flags raised in workers reach
 * the caller; the caller's own flags stay; nested calls carry theirs too.
 */
#define _POSIX_C_SOURCE 200809L
#include <fenv.h>
#include <stdatomic.h>

#include "c_test.h"
#include "numext_pool_testing.h"
#include "parallel_for.h"

typedef struct {
    int flag;                 /* raised by worker tasks only */
    atomic_int worker_raised; /* a worker ran a task */
} raising_job;

static void raise_in_workers(void *arg, size_t task, int thread_index)
{
    (void)task;
    raising_job *job = arg;
    if (thread_index != 0) {
        feraiseexcept(job->flag);
        atomic_store(&job->worker_raised, 1);
        return;
    }
    /* The caller waits (bounded) until a worker has taken a task, so that the
     * flag is raised on another thread for certain. */
    double deadline = c_test_now_s() + 5.0;
    while (!atomic_load(&job->worker_raised) && c_test_now_s() < deadline) {
        c_test_sleep_us(100);
    }
}

static void test_fp_flags_carried_back(void)
{
    numext_pool_set_size(4);
    int flags[] = {FE_OVERFLOW, FE_UNDERFLOW, FE_DIVBYZERO, FE_INVALID};
    for (int i = 0; i < 4; i++) {
        feclearexcept(FE_ALL_EXCEPT);
        raising_job job = {.flag = flags[i]};
        numext_parallel_for(64, raise_in_workers, &job, 4);
        CHECK(atomic_load(&job.worker_raised) == 1);
        CHECK(fetestexcept(flags[i]) == flags[i]);
        int others = FE_ALL_EXCEPT & ~FE_INEXACT & ~flags[i];
        if (flags[i] == FE_OVERFLOW || flags[i] == FE_UNDERFLOW) {
            others &= ~(FE_OVERFLOW | FE_UNDERFLOW);
        }
        CHECK(fetestexcept(others) == 0);
    }
    feclearexcept(FE_ALL_EXCEPT);
}

static void quiet_task(void *arg, size_t task, int thread_index)
{
    (void)arg;
    (void)task;
    (void)thread_index;
}

static void test_caller_flags_kept(void)
{
    numext_pool_set_size(4);
    feclearexcept(FE_ALL_EXCEPT);
    feraiseexcept(FE_DIVBYZERO);
    numext_parallel_for(64, quiet_task, NULL, 4);
    CHECK(fetestexcept(FE_DIVBYZERO) == FE_DIVBYZERO);
    CHECK(fetestexcept(FE_INVALID | FE_OVERFLOW) == 0);
    feclearexcept(FE_ALL_EXCEPT);
}

/* An outer task starts a nested parallel_for that raises FE_INVALID: it runs
 * inline on that thread, and the flag reaches the outermost caller. */
static void raise_invalid(void *arg, size_t task, int thread_index)
{
    (void)arg;
    (void)task;
    (void)thread_index;
    feraiseexcept(FE_INVALID);
}

static void nesting_task(void *arg, size_t task, int thread_index)
{
    raising_job *job = arg;
    if (task == 5) {
        numext_parallel_for(8, raise_invalid, NULL, 4);
    }
    raise_in_workers(job, task, thread_index);
}

static void test_nested_parallel_for_flags(void)
{
    numext_pool_set_size(2);
    feclearexcept(FE_ALL_EXCEPT);
    raising_job job = {.flag = FE_UNDERFLOW};
    numext_parallel_for(16, nesting_task, &job, 2);
    CHECK(fetestexcept(FE_INVALID) == FE_INVALID);
    CHECK(fetestexcept(FE_UNDERFLOW) == FE_UNDERFLOW);
    feclearexcept(FE_ALL_EXCEPT);
}

static void test_plan_tasks(void)
{
    CHECK(numext_plan_tasks((size_t)1 << 30, 1) == 1);
    CHECK(numext_plan_tasks(1024, 8) == 1);
    size_t tasks = numext_plan_tasks((size_t)1 << 30, 4);
    CHECK(tasks >= 4 && tasks <= 64);
    CHECK(numext_threads_available() == numext_pool_get_size());
}

const c_test parallel_for_tests[] = {
    {"fp_flags_carried_back", test_fp_flags_carried_back},
    {"caller_flags_kept", test_caller_flags_kept},
    {"nested_parallel_for_flags", test_nested_parallel_for_flags},
    {"plan_tasks", test_plan_tasks},
    {NULL, NULL},
};
