/*
 * The one place that includes Python and NumPy's C API, with the settings
 * every numext C file must share (NumPy >= 2.0 target, one API table).
 * module.c defines NUMEXT_IMPORT_NUMPY_API before including it and calls
 * import_array()/import_umath(); every other file only uses the tables.
 */
#ifndef NUMEXT_NUMPY_H
#define NUMEXT_NUMPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define NPY_NO_DEPRECATED_API NPY_2_0_API_VERSION
#define NPY_TARGET_VERSION NPY_2_0_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL numext_ARRAY_API
#define PY_UFUNC_UNIQUE_SYMBOL numext_UFUNC_API
#ifndef NUMEXT_IMPORT_NUMPY_API
#define NO_IMPORT_ARRAY
#define NO_IMPORT_UFUNC
#endif
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>
#include <numpy/halffloat.h>

/* Constructors for the two ufuncs (double_pixels.c, parallel_sum.c). */
PyObject *numext_make_double_pixels(void);
PyObject *numext_make_parallel_sum(void);
/* exact_sum and the exact-state gufuncs for dask (exact_sum.c, exact_state.c). */
PyObject *numext_make_exact_sum(void);
PyObject *numext_make_exact_sum_state(void);
PyObject *numext_make_exact_state_merge(void);
PyObject *numext_make_exact_state_round(void);

#endif
