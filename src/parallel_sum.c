/*
 * The parallel_sum gufunc, signature (n)->(): registration, the per-dtype
 * kernel table, and the loop that shares the work out.
 *
 * NumPy calls the loop once with dimensions [N, n] and steps
 * [in_outer, out_outer, in_core]. The loop
 *  - releases the GIL when it holds it (NumPy does not for a gufunc whose
 *    loop dimensions are small, e.g. any 1-D input) and the input is large;
 *  - sums adjacent columns together (in_outer == itemsize: a sum along a
 *    strided axis such as axis=0) so every cache line read is used whole;
 *  - shares many rows (or column blocks) out to threads whole, or, when there
 *    are too few of them, cuts each row at nodes of NumPy's pairwise tree and
 *    adds the pieces back up the tree: bits independent of the thread count.
 */
#include "numext_numpy.h"

#include <stdlib.h>

#include "numext_tuning.h"
#include "pairwise_sum_kernels.h"
#include "parallel_for.h"

/* ---- the dtype table ---------------------------------------------------- */

NUMEXT_DEFINE_INT_SUM(sum_bool, npy_bool, npy_long, NUMEXT_BOOL_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_byte, npy_byte, npy_long, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_ubyte, npy_ubyte, npy_ulong, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_short, npy_short, npy_long, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_ushort, npy_ushort, npy_ulong, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_int, npy_int, npy_long, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_uint, npy_uint, npy_ulong, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_long, npy_long, npy_long, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_ulong, npy_ulong, npy_ulong, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_longlong, npy_longlong, npy_longlong, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_INT_SUM(sum_ulonglong, npy_ulonglong, npy_ulonglong, NUMEXT_INT_VALUE)
NUMEXT_DEFINE_REAL_SUM(sum_half, npy_half, npy_float, f, NUMEXT_LOAD_HALF, NUMEXT_STORE_HALF)
NUMEXT_DEFINE_REAL_SUM(sum_float, npy_float, npy_float, f, NUMEXT_LOAD_SCALAR, NUMEXT_STORE_SCALAR)
NUMEXT_DEFINE_REAL_SUM(sum_double, npy_double, npy_double, d, NUMEXT_LOAD_SCALAR,
                       NUMEXT_STORE_SCALAR)
NUMEXT_DEFINE_REAL_SUM(sum_longdouble, npy_longdouble, npy_longdouble, g, NUMEXT_LOAD_SCALAR,
                       NUMEXT_STORE_SCALAR)
NUMEXT_DEFINE_COMPLEX_SUM(sum_cfloat, npy_float, cf)
NUMEXT_DEFINE_COMPLEX_SUM(sum_cdouble, npy_double, cd)
NUMEXT_DEFINE_COMPLEX_SUM(sum_clongdouble, npy_longdouble, cg)

#define INT_KERNEL(name, T) \
    {NUMEXT_TREE_REAL, sizeof(T), name##_partial, name##_cols_partial, name##_combine, name##_store}
#define REAL_KERNEL(name, T) INT_KERNEL(name, T)
#define COMPLEX_KERNEL(name, R) \
    {NUMEXT_TREE_COMPLEX, 2 * sizeof(R), name##_partial, NULL, name##_combine, name##_store}

/* In the order NumPy's type search tries them: the first loop an input can be
 * cast to safely wins, which gives np.sum's result dtypes (bool and signed
 * ints -> int64, unsigned -> uint64, floats and complex keep theirs). */
static const numext_sum_kernel kernels[] = {
    INT_KERNEL(sum_bool, npy_bool),          INT_KERNEL(sum_byte, npy_byte),
    INT_KERNEL(sum_ubyte, npy_ubyte),        INT_KERNEL(sum_short, npy_short),
    INT_KERNEL(sum_ushort, npy_ushort),      INT_KERNEL(sum_int, npy_int),
    INT_KERNEL(sum_uint, npy_uint),          INT_KERNEL(sum_long, npy_long),
    INT_KERNEL(sum_ulong, npy_ulong),        INT_KERNEL(sum_longlong, npy_longlong),
    INT_KERNEL(sum_ulonglong, npy_ulonglong), REAL_KERNEL(sum_half, npy_half),
    REAL_KERNEL(sum_float, npy_float),       REAL_KERNEL(sum_double, npy_double),
    REAL_KERNEL(sum_longdouble, npy_longdouble), COMPLEX_KERNEL(sum_cfloat, npy_float),
    COMPLEX_KERNEL(sum_cdouble, npy_double), COMPLEX_KERNEL(sum_clongdouble, npy_longdouble),
};

static const char kernel_types[] = {
    NPY_BOOL,   NPY_LONG,      NPY_BYTE,       NPY_LONG,       NPY_UBYTE,       NPY_ULONG,
    NPY_SHORT,  NPY_LONG,      NPY_USHORT,     NPY_ULONG,      NPY_INT,         NPY_LONG,
    NPY_UINT,   NPY_ULONG,     NPY_LONG,       NPY_LONG,       NPY_ULONG,       NPY_ULONG,
    NPY_LONGLONG, NPY_LONGLONG, NPY_ULONGLONG, NPY_ULONGLONG,  NPY_HALF,        NPY_HALF,
    NPY_FLOAT,  NPY_FLOAT,     NPY_DOUBLE,     NPY_DOUBLE,     NPY_LONGDOUBLE,  NPY_LONGDOUBLE,
    NPY_CFLOAT, NPY_CFLOAT,    NPY_CDOUBLE,    NPY_CDOUBLE,    NPY_CLONGDOUBLE, NPY_CLONGDOUBLE,
};

#define NKERNELS (sizeof(kernels) / sizeof(kernels[0]))
_Static_assert(sizeof(kernel_types) == 2 * NKERNELS, "one (in, out) pair per kernel");

/* ---- sharing the work out ------------------------------------------------ */

typedef struct {
    const numext_sum_kernel *k;
    const char *in;
    char *out;
    npy_intp nouter, n, in_outer, out_outer, in_core;
    npy_intp unit_items;     /* outer items per unit: 1 row, or a batch of columns */
    npy_intp units;          /* ceil(nouter / unit_items) */
    npy_intp units_per_task; /* whole-core tasks */
    npy_intp nleaves;        /* > 1: each unit's core is cut into tree leaves */
    npy_intp *leaf_start, *leaf_len;
    numext_sum_acc *partials; /* [item * nleaves + leaf] */
    char *scratch;            /* column workspace, scratch_bytes per thread */
    size_t scratch_bytes;
} sum_job;

/* Column kernels need a workspace per thread: one allocation per call, never
 * per task (concurrent malloc/free of large blocks serialises threads on the
 * kernel's mmap lock). Returns 0, or -1 when there is no memory for it, in
 * which case columns are summed one at a time. */
static int alloc_scratch(sum_job *job, int nthreads, npy_intp core_len)
{
    job->scratch = NULL;
    if (job->unit_items <= 1) {
        return 0;
    }
    size_t bytes = (size_t)job->unit_items * sizeof(numext_sum_acc) +
                   numext_cols_work_bytes(job->unit_items, core_len);
    bytes = (bytes + 4095) / 4096 * 4096;
    job->scratch = aligned_alloc(4096, bytes * (size_t)nthreads);
    job->scratch_bytes = bytes;
    if (job->scratch == NULL) {
        job->unit_items = 1;
        job->units = job->nouter;
        return -1;
    }
    return 0;
}

/* Sums of outer items [lo, hi) over core elements [start, start + len): stored
 * into `out` when partials is NULL, else into partials[item * nleaves + leaf]. */
static void sum_range(const sum_job *job, int thread_index, npy_intp lo, npy_intp hi,
                      npy_intp start, npy_intp len, npy_intp leaf)
{
    const numext_sum_kernel *k = job->k;
    const char *base = job->in + start * job->in_core;
    if (job->unit_items > 1) {
        char *scratch = job->scratch + (size_t)thread_index * job->scratch_bytes;
        void *work = scratch;
        numext_sum_acc *acc = (numext_sum_acc *)(scratch + job->scratch_bytes -
                                                 (size_t)job->unit_items * sizeof(numext_sum_acc));
        for (npy_intp c0 = lo; c0 < hi; c0 += job->unit_items) {
            npy_intp nc = hi - c0 < job->unit_items ? hi - c0 : job->unit_items;
            k->cols_partial(base + c0 * job->in_outer, nc, len, job->in_core, acc, work);
            for (npy_intp c = 0; c < nc; c++) {
                if (job->partials == NULL) {
                    k->store(&acc[c], job->out + (c0 + c) * job->out_outer);
                }
                else {
                    job->partials[(c0 + c) * job->nleaves + leaf] = acc[c];
                }
            }
        }
        return;
    }
    for (npy_intp i = lo; i < hi; i++) {
        if (job->partials == NULL) {
            numext_sum_acc one;
            k->partial(base + i * job->in_outer, len, job->in_core, &one);
            k->store(&one, job->out + i * job->out_outer);
        }
        else {
            k->partial(base + i * job->in_outer, len, job->in_core,
                       &job->partials[i * job->nleaves + leaf]);
        }
    }
}

static void whole_core_task(void *arg, size_t task, int thread_index)
{
    const sum_job *job = arg;
    npy_intp lo = (npy_intp)task * job->units_per_task * job->unit_items;
    npy_intp hi = lo + job->units_per_task * job->unit_items;
    sum_range(job, thread_index, lo, hi < job->nouter ? hi : job->nouter, 0, job->n, 0);
}

static void leaf_task(void *arg, size_t task, int thread_index)
{
    const sum_job *job = arg;
    npy_intp unit = (npy_intp)task / job->nleaves, leaf = (npy_intp)task % job->nleaves;
    npy_intp lo = unit * job->unit_items;
    npy_intp hi = lo + job->unit_items < job->nouter ? lo + job->unit_items : job->nouter;
    sum_range(job, thread_index, lo, hi, job->leaf_start[leaf], job->leaf_len[leaf], leaf);
}

/* Leaves of the pairwise tree over n elements: nodes no longer than `target`. */
static void collect_leaves(int tree, npy_intp start, npy_intp n, npy_intp target,
                           npy_intp *leaf_start, npy_intp *leaf_len, npy_intp *count)
{
    npy_intp n2 = numext_sum_tree_split(tree, n);
    if (n <= target || n2 == 0) {
        leaf_start[*count] = start;
        leaf_len[*count] = n;
        (*count)++;
        return;
    }
    collect_leaves(tree, start, n2, target, leaf_start, leaf_len, count);
    collect_leaves(tree, start + n2, n - n2, target, leaf_start, leaf_len, count);
}

/* The value of the node of n elements, from its leaves, in tree order. */
static void combine_leaves(const numext_sum_kernel *k, npy_intp n, npy_intp target,
                           const numext_sum_acc *leaves, npy_intp *next, numext_sum_acc *out)
{
    npy_intp n2 = numext_sum_tree_split(k->tree, n);
    if (n <= target || n2 == 0) {
        *out = leaves[(*next)++];
        return;
    }
    numext_sum_acc right;
    combine_leaves(k, n2, target, leaves, next, out);
    combine_leaves(k, n - n2, target, leaves, next, &right);
    k->combine(out, &right);
}

/* Upper bound on the leaves of a tree cut at `target`: the cut is at most
 * ceil(log2(n / target)) + 1 levels deep and every split halves (to within 8). */
static npy_intp max_leaves(npy_intp n, npy_intp target)
{
    npy_intp count = 1;
    while (n > target && count < ((npy_intp)1 << 20)) {
        n = n / 2 + 8;
        count *= 2;
    }
    return count * 2;
}

static void run_split_core(sum_job *job, int nthreads, size_t ntasks)
{
    const numext_sum_kernel *k = job->k;
    npy_intp leaves_per_unit = ((npy_intp)ntasks + job->units - 1) / job->units;
    npy_intp min_leaf = (npy_intp)(NUMEXT_TASK_MIN_BYTES / (size_t)(k->itemsize * job->unit_items));
    npy_intp target = (job->n + leaves_per_unit - 1) / leaves_per_unit;
    if (target < min_leaf) {
        target = min_leaf;
    }
    if (target < 128) {
        target = 128;
    }
    npy_intp cap = max_leaves(job->n, target);
    job->leaf_start = malloc((size_t)cap * 2 * sizeof(npy_intp));
    numext_sum_acc *partials = NULL;
    if (job->leaf_start != NULL) {
        job->leaf_len = job->leaf_start + cap;
        job->nleaves = 0;
        collect_leaves(k->tree, 0, job->n, target, job->leaf_start, job->leaf_len, &job->nleaves);
        partials = malloc((size_t)(job->nouter * job->nleaves) * sizeof(numext_sum_acc));
    }
    if (partials == NULL || alloc_scratch(job, nthreads, target) < 0) {
        /* No memory for the bookkeeping: still give the right answer. */
        free(partials);
        free(job->leaf_start);
        free(job->scratch);
        job->partials = NULL;
        alloc_scratch(job, 1, job->n);
        sum_range(job, 0, 0, job->nouter, 0, job->n, 0);
        free(job->scratch);
        return;
    }
    job->partials = partials;
    numext_parallel_for((size_t)(job->units * job->nleaves), leaf_task, job, nthreads);
    for (npy_intp i = 0; i < job->nouter; i++) {
        numext_sum_acc total;
        npy_intp next = 0;
        combine_leaves(k, job->n, target, job->partials + i * job->nleaves, &next, &total);
        k->store(&total, job->out + i * job->out_outer);
    }
    free(job->scratch);
    free(job->partials);
    free(job->leaf_start);
}

static void sum_loop(char **args, npy_intp const *dimensions, npy_intp const *steps,
                     void *loop_data)
{
    const numext_sum_kernel *k = loop_data;
    sum_job job = {.k = k, .in = args[0], .out = args[1], .nouter = dimensions[0],
                   .n = dimensions[1], .in_outer = steps[0], .out_outer = steps[1],
                   .in_core = steps[2], .unit_items = 1};
    if (job.nouter <= 0) {
        return;
    }
    /* Adjacent columns (a sum along a strided axis) are summed together. */
    if (k->cols_partial != NULL && job.in_outer == k->itemsize && job.nouter > 1 &&
        job.in_core != k->itemsize) {
        job.unit_items = numext_cols_batch(k->itemsize);
    }
    job.units = (job.nouter + job.unit_items - 1) / job.unit_items;
    const size_t nbytes = (size_t)job.nouter * (size_t)job.n * (size_t)k->itemsize;

    PyThreadState *saved = NULL;
    if (nbytes >= NUMEXT_RELEASE_GIL_MIN_BYTES && PyGILState_Check()) {
        saved = PyEval_SaveThread();
    }
    const int nthreads = nbytes >= NUMEXT_PARALLEL_MIN_BYTES ? numext_threads_available() : 1;
    const size_t ntasks = numext_plan_tasks(nbytes, nthreads);
    if (ntasks <= 1 || (size_t)job.units >= ntasks) {
        alloc_scratch(&job, ntasks <= 1 ? 1 : nthreads, job.n);
        if (ntasks <= 1) {
            sum_range(&job, 0, 0, job.nouter, 0, job.n, 0);
        }
        else {
            job.units_per_task = (job.units + (npy_intp)ntasks - 1) / (npy_intp)ntasks;
            size_t tasks = (size_t)((job.units + job.units_per_task - 1) / job.units_per_task);
            numext_parallel_for(tasks, whole_core_task, &job, nthreads);
        }
        free(job.scratch);
    }
    else {
        run_split_core(&job, nthreads, ntasks);
    }
    if (saved != NULL) {
        PyEval_RestoreThread(saved);
    }
}

static PyUFuncGenericFunction loop_funcs[NKERNELS];
static void *loop_data_ptrs[NKERNELS];

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
    "np.sum's; along a strided axis it is pairwise too (np.sum adds row after row\n"
    "there, so numext is at least as accurate). The bits never depend on the\n"
    "number of threads. An empty axis gives 0.\n"
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
    }
    return PyUFunc_FromFuncAndDataAndSignature(loop_funcs, loop_data_ptrs, (char *)kernel_types,
                                               (int)NKERNELS, 1, 1, PyUFunc_None, "parallel_sum",
                                               parallel_sum_doc, 0, "(n)->()");
}
