/*
 * The exact_sum gufunc, signature (n)->(): the correctly rounded sum of each
 * row, and _exact_sum_state, (n)->(S): the same sum as an exact accumulator
 * state (for dask, which merges states exactly and rounds once).
 *
 * NumPy calls the loop once with dimensions [N, n] and steps [in_outer,
 * out_outer, in_core(, out_core)]. The loop
 *  - releases the GIL when it holds it and the input is large (NumPy does not
 *    for a gufunc over a 1-D input), and plans threads and tasks
 *    (reduction_driver.h, shared with parallel_sum);
 *  - sums groups of adjacent columns together (in_outer == itemsize: a sum
 *    along a strided axis) a block of rows at a time, so each row's cache
 *    lines are read once;
 *  - shares rows (or column groups) out to threads whole, or, when there are
 *    too few, cuts each row into pieces whose accumulators are merged: exact,
 *    so the bits never depend on the thread count or the split.
 */
#include "numext_numpy.h"

#include <stdlib.h>

#include "exact_sum_table.h"
#include "parallel_for.h"
#include "reduction_driver.h"
#include "sum_thread_buffers.h"

/* Adjacent columns summed together: float64 columns EXACT_COLUMNS at a time
 * (exact_add_columns, tiles of COLUMN_TILE_ROWS rows read as runs), others
 * GATHER_COLS at a time (each column gathered a block at a time). */
#define GATHER_COLS 16
#define COLUMN_TILE_ROWS 512
typedef struct {
    const exact_kernel *k;
    const char *in;
    char *out;
    npy_intp nouter, n, in_outer, out_outer, in_core, out_core;
    int columns;             /* adjacent columns, */
    npy_intp group_cols;     /* summed this many at a time */
    npy_intp items_per_task; /* whole-row tasks */
    npy_intp pieces;         /* cut rows: pieces per row, */
    npy_intp piece_len;      /* elements per piece, */
    exact_acc *partials;     /* and their accumulators [row][piece][comp] */
} exact_job;

/* Add elements [start, start + len) of item i into acc (ncomp accumulators). */
static void add_item(const exact_job *job, npy_intp i, npy_intp start, npy_intp len, exact_acc *acc,
                     exact_work *work)
{
    const exact_kernel *k = job->k;
    const char *p = job->in + i * job->in_outer + start * job->in_core;
    for (int c = 0; c < k->ncomp; c++) {
        k->add_range(&acc[c], p + c * k->comp_size, len, job->in_core, work);
    }
}

/* Items [lo, hi) whole, stored. */
static void sum_rows(const exact_job *job, npy_intp lo, npy_intp hi)
{
    const exact_kernel *k = job->k;
    _Alignas(64) exact_work work;
    exact_work_init(&work);
    exact_acc acc[2];
    for (npy_intp i = lo; i < hi; i++) {
        exact_acc_init(&acc[0]);
        exact_acc_init(&acc[1]);
        add_item(job, i, 0, job->n, acc, &work);
        k->store(acc, job->out + i * job->out_outer, job->out_core);
    }
}

/* Adjacent columns [lo, hi), group_cols at a time, a tile of rows at a time. */
static void sum_columns(const exact_job *job, npy_intp lo, npy_intp hi)
{
    const exact_kernel *k = job->k;
    const npy_intp width = job->group_cols;
    const npy_intp tile = k->float64_columns ? COLUMN_TILE_ROWS : EXACT_BLOCK;
    /* About 200 KB: kept by the thread for its next calls (sum_thread_buffers.h). */
    exact_work *work = numext_thread_buffer(NUMEXT_BUF_EXACT_COLUMNS,
                                            sizeof *work + (size_t)width * 2 * sizeof(exact_acc));
    if (work == NULL) {
        sum_rows(job, lo, hi); /* no memory: column by column, still exact */
        return;
    }
    exact_acc *acc = (exact_acc *)(work + 1); /* [column][component] */
    exact_work_init(work);
    for (npy_intp c0 = lo; c0 < hi; c0 += width) {
        const npy_intp nc = hi - c0 < width ? hi - c0 : width;
        for (npy_intp c = 0; c < 2 * nc; c++) {
            exact_acc_init(&acc[c]);
        }
        for (npy_intp r0 = 0; r0 < job->n; r0 += tile) {
            const npy_intp len = job->n - r0 < tile ? job->n - r0 : tile;
            if (k->float64_columns) {
                /* Rows read as runs, the columns as vector lanes. */
                exact_add_columns(acc, 2, work, job->in + c0 * job->in_outer + r0 * job->in_core,
                                  nc, len, job->in_core);
                continue;
            }
            for (npy_intp c = 0; c < nc; c++) {
                add_item(job, c0 + c, r0, len, &acc[2 * c], work);
            }
        }
        for (npy_intp c = 0; c < nc; c++) {
            k->store(&acc[2 * c], job->out + (c0 + c) * job->out_outer, job->out_core);
        }
    }
}

