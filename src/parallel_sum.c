/*
 * The parallel_sum gufunc, signature (n)->(): registration, the kernel table
 * (expanded from pairwise_sum_dtypes.h), and the loop that shares the work out.
 *
 * NumPy calls the loop once with dimensions [N, n] and steps
 * [in_outer, out_outer, in_core]. The loop
 *  - releases the GIL when it holds it (NumPy does not for a gufunc whose
 *    loop dimensions are small, e.g. any 1-D input) and the input is large,
 *    and plans threads and tasks (reduction_driver.h, shared with exact_sum);
 *  - sums columns together (a sum along a strided axis such as axis=0; the
 *    columns adjacent or a fixed stride apart, as in m[:, ::2]) so rows are
 *    read as long runs, with a workspace on the stack or kept per thread
 *    (sum_thread_buffers.h);
 *  - sums a row one buffer at a time where np.sum does (sum_rules.h);
 *  - shares many rows (or column blocks) out to threads whole, or, when there
 *    are too few of them, cuts each row (each buffer) at nodes of NumPy's
 *    pairwise tree and adds the pieces back up the tree (pairwise_tree.h;
 *    a row of column sums at a time): bits independent of the thread count.
 */
#include "numext_numpy.h"

#include <stdlib.h>

#include "numext_tuning.h"
#include "pairwise_sum_kernels.h"
#include "pairwise_tree.h"
#include "parallel_for.h"
#include "reduction_driver.h"
#include "sum_rules.h"
#include "sum_thread_buffers.h"

/* ---- the dtype table ---------------------------------------------------- */

/* The kernels, one set per dtype (pairwise_sum_body.h) ... */
#define SUM_EXPAND "pairwise_sum_body.h"
#include "pairwise_sum_dtypes.h"
#undef SUM_EXPAND

/* ... and the table, in pairwise_sum_dtypes.h's order (NumPy's type search). */
static const numext_sum_kernel kernels[] = {
#define SUM_EXPAND "pairwise_sum_entry.h"
#include "pairwise_sum_dtypes.h"
#undef SUM_EXPAND
};

#define NKERNELS (sizeof(kernels) / sizeof(kernels[0]))

/* ---- sharing the work out ------------------------------------------------ */

typedef struct {
    const numext_sum_kernel *kernel;
    const char *in;
    char *out;
    npy_intp nouter, n, in_outer, out_outer, in_core;
    npy_intp group_items;     /* outer items per group: 1 row, or a batch of columns */
    npy_intp stack_items;     /* columns per batch whose workspace fits the stack */
    npy_intp ngroups;         /* ceil(nouter / group_items) */
    npy_intp groups_per_task; /* whole-core tasks */
    npy_intp chunk;           /* > 0: rows are summed as np.sum's buffers of this many */
    npy_intp nleaves;         /* > 1: each group's core is cut into tree leaves */
    npy_intp leaves_per_task;
    npy_intp *leaf_start, *leaf_len;
    numext_sum_acc *partials; /* rows: [item * nleaves + leaf] */
    char *col_partials;       /* columns: accumulator rows [leaf][nouter] */
} sum_job;

/* Columns (col_stride bytes apart) summed together by a column kernel: as
 * many as NUMEXT_COLS_BATCH_BYTES of a row holds and a workspace of `budget`
 * bytes has room for (for a core of n, or shorter), in batches of equal size;
 * < 2 when not even 2 columns fit. */
static npy_intp cols_batch(const numext_sum_kernel *k, npy_intp ncols, npy_intp col_stride,
                           npy_intp n, size_t budget)
{
    npy_intp b = (npy_intp)(NUMEXT_COLS_BATCH_BYTES / (size_t)col_stride);
    if (b > ncols) {
        b = ncols;
    }
    while (b >= 2) {
        const npy_intp batches = (ncols + b - 1) / b;
        const npy_intp even = (ncols + batches - 1) / batches;
        const size_t work = k->cols_work(even, n);
        if (work <= budget) {
            return even;
        }
        npy_intp next = (npy_intp)((double)b * (double)budget / (double)work);
        if (next >= b) {
            next = b - 1;
        }
        if (next < 2 && b > 2) {
            next = 2;
        }
        b = next;
    }
    return 1;
}

