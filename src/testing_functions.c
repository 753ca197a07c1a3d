/*
 * numext._numext._testing: the pool's test interface (numext_pool_testing.h)
 * for Python tests, kept in a namespace of its own so that nothing in it is
 * mistaken for numext's API. Tests use it as
 *     from numext._numext import _testing
 *     _testing.pool_workers_alive()
 */
#include "numext_numpy.h"

#include "numext_pool_testing.h"

static PyObject *pool_workers_alive(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromLong(numext_pool_testing_workers_alive());
}

static PyObject *pool_max_busy(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromLong(numext_pool_testing_max_busy());
}

static PyObject *pool_reset_max_busy(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    numext_pool_testing_reset_max_busy();
    Py_RETURN_NONE;
}

static PyObject *simulate_thread_create_failure(PyObject *self, PyObject *arg)
{
    (void)self;
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    numext_pool_testing_fail_creation_after(n < 0 ? -1 : (int)(n > 1 << 20 ? 1 << 20 : n));
    Py_RETURN_NONE;
}

static PyMethodDef testing_methods[] = {
    {"pool_workers_alive", pool_workers_alive, METH_NOARGS, "Worker threads created."},
    {"pool_max_busy", pool_max_busy, METH_NOARGS,
     "Most threads seen computing pool jobs at once (callers included)."},
    {"pool_reset_max_busy", pool_reset_max_busy, METH_NOARGS,
     "Reset pool_max_busy to the threads computing now."},
    {"simulate_thread_create_failure", simulate_thread_create_failure, METH_O,
     "Make worker creation fail after n more successes; n < 0 turns this off."},
    {NULL, NULL, 0, NULL},
};

int numext_add_testing_namespace(PyObject *module)
{
    PyObject *testing = PyModule_New("numext._numext._testing");
    if (testing == NULL) {
        return -1;
    }
    if (PyModule_AddFunctions(testing, testing_methods) < 0 ||
        PyModule_AddStringConstant(testing, "__doc__",
                                   "numext's test interface: not API, may change any time.") < 0 ||
        PyModule_AddObjectRef(module, "_testing", testing) < 0) {
        Py_DECREF(testing);
        return -1;
    }
    Py_DECREF(testing);
    return 0;
}
