/*
 * sum_rules: the probe's answer and the per-call note of the input's kind
 * (see sum_rules.h).
 */
#include "sum_rules.h"

#include <stddef.h>

#include "call_settings.h"

/* Kinds of input np.sum reduces per buffer; until the probe ran, the rule of
 * every NumPy tried: byte-swapped, misaligned and cast input. */
static int buffered_kinds = NUMEXT_INPUT_SWAPPED | NUMEXT_INPUT_MISALIGNED | NUMEXT_INPUT_CAST;

static vectorcallfunc next_vectorcall;

/* The input of the parallel_sum call running on this thread: its kind bits
 * (NATIVE meaning "as the loop will read it, if the dtypes match") and its
 * dtype's number; kind 0 outside a call. */
static _Thread_local int call_kind;
static _Thread_local int call_type_num;

int numext_sum_rules_init(void)
{
    PyObject *mod = PyImport_ImportModule("numext._sum_rules");
    if (mod == NULL) {
        return -1;
    }
    PyObject *res = PyObject_CallMethod(mod, "probe", NULL);
    Py_DECREF(mod);
    if (res == NULL) {
        return -1;
    }
    long kinds = PyLong_AsLong(res);
    Py_DECREF(res);
    if (kinds == -1 && PyErr_Occurred()) {
        return -1;
    }
    buffered_kinds = (int)kinds;
    return 0;
}

int numext_sum_rules_buffered(void) { return buffered_kinds; }

static int input_kind(PyObject *obj, int *type_num)
{
    if (!PyArray_Check(obj)) {
        *type_num = NPY_NOTYPE; /* converted by NumPy to a fresh array */
        return NUMEXT_INPUT_NATIVE;
    }
    PyArrayObject *arr = (PyArrayObject *)obj;
    *type_num = PyArray_TYPE(arr);
    int kind = 0;
    if (!PyArray_ISNOTSWAPPED(arr)) {
        kind |= NUMEXT_INPUT_SWAPPED;
    }
    if (!PyArray_ISALIGNED(arr)) {
        kind |= NUMEXT_INPUT_MISALIGNED;
    }
    return kind != 0 ? kind : NUMEXT_INPUT_NATIVE;
}

/* parallel_sum's vectorcall: note the input (the one positional operand),
 * call on, restore (calls may nest: dask blocks, __array_ufunc__). */
static PyObject *sum_call(PyObject *ufunc, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    const int saved_kind = call_kind, saved_type = call_type_num;
    if (PyVectorcall_NARGS(nargsf) >= 1) {
        call_kind = input_kind(args[0], &call_type_num);
    } else {
        call_kind = 0;
    }
    PyObject *res = next_vectorcall(ufunc, args, nargsf, kwnames);
    call_kind = saved_kind;
    call_type_num = saved_type;
    return res;
}

int numext_sum_rules_install(PyObject *ufunc)
{
    if (!PyObject_TypeCheck(ufunc, &PyUFunc_Type) ||
        Py_TYPE(ufunc)->tp_vectorcall_offset != offsetof(PyUFuncObject, vectorcall)) {
        PyErr_SetString(PyExc_RuntimeError,
                        "numext: this NumPy's ufuncs are not called through their vectorcall "
                        "field, so parallel_sum cannot see its input");
        return -1;
    }
    PyUFuncObject *u = (PyUFuncObject *)ufunc;
    if (u->vectorcall == sum_call) {
        return 0;
    }
    if (u->vectorcall == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "numext: parallel_sum has no vectorcall");
        return -1;
    }
    next_vectorcall = u->vectorcall;
    u->vectorcall = sum_call;
    return 0;
}

static int is_float_type(int type_num)
{
    switch (type_num) {
    case NPY_HALF:
    case NPY_FLOAT:
    case NPY_DOUBLE:
    case NPY_LONGDOUBLE:
    case NPY_CFLOAT:
    case NPY_CDOUBLE:
    case NPY_CLONGDOUBLE:
        return 1;
    default:
        return 0;
    }
}

npy_intp numext_sum_chunk(int type_num)
{
    if (!is_float_type(type_num)) {
        return 0;
    }
    int kind = call_kind;
    if (kind == 0) {
        kind = NUMEXT_INPUT_NATIVE; /* the loop called some other way */
    }
    if (call_type_num != NPY_NOTYPE && call_kind != 0 && call_type_num != type_num) {
        kind |= NUMEXT_INPUT_CAST;
        kind &= ~NUMEXT_INPUT_NATIVE;
    }
    return (kind & buffered_kinds) ? numext_call_bufsize() : 0;
}
