#include "ufunc_simple.h"

#include <string.h>

#include "ufunc_executor.h"

/* Threads one call uses at most (one loop capsule each, on the stack). */
#define MAX_CALL_THREADS 256

/* Arrays the call owns: scalars converted to the loop's dtype, fresh outputs. */
typedef struct {
    PyObject *owned[NPY_MAXARGS];
    PyArrayObject *outs[NPY_MAXARGS]; /* borrowed from the call or from owned */
} call_arrays;

static void release_arrays(call_arrays *arrays, int nop)
{
    for (int i = 0; i < nop; i++) {
        Py_CLEAR(arrays->owned[i]);
    }
}

/* 1: every operand ready; 0: hand the call to u (no error set). */
static int make_arrays(ufunc_operands *ops, numext_loop_entry *entry, call_arrays *arrays)
{
    const int nin = ops->nin;
    for (int i = 0; i < nin; i++) {
        if (PyArray_CheckExact(ops->in[i])) {
            continue;
        }
        Py_INCREF(entry->descr[i]);
        arrays->owned[i] = PyArray_FromAny(ops->in[i], entry->descr[i], 0, 0, 0, NULL);
        if (arrays->owned[i] == NULL) {
            PyErr_Clear(); /* e.g. an int out of the dtype's range: u raises it */
            return 0;
        }
        ops->data[i] = PyArray_BYTES((PyArrayObject *)arrays->owned[i]);
        ops->strides[i] = 0;
    }
    for (int o = 0; o < ops->nout; o++) {
        PyArray_Descr *descr = entry->descr[nin + o];
        PyArrayObject *out = ops->out[o];
        if (out != NULL) {
            if (!PyArray_EquivTypes(PyArray_DESCR(out), descr)) {
                return 0;
            }
            arrays->outs[o] = out;
            continue;
        }
        Py_INCREF(descr);
        arrays->owned[nin + o] = PyArray_NewFromDescr(
            &PyArray_Type, descr, PyArray_NDIM(ops->full), PyArray_DIMS(ops->full), NULL, NULL,
            ops->fortran ? NPY_ARRAY_F_CONTIGUOUS : 0, NULL);
        if (arrays->owned[nin + o] == NULL) {
            PyErr_Clear();
            return 0;
        }
        arrays->outs[o] = (PyArrayObject *)arrays->owned[nin + o];
        ops->data[nin + o] = PyArray_BYTES(arrays->outs[o]);
        ops->strides[nin + o] = descr->elsize;
    }
    return 1;
}

/* u's result: the output, or a tuple of them (new reference). */
static PyObject *result_of(const ufunc_operands *ops, call_arrays *arrays)
{
    if (ops->nout == 1) {
        return Py_NewRef((PyObject *)arrays->outs[0]);
    }
    PyObject *result = PyTuple_New(ops->nout);
    for (int o = 0; result != NULL && o < ops->nout; o++) {
        PyTuple_SET_ITEM(result, o, Py_NewRef((PyObject *)arrays->outs[o]));
    }
    return result;
}

int numext_simple_run(PyObject *ufunc, PyObject *name, ufunc_operands *ops,
                      numext_loop_entry *entry, int nthreads, size_t ntasks, PyObject **result)
{
    const int nop = ops->nin + ops->nout;
    call_arrays arrays;
    memset(&arrays, 0, sizeof(arrays));
    PyObject *capsules[MAX_CALL_THREADS];
    numext_ufunc_call_info *infos[MAX_CALL_THREADS];
    if (nthreads > MAX_CALL_THREADS) {
        nthreads = MAX_CALL_THREADS;
    }
    if (!make_arrays(ops, entry, &arrays)) {
        release_arrays(&arrays, nop);
        return 0;
    }
    if (numext_loop_entry_take(ufunc, entry, nthreads, capsules) < 0) {
        PyErr_Clear();
        release_arrays(&arrays, nop);
        return -1;
    }
    numext_ufunc_run run = {
        .nop = nop, .n = ops->n, .info = infos, .nthreads = nthreads, .ntasks = ntasks};
    for (int i = 0; i < nop; i++) {
        run.data[i] = ops->data[i];
        run.strides[i] = ops->strides[i];
    }
    run.out_itemsize = entry->descr[nop - 1]->elsize;
    run.mask = ops->mask_data;
    run.mask_stride = ops->mask_stride;
    for (int t = 0; t < nthreads; t++) {
        infos[t] = PyCapsule_GetPointer(capsules[t], NUMEXT_UFUNC_CALL_INFO_NAME);
    }
    int fp_status = 0;
    int rc = numext_ufunc_execute(&run, &fp_status);
    numext_loop_entry_give_back(entry, nthreads, capsules);
    if (rc < 0) {
        release_arrays(&arrays, nop);
        return -1; /* a loop raised: u's own call raises it as u does */
    }
    *result = NULL;
    if (entry->no_fp_errors || fp_status == 0 ||
        PyUFunc_GiveFloatingpointErrors(PyUnicode_AsUTF8(name), fp_status) == 0) {
        *result = result_of(ops, &arrays);
    }
    release_arrays(&arrays, nop);
    return 1;
}