/* Column sums of outer items [lo, hi) over core elements [start, start + len),
 * group_items at a time (stack_items when no larger workspace is to be had). */
static void sum_cols(const sum_job *job, npy_intp lo, npy_intp hi, const char *base, npy_intp len,
                     npy_intp leaf)
{
    const numext_sum_kernel *k = job->kernel;
    _Alignas(64) char stack_work[NUMEXT_COLS_STACK_BYTES];
    void *work = stack_work;
    npy_intp width = job->group_items;
    const size_t need = k->cols_work(width, len);
    if (need > sizeof stack_work) {
        work = numext_thread_buffer(NUMEXT_BUF_COLS_WORKSPACE, need);
        if (work == NULL) {
            work = stack_work;
            width = job->stack_items;
        }
    }
    for (npy_intp c0 = lo; c0 < hi; c0 += width) {
        npy_intp nc = hi - c0 < width ? hi - c0 : width;
        char *acc = job->col_partials == NULL
                        ? NULL
                        : job->col_partials + (leaf * job->nouter + c0) * k->accsize;
        k->cols_partial(base + c0 * job->in_outer, nc, job->in_outer, len, job->in_core, acc,
                        job->out + c0 * job->out_outer, job->out_outer, work);
    }
}

/* out = 0 + s for a row's first chunk, else out = out + s: np.sum's
 * `out += pairwise(buffer)`, rounded to out's dtype after every buffer.
 * Added as s + out: the same value, and where both are NaN the buffer's NaN
 * (its sign) wins, as in NumPy (combine keeps its left operand's NaN;
 * tests/test_sum_bits.py checks the signs). */
static void add_chunk(const numext_sum_kernel *k, numext_sum_acc *s, char *out, int first)
{
    if (!first) {
        numext_sum_acc acc;
        k->load(out, &acc); /* out's value (a cast loop's: not the input's dtype) */
        k->combine(s, &acc);
    }
    k->store(s, out);
}

/* One whole row into out: one pairwise tree, or one per chunk added in order. */
static void sum_row(const sum_job *job, const char *row, char *out)
{
    const numext_sum_kernel *k = job->kernel;
    numext_sum_acc s;
    if (job->chunk == 0) {
        k->partial(row, job->n, job->in_core, &s);
        k->store(&s, out);
        return;
    }
    for (npy_intp start = 0; start < job->n; start += job->chunk) {
        const npy_intp len = job->n - start < job->chunk ? job->n - start : job->chunk;
        k->partial(row + start * job->in_core, len, job->in_core, &s);
        add_chunk(k, &s, out, start == 0);
    }
}

/* Sums of outer items [lo, hi) over core elements [start, start + len): stored
 * into `out` when not cutting the core, else into the leaf's partials. */
static void sum_range(const sum_job *job, npy_intp lo, npy_intp hi, npy_intp start, npy_intp len,
                      npy_intp leaf)
{
    const numext_sum_kernel *k = job->kernel;
    const char *base = job->in + start * job->in_core;
    if (job->group_items > 1) {
        sum_cols(job, lo, hi, base, len, leaf);
        return;
    }
    for (npy_intp i = lo; i < hi; i++) {
        if (job->partials == NULL) {
            sum_row(job, base + i * job->in_outer, job->out + i * job->out_outer);
        } else {
            k->partial(base + i * job->in_outer, len, job->in_core,
                       &job->partials[i * job->nleaves + leaf]);
        }
    }
}

static void whole_core_task(void *arg, size_t task, int thread_index)
{
    (void)thread_index;
    const sum_job *job = arg;
    npy_intp lo = (npy_intp)task * job->groups_per_task * job->group_items;
    npy_intp hi = lo + job->groups_per_task * job->group_items;
    sum_range(job, lo, hi < job->nouter ? hi : job->nouter, 0, job->n, 0);
}

