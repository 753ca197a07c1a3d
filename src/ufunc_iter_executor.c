#include "ufunc_iter_executor.h"

#include <numpy/npy_math.h>

#include "parallel_for.h"
#include "strided_ranges.h"
#include "worker_pyerr.h"

/* Threads one call uses at most (one iterator each). */
#define MAX_ITERS 256

typedef struct {
    const numext_iter_run *run;
    NpyIter *iter[MAX_ITERS]; /* per thread: [0] the original, then copies */
    NpyIter_IterNextFunc *next[MAX_ITERS];
    int nop;            /* inputs and outputs; the mask, if any, follows them */
    numext_ranges plan; /* in grains */
    npy_intp grain, size;
    numext_worker_errors errors;
} iter_job;

/* Iteration indices [lo, hi) on this thread's iterator (numext_worker_range_fn). */
static int run_iter_range(const void *arg, int thread_index, ptrdiff_t lo, ptrdiff_t hi)
{
    const iter_job *job = arg;
    NpyIter *it = job->iter[thread_index];
    char *errmsg = NULL;
    if (NpyIter_ResetToIterIndexRange(it, lo, hi, &errmsg) != NPY_SUCCEED) {
        return -1;
    }
    const numext_ufunc_call_info *info = job->run->info[thread_index];
    char **data = NpyIter_GetDataPtrArray(it);
    const npy_intp *strides = NpyIter_GetInnerStrideArray(it);
    const npy_intp *size = NpyIter_GetInnerLoopSizePtr(it);
    const int nop = job->nop, masked = job->run->mask != NULL;
    do {
        const char *mask = masked ? data[nop] : NULL;
        if (numext_ufunc_loop_masked(info, nop, data, strides, *size, mask,
                                     masked ? strides[nop] : 0) < 0) {
            return -1;
        }
    } while (job->next[thread_index](it));
    return 0;
}

static void iter_task(void *arg, size_t task, int thread_index)
{
    iter_job *job = arg;
    ptrdiff_t lo, hi;
    numext_ranges_get(&job->plan, task, &lo, &hi);
    lo *= job->grain;
    hi = hi * job->grain < job->size ? hi * job->grain : job->size;
    numext_worker_run_range(&job->errors, thread_index, run_iter_range, job, lo, hi);
}

/* NumPy's own ufunc iterator (execute_ufunc_loop), ranged; NULL, no error
 * set, when it cannot be made. */
static NpyIter *make_iter(const numext_iter_run *run)
{
    const int nop = run->nin + run->nout, masked = run->mask != NULL;
    PyArrayObject *ops[NPY_MAXARGS + 1];
    npy_uint32 op_flags[NPY_MAXARGS + 1];
    PyArray_Descr *dtypes[NPY_MAXARGS + 1];
    for (int i = 0; i < nop; i++) {
        ops[i] = run->op[i];
        dtypes[i] = run->descr[i];
        op_flags[i] = i < run->nin ? NPY_ITER_READONLY | NPY_ITER_ALIGNED
                                   : NPY_ITER_WRITEONLY | NPY_ITER_ALIGNED | NPY_ITER_ALLOCATE |
                                         NPY_ITER_NO_BROADCAST | NPY_ITER_NO_SUBTYPE |
                                         (masked ? NPY_ITER_WRITEMASKED : 0);
        op_flags[i] |= NPY_ITER_OVERLAP_ASSUME_ELEMENTWISE;
    }
    if (masked) {
        ops[nop] = run->mask;
        dtypes[nop] = NULL;
        op_flags[nop] = NPY_ITER_READONLY | NPY_ITER_ARRAYMASK;
    }
    const npy_uint32 flags = NPY_ITER_EXTERNAL_LOOP | NPY_ITER_REFS_OK | NPY_ITER_ZEROSIZE_OK |
                             NPY_ITER_BUFFERED | NPY_ITER_GROWINNER | NPY_ITER_DELAY_BUFALLOC |
                             NPY_ITER_COPY_IF_OVERLAP | NPY_ITER_RANGED;
    NpyIter *iter = NpyIter_AdvancedNew(nop + masked, ops, flags, NPY_KEEPORDER, NPY_UNSAFE_CASTING,
                                        op_flags, dtypes, -1, NULL, NULL, 0);
    if (iter == NULL) {
        PyErr_Clear(); /* u's own call raises what is wrong */
    } else if (NpyIter_IterationNeedsAPI(iter)) {
        NpyIter_Deallocate(iter);
        iter = NULL;
    }
    return iter;
}

