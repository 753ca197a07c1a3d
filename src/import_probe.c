/*
 * import_probe: a Python probe's answer as a C long (see import_probe.h).
 */
#include "import_probe.h"

#include "numext_numpy.h"

int numext_call_probe(const char *module, const char *function, long *value)
{
    PyObject *mod = PyImport_ImportModule(module);
    if (mod == NULL) {
        return -1;
    }
    PyObject *res = PyObject_CallMethod(mod, function, NULL);
    Py_DECREF(mod);
    if (res == NULL) {
        return -1;
    }
    long answer = PyLong_AsLong(res);
    Py_DECREF(res);
    if (answer == -1 && PyErr_Occurred()) {
        return -1;
    }
    *value = answer;
    return 0;
}
