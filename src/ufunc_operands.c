#include "ufunc_operands.h"

static int is_weak_scalar(PyObject *obj)
{
    return PyFloat_CheckExact(obj) || PyLong_CheckExact(obj) || PyComplex_CheckExact(obj);
}

/* A NumPy numeric scalar's dtype (NumPy's own singleton, so it can serve as a
 * key compared by identity), or NULL. */
static PyObject *numpy_scalar_dtype(PyObject *obj)
{
    if (!PyArray_IsScalar(obj, Number) && !PyArray_IsScalar(obj, Bool)) {
        return NULL;
    }
    PyArray_Descr *descr = PyArray_DescrFromScalar(obj);
    if (descr == NULL) {
        PyErr_Clear();
        return NULL;
    }
    PyArray_Descr *builtin = PyArray_DescrFromType(descr->type_num);
    Py_DECREF(descr);
    if (builtin == NULL) {
        PyErr_Clear();
        return NULL;
    }
    Py_DECREF(builtin); /* NumPy keeps its builtin descriptors for good */
    return descr == builtin ? (PyObject *)builtin : NULL;
}

PyObject *numext_operand_key(PyObject *obj)
{
    if (PyArray_CheckExact(obj)) {
        return (PyObject *)PyArray_DESCR((PyArrayObject *)obj);
    }
    return is_weak_scalar(obj) ? (PyObject *)Py_TYPE(obj) : numpy_scalar_dtype(obj);
}

/* out=: one array (a single output), or a tuple with one entry per output. */
static int collect_out_keyword(ufunc_operands *ops, PyObject *value)
{
    if (value == Py_None) {
        return 1;
    }
    if (PyArray_CheckExact(value) && ops->nout == 1) {
        ops->out[0] = (PyArrayObject *)value;
        return 1;
    }
    if (!PyTuple_CheckExact(value) || PyTuple_GET_SIZE(value) != ops->nout) {
        return 0;
    }
    for (int i = 0; i < ops->nout; i++) {
        PyObject *item = PyTuple_GET_ITEM(value, i);
        if (item == Py_None) {
            continue;
        }
        if (!PyArray_CheckExact(item)) {
            return 0;
        }
        ops->out[i] = (PyArrayObject *)item;
    }
    return 1;
}

static void consider_full(ufunc_operands *ops, PyArrayObject *arr)
{
    npy_intp size = PyArray_SIZE(arr);
    if (ops->full == NULL || size > ops->n) {
        ops->full = arr;
        ops->n = size;
    }
}

static int is_name(PyObject *name, PyObject *wanted)
{
    return name == wanted || PyUnicode_Compare(name, wanted) == 0;
}

/* where=: True (no mask) or a bool ndarray. */
static int collect_where(ufunc_operands *ops, PyObject *value)
{
    if (value == Py_True) {
        return 1;
    }
    if (!PyArray_CheckExact(value) || PyArray_DESCR((PyArrayObject *)value)->type_num != NPY_BOOL) {
        return 0;
    }
    ops->where = (PyArrayObject *)value;
    return 1;
}

/* The keywords: out=, where=, and dtype=, signature=, casting= (kept for the
 * general case; None is as good as absent). */
static int collect_keywords(ufunc_operands *ops, PyObject *const *values, PyObject *kwnames,
                            PyObject *const names[NUMEXT_KW_COUNT], int positional_outs)
{
    for (Py_ssize_t k = 0; kwnames != NULL && k < PyTuple_GET_SIZE(kwnames); k++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, k), *value = values[k];
        if (is_name(name, names[NUMEXT_KW_OUT])) {
            if (positional_outs || !collect_out_keyword(ops, value)) {
                return 0;
            }
        } else if (is_name(name, names[NUMEXT_KW_WHERE])) {
            if (!collect_where(ops, value)) {
                return 0;
            }
        } else if (is_name(name, names[NUMEXT_KW_DTYPE])) {
            ops->dtype_kw = value == Py_None ? NULL : value;
        } else if (is_name(name, names[NUMEXT_KW_SIGNATURE])) {
            ops->signature_kw = value == Py_None ? NULL : value;
        } else if (is_name(name, names[NUMEXT_KW_CASTING])) {
            ops->casting_kw = value;
        } else {
            return 0;
        }
    }
    return 1;
}

