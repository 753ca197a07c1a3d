/*
 * numext._numext: module init and the thread-control functions.
 *
 * Multi-phase init so the module can declare, on free-threaded CPython, that
 * it does not need the GIL: its only shared state is the thread pool, which
 * has its own lock.
 */
#define NUMEXT_IMPORT_NUMPY_API
#include "numext_numpy.h"

#include "call_settings.h"
#include "numext_pool.h"
#include "parallel_ufunc.h"
#include "numext_tuning.h"
#include "sum_rules.h"

/* numext._numext._testing, the pool's test hooks (testing_functions.c). */
int numext_add_testing_namespace(PyObject *module);

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
    int n = numext_pool_get_size();
    int limit = numext_context_thread_limit();
    if (limit < 0) {
        return NULL;
    }
    return PyLong_FromLong(limit > 0 && limit < n ? limit : n);
}

/* An int in 1..NUMEXT_POOL_MAX_THREADS; bools, floats and strings are TypeErrors. */
static int thread_count_from_object(PyObject *obj, int *out)
{
    /* np.bool_ too: NumPy 2.0 still gives it a (deprecated) __index__. */
    if (PyBool_Check(obj) || PyArray_IsScalar(obj, Bool) || PyFloat_Check(obj) ||
        !PyIndex_Check(obj)) {
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

static PyObject *check_num_threads(PyObject *self, PyObject *arg)
{
    (void)self;
    int n;
    if (thread_count_from_object(arg, &n) < 0) {
        return NULL;
    }
    return PyLong_FromLong(n);
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

static PyObject *sum_rules(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return PyLong_FromLong(numext_sum_rules_buffered());
}

static PyMethodDef module_methods[] = {
    {"_sum_rules", sum_rules, METH_NOARGS,
     "Kinds of input (numext._sum_rules bits) parallel_sum sums per buffer, as probed."},
    {"get_num_threads", get_num_threads, METH_NOARGS,
     "get_num_threads()\n--\n\nThreads a numext call made here may use at once (the calling "
     "thread included): the process-wide setting, capped by an enclosing numext.threads(n)."},
    {"set_num_threads", set_num_threads, METH_O,
     "set_num_threads(n, /)\n--\n\nSet the threads numext's kernels may use at once (the calling "
     "thread included), 1 to 1024; returns the previous value. Process-wide; workers are started "
     "when first needed. TypeError for a non-integer, ValueError out of range."},
    {"_check_num_threads", check_num_threads, METH_O,
     "The thread count as an int; set_num_threads's TypeError or ValueError otherwise."},
    {"_last_call_settings", numext_last_call_settings, METH_NOARGS,
     "(thread limit, bufsize) captured by this thread's last numext ufunc call (testing)."},
    {"_affinity_cpus", affinity_cpus, METH_NOARGS, "CPUs this process may run on."},
    {NULL, NULL, 0, NULL},
};

static int add_ufunc(PyObject *module, const char *name, PyObject *ufunc)
{
    if (ufunc == NULL) {
        return -1;
    }
    /* Every numext ufunc takes numext.threads() and np.getbufsize() from the
     * caller's context (call_settings.h). */
    if (numext_call_settings_install(ufunc) < 0) {
        Py_DECREF(ufunc);
        return -1;
    }
    /* As a module attribute, pickle (dask's process workers) finds the ufunc:
     * NumPy pickles a ufunc by name and pickle.whichmodule searches the
     * loaded modules for it. */
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
    if (numext_add_testing_namespace(module) < 0 || numext_call_settings_init(module) < 0) {
        return -1;
    }
    if (add_ufunc(module, "double_pixels", numext_make_double_pixels()) < 0 ||
        add_ufunc(module, "parallel_sum", numext_make_parallel_sum()) < 0 ||
        add_ufunc(module, "exact_sum", numext_make_exact_sum()) < 0 ||
        add_ufunc(module, "_exact_sum_state", numext_make_exact_sum_state()) < 0 ||
        add_ufunc(module, "_exact_state_merge", numext_make_exact_state_merge()) < 0 ||
        add_ufunc(module, "_exact_state_round", numext_make_exact_state_round()) < 0) {
        return -1;
    }
    /* parallel_sum follows np.sum's per-buffer sums where the running NumPy
     * does them (sum_rules.h): probe it, and let each call note its input. */
    PyObject *parallel_sum = PyObject_GetAttrString(module, "parallel_sum");
    int rules_ok = parallel_sum != NULL && numext_sum_rules_init() == 0 &&
                   numext_sum_rules_install(parallel_sum) == 0;
    Py_XDECREF(parallel_sum);
    if (!rules_ok) {
        return -1;
    }
    /* numext.parallel(u): any ufunc on the pool (parallel_ufunc.c). */
    if (numext_add_parallel_ufunc(module) < 0) {
        return -1;
    }
    if (PyModule_AddIntConstant(module, "PARALLEL_MIN_BYTES", (long)NUMEXT_PARALLEL_MIN_BYTES) <
            0 ||
        PyModule_AddIntConstant(module, "TASK_MIN_BYTES", (long)NUMEXT_TASK_MIN_BYTES) < 0 ||
        PyModule_AddIntConstant(module, "RELEASE_GIL_MIN_BYTES",
                                (long)NUMEXT_RELEASE_GIL_MIN_BYTES) < 0 ||
        PyModule_AddIntConstant(module, "MAX_THREADS", NUMEXT_POOL_MAX_THREADS) < 0 ||
        PyModule_AddIntConstant(module, "SUM_LOOP_CACHE_MAX", NUMEXT_SUM_LOOP_CACHE_MAX) < 0 ||
        PyModule_AddIntConstant(module, "DP_STREAM_MIN_BYTES", (long)NUMEXT_DP_STREAM_MIN_BYTES) <
            0) {
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
