/*
 * double_pixels_rules: in which layouts the running NumPy's complex multiply
 * fuses its products, asked once at import (numext/_multiply_rules.py has
 * the why and the probe); double_pixels_kernels.h applies it per call.
 */
#include "double_pixels_kernels.h"

/* Until the probe ran: NumPy 2.4's rule on x86-64 (all but complex64 read
 * backwards). Written once at import, before any call reads it. */
int numext_complex_fused_layouts = NUMEXT_FUSED_ALL & ~NUMEXT_FUSED_CFLOAT_REVERSED;

int numext_double_pixels_rules_init(void)
{
    PyObject *mod = PyImport_ImportModule("numext._multiply_rules");
    if (mod == NULL) {
        return -1;
    }
    PyObject *res = PyObject_CallMethod(mod, "probe", NULL);
    Py_DECREF(mod);
    if (res == NULL) {
        return -1;
    }
    long layouts = PyLong_AsLong(res);
    Py_DECREF(res);
    if (layouts == -1 && PyErr_Occurred()) {
        return -1;
    }
    numext_complex_fused_layouts = (int)(layouts & NUMEXT_FUSED_ALL);
    return 0;
}
