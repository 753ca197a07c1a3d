#include "ufunc_general.h"

#include <string.h>

#include "ufunc_iter_executor.h"

/* Threads one call uses at most (one loop capsule each). */
#define MAX_CALL_THREADS 256

/* This call's loop: its dtypes and one filled capsule per thread. */
typedef struct {
    PyObject *capsules[MAX_CALL_THREADS];
    numext_ufunc_call_info *infos[MAX_CALL_THREADS];
    PyArray_Descr *descr[NPY_MAXARGS]; /* borrowed from the entry or from `resolved` */
    PyObject *resolved;                /* the dtypes NumPy resolved, when not the entry's */
    int count;
    int from_entry;
} call_loops;

/* Whether the inputs' cache entry is this call's loop: no keyword that
 * changes the resolution, and every output given has the loop's dtype. */
static int entry_is_the_loop(const numext_loop_entry *entry, const ufunc_operands *ops)
{
    if (ops->dtype_kw != NULL || ops->signature_kw != NULL || ops->casting_kw != NULL) {
        return 0;
    }
    for (int o = 0; o < ops->nout; o++) {
        PyArrayObject *out = ops->out[o];
        if (out != NULL && !PyArray_EquivTypes(PyArray_DESCR(out), entry->descr[ops->nin + o])) {
            return 0;
        }
    }
    return 1;
}

/* The arguments of u._resolve_dtypes_and_context for this call; 0 if the
 * call is not one to resolve here (u's own call decides). */
static int resolve_args(const ufunc_operands *ops, PyObject **args, PyObject **kwargs)
{
    const int nin = ops->nin, nout = ops->nout;
    if (ops->dtype_kw != NULL && (ops->signature_kw != NULL || nout != 1)) {
        return 0;
    }
    PyObject *dtypes = PyTuple_New(nin + nout);
    *kwargs = PyDict_New();
    *args = dtypes == NULL ? NULL : PyTuple_Pack(1, dtypes);
    Py_XDECREF(dtypes);
    if (*args == NULL || *kwargs == NULL) {
        return 0;
    }
    for (int i = 0; i < nin + nout; i++) {
        PyObject *out = i < nin ? NULL : (PyObject *)ops->out[i - nin];
        PyObject *item = i < nin ? ops->key[i]
                         : out   ? (PyObject *)PyArray_DESCR((PyArrayObject *)out)
                                 : Py_None;
        PyTuple_SET_ITEM(dtypes, i, Py_NewRef(item));
    }
    PyObject *signature = ops->signature_kw;
    if (ops->dtype_kw != NULL) { /* dtype=d is the signature (None, ..., d) */
        signature = PyTuple_New(nin + 1);
        for (int i = 0; signature != NULL && i <= nin; i++) {
            PyTuple_SET_ITEM(signature, i, Py_NewRef(i < nin ? Py_None : ops->dtype_kw));
        }
    } else {
        Py_XINCREF(signature);
    }
    int ok = (signature == NULL || PyDict_SetItemString(*kwargs, "signature", signature) == 0) &&
             (ops->casting_kw == NULL ||
              PyDict_SetItemString(*kwargs, "casting", ops->casting_kw) == 0) &&
             (ops->dtype_kw == NULL || signature != NULL);
    Py_XDECREF(signature);
    return ok;
}

/* One filled capsule for this call; its resolved dtypes into *resolved. */
static PyObject *resolve_once(PyObject *ufunc, PyObject *args, PyObject *kwargs,
                              PyObject **resolved)
{
    PyObject *method = PyObject_GetAttrString(ufunc, "_resolve_dtypes_and_context");
    PyObject *pair = method == NULL ? NULL : PyObject_Call(method, args, kwargs);
    Py_XDECREF(method);
    if (pair == NULL || !PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2 ||
        !PyTuple_Check(PyTuple_GET_ITEM(pair, 0)) ||
        !PyCapsule_IsValid(PyTuple_GET_ITEM(pair, 1), NUMEXT_UFUNC_CALL_INFO_NAME)) {
        Py_XDECREF(pair);
        return NULL;
    }
    PyObject *capsule = Py_NewRef(PyTuple_GET_ITEM(pair, 1));
    if (*resolved == NULL) {
        *resolved = Py_NewRef(PyTuple_GET_ITEM(pair, 0));
    }
    Py_DECREF(pair);
    PyObject *done = PyObject_CallMethod(ufunc, "_get_strided_loop", "(O)", capsule);
    if (done == NULL) {
        Py_CLEAR(capsule);
    }
    Py_XDECREF(done);
    return capsule;
}