int numext_operands_collect(ufunc_operands *ops, int nin, int nout, PyObject *const *args,
                            Py_ssize_t nargs, PyObject *kwnames,
                            PyObject *const names[NUMEXT_KW_COUNT])
{
    ops->nin = nin;
    ops->nout = nout;
    ops->full = NULL;
    ops->where = NULL;
    ops->dtype_kw = ops->signature_kw = ops->casting_kw = NULL;
    ops->n = 0;
    for (int i = 0; i < nout; i++) {
        ops->out[i] = NULL;
    }
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    if (nkw > NUMEXT_KW_COUNT || (nargs != nin && nargs != nin + nout)) {
        return 0;
    }
    if (!collect_keywords(ops, args + nargs, kwnames, names, nargs > nin)) {
        return 0;
    }
    for (int i = 0; i < nout && nargs > nin; i++) {
        PyObject *item = args[nin + i];
        if (item != Py_None && !PyArray_CheckExact(item)) {
            return 0;
        }
        ops->out[i] = item == Py_None ? NULL : (PyArrayObject *)item;
    }
    for (int i = 0; i < nin; i++) {
        PyObject *obj = args[i];
        ops->in[i] = obj;
        if ((ops->key[i] = numext_operand_key(obj)) == NULL) {
            return 0;
        }
        if (PyArray_CheckExact(obj)) {
            consider_full(ops, (PyArrayObject *)obj);
        }
    }
    for (int i = 0; i < nout; i++) {
        if (ops->out[i] != NULL) {
            consider_full(ops, ops->out[i]);
        } else if (ops->where != NULL) {
            return 0; /* u warns of the uninitialised output */
        }
    }
    return ops->full != NULL;
}

static int has_full_shape(const ufunc_operands *ops, PyArrayObject *arr)
{
    const int nd = PyArray_NDIM(ops->full);
    if (PyArray_NDIM(arr) != nd) {
        return 0;
    }
    const npy_intp *a = PyArray_DIMS(arr), *b = PyArray_DIMS(ops->full);
    for (int d = 0; d < nd; d++) {
        if (a[d] != b[d]) {
            return 0;
        }
    }
    return 1;
}

/* Element stride of one array operand in the 1-D iteration, or 0 with *ok = 0. */
static npy_intp operand_stride(ufunc_operands *ops, PyArrayObject *arr, int is_output, int *ok)
{
    *ok = PyArray_ISALIGNED(arr) && (!is_output || PyArray_ISWRITEABLE(arr));
    if (!has_full_shape(ops, arr)) {
        /* One element broadcast to every position (inputs only). */
        *ok = *ok && !is_output && PyArray_SIZE(arr) == 1 &&
              PyArray_NDIM(arr) <= PyArray_NDIM(ops->full);
        return 0;
    }
    if (PyArray_NDIM(arr) == 1) {
        return PyArray_STRIDES(arr)[0];
    }
    int good = ops->fortran ? PyArray_IS_F_CONTIGUOUS(arr) : PyArray_IS_C_CONTIGUOUS(arr);
    *ok = *ok && good;
    return PyArray_ITEMSIZE(arr);
}

/* Bytes [*lo, *hi) an operand of the iteration touches. */
static void extent(const ufunc_operands *ops, int i, npy_intp itemsize, char **lo, char **hi)
{
    const npy_intp span = (ops->n - 1) * ops->strides[i];
    *lo = ops->data[i] + (span < 0 ? span : 0);
    *hi = ops->data[i] + (span > 0 ? span : 0) + itemsize;
}

static int outputs_overlap_safely(const ufunc_operands *ops, PyArrayObject *const *arrays)
{
    const int nop = ops->nin + ops->nout;
    for (int o = ops->nin; o < nop; o++) {
        if (arrays[o] == NULL) {
            continue;
        }
        char *olo, *ohi, *lo, *hi;
        const npy_intp osize = PyArray_ITEMSIZE(arrays[o]);
        extent(ops, o, osize, &olo, &ohi);
        for (int i = 0; i < nop; i++) {
            if (i == o || arrays[i] == NULL) {
                continue;
            }
            const npy_intp size = PyArray_ITEMSIZE(arrays[i]);
            extent(ops, i, size, &lo, &hi);
            if (lo >= ohi || olo >= hi) {
                continue;
            }
            /* Only "in place": an input read at exactly the element written. */
            if (i >= ops->nin || ops->data[i] != ops->data[o] ||
                ops->strides[i] != ops->strides[o] || size != osize) {
                return 0;
            }
        }
    }
    return 1;
}

/* where=: read like an input; it may share no memory with an output. */
static int mask_layout(ufunc_operands *ops)
{
    ops->mask_data = NULL;
    ops->mask_stride = 0;
    if (ops->where == NULL) {
        return 1;
    }
    int ok;
    ops->mask_stride = operand_stride(ops, ops->where, 0, &ok);
    ops->mask_data = PyArray_BYTES(ops->where);
    if (!ok) {
        return 0;
    }
    const npy_intp span = (ops->n - 1) * ops->mask_stride;
    char *lo = ops->mask_data + (span < 0 ? span : 0),
         *hi = ops->mask_data + (span > 0 ? span : 0) + 1;
    for (int o = ops->nin; o < ops->nin + ops->nout; o++) {
        PyArrayObject *out = ops->out[o - ops->nin];
        char *olo, *ohi;
        if (out == NULL) {
            continue;
        }
        extent(ops, o, PyArray_ITEMSIZE(out), &olo, &ohi);
        if (lo < ohi && olo < hi) {
            return 0;
        }
    }
    return 1;
}

