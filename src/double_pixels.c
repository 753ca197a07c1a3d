/*
 * The double_pixels ufunc: registration, the per-dtype loop table, and the
 * loop that splits one call's range across the pool.
 *
 * Loops are registered with NumPy's legacy API, so type resolution is NumPy's
 * safe-cast search over the table (double_pixels_dtypes.h), in order: every
 * numeric dtype finds its own loop, and object, string, datetime, timedelta
 * and structured inputs find none and raise NumPy's TypeError naming
 * 'double_pixels'. bool has its own bool -> int64 loop (as np.multiply(bool,
 * 2) gives int64), registered as an ArrayMethod (add_bool_loop). NumPy
 * handles casting, out=, where=, broadcasting, overlap and errstate around
 * our loop; the loop only has to be right and fast.
 */
#include "numext_numpy.h"

#include <stdint.h>

#include "double_pixels_kernels.h"
#include "numext_tuning.h"
#include "parallel_for.h"
#include "strided_ranges.h"

/* One row of the dtype table: the data NumPy hands the loop. */
typedef struct {
    numext_unary_kernel kernel;
    int in_type, out_type;
    npy_intp in_size, out_size;
} unary_loop_data;

/* One pool task: a range of the loop (strided_ranges.h: cut at cache-line
 * boundaries of the output so two threads never write the same line). */
typedef struct {
    const unary_loop_data *data;
    const char *in;
    char *out;
    npy_intp in_step, out_step;
    numext_ranges plan;
} unary_job;

static void unary_task(void *arg, size_t task, int thread_index)
{
    (void)thread_index;
    const unary_job *job = arg;
    ptrdiff_t lo, hi;
    numext_ranges_get(&job->plan, task, &lo, &hi);
    if (lo < hi) {
        job->data->kernel(job->in + lo * job->in_step, job->in_step, job->out + lo * job->out_step,
                          job->out_step, hi - lo, 0);
    }
}

/*
 * Where the calling thread's last call of NUMEXT_DP_ALIGN_INPUT_MIN_BYTES or
 * more ended its contiguous output, and how many bytes (input plus output)
 * such calls have moved into that output in order so far. NumPy's buffered
 * iteration (a broadcast or cast input) calls the loop once per buffer of
 * 8192 elements along one output; each call alone looks short and
 * cache-resident, the run of them tells the kernel the output is long.
 * Shorter calls, where the kernel's placement rule does not look, never
 * touch it: a thread-local access from a shared library is a function call
 * (where= every other element calls the loop per element: 0.74-0.88x NumPy
 * with it). A new array that happens to start where the last output ended
 * only misleads the hint, never the result. `last_in`: the input of that
 * call, which tells NumPy's buffer, filled again for each call.
 */
static _Thread_local struct {
    const char *next_out, *last_in;
    size_t bytes;
} output_stream;

/* The bytes earlier calls streamed into this output just before `out`;
 * *refilled: this call reads the same input as the last one did (NumPy's
 * buffer, filled again). */
static size_t output_stream_before(const char *in, const char *out, npy_intp out_step,
                                   npy_intp out_size, npy_intp n, size_t nbytes, int *refilled)
{
    const size_t before = out == output_stream.next_out ? output_stream.bytes : 0;
    const int contiguous = out_step == out_size;
    *refilled = before > 0 && contiguous && in == output_stream.last_in;
    output_stream.next_out = contiguous ? out + n * out_step : NULL;
    output_stream.last_in = in;
    output_stream.bytes = contiguous ? before + nbytes : 0;
    return before;
}

/*
 * NumPy fills its buffer and then calls the loop on it: 8192 elements, for
 * complex64 64 KiB, more than the L1 holds, so when the loop starts the
 * buffer's first lines have left the L1 and its last ones are still there.
 * Taken in pieces from the end, the loop reads those first (complex64
 * broadcast rows of 1e5, one thread, eight heap layouts: 0.96-1.00x NumPy
 * -> 1.02-1.17x). Each piece runs forward and starts on a cache line of the
 * output. (The first buffer of a run goes forward: nothing tells it yet.)
 */
