#include "parallel_for.h"

#include <fenv.h>
#include <stdatomic.h>

#include "numext_tuning.h"

typedef struct {
    numext_task_fn fn;
    void *ctx;
    atomic_int fp_flags;
} fp_capture;

/* FE_INEXACT is not reported by NumPy; carrying it back would only cost. */
#define REPORTED_FP_FLAGS (FE_ALL_EXCEPT & ~FE_INEXACT)

static void run_capturing_fp_flags(void *arg, size_t task, int thread_index)
{
    fp_capture *cap = arg;
    if (thread_index == 0) {
        /* The caller's own flags are the ones NumPy reads: leave them. */
        cap->fn(cap->ctx, task, 0);
        return;
    }
    feclearexcept(FE_ALL_EXCEPT);
    cap->fn(cap->ctx, task, thread_index);
    int raised = fetestexcept(REPORTED_FP_FLAGS);
    if (raised) {
        atomic_fetch_or_explicit(&cap->fp_flags, raised, memory_order_relaxed);
    }
}

/* Set per thread, never shared: the ufunc call on this thread that set it
 * is the one whose loop reads it. */
static _Thread_local int call_thread_limit;

int numext_set_call_thread_limit(int limit)
{
    int previous = call_thread_limit;
    call_thread_limit = limit;
    return previous;
}

int numext_threads_available(void)
{
    int n = numext_pool_get_size();
    int limit = call_thread_limit;
    return limit > 0 && limit < n ? limit : n;
}

void numext_parallel_for(size_t ntasks, numext_task_fn fn, void *ctx, int max_threads)
{
    if (ntasks <= 1 || max_threads <= 1) {
        numext_pool_run(ntasks, fn, ctx, 1);
        return;
    }
    fp_capture cap = {.fn = fn, .ctx = ctx};
    atomic_init(&cap.fp_flags, 0);
    numext_pool_run(ntasks, run_capturing_fp_flags, &cap, max_threads);
    int raised = atomic_load_explicit(&cap.fp_flags, memory_order_relaxed);
    if (raised) {
        feraiseexcept(raised);
    }
}

size_t numext_plan_tasks(size_t nbytes, int nthreads)
{
    if (nthreads <= 1 || nbytes < NUMEXT_PARALLEL_MIN_BYTES) {
        return 1;
    }
    size_t tasks = (size_t)nthreads * NUMEXT_TASKS_PER_THREAD;
    size_t by_size = nbytes / NUMEXT_TASK_MIN_BYTES;
    if (tasks > by_size) {
        tasks = by_size;
    }
    return tasks < 2 ? 2 : tasks;
}
