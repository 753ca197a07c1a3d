/*
 * numext._numext: module init and the thread-control functions.
 *
 * Multi-phase init so the module can declare, on free-threaded CPython, that
 * it does not need the GIL: its only shared state is the thread pool, which
 * has its own lock.
 */
#define NUMEXT_IMPORT_NUMPY_API
#include "numext_numpy.h"

#include "numext_pool.h"
#include "numext_tuning.h"

/* Exported for threadpoolctl, which drives the pool through ctypes. */
__attribute__((visibility("default"))) int numext_threadpool_get_num_threads(void)
{
    return numext_pool_get_size();
}

__attribute__((visibility("default"))) int numext_threadpool_set_num_threads(int n)
{
    return numext_pool_set_size(n);
}

static PyObject *get_num_threads(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromLong(numext_pool_get_size());
}

/* An int in 1..NUMEXT_POOL_MAX_THREADS; bools, floats and strings are TypeErrors. */
static int thread_count_from_object(PyObject *obj, int *out)
{
    if (PyBool_Check(obj) || PyFloat_Check(obj) || !PyIndex_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "number of threads must be an integer, not %.100s",
                     Py_TYPE(obj)->tp_name);
        return -1;
    }
    PyObject *index = PyNumber_Index(obj);
    if (index == NULL) {
        return -1;
    }
    int overflow = 0;
    long n = PyLong_AsLongAndOverflow(index, &overflow);
    Py_DECREF(index);
    if (n == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow != 0 || n < 1 || n > NUMEXT_POOL_MAX_THREADS) {
        PyErr_Format(PyExc_ValueError, "number of threads must be between 1 and %d, got %R",
                     NUMEXT_POOL_MAX_THREADS, obj);
        return -1;
    }
    *out = (int)n;
    return 0;
}

static PyObject *set_num_threads(PyObject *self, PyObject *arg)
{
    (void)self;
    int n;
    if (thread_count_from_object(arg, &n) < 0) {
        return NULL;
    }
    int previous = numext_pool_get_size();
    numext_pool_set_size(n);
    return PyLong_FromLong(previous);
}

static PyObject *affinity_cpus(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromLong(numext_pool_affinity_cpus());
}

static PyObject *pool_workers_alive(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromLong(numext_pool_workers_alive());
}

static PyObject *pool_max_busy(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromLong(numext_pool_max_busy_observed());
}

static PyObject *pool_reset_max_busy(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    numext_pool_reset_max_busy();
    Py_RETURN_NONE;
}

static PyObject *simulate_thread_create_failure(PyObject *self, PyObject *arg)
{
    (void)self;
    long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    numext_pool_simulate_create_failure_after(n < 0 ? -1 : (int)(n > 1 << 20 ? 1 << 20 : n));
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"get_num_threads", get_num_threads, METH_NOARGS,
     "get_num_threads()\n--\n\nThreads numext's kernels may use at once (the calling thread "
     "included)."},
    {"set_num_threads", set_num_threads, METH_O,
     "set_num_threads(n, /)\n--\n\nSet the threads numext's kernels may use at once (the calling "
     "thread included), 1 to 1024; returns the previous value. Process-wide; workers are started "
     "when first needed. TypeError for a non-integer, ValueError out of range."},
    {"_affinity_cpus", affinity_cpus, METH_NOARGS, "CPUs this process may run on."},
    {"_pool_workers_alive", pool_workers_alive, METH_NOARGS, "Worker threads created (testing)."},
    {"_pool_max_busy", pool_max_busy, METH_NOARGS,
     "Most threads seen computing pool jobs at once (testing)."},
    {"_pool_reset_max_busy", pool_reset_max_busy, METH_NOARGS, "Reset _pool_max_busy (testing)."},
    {"_simulate_thread_create_failure", simulate_thread_create_failure, METH_O,
     "Make worker creation fail after n more successes; n < 0 turns this off (testing)."},
    {NULL, NULL, 0, NULL},
};

static int add_ufunc(PyObject *module, const char *name, PyObject *ufunc)
{
    if (ufunc == NULL) {
        return -1;
    }
    /* __module__ lets pickle (dask's process workers) find it by name. */
    if (PyModule_AddObjectRef(module, name, ufunc) < 0) {
        Py_DECREF(ufunc);
        return -1;
    }
    Py_DECREF(ufunc);
    return 0;
}

static int module_exec(PyObject *module)
{
    if (PyArray_ImportNumPyAPI() < 0) {
        return -1;
    }
    import_umath1(-1);
    if (add_ufunc(module, "double_pixels", numext_make_double_pixels()) < 0 ||
        add_ufunc(module, "parallel_sum", numext_make_parallel_sum()) < 0 ||
        add_ufunc(module, "exact_sum", numext_make_exact_sum()) < 0 ||
        add_ufunc(module, "_exact_sum_state", numext_make_exact_sum_state()) < 0 ||
        add_ufunc(module, "_exact_state_merge", numext_make_exact_state_merge()) < 0 ||
        add_ufunc(module, "_exact_state_round", numext_make_exact_state_round()) < 0) {
        return -1;
    }
    if (PyModule_AddIntConstant(module, "PARALLEL_MIN_BYTES", (long)NUMEXT_PARALLEL_MIN_BYTES) < 0 ||
        PyModule_AddIntConstant(module, "TASK_MIN_BYTES", (long)NUMEXT_TASK_MIN_BYTES) < 0 ||
        PyModule_AddIntConstant(module, "RELEASE_GIL_MIN_BYTES",
                                (long)NUMEXT_RELEASE_GIL_MIN_BYTES) < 0 ||
        PyModule_AddIntConstant(module, "MAX_THREADS", NUMEXT_POOL_MAX_THREADS) < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, (void *)module_exec},
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_MULTIPLE_INTERPRETERS_NOT_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef numext_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "numext._numext",
    .m_doc = "numext's C core: the double_pixels and parallel_sum ufuncs and the thread pool.",
    .m_size = 0,
    .m_methods = module_methods,
    .m_slots = module_slots,
};

PyMODINIT_FUNC PyInit__numext(void) { return PyModuleDef_Init(&numext_module); }