static void run_backward_in_pieces(const unary_loop_data *data, char *const *args,
                                   npy_intp const *steps, npy_intp n, size_t streamed)
{
    const npy_intp piece = NUMEXT_DP_REFILL_PIECE_BYTES / data->in_size;
    for (npy_intp hi = n; hi > 0;) {
        npy_intp lo = hi > piece ? hi - piece : 0;
        const uintptr_t start = (uintptr_t)(args[1] + lo * steps[1]);
        lo -= (npy_intp)(start % NUMEXT_CACHE_LINE) / steps[1];
        lo = lo > 0 ? lo : 0;
        data->kernel(args[0] + lo * steps[0], steps[0], args[1] + lo * steps[1], steps[1], hi - lo,
                     streamed);
        hi = lo;
    }
}

static void unary_parallel_loop(char **args, npy_intp const *dimensions, npy_intp const *steps,
                                void *loop_data)
{
    const unary_loop_data *data = loop_data;
    const npy_intp n = dimensions[0];
    const size_t nbytes = (size_t)n * (size_t)(data->in_size + data->out_size);
    if (nbytes < NUMEXT_PARALLEL_MIN_BYTES) {
        /* The common small case: no pool, no lock, no allocation. */
        int refilled = 0;
        const size_t streamed = nbytes < NUMEXT_DP_ALIGN_INPUT_MIN_BYTES
                                    ? 0
                                    : output_stream_before(args[0], args[1], steps[1],
                                                           data->out_size, n, nbytes, &refilled);
        if (refilled && (size_t)(n * data->in_size) >= NUMEXT_DP_REFILL_MIN_BYTES &&
            !numext_spans_overlap(args[0], steps[0], data->in_size, args[1], steps[1],
                                  data->out_size, n)) {
            run_backward_in_pieces(data, args, steps, n, streamed);
            return;
        }
        data->kernel(args[0], steps[0], args[1], steps[1], n, streamed);
        return;
    }
    /* NumPy passes out= partly overlapping its input without a copy when a
     * forward loop is safe (out = x[:-1], in = x[1:]); split over threads it
     * is not, so such a call runs in order on this thread. */
    if (numext_spans_overlap(args[0], steps[0], data->in_size, args[1], steps[1], data->out_size,
                             n)) {
        data->kernel(args[0], steps[0], args[1], steps[1], n, 0);
        return;
    }
    const int nthreads = numext_threads_available();
    const size_t ntasks = numext_plan_tasks(nbytes, nthreads);
    if (ntasks <= 1) {
        data->kernel(args[0], steps[0], args[1], steps[1], n, 0);
        return;
    }
    unary_job job = {
        .data = data, .in = args[0], .out = args[1], .in_step = steps[0], .out_step = steps[1]};
    numext_ranges_plan(&job.plan, n, ntasks, args[1], steps[1], data->out_size);
    numext_parallel_for(job.plan.ntasks, unary_task, &job, nthreads);
}

/* ---- the dtype table: one kernel body, expanded per dtype ---------------- */

#define DP_EXPAND "double_pixels_body.h"
#include "double_pixels_dtypes.h"
#undef DP_EXPAND

static const unary_loop_data loop_data[] = {
#define DP_EXPAND "double_pixels_entry.h"
#include "double_pixels_dtypes.h"
#undef DP_EXPAND
};

/* Row 0, bool, is registered apart (add_bool_loop); the rest as legacy loops. */
#define NLOOPS (sizeof(loop_data) / sizeof(loop_data[0]))
#define NLEGACY (NLOOPS - 1)
static char loop_types[2 * NLEGACY];
static PyUFuncGenericFunction loop_funcs[NLEGACY];
static void *loop_data_ptrs[NLEGACY];

