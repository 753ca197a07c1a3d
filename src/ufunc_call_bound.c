#include "ufunc_call_bound.h"

#include "ufunc_operands.h"

/* The array operands of one call (borrowed), their largest size and most
 * axes. Room for every operand and where=, and for a C caller's repeated
 * out= (Python refuses repeated keywords): that is "not bounded". */
#define MAX_ARRAYS (2 * NPY_MAXARGS + 1)
typedef struct {
    PyArrayObject *arrays[MAX_ARRAYS];
    int count;
    int nd;
    npy_intp most;
} call_arrays;

static int add(call_arrays *ops, PyArrayObject *arr)
{
    if (ops->count == MAX_ARRAYS) {
        return 0;
    }
    const npy_intp size = PyArray_SIZE(arr);
    ops->arrays[ops->count++] = arr;
    ops->most = size > ops->most ? size : ops->most;
    ops->nd = PyArray_NDIM(arr) > ops->nd ? PyArray_NDIM(arr) : ops->nd;
    return 1;
}

/* An output or where= value: an exact ndarray is an operand, `none_ok` (None
 * or True) adds nothing; 0 for anything else. */
static int add_array(call_arrays *ops, PyObject *value, PyObject *none_ok)
{
    if (value == none_ok) {
        return 1;
    }
    if (!PyArray_CheckExact(value)) {
        return 0;
    }
    return add(ops, (PyArrayObject *)value);
}

/* out=: one array (a single output) or a tuple of arrays and None, one per output. */
static int add_out_keyword(call_arrays *ops, PyObject *value, int nout)
{
    if (!PyTuple_CheckExact(value)) {
        return nout == 1 && add_array(ops, value, Py_None);
    }
    if (PyTuple_GET_SIZE(value) != nout) {
        return 0;
    }
    for (int o = 0; o < nout; o++) {
        if (!add_array(ops, PyTuple_GET_ITEM(value, o), Py_None)) {
            return 0;
        }
    }
    return 1;
}

static int is_named(PyObject *name, PyObject *wanted)
{
    return PyUnicode_GET_LENGTH(name) == PyUnicode_GET_LENGTH(wanted) &&
           PyUnicode_Compare(name, wanted) == 0;
}

/* The keywords: out= and where= are operands (found by identity: interned
 * names); the others (dtype=, casting=, order=... or one u refuses) change
 * no operand's shape and add nothing. 0: not bounded (a malformed out= or
 * where=, or either spelt by a string that is not the interned one). */
static int add_keywords(call_arrays *ops, PyObject *const *values, PyObject *kwnames, int nout,
                        int positional_outs, PyObject *out_name, PyObject *where_name)
{
    const Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *name = PyTuple_GET_ITEM(kwnames, k);
        int ok = name == out_name     ? !positional_outs && add_out_keyword(ops, values[k], nout)
                 : name == where_name ? add_array(ops, values[k], Py_True)
                                      : !is_named(name, out_name) && !is_named(name, where_name);
        if (!ok) {
            return 0;
        }
    }
    return 1;
}

/* Product over right-aligned axes of the largest extent there (saturating). */
static npy_intp broadcast_bound(const call_arrays *ops, int nd)
{
    npy_intp n = 1;
    for (int d = 1; d <= nd; d++) { /* the d-th axis from the right */
        npy_intp extent = 1;
        for (int i = 0; i < ops->count; i++) {
            const int k = PyArray_NDIM(ops->arrays[i]) - d;
            if (k >= 0 && PyArray_DIM(ops->arrays[i], k) > extent) {
                extent = PyArray_DIM(ops->arrays[i], k);
            }
        }
        if (n > NPY_MAX_INTP / extent) {
            return NPY_MAX_INTP;
        }
        n *= extent;
    }
    return n;
}

npy_intp numext_call_bound(int nin, int nout, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames, PyObject *out_name, PyObject *where_name,
                           PyObject **key)
{
    call_arrays ops;
    ops.count = ops.nd = 0;
    ops.most = 0;
    if ((nargs != nin && nargs != nin + nout) ||
        !add_keywords(&ops, args + nargs, kwnames, nout, nargs > nin, out_name, where_name)) {
        return -1;
    }
    for (int i = 0; i < nin; i++) {
        if (PyArray_CheckExact(args[i])) {
            if (!add(&ops, (PyArrayObject *)args[i])) {
                return -1;
            }
            key[i] = (PyObject *)PyArray_DESCR((PyArrayObject *)args[i]);
        } else if ((key[i] = numext_operand_key(args[i])) == NULL) {
            return -1;
        }
    }
    for (Py_ssize_t o = nin; o < nargs; o++) {
        if (!add_array(&ops, args[o], Py_None)) {
            return -1;
        }
    }
    /* 1-D arrays broadcast only one element (or u raises): the largest is the size. */
    return ops.nd <= 1 ? ops.most : broadcast_bound(&ops, ops.nd);
}