static void sum_items(const exact_job *job, npy_intp lo, npy_intp hi)
{
    if (job->columns) {
        sum_columns(job, lo, hi);
    } else {
        sum_rows(job, lo, hi);
    }
}

static void whole_items_task(void *arg, size_t task, int thread_index)
{
    (void)thread_index;
    const exact_job *job = arg;
    const npy_intp lo = (npy_intp)task * job->items_per_task;
    const npy_intp hi = lo + job->items_per_task;
    sum_items(job, lo, hi < job->nouter ? hi : job->nouter);
}

static void piece_task(void *arg, size_t task, int thread_index)
{
    (void)thread_index;
    const exact_job *job = arg;
    const npy_intp i = (npy_intp)task / job->pieces, piece = (npy_intp)task % job->pieces;
    const npy_intp start = piece * job->piece_len;
    npy_intp len = job->n - start < job->piece_len ? job->n - start : job->piece_len;
    _Alignas(64) exact_work work;
    exact_work_init(&work);
    exact_acc *acc = &job->partials[(size_t)task * 2];
    exact_acc_init(&acc[0]);
    exact_acc_init(&acc[1]);
    if (len > 0) {
        add_item(job, i, start, len, acc, &work);
    }
}

/* Few long rows: each cut into pieces of whole blocks, merged per row. */
static void run_pieces(exact_job *job, int nthreads, size_t ntasks)
{
    npy_intp pieces = ((npy_intp)ntasks + job->nouter - 1) / job->nouter;
    npy_intp blocks = (job->n + EXACT_BLOCK - 1) / EXACT_BLOCK;
    if (pieces > blocks) {
        pieces = blocks;
    }
    job->piece_len = (blocks + pieces - 1) / pieces * EXACT_BLOCK;
    job->pieces = (job->n + job->piece_len - 1) / job->piece_len;
    const size_t count = (size_t)(job->nouter * job->pieces);
    job->partials = malloc(count * 2 * sizeof(exact_acc));
    if (job->partials == NULL) {
        sum_rows(job, 0, job->nouter); /* no memory: still the right answer */
        return;
    }
    numext_parallel_for(count, piece_task, job, nthreads);
    for (npy_intp i = 0; i < job->nouter; i++) {
        exact_acc *first = &job->partials[(size_t)(i * job->pieces) * 2];
        for (npy_intp p = 1; p < job->pieces; p++) {
            const exact_acc *other = &job->partials[(size_t)(i * job->pieces + p) * 2];
            exact_acc_merge(&first[0], &other[0]);
            exact_acc_merge(&first[1], &other[1]);
        }
        job->k->store(first, job->out + i * job->out_outer, job->out_core);
    }
    free(job->partials);
}

/* The job on ntasks tasks (reduction_driver.h). */
static void run_job(void *arg, int nthreads, size_t ntasks)
{
    exact_job *job = arg;
    if (job->columns && ntasks > 1 && job->nouter < (npy_intp)ntasks * job->group_cols) {
        /* Narrower column groups, so that every task gets some. */
        const npy_intp narrow = (job->nouter + (npy_intp)ntasks - 1) / (npy_intp)ntasks;
        job->group_cols = narrow < GATHER_COLS ? GATHER_COLS : narrow;
    }
    /* Outer items go to tasks a group at a time: a row, or a column group. */
    const npy_intp group_items = job->columns ? job->group_cols : 1;
    const npy_intp ngroups = (job->nouter + group_items - 1) / group_items;
    if (ntasks <= 1) {
        sum_items(job, 0, job->nouter);
    } else if ((size_t)ngroups >= ntasks || job->n <= EXACT_BLOCK) {
        const npy_intp per_task = (ngroups + (npy_intp)ntasks - 1) / (npy_intp)ntasks;
        job->items_per_task = per_task * group_items;
        const size_t tasks = (size_t)((ngroups + per_task - 1) / per_task);
        numext_parallel_for(tasks, whole_items_task, job, nthreads);
    } else {
        run_pieces(job, nthreads, ntasks);
    }
}

