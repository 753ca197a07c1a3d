#include "ufunc_executor.h"

#include <numpy/npy_math.h>

#include "parallel_for.h"
#include "strided_ranges.h"
#include "worker_pyerr.h"

typedef struct {
    const numext_ufunc_run *run;
    numext_ranges plan;
    numext_worker_errors errors;
} executor_job;

int numext_ufunc_loop_masked(const numext_ufunc_call_info *info, int nop, char *const *data,
                             const npy_intp *strides, npy_intp n, const char *mask,
                             npy_intp mask_stride)
{
    if (mask == NULL) {
        return info->strided_loop(info->context, data, &n, strides, info->auxdata);
    }
    char *at[NPY_MAXARGS];
    npy_intp i = 0;
    while (i < n) {
        while (i < n && !mask[i * mask_stride]) {
            i++;
        }
        npy_intp end = i;
        while (end < n && mask[end * mask_stride]) {
            end++;
        }
        if (i == end) {
            break;
        }
        for (int k = 0; k < nop; k++) {
            at[k] = data[k] + i * strides[k];
        }
        const npy_intp len = end - i;
        if (info->strided_loop(info->context, at, &len, strides, info->auxdata) < 0) {
            return -1;
        }
        i = end;
    }
    return 0;
}

/* Elements [lo, hi) of the run (numext_worker_range_fn). */
static int run_range(const void *arg, int thread_index, ptrdiff_t lo, ptrdiff_t hi)
{
    const numext_ufunc_run *run = ((const executor_job *)arg)->run;
    const numext_ufunc_call_info *info = run->info[thread_index];
    char *data[NPY_MAXARGS];
    for (int k = 0; k < run->nop; k++) {
        data[k] = run->data[k] + lo * run->strides[k];
    }
    const char *mask = run->mask == NULL ? NULL : run->mask + lo * run->mask_stride;
    return numext_ufunc_loop_masked(info, run->nop, data, run->strides, hi - lo, mask,
                                    run->mask_stride);
}

static void executor_task(void *arg, size_t task, int thread_index)
{
    executor_job *job = arg;
    ptrdiff_t lo, hi;
    numext_ranges_get(&job->plan, task, &lo, &hi);
    numext_worker_run_range(&job->errors, thread_index, run_range, job, lo, hi);
}

int numext_ufunc_execute(const numext_ufunc_run *run, int *fp_status)
{
    executor_job job = {.run = run};
    numext_worker_errors_init(&job.errors);
    const int last = run->nop - 1;
    numext_ranges_plan(&job.plan, run->n, run->ntasks, run->data[last], run->strides[last],
                       run->out_itemsize);
    npy_clear_floatstatus_barrier((char *)&job);
    Py_BEGIN_ALLOW_THREADS numext_parallel_for(job.plan.ntasks, executor_task, &job, run->nthreads);
    Py_END_ALLOW_THREADS *fp_status = npy_clear_floatstatus_barrier((char *)&job);
    int failed = atomic_load_explicit(&job.errors.failed, memory_order_relaxed);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        failed = 1;
    }
    return failed ? -1 : 0;
}