/* Numeric dtypes only: other loops need the GIL or references. */
static int numeric_dtypes(call_loops *loops, int nop)
{
    for (int i = 0; i < nop; i++) {
        PyObject *d = PyTuple_GET_ITEM(loops->resolved, i);
        if (!PyArray_DescrCheck(d) || strchr("biufc", ((PyArray_Descr *)d)->kind) == NULL ||
            ((PyArray_Descr *)d)->kind == '\0') {
            return 0;
        }
        loops->descr[i] = (PyArray_Descr *)d;
    }
    return 1;
}

/* Resolve this call's loop: capsules and dtypes. 0: u's call (no error set). */
static int resolve_loops(const numext_general_call *call, const ufunc_operands *ops,
                         call_loops *loops)
{
    const int nop = ops->nin + ops->nout;
    PyObject *args = NULL, *kwargs = NULL;
    int ok = resolve_args(ops, &args, &kwargs);
    while (ok && loops->count < call->nthreads) {
        PyObject *capsule = resolve_once(call->ufunc, args, kwargs, &loops->resolved);
        ok = capsule != NULL;
        if (ok) {
            loops->capsules[loops->count++] = capsule;
        }
    }
    ok = ok && PyTuple_GET_SIZE(loops->resolved) == nop && numeric_dtypes(loops, nop);
    Py_XDECREF(args);
    Py_XDECREF(kwargs);
    PyErr_Clear();
    return ok;
}

/* The loops for this call: the entry's capsules when they fit, else new ones. */
static int take_loops(const numext_general_call *call, const ufunc_operands *ops, call_loops *loops)
{
    numext_loop_entry *entry = call->entry;
    if (entry_is_the_loop(entry, ops)) {
        if (numext_loop_entry_take(call->ufunc, entry, call->nthreads, loops->capsules) < 0) {
            PyErr_Clear();
            return 0;
        }
        loops->from_entry = 1;
        loops->count = call->nthreads;
        memcpy(loops->descr, entry->descr,
               sizeof(entry->descr[0]) * (size_t)(ops->nin + ops->nout));
    } else if (!resolve_loops(call, ops, loops)) {
        return 0;
    }
    for (int t = 0; t < loops->count; t++) {
        loops->infos[t] = PyCapsule_GetPointer(loops->capsules[t], NUMEXT_UFUNC_CALL_INFO_NAME);
        if (loops->infos[t]->requires_pyapi) {
            return 0;
        }
    }
    return 1;
}

static void release_loops(const numext_general_call *call, call_loops *loops)
{
    if (loops->from_entry) {
        numext_loop_entry_give_back(call->entry, loops->count, loops->capsules);
    } else {
        for (int t = 0; t < loops->count; t++) {
            Py_DECREF(loops->capsules[t]);
        }
    }
    Py_XDECREF(loops->resolved);
}

/* Bytes [*lo, *hi) an array spans. */
static void span_of(PyArrayObject *a, char **lo, char **hi)
{
    *lo = *hi = PyArray_BYTES(a);
    for (int d = 0; d < PyArray_NDIM(a); d++) {
        const npy_intp reach = (PyArray_DIM(a, d) - 1) * PyArray_STRIDE(a, d);
        *(reach < 0 ? lo : hi) += reach;
    }
    *hi += PyArray_ITEMSIZE(a);
}

static int same_elements(PyArrayObject *a, PyArrayObject *b)
{
    return PyArray_BYTES(a) == PyArray_BYTES(b) && PyArray_NDIM(a) == PyArray_NDIM(b) &&
           PyArray_CompareLists(PyArray_DIMS(a), PyArray_DIMS(b), PyArray_NDIM(a)) &&
           PyArray_CompareLists(PyArray_STRIDES(a), PyArray_STRIDES(b), PyArray_NDIM(a)) &&
           PyArray_ITEMSIZE(a) == PyArray_ITEMSIZE(b);
}