static void exact_loop(char **args, npy_intp const *dimensions, npy_intp const *steps,
                       void *loop_data, int has_out_core)
{
    const exact_kernel *k = loop_data;
    exact_job job = {.k = k,
                     .in = args[0],
                     .out = args[1],
                     .nouter = dimensions[0],
                     .n = dimensions[1],
                     .in_outer = steps[0],
                     .out_outer = steps[1],
                     .in_core = steps[2],
                     .out_core = has_out_core ? steps[3] : 0};
    if (job.nouter <= 0) {
        return;
    }
    job.columns =
        job.in_outer == k->itemsize && job.nouter > 1 && job.in_core != k->itemsize && job.n > 1;
    job.group_cols = k->float64_columns ? EXACT_COLUMNS : GATHER_COLS;
    numext_run_reduction(&job, job.nouter, job.n, k->itemsize, run_job);
}

static void sum_loop(char **args, npy_intp const *dimensions, npy_intp const *steps,
                     void *loop_data)
{
    exact_loop(args, dimensions, steps, loop_data, 0);
}

static void state_loop(char **args, npy_intp const *dimensions, npy_intp const *steps,
                       void *loop_data)
{
    exact_loop(args, dimensions, steps, loop_data, 1);
}

/* ---- registration ------------------------------------------------------------ */

#define MAX_LOOPS 64
static PyUFuncGenericFunction sum_funcs[MAX_LOOPS], state_funcs[MAX_LOOPS];
static void *sum_data[MAX_LOOPS], *state_data[MAX_LOOPS];

static const char exact_sum_doc[] =
    "exact_sum(x, /, out=None, *, axis=-1, axes=None, keepdims=False, casting='same_kind', "
    "order='K', dtype=None)\n"
    "\n"
    "Correctly rounded sum over the last axis (a generalized ufunc with signature\n"
    "``(n)->()``): the exact sum of the values, as real numbers, rounded once to\n"
    "nearest (ties to even) in the result dtype; math.fsum's value for float64.\n"
    "\n"
    "float16, float32, float64, complex64 and complex128 keep their dtype (complex:\n"
    "real and imaginary parts each exact); bool and integers give float64 (the exact\n"
    "integer sum, rounded once); dtype= float16/32/64 rounds straight to that type.\n"
    "Any NaN gives NaN; +inf with -inf gives NaN and an 'invalid' warning; a sum past\n"
    "the largest finite value gives +-inf and an 'overflow' warning (np.errstate\n"
    "applies). A zero or empty sum is +0.0. The bits never depend on the thread\n"
    "count, the memory layout or the order of the values.\n"
    "\n"
    "Releases the GIL for inputs of 32 KiB and more (a 1-D input too); from 1 MiB\n"
    "the work is split over numext's thread pool.\n";

static const char exact_state_doc[] =
    "_exact_sum_state(x, /) -> int64 state of each row's exact sum, signature (n)->(S).\n"
    "States merge exactly (_exact_state_merge) and round once (_exact_state_round).\n";

#define STR_(x) #x
#define STR(x) STR_(x)

PyObject *numext_make_exact_sum(void)
{
    const int n = numext_exact_sum_nkernels;
    if (n > MAX_LOOPS) {
        PyErr_SetString(PyExc_RuntimeError, "exact_sum: too many loops");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        sum_funcs[i] = sum_loop;
        sum_data[i] = (void *)&numext_exact_sum_kernels[i];
    }
    return PyUFunc_FromFuncAndDataAndSignature(sum_funcs, sum_data, (char *)numext_exact_sum_types,
                                               n, 1, 1, PyUFunc_None, "exact_sum", exact_sum_doc, 0,
                                               "(n)->()");
}

PyObject *numext_make_exact_sum_state(void)
{
    const int n = numext_exact_state_nkernels;
    for (int i = 0; i < n && i < MAX_LOOPS; i++) {
        state_funcs[i] = state_loop;
        state_data[i] = (void *)&numext_exact_state_kernels[i];
    }
    return PyUFunc_FromFuncAndDataAndSignature(
        state_funcs, state_data, (char *)numext_exact_state_types, n, 1, 1, PyUFunc_None,
        "_exact_sum_state", exact_state_doc, 0, "(n)->(" STR(EXACT_STATE_WORDS) ")");
}
