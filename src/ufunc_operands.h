/*
 * ufunc_operands: whether a ufunc call's arguments are the simple case the
 * pool runs itself, and if so its operands as one 1-D iteration.
 *
 * The simple case: inputs are exact ndarrays, NumPy numeric scalars or
 * Python float/int/complex;
 * the only keywords are out= (or outputs are given positionally), each output
 * None or an exact, writeable ndarray, and where= as a bool ndarray (the loop
 * then runs on the runs of True, as NumPy's masked loop does); every array operand either has the
 * iteration shape or holds one element (broadcast, stride 0); arrays of the
 * iteration shape are all 1-D (any stride) or all C- or all F-contiguous,
 * aligned; an output shares no memory with another operand unless it *is*
 * that operand's memory element for element (in place). Anything else is
 * handed to the ufunc itself. Checks never set a Python error.
 */
#ifndef NUMEXT_UFUNC_OPERANDS_H
#define NUMEXT_UFUNC_OPERANDS_H

#include "numext_numpy.h"

typedef struct {
    int nin, nout;
    PyObject *in[NPY_MAXARGS];       /* borrowed: arrays or Python scalars */
    PyArrayObject *out[NPY_MAXARGS]; /* borrowed: given outputs, NULL for fresh */
    PyObject *key[NPY_MAXARGS];      /* borrowed: an input's dtype, or its Python type */
    PyArrayObject *where;            /* borrowed: the where= mask, or NULL */
    PyObject *dtype_kw;              /* borrowed: dtype=, signature=, casting= or NULL; */
    PyObject *signature_kw;          /* any of them makes the call the general case */
    PyObject *casting_kw;            /* (ufunc_general.h), never the simple one */
    PyArrayObject *full;             /* borrowed: an operand of the iteration shape */
    npy_intp n;                      /* elements in the iteration */
    int fortran;                     /* arrays of the iteration shape are F-ordered */
    char *data[NPY_MAXARGS];         /* per operand, inputs then outputs */
    npy_intp strides[NPY_MAXARGS];
    char *mask_data; /* where=, as a 1-D operand (NULL: none) */
    npy_intp mask_stride;
} ufunc_operands;

/* Keywords the pool understands, in the order `names` holds them (interned). */
enum {
    NUMEXT_KW_OUT,
    NUMEXT_KW_WHERE,
    NUMEXT_KW_DTYPE,
    NUMEXT_KW_SIGNATURE,
    NUMEXT_KW_CASTING,
    NUMEXT_KW_COUNT
};

/* An input's cache key (borrowed): an exact ndarray's dtype, a Python scalar's
 * type, a NumPy numeric scalar's builtin dtype; NULL: not the simple case. */
PyObject *numext_operand_key(PyObject *obj);

/* Vectorcall arguments -> ops->in/out/where/key/full/n and the keywords.
 * 1: the pool may run it (simple or general case); 0: u's own call. */
int numext_operands_collect(ufunc_operands *ops, int nin, int nout, PyObject *const *args,
                            Py_ssize_t nargs, PyObject *kwnames,
                            PyObject *const names[NUMEXT_KW_COUNT]);

/* Elements of the broadcast iteration of every array operand (ops->n when
 * all have one shape or hold one element), or -1 when they do not broadcast. */
npy_intp numext_operands_iter_size(const ufunc_operands *ops);

/* Shapes, layout and overlap of the collected arrays -> data/strides of the
 * array operands. 1: the pool may run it; 0: hand it to the ufunc. */
int numext_operands_layout(ufunc_operands *ops);

/* A 1-D view of the first k elements of input i as the loop sees it (a new
 * reference), or the input itself when it is a scalar or broadcast. */
PyObject *numext_operands_sample(const ufunc_operands *ops, int i, npy_intp k);

#endif