/* Outputs share memory with another operand only element for element (in
 * place). Other overlap is u's: NumPy then runs some loops (exp, log...) on
 * another path whose bits differ, which a copy would not reproduce. */
static int overlap_is_in_place(const ufunc_operands *ops)
{
    const int nop = ops->nin + ops->nout;
    PyArrayObject *arrays[NPY_MAXARGS + 1];
    for (int i = 0; i < nop; i++) {
        PyObject *obj = i < ops->nin ? ops->in[i] : (PyObject *)ops->out[i - ops->nin];
        arrays[i] = obj != NULL && PyArray_CheckExact(obj) ? (PyArrayObject *)obj : NULL;
    }
    arrays[nop] = ops->where;
    for (int o = ops->nin; o < nop; o++) {
        char *olo, *ohi, *lo, *hi;
        if (arrays[o] == NULL || PyArray_SIZE(arrays[o]) == 0) {
            continue;
        }
        span_of(arrays[o], &olo, &ohi);
        for (int i = 0; i <= nop; i++) {
            if (i == o || arrays[i] == NULL || PyArray_SIZE(arrays[i]) == 0) {
                continue;
            }
            span_of(arrays[i], &lo, &hi);
            if (lo < ohi && olo < hi && (i >= ops->nin || !same_elements(arrays[i], arrays[o]))) {
                return 0;
            }
        }
    }
    return 1;
}

/* The iterator's operands: arrays as given, NumPy scalars as 0-d arrays of
 * their dtype (cast by the iterator), Python scalars made the loop's dtype
 * (as NumPy does, NEP 50). 0: u's call (e.g. an int out of range). */
static int make_operands(const ufunc_operands *ops, const call_loops *loops, numext_iter_run *run,
                         PyObject **owned)
{
    for (int i = 0; i < ops->nin; i++) {
        PyObject *obj = ops->in[i];
        if (PyArray_CheckExact(obj)) {
            run->op[i] = (PyArrayObject *)obj;
            continue;
        }
        if (PyArray_DescrCheck(ops->key[i])) {
            owned[i] = PyArray_FromScalar(obj, NULL);
        } else {
            Py_INCREF(loops->descr[i]);
            owned[i] = PyArray_FromAny(obj, loops->descr[i], 0, 0, 0, NULL);
        }
        if (owned[i] == NULL) {
            PyErr_Clear();
            return 0;
        }
        run->op[i] = (PyArrayObject *)owned[i];
    }
    for (int o = 0; o < ops->nout; o++) {
        run->op[ops->nin + o] = ops->out[o];
    }
    return 1;
}

/* Whether an array operand is cast on its way to or from the loop. */
static int any_cast(const numext_iter_run *run, int nop)
{
    for (int i = 0; i < nop; i++) {
        if (run->op[i] != NULL && !PyArray_EquivTypes(PyArray_DESCR(run->op[i]), run->descr[i])) {
            return 1;
        }
    }
    return 0;
}

/* Ranges start where u's own inner loop calls would: a loop takes another
 * path on a short call (NaN + NaN then keeps the other operand's NaN), so
 * ranges are whole SIMD blocks (GRAIN elements) and whole rows of the
 * iterator's innermost axis. That axis is found as NumPy's iterator orders
 * axes (npyiter_find_best_axis_ordering): of two axes, the first operand
 * with non-zero strides on both puts the smaller stride inside; C order when
 * none does. */
#define GRAIN 16

/* Operand a's stride on broadcast axis d of nd (0 where it broadcasts). */
static npy_intp stride_on(PyArrayObject *a, int d, int nd)
{
    const int k = d - (nd - PyArray_NDIM(a));
    return k < 0 || PyArray_DIM(a, k) == 1 ? 0 : PyArray_STRIDE(a, k);
}

/* Whether axis j goes inside axis i for the iterator. */
static int goes_inside(PyArrayObject *const *arrays, int count, int nd, int j, int i)
{
    for (int k = 0; k < count; k++) {
        npy_intp sj = stride_on(arrays[k], j, nd), si = stride_on(arrays[k], i, nd);
        if (sj != 0 && si != 0) {
            return (sj < 0 ? -sj : sj) < (si < 0 ? -si : si);
        }
    }
    return 0;
}