/* Leaves [task * leaves_per_task, ...) of the (group, leaf) grid, in order. */
static void leaf_task(void *arg, size_t task, int thread_index)
{
    (void)thread_index;
    const sum_job *job = arg;
    const npy_intp total = job->ngroups * job->nleaves;
    const npy_intp first = (npy_intp)task * job->leaves_per_task;
    const npy_intp end =
        first + job->leaves_per_task < total ? first + job->leaves_per_task : total;
    for (npy_intp idx = first; idx < end; idx++) {
        npy_intp group = idx / job->nleaves, leaf = idx % job->nleaves;
        npy_intp lo = group * job->group_items;
        npy_intp hi = lo + job->group_items < job->nouter ? lo + job->group_items : job->nouter;
        sum_range(job, lo, hi, job->leaf_start[leaf], job->leaf_len[leaf], leaf);
    }
}

/* Each chunk of a row (the whole row when job->chunk is 0): its own tree. */
static npy_intp row_chunk(const sum_job *job)
{
    return job->chunk > 0 ? job->chunk : (job->n > 0 ? job->n : 1);
}

static void collect_row_leaves(sum_job *job, npy_intp target)
{
    const npy_intp chunk = row_chunk(job);
    job->nleaves = 0;
    npy_intp start = 0;
    do {
        const npy_intp len = job->n - start < chunk ? job->n - start : chunk;
        numext_tree_collect_leaves(job->kernel->tree, start, len, target, job->leaf_start,
                                   job->leaf_len, &job->nleaves);
        start += chunk;
    } while (start < job->n);
}

/* A row's value from its leaves' partial sums: each chunk's tree, then the
 * chunks added in order. */
static void combine_row(const sum_job *job, const numext_sum_acc *leaves, npy_intp target,
                        char *out)
{
    const numext_sum_kernel *k = job->kernel;
    const npy_intp chunk = row_chunk(job);
    npy_intp next = 0, start = 0;
    do {
        const npy_intp len = job->n - start < chunk ? job->n - start : chunk;
        numext_sum_acc s;
        numext_tree_combine_leaves(k, len, target, leaves, &next, &s);
        if (job->chunk > 0) {
            add_chunk(k, &s, out, start == 0);
        } else {
            k->store(&s, out);
        }
        start += chunk;
    } while (start < job->n);
}