int numext_operands_layout(ufunc_operands *ops)
{
    const int nop = ops->nin + ops->nout;
    PyArrayObject *arrays[NPY_MAXARGS];
    for (int i = 0; i < nop; i++) {
        PyObject *obj = i < ops->nin ? ops->in[i] : (PyObject *)ops->out[i - ops->nin];
        arrays[i] = obj != NULL && PyArray_CheckExact(obj) ? (PyArrayObject *)obj : NULL;
    }
    ops->fortran = PyArray_NDIM(ops->full) > 1 && !PyArray_IS_C_CONTIGUOUS(ops->full);
    for (int i = 0; i < nop; i++) {
        ops->data[i] = NULL;
        ops->strides[i] = 0;
        if (arrays[i] == NULL) {
            continue;
        }
        int ok;
        ops->strides[i] = operand_stride(ops, arrays[i], i >= ops->nin, &ok);
        ops->data[i] = PyArray_BYTES(arrays[i]);
        if (!ok) {
            return 0;
        }
    }
    return outputs_overlap_safely(ops, arrays) && mask_layout(ops);
}

PyObject *numext_operands_sample(const ufunc_operands *ops, int i, npy_intp k)
{
    PyObject *obj = ops->in[i];
    if (!PyArray_CheckExact(obj) || ops->strides[i] == 0) {
        Py_INCREF(obj);
        return obj;
    }
    PyArrayObject *arr = (PyArrayObject *)obj;
    PyArray_Descr *descr = PyArray_DESCR(arr);
    Py_INCREF(descr);
    npy_intp stride = ops->strides[i];
    PyObject *view = PyArray_NewFromDescr(&PyArray_Type, descr, 1, &k, &stride, ops->data[i],
                                          NPY_ARRAY_ALIGNED, NULL);
    if (view != NULL && PyArray_SetBaseObject((PyArrayObject *)view, Py_NewRef(obj)) < 0) {
        Py_CLEAR(view);
    }
    return view;
}

/* Broadcast `arr`'s shape into shape[0..*nd) (right-aligned); 0 if it cannot. */
static int broadcast_into(npy_intp *shape, int *nd, PyArrayObject *arr)
{
    const int and = PyArray_NDIM(arr);
    const npy_intp *dims = PyArray_DIMS(arr);
    for (int d = 0; d < and; d++) {
        npy_intp *slot = &shape[NPY_MAXDIMS - and+d];
        if (NPY_MAXDIMS - and+d < NPY_MAXDIMS - *nd) {
            *slot = dims[d]; /* a new leading dimension */
        } else if (*slot == 1) {
            *slot = dims[d];
        } else if (dims[d] != 1 && dims[d] != *slot) {
            return 0;
        }
    }
    if (and > *nd) {
        *nd = and;
    }
    return 1;
}

npy_intp numext_operands_iter_size(const ufunc_operands *ops)
{
    const int nop = ops->nin + ops->nout;
    PyArrayObject *arrays[NPY_MAXARGS + 1];
    int count = 0, flat = 1;
    for (int i = 0; i < nop; i++) {
        PyObject *obj = i < ops->nin ? ops->in[i] : (PyObject *)ops->out[i - ops->nin];
        if (obj != NULL && PyArray_CheckExact(obj)) {
            arrays[count++] = (PyArrayObject *)obj;
            flat = flat && PyArray_NDIM((PyArrayObject *)obj) <= 1;
        }
    }
    if (ops->where != NULL) {
        arrays[count++] = ops->where;
        flat = flat && PyArray_NDIM(ops->where) <= 1;
    }
    if (flat) {
        return ops->n; /* 1-D arrays broadcast only a single element (checked by NumPy) */
    }
    int uneven = 0;
    for (int i = 0; i < count && !uneven; i++) {
        uneven = PyArray_SIZE(arrays[i]) != 1 && !has_full_shape(ops, arrays[i]);
    }
    if (!uneven) {
        return ops->n;
    }
    npy_intp shape[NPY_MAXDIMS];
    int nd = 0;
    for (int i = 0; i < count; i++) {
        if (!broadcast_into(shape, &nd, arrays[i])) {
            return -1;
        }
    }
    npy_intp n = 1;
    for (int d = NPY_MAXDIMS - nd; d < NPY_MAXDIMS; d++) {
        if (shape[d] != 0 && n > NPY_MAX_INTP / shape[d]) {
            return -1;
        }
        n *= shape[d];
    }
    return n;
}