/* Ranges are whole multiples of run->grain elements of the iteration. */
static void plan_grains(iter_job *job)
{
    job->size = NpyIter_GetIterSize(job->iter[0]);
    job->grain = job->run->grain > 0 ? job->run->grain : 1;
    const npy_intp units = (job->size + job->grain - 1) / job->grain;
    numext_ranges_plan(&job->plan, units, job->run->ntasks, NULL, 0, 0);
}

/* No temporary copies (WRITEBACKIFCOPY) of outputs: callers hand over only
 * outputs that overlap nothing or are exactly an input's elements. */
static int outputs_are_given_arrays(const numext_iter_run *run, NpyIter *iter)
{
    PyArrayObject **arrays = NpyIter_GetOperandArray(iter);
    for (int o = 0; o < run->nout; o++) {
        PyArrayObject *given = run->op[run->nin + o];
        if (given != NULL && arrays[run->nin + o] != given) {
            return 0;
        }
    }
    return 1;
}

/* Iterators for threads 1.. and every thread's iternext; -1 (no error set)
 * on failure. With where= each thread builds its own iterator instead of
 * copying one: NumPy's masked cast wrapper does not survive NpyIter_Copy
 * (freeing the copy crashes, NumPy 2.4). Every output is then given, so
 * separate iterators write the same arrays. */
static int make_copies(iter_job *job, int nthreads)
{
    for (int t = 0; t < nthreads; t++) {
        if (t > 0) {
            job->iter[t] =
                job->run->mask != NULL ? make_iter(job->run) : NpyIter_Copy(job->iter[0]);
            if (job->iter[t] == NULL || !outputs_are_given_arrays(job->run, job->iter[t])) {
                return -1;
            }
        }
        if ((job->next[t] = NpyIter_GetIterNext(job->iter[t], NULL)) == NULL) {
            return -1;
        }
    }
    return 0;
}

/* Frees every iterator (resolving WRITEBACKIFCOPY temporaries), keeping the outputs. */
static void finish(iter_job *job, int nthreads, PyObject **outs)
{
    const numext_iter_run *run = job->run;
    if (outs != NULL) {
        PyArrayObject **arrays = NpyIter_GetOperandArray(job->iter[0]);
        for (int o = 0; o < run->nout; o++) {
            PyArrayObject *given = run->op[run->nin + o];
            outs[o] =
                Py_NewRef(given != NULL ? (PyObject *)given : (PyObject *)arrays[run->nin + o]);
        }
    }
    for (int t = nthreads - 1; t >= 0; t--) {
        if (job->iter[t] != NULL && NpyIter_Deallocate(job->iter[t]) != NPY_SUCCEED) {
            PyErr_Clear();
        }
    }
}

int numext_iter_execute(const numext_iter_run *run, PyObject **outs, int *fp_status)
{
    iter_job job = {.run = run, .nop = run->nin + run->nout};
    int nthreads = run->nthreads < MAX_ITERS ? run->nthreads : MAX_ITERS;
    if ((job.iter[0] = make_iter(run)) == NULL) {
        return 0;
    }
    plan_grains(&job);
    if (!outputs_are_given_arrays(run, job.iter[0]) || make_copies(&job, nthreads) < 0) {
        PyErr_Clear();
        finish(&job, nthreads, NULL);
        return 0;
    }
    numext_worker_errors_init(&job.errors);
    npy_clear_floatstatus_barrier((char *)&job);
    Py_BEGIN_ALLOW_THREADS numext_parallel_for(job.plan.ntasks, iter_task, &job, nthreads);
    Py_END_ALLOW_THREADS *fp_status = npy_clear_floatstatus_barrier((char *)&job);
    int failed = atomic_load_explicit(&job.errors.failed, memory_order_relaxed);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        failed = 1;
    }
    finish(&job, nthreads, failed ? NULL : outs);
    return failed ? -1 : 1;
}