static void run_split_core(sum_job *job, int nthreads, size_t ntasks)
{
    const numext_sum_kernel *k = job->kernel;
    npy_intp leaves_per_group = ((npy_intp)ntasks + job->ngroups - 1) / job->ngroups;
    npy_intp min_leaf =
        (npy_intp)(NUMEXT_TASK_MIN_BYTES / (size_t)(k->itemsize * job->group_items));
    npy_intp target = (job->n + leaves_per_group - 1) / leaves_per_group;
    if (target < min_leaf) {
        target = min_leaf;
    }
    if (target < 128) {
        target = 128;
    }
    /* Bookkeeping in one block: the leaves, then the partial sums. */
    const npy_intp chunk = row_chunk(job);
    const npy_intp cap = (job->n + chunk - 1) / chunk * numext_tree_max_leaves(chunk, target);
    const size_t leaves_bytes = ((size_t)cap * 2 * sizeof(npy_intp) + 63) / 64 * 64;
    const size_t sums_bytes = job->group_items > 1
                                  ? (size_t)cap * (size_t)job->nouter * (size_t)k->accsize
                                  : (size_t)cap * (size_t)job->nouter * sizeof(numext_sum_acc);
    char *block = numext_thread_buffer(NUMEXT_BUF_SPLIT_PARTIALS, leaves_bytes + sums_bytes);
    char *owned = NULL;
    if (block == NULL) {
        block = owned = malloc(leaves_bytes + sums_bytes);
    }
    if (block == NULL) {
        /* No memory for the bookkeeping: still give the right answer. */
        sum_range(job, 0, job->nouter, 0, job->n, 0);
        return;
    }
    job->leaf_start = (npy_intp *)block;
    job->leaf_len = job->leaf_start + cap;
    collect_row_leaves(job, target);
    if (job->group_items > 1) {
        job->col_partials = block + leaves_bytes;
    } else {
        job->partials = (numext_sum_acc *)(block + leaves_bytes);
    }
    const npy_intp total = job->ngroups * job->nleaves;
    job->leaves_per_task = (total + (npy_intp)ntasks - 1) / (npy_intp)ntasks;
    numext_parallel_for((size_t)((total + job->leaves_per_task - 1) / job->leaves_per_task),
                        leaf_task, job, nthreads);
    if (job->group_items > 1) {
        npy_intp next = 0;
        npy_intp root =
            numext_tree_combine_leaf_rows(k, job->col_partials, job->nouter, job->n, target, &next);
        k->cols_store(job->col_partials + (size_t)root * (size_t)job->nouter * (size_t)k->accsize,
                      job->nouter, job->out, job->out_outer);
    } else {
        for (npy_intp i = 0; i < job->nouter; i++) {
            combine_row(job, job->partials + i * job->nleaves, target,
                        job->out + i * job->out_outer);
        }
    }
    free(owned);
}

/* Whether the outer items are columns a column kernel sums together: a
 * fixed positive stride, a whole number of elements (adjacent columns, or a
 * view such as m[:, ::2]), shorter than the step between rows (cols_batch
 * then decides whether a batch of them fits a row's budget). */
static int outer_is_columns(const sum_job *job)
{
    const numext_sum_kernel *k = job->kernel;
    return k->cols_partial != NULL && job->nouter > 1 && job->in_outer > 0 &&
           job->in_outer % k->itemsize == 0 &&
           llabs((long long)job->in_core) > (long long)job->in_outer;
}

/* How the outer items are grouped: columns (a sum along a strided axis) in
 * batches summed together, else row by row, each row one buffer at a time
 * where NumPy sums so. */
static void plan_groups(sum_job *job)
{
    const numext_sum_kernel *k = job->kernel;
    if (outer_is_columns(job)) {
        job->stack_items =
            cols_batch(k, job->nouter, job->in_outer, job->n, NUMEXT_COLS_STACK_BYTES);
        if (job->stack_items >= 2) {
            job->group_items =
                cols_batch(k, job->nouter, job->in_outer, job->n, NUMEXT_COLS_WORK_MAX_BYTES);
            if (job->group_items < job->stack_items) {
                job->group_items = job->stack_items;
            }
        }
    } else if (job->nouter == 1 || job->in_outer == 0 ||
               llabs((long long)job->in_core) <= llabs((long long)job->in_outer)) {
        /* The core is NumPy's inner loop (np.sum sums it pairwise, not row
         * after row): NumPy may add it one buffer at a time. Asked by the
         * type summed in: a cast loop's (int64 as float64) input is cast. */
        const npy_intp chunk = numext_sum_chunk(k->out_type);
        job->chunk = chunk > 0 && job->n > chunk ? chunk : 0;
    }
    job->ngroups = (job->nouter + job->group_items - 1) / job->group_items;
}

/* Whole groups shared out to ntasks tasks. */
static void run_whole_cores(sum_job *job, int nthreads, size_t ntasks)
{
    if (job->group_items > 1) {
        /* Column batches in a multiple of the task count, all the same size. */
        const npy_intp nt = (npy_intp)ntasks;
        const npy_intp rounded = (job->ngroups + nt - 1) / nt * nt;
        job->group_items = (job->nouter + rounded - 1) / rounded;
        job->ngroups = (job->nouter + job->group_items - 1) / job->group_items;
    }
    job->groups_per_task = (job->ngroups + (npy_intp)ntasks - 1) / (npy_intp)ntasks;
    size_t tasks = (size_t)((job->ngroups + job->groups_per_task - 1) / job->groups_per_task);
    numext_parallel_for(tasks, whole_core_task, job, nthreads);
}