/*
 * bool -> int64 as an ArrayMethod that declares itself a safe cast, so that
 * casting='no' or 'equiv' refuses a bool input with NumPy's TypeError, as
 * np.multiply(bool_array, 2) does (the bool is cast to int64 there); a
 * legacy loop cannot say so, and would compute. NumPy finds it by exact
 * match before its legacy search could cast bool to int8.
 */
static int bool_loop(PyArrayMethod_Context *context, char *const data[],
                     npy_intp const dimensions[], npy_intp const strides[], NpyAuxData *aux)
{
    (void)context;
    (void)aux;
    /* loop_data[0]: the bool row, first in the table. */
    unary_parallel_loop((char **)data, dimensions, strides, (void *)&loop_data[0]);
    return 0;
}

static int add_bool_loop(PyObject *ufunc)
{
    PyArray_DTypeMeta *dtypes[2] = {&PyArray_BoolDType, &PyArray_LongDType};
    PyType_Slot slots[] = {{NPY_METH_strided_loop, (void *)bool_loop}, {0, NULL}};
    PyArrayMethod_Spec spec = {.name = "double_pixels_bool",
                               .nin = 1,
                               .nout = 1,
                               .casting = NPY_SAFE_CASTING,
                               .flags = NPY_METH_NO_FLOATINGPOINT_ERRORS,
                               .dtypes = dtypes,
                               .slots = slots};
    return PyUFunc_AddLoopFromSpec(ufunc, &spec);
}

static const char double_pixels_doc[] =
    "double_pixels(x, /, out=None, *, where=True, casting='same_kind', order='K', "
    "dtype=None, subok=True)\n"
    "\n"
    "Return ``x * 2`` element by element, exactly as ``np.multiply(x, 2)``.\n"
    "\n"
    "A NumPy ufunc: broadcasting, ``out=``, ``where=``, ``dtype=``, ``casting=`` and\n"
    "``__array_ufunc__`` overrides work as for any ufunc.\n"
    "\n"
    "Dtypes: bool (gives int64, a safe cast: refused under ``casting='no'``\n"
    "or ``'equiv'``, as by ``np.multiply``), int8..int64 and uint8..uint64 (wrapping on\n"
    "overflow, as NumPy's ``x * 2``; a uint8 image doubles modulo 256), float16,\n"
    "float32, float64, longdouble, complex64, complex128, clongdouble. Float\n"
    "overflow to inf warns, or raises under ``np.errstate(over='raise')``. Object,\n"
    "string, datetime, timedelta and structured inputs raise TypeError.\n"
    "\n"
    "One difference: ``np.multiply(x, 2, casting='equiv')`` refuses every dtype,\n"
    "as NumPy will not convert the Python int 2 under 'equiv' (it does under\n"
    "'no'); double_pixels has no such operand and computes.\n"
    "\n"
    "Threading: runs with the GIL released; inputs of 1 MiB and more (input plus\n"
    "output bytes) are split into cache-line-aligned ranges over numext's thread\n"
    "pool (see ``numext.set_num_threads``); smaller ones run on the calling thread.\n";

PyObject *numext_make_double_pixels(void)
{
    for (size_t i = 0; i < NLEGACY; i++) {
        loop_types[2 * i] = (char)loop_data[i + 1].in_type;
        loop_types[2 * i + 1] = (char)loop_data[i + 1].out_type;
        loop_funcs[i] = unary_parallel_loop;
        loop_data_ptrs[i] = (void *)&loop_data[i + 1];
    }
    PyObject *ufunc =
        PyUFunc_FromFuncAndData(loop_funcs, loop_data_ptrs, loop_types, (int)NLEGACY, 1, 1,
                                PyUFunc_None, "double_pixels", double_pixels_doc, 0);
    /* Which complex layouts NumPy fuses: asked of the running NumPy. */
    if (ufunc != NULL && (add_bool_loop(ufunc) < 0 || numext_double_pixels_rules_init() < 0)) {
        Py_CLEAR(ufunc);
    }
    return ufunc;
}