static npy_intp grain_of(const ufunc_operands *ops, npy_intp n)
{
    PyArrayObject *arrays[NPY_MAXARGS];
    int count = 0, nd = 0;
    for (int i = 0; i < ops->nin + ops->nout; i++) {
        PyObject *obj = i < ops->nin ? ops->in[i] : (PyObject *)ops->out[i - ops->nin];
        if (obj != NULL && PyArray_CheckExact(obj)) {
            arrays[count++] = (PyArrayObject *)obj;
            nd = PyArray_NDIM(arrays[count - 1]) > nd ? PyArray_NDIM(arrays[count - 1]) : nd;
        }
    }
    npy_intp dims[NPY_MAXDIMS];
    for (int d = 0; d < nd; d++) {
        dims[d] = 1;
        for (int k = 0; k < count; k++) {
            const int ax = d - (nd - PyArray_NDIM(arrays[k]));
            dims[d] =
                ax >= 0 && PyArray_DIM(arrays[k], ax) != 1 ? PyArray_DIM(arrays[k], ax) : dims[d];
        }
    }
    int inner = -1;
    for (int d = nd - 1; d >= 0; d--) {
        if (dims[d] > 1 && (inner < 0 || goes_inside(arrays, count, nd, d, inner))) {
            inner = d;
        }
    }
    const npy_intp row = inner < 0 || dims[inner] >= n ? 1 : dims[inner];
    npy_intp a = row, b = GRAIN;
    while (b != 0) { /* gcd */
        const npy_intp t = a % b;
        a = b;
        b = t;
    }
    return row / a * GRAIN;
}

/* u's result from the outputs (stolen): one array or a tuple. */
static PyObject *result_of(PyObject **outs, int nout)
{
    if (nout == 1) {
        return outs[0];
    }
    PyObject *result = PyTuple_New(nout);
    for (int o = 0; o < nout; o++) {
        if (result != NULL) {
            PyTuple_SET_ITEM(result, o, outs[o]);
        } else {
            Py_DECREF(outs[o]);
        }
    }
    return result;
}

static int run_loops(const numext_general_call *call, const ufunc_operands *ops,
                     const call_loops *loops, PyObject **result)
{
    const int nop = ops->nin + ops->nout;
    PyObject *owned[NPY_MAXARGS] = {NULL};
    numext_iter_run run = {.nin = ops->nin,
                           .nout = ops->nout,
                           .mask = ops->where,
                           .info = loops->infos,
                           .nthreads = loops->count,
                           .ntasks = call->ntasks,
                           .grain = grain_of(ops, call->n)};
    memcpy(run.descr, loops->descr, sizeof(run.descr[0]) * (size_t)nop);
    int done = 0, fp_status = 0, casts = 0;
    PyObject *outs[NPY_MAXARGS];
    if (overlap_is_in_place(ops) && make_operands(ops, loops, &run, owned)) {
        casts = any_cast(&run, nop);
        done = numext_iter_execute(&run, outs, &fp_status) > 0;
    }
    for (int i = 0; i < ops->nin; i++) {
        Py_XDECREF(owned[i]);
    }
    if (!done) {
        return 0; /* not run, or a loop raised: u's own call raises it as u does */
    }
    /* As NumPy: FP flags are checked unless the loop and the casts raise none
     * (int-to-int casts only, where flags cannot arise). */
    const int checked = !loops->infos[0]->no_floatingpoint_errors || casts;
    *result = result_of(outs, ops->nout);
    if (*result != NULL && checked && fp_status != 0 &&
        PyUFunc_GiveFloatingpointErrors(PyUnicode_AsUTF8(call->name), fp_status) < 0) {
        Py_CLEAR(*result);
    }
    return 1;
}

int numext_general_run(const numext_general_call *call, const ufunc_operands *ops,
                       PyObject **result)
{
    call_loops loops;
    memset(&loops, 0, sizeof(loops));
    if (call->nthreads > MAX_CALL_THREADS) {
        return 0;
    }
    int done = take_loops(call, ops, &loops) && run_loops(call, ops, &loops, result);
    release_loops(call, &loops);
    return done;
}