/* The job on ntasks tasks (reduction_driver.h): all here, whole groups per
 * task, or each group's core cut at nodes of its tree. */
static void run_job(void *arg, int nthreads, size_t ntasks)
{
    sum_job *job = arg;
    if (ntasks <= 1) {
        sum_range(job, 0, job->nouter, 0, job->n, 0);
    } else if ((size_t)job->ngroups >= ntasks) {
        run_whole_cores(job, nthreads, ntasks);
    } else {
        run_split_core(job, nthreads, ntasks);
    }
}

static void sum_loop(char **args, npy_intp const *dimensions, npy_intp const *steps,
                     void *loop_data)
{
    const numext_sum_kernel *k = loop_data;
    sum_job job = {.kernel = k,
                   .in = args[0],
                   .out = args[1],
                   .nouter = dimensions[0],
                   .n = dimensions[1],
                   .in_outer = steps[0],
                   .out_outer = steps[1],
                   .in_core = steps[2],
                   .group_items = 1};
    if (job.nouter <= 0) {
        return;
    }
    plan_groups(&job);
    numext_run_reduction(&job, job.nouter, job.n, k->itemsize, run_job);
}

static PyUFuncGenericFunction loop_funcs[NKERNELS];
static void *loop_data_ptrs[NKERNELS];
static char loop_types[2 * NKERNELS]; /* (in, out) per kernel */

static const char parallel_sum_doc[] =
    "parallel_sum(x, /, out=None, *, axis=-1, axes=None, keepdims=False, casting='same_kind', "
    "order='K', dtype=None)\n"
    "\n"
    "Sum over the last axis (a generalized ufunc with signature ``(n)->()``), giving\n"
    "exactly ``np.sum(x, axis=-1)``.\n"
    "\n"
    "Result dtype as np.sum: bool and signed integers give int64, unsigned give\n"
    "uint64 (both wrapping as np.sum does), float and complex keep theirs. Floats\n"
    "use NumPy's pairwise summation: for a contiguous axis the result is bit for bit\n"
    "np.sum's, one np.getbufsize() buffer at a time where NumPy sums so (byte-swapped,\n"
    "misaligned or cast input; every input on NumPy <= 2.2); along a strided axis it\n"
    "is pairwise too (np.sum adds row after row there, so numext is at least as\n"
    "accurate). The bits never depend on the number of threads. An empty axis\n"
    "gives 0.\n"
    "\n"
    "Integers with dtype=float64 are summed as float64, each element converted\n"
    "as it is read (no cast copy of the input).\n"
    "\n"
    "``axis=``, ``axes=``, ``keepdims=``, ``out=`` and broadcasting over the other\n"
    "dimensions work as for any gufunc; ``numext.sum`` adds ``axis=None`` and tuples.\n"
    "\n"
    "Threading: releases the GIL for inputs of 32 KiB and more (a 1-D input too);\n"
    "from 1 MiB the work is split over numext's thread pool: many rows are\n"
    "shared out, a long row is cut at nodes of the pairwise tree.\n";

PyObject *numext_make_parallel_sum(void)
{
    for (size_t i = 0; i < NKERNELS; i++) {
        loop_funcs[i] = sum_loop;
        loop_data_ptrs[i] = (void *)&kernels[i];
        loop_types[2 * i] = (char)kernels[i].in_type;
        loop_types[2 * i + 1] = (char)kernels[i].out_type;
    }
    return PyUFunc_FromFuncAndDataAndSignature(loop_funcs, loop_data_ptrs, loop_types,
                                               (int)NKERNELS, 1, 1, PyUFunc_None, "parallel_sum",
                                               parallel_sum_doc, 0, "(n)->()");
}
