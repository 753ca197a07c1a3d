#include "parallel_ufunc.h"

#include <stddef.h>

#include "ufunc_call_bound.h"
#include "ufunc_executor.h"
#include "ufunc_general.h"
#include "ufunc_loop_cache.h"
#include "ufunc_operands.h"
#include "ufunc_simple.h"

/* When a call goes to the pool (README "numext.parallel": the rule and the
 * figures). Below MIN_ELEMENTS no loop is worth a look. Otherwise the call
 * holds W = n * (u's measured ns per element) of one-thread work, and T
 * threads save W * (T - 1) / T of it; it goes parallel when that saving is
 * at least PARALLEL_MIN_NS (waking parked workers, joining, page-sharing
 * costs), and is cut into about TASK_NS of work per range, up to
 * TASKS_PER_THREAD ranges per thread. */
#define MIN_ELEMENTS 128
#define PARALLEL_MIN_NS 12000.0
#define TASK_NS 20000.0
#define TASKS_PER_THREAD 4
/* Threads one call uses at most (one loop capsule each, on the stack). */
#define MAX_CALL_THREADS 256
/* Elements u is timed on, the first time a dtype combination is seen. */
#define SAMPLE_ELEMENTS 4096

/* PARALLEL_MIN_NS, changed only by tests (_set_min_work_ns) to put every call
 * of MIN_ELEMENTS and more on the pool. */
static double parallel_min_ns = PARALLEL_MIN_NS;

typedef struct {
    PyObject_HEAD vectorcallfunc vectorcall;
    PyObject *ufunc;
    PyObject *fallback;    /* what other calls go to: u, or the object u came from (DUFunc) */
    PyObject *prepare;     /* prepare(u, key, sample) -> None | (dtypes, ns, guard) */
    PyObject *get_threads; /* () -> the thread cap for this call */
    PyObject *reducer;     /* numext.parallel, for pickling */
    PyObject *doc;
    PyObject *name;                      /* u.__name__, for FP error messages */
    PyObject *kw_names[NUMEXT_KW_COUNT]; /* "out", "where", "dtype", "signature", "casting" */
    /* fallback's own vectorcall when fallback is a NumPy ufunc, else NULL */
    vectorcallfunc fallback_call;
    int delegate_all;      /* gufuncs, numext's own ufuncs: always u's call */
    Py_ssize_t pool_calls; /* calls that ran on the pool (for tests), under the GIL */
    numext_loop_cache cache;
} parallel_ufunc;

static PyObject *delegate(parallel_ufunc *self, PyObject *const *args, size_t nargsf,
                          PyObject *kwnames)
{
    if (self->fallback_call != NULL) {
        return self->fallback_call(self->fallback, args, nargsf, kwnames);
    }
    return PyObject_Vectorcall(self->fallback, args, nargsf, kwnames);
}

/* The entry for this call's dtypes; made (u timed on a sample) the first time.
 * The sample: the first elements of each input as the loop sees them in the
 * simple case; otherwise the inputs themselves, which numext/_parallel.py cuts. */
static numext_loop_entry *find_entry(parallel_ufunc *self, ufunc_operands *ops, int simple)
{
    numext_loop_entry *entry = numext_loop_cache_find(&self->cache, ops->key);
    if (entry != NULL || numext_loop_cache_full(&self->cache)) {
        return entry;
    }
    const npy_intp k = ops->n < SAMPLE_ELEMENTS ? ops->n : SAMPLE_ELEMENTS;
    PyObject *key = PyTuple_New(ops->nin), *sample = PyTuple_New(ops->nin);
    PyObject *prepared = NULL;
    if (key != NULL && sample != NULL) {
        int ok = 1;
        for (int i = 0; i < ops->nin; i++) {
            PyTuple_SET_ITEM(key, i, Py_NewRef(ops->key[i]));
            PyObject *s = simple ? numext_operands_sample(ops, i, k) : Py_NewRef(ops->in[i]);
            ok = ok && s != NULL;
            PyTuple_SET_ITEM(sample, i, s != NULL ? s : Py_NewRef(Py_None));
        }
        prepared =
            ok ? PyObject_CallFunctionObjArgs(self->prepare, self->ufunc, key, sample, NULL) : NULL;
    }
    if (prepared != NULL) {
        entry = numext_loop_cache_add(&self->cache, self->ufunc, ops->key, prepared);
    }
    Py_XDECREF(key);
    Py_XDECREF(sample);
    Py_XDECREF(prepared);
    PyErr_Clear(); /* a failure here only means u's own call */
    return entry;
}

static int worth_a_look(const numext_loop_entry *entry, npy_intp n);

/* Threads for this call, 0 when it stays on u's own call. */
static int threads_for(parallel_ufunc *self, numext_loop_entry *entry, npy_intp n, size_t *ntasks)
{
    const double work = (double)n * entry->ns_per_element;
    if (!worth_a_look(entry, n)) {
        return 0;
    }
    PyObject *cap = PyObject_CallNoArgs(self->get_threads);
    long t = cap == NULL ? -1 : PyLong_AsLong(cap);
    Py_XDECREF(cap);
    if (t < 2 || work * (double)(t - 1) / (double)t < parallel_min_ns) {
        PyErr_Clear();
        return 0;
    }
    if (entry->guard != NULL) {
        PyObject *ok = PyObject_CallNoArgs(entry->guard);
        int truth = ok == NULL ? 0 : PyObject_IsTrue(ok);
        Py_XDECREF(ok);
        if (truth != 1) {
            PyErr_Clear();
            return 0;
        }
    }
    double tasks = work / TASK_NS;
    double most = (double)t * TASKS_PER_THREAD;
    *ntasks = tasks > most ? (size_t)most : tasks < 2.0 ? 2 : (size_t)tasks;
    return (int)((size_t)t < *ntasks ? (size_t)t : *ntasks);
}

/* Whether a call of n elements could go parallel at all (cheap: no Python calls). */
static int worth_a_look(const numext_loop_entry *entry, npy_intp n)
{
    return entry->pool_ok && (double)n * entry->ns_per_element * 0.5 >= parallel_min_ns;
}

/* The general case on the pool (ufunc_general.h): 1 done, 0 hand it to u. */
static int run_general(parallel_ufunc *self, const ufunc_operands *ops, numext_loop_entry *entry,
                       npy_intp n, int nthreads, size_t ntasks, PyObject **result)
{
    numext_general_call call = {.ufunc = self->ufunc,
                                .name = self->name,
                                .entry = entry,
                                .nthreads =
                                    nthreads < MAX_CALL_THREADS ? nthreads : MAX_CALL_THREADS,
                                .ntasks = ntasks,
                                .n = n};
    if (!numext_general_run(&call, ops, result)) {
        return 0;
    }
    self->pool_calls++;
    return 1;
}

static int has_type_keywords(const ufunc_operands *ops)
{
    return ops->dtype_kw != NULL || ops->signature_kw != NULL || ops->casting_kw != NULL;
}

/* Whether the call is certainly too little work for the pool, judged from
 * its arguments alone (ufunc_call_bound.h) and its loop's cached cost: then
 * it goes to u at once, without the collection and layout checks. */
static int certainly_small(parallel_ufunc *self, PyObject *const *args, Py_ssize_t nargs,
                           PyObject *kwnames)
{
    PyObject *key[NPY_MAXARGS];
    const npy_intp bound =
        numext_call_bound(self->cache.nin, self->cache.nout, args, nargs, kwnames,
                          self->kw_names[NUMEXT_KW_OUT], self->kw_names[NUMEXT_KW_WHERE], key);
    if (bound < 0) {
        return 0;
    }
    if (bound < MIN_ELEMENTS) {
        return 1;
    }
    const numext_loop_entry *entry = numext_loop_cache_find(&self->cache, key);
    return entry != NULL && !worth_a_look(entry, bound);
}

/* Every call certainly_small() did not settle (kept apart so that small
 * calls do not set up its large frame). */
NPY_NOINLINE PyObject *full_call(parallel_ufunc *self, PyObject *const *args, size_t nargsf,
                                 PyObject *kwnames)
{
    ufunc_operands ops;
    const Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (!numext_operands_collect(&ops, self->cache.nin, self->cache.nout, args, nargs, kwnames,
                                 self->kw_names)) {
        return delegate(self, args, nargsf, kwnames);
    }
    /* The iteration's size: broadcasting can make it larger than any operand
     * ((k, 1) + (1, k)), so a call of small operands may still be worth it. */
    const npy_intp n = numext_operands_iter_size(&ops);
    numext_loop_entry *entry =
        n < MIN_ELEMENTS ? NULL : numext_loop_cache_find(&self->cache, ops.key);
    if (n < MIN_ELEMENTS || (entry != NULL && !worth_a_look(entry, n))) {
        return delegate(self, args, nargsf, kwnames);
    }
    const int simple = n == ops.n && !has_type_keywords(&ops) && numext_operands_layout(&ops);
    if (entry == NULL) {
        entry = find_entry(self, &ops, simple);
    }
    size_t ntasks = 0;
    int nthreads = entry == NULL ? 0 : threads_for(self, entry, n, &ntasks);
    PyObject *result = NULL;
    int rc = 0;
    if (nthreads >= 2 && simple && entry->usable) {
        rc = numext_simple_run(self->ufunc, self->name, &ops, entry, nthreads, ntasks, &result);
        self->pool_calls += rc != 0;
    }
    if (rc == 0 && nthreads >= 2) {
        rc = run_general(self, &ops, entry, n, nthreads, ntasks, &result);
    }
    return rc == 1 ? result : delegate(self, args, nargsf, kwnames);
}

static PyObject *parallel_ufunc_vectorcall(PyObject *obj, PyObject *const *args, size_t nargsf,
                                           PyObject *kwnames)
{
    parallel_ufunc *self = (parallel_ufunc *)obj;
    if (self->delegate_all || certainly_small(self, args, PyVectorcall_NARGS(nargsf), kwnames)) {
        return delegate(self, args, nargsf, kwnames);
    }
    return full_call(self, args, nargsf, kwnames);
}

/* ---- the type ------------------------------------------------------------ */

static PyObject *parallel_ufunc_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
    static char *kwlist[] = {"ufunc", "prepare",      "get_threads", "reducer",
                             "doc",   "delegate_all", "fallback",    NULL};
    PyObject *ufunc, *prepare, *get_threads, *reducer, *doc, *fallback = NULL;
    int delegate_all;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!OOOOp|O", kwlist, &PyUFunc_Type, &ufunc,
                                     &prepare, &get_threads, &reducer, &doc, &delegate_all,
                                     &fallback)) {
        return NULL;
    }
    PyUFuncObject *u = (PyUFuncObject *)ufunc;
    if (u->nin + u->nout > NPY_MAXARGS) {
        PyErr_SetString(PyExc_ValueError, "too many operands");
        return NULL;
    }
    static const char *const kw[NUMEXT_KW_COUNT] = {"out", "where", "dtype", "signature",
                                                    "casting"};
    PyObject *name = PyObject_GetAttrString(ufunc, "__name__");
    PyObject *kw_names[NUMEXT_KW_COUNT];
    int ok = name != NULL;
    for (int k = 0; k < NUMEXT_KW_COUNT; k++) {
        kw_names[k] = PyUnicode_InternFromString(kw[k]);
        ok = ok && kw_names[k] != NULL;
    }
    parallel_ufunc *self = ok ? (parallel_ufunc *)type->tp_alloc(type, 0) : NULL;
    if (self == NULL) {
        Py_XDECREF(name);
        for (int k = 0; k < NUMEXT_KW_COUNT; k++) {
            Py_XDECREF(kw_names[k]);
        }
        return NULL;
    }
    self->vectorcall = parallel_ufunc_vectorcall;
    self->ufunc = Py_NewRef(ufunc);
    self->fallback = Py_NewRef(fallback != NULL && fallback != Py_None ? fallback : ufunc);
    /* A NumPy ufunc's vectorcall is fixed when it is made; anything else is
     * called through PyObject_Vectorcall. */
    self->fallback_call =
        Py_IS_TYPE(self->fallback, &PyUFunc_Type) ? PyVectorcall_Function(self->fallback) : NULL;
    self->prepare = Py_NewRef(prepare);
    self->get_threads = Py_NewRef(get_threads);
    self->reducer = Py_NewRef(reducer);
    self->doc = Py_NewRef(doc);
    self->name = name;
    for (int k = 0; k < NUMEXT_KW_COUNT; k++) {
        self->kw_names[k] = kw_names[k];
    }
    self->delegate_all = delegate_all || u->core_enabled;
    self->cache.nin = u->nin;
    self->cache.nout = u->nout;
    atomic_init(&self->cache.count, 0);
    return (PyObject *)self;
}

static void parallel_ufunc_dealloc(PyObject *obj)
{
    parallel_ufunc *self = (parallel_ufunc *)obj;
    numext_loop_cache_clear(&self->cache);
    Py_XDECREF(self->ufunc);
    Py_XDECREF(self->fallback);
    Py_XDECREF(self->prepare);
    Py_XDECREF(self->get_threads);
    Py_XDECREF(self->reducer);
    Py_XDECREF(self->doc);
    Py_XDECREF(self->name);
    for (int k = 0; k < NUMEXT_KW_COUNT; k++) {
        Py_XDECREF(self->kw_names[k]);
    }
    Py_TYPE(obj)->tp_free(obj);
}

static PyObject *parallel_ufunc_repr(PyObject *obj)
{
    return PyUnicode_FromFormat("numext.parallel(%R)", ((parallel_ufunc *)obj)->ufunc);
}

static PyObject *parallel_ufunc_reduce(PyObject *obj, PyObject *noargs)
{
    (void)noargs;
    parallel_ufunc *self = (parallel_ufunc *)obj;
    return Py_BuildValue("O(O)", self->reducer, self->ufunc);
}

/* Attributes that are u's own: read from u each time. */
static PyObject *get_from_ufunc(PyObject *obj, void *name)
{
    return PyObject_GetAttrString(((parallel_ufunc *)obj)->ufunc, (const char *)name);
}

static PyObject *get_doc(PyObject *obj, void *closure)
{
    (void)closure;
    return Py_NewRef(((parallel_ufunc *)obj)->doc);
}

static PyObject *get_ufunc(PyObject *obj, void *closure)
{
    (void)closure;
    return Py_NewRef(((parallel_ufunc *)obj)->ufunc);
}

#define UFUNC_ATTR(name)                                                                           \
    {                                                                                              \
        name, get_from_ufunc, NULL, "u's " name, (void *)name                                      \
    }
static PyObject *get_pool_calls(PyObject *obj, void *closure)
{
    (void)closure;
    return PyLong_FromSsize_t(((parallel_ufunc *)obj)->pool_calls);
}

static PyGetSetDef parallel_ufunc_getset[] = {
    UFUNC_ATTR("__name__"),
    UFUNC_ATTR("__qualname__"),
    UFUNC_ATTR("nin"),
    UFUNC_ATTR("nout"),
    UFUNC_ATTR("nargs"),
    UFUNC_ATTR("ntypes"),
    UFUNC_ATTR("types"),
    UFUNC_ATTR("identity"),
    UFUNC_ATTR("signature"),
    UFUNC_ATTR("reduce"),
    UFUNC_ATTR("accumulate"),
    UFUNC_ATTR("reduceat"),
    UFUNC_ATTR("outer"),
    UFUNC_ATTR("at"),
    UFUNC_ATTR("resolve_dtypes"),
    {"__doc__", get_doc, NULL, NULL, NULL},
    {"ufunc", get_ufunc, NULL, "The ufunc this runs in parallel.", NULL},
    {"_pool_calls", get_pool_calls, NULL, "Calls that ran on the pool (testing).", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyObject *set_min_work_ns(PyObject *cls, PyObject *arg)
{
    (void)cls;
    double ns = PyFloat_AsDouble(arg);
    if (ns == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    double previous = parallel_min_ns;
    parallel_min_ns = ns < 0.0 ? PARALLEL_MIN_NS : ns;
    return PyFloat_FromDouble(previous);
}

static PyMethodDef parallel_ufunc_methods[] = {
    {"_set_min_work_ns", set_min_work_ns, METH_O | METH_STATIC,
     "Set the work (ns) a call must save to go parallel; < 0 restores the default. "
     "Returns the previous value (testing)."},
    {"__reduce__", parallel_ufunc_reduce, METH_NOARGS, "Pickle as numext.parallel(u)."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject parallel_ufunc_type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "numext._numext._ParallelUfunc",
    .tp_basicsize = sizeof(parallel_ufunc),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_doc = "A ufunc run on numext's thread pool; made by numext.parallel(u).",
    .tp_new = parallel_ufunc_new,
    .tp_dealloc = parallel_ufunc_dealloc,
    .tp_repr = parallel_ufunc_repr,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(parallel_ufunc, vectorcall),
    .tp_getset = parallel_ufunc_getset,
    .tp_methods = parallel_ufunc_methods,
};

int numext_add_parallel_ufunc(PyObject *module)
{
    if (PyType_Ready(&parallel_ufunc_type) < 0 ||
        PyModule_AddObjectRef(module, "_ParallelUfunc", (PyObject *)&parallel_ufunc_type) < 0) {
        return -1;
    }
    if (PyModule_AddIntConstant(module, "PARALLEL_UFUNC_MIN_ELEMENTS", MIN_ELEMENTS) < 0 ||
        PyModule_AddIntConstant(module, "PARALLEL_UFUNC_MIN_NS", (long)PARALLEL_MIN_NS) < 0 ||
        PyModule_AddIntConstant(module, "PARALLEL_UFUNC_TASK_NS", (long)TASK_NS) < 0 ||
        PyModule_AddIntConstant(module, "PARALLEL_UFUNC_SAMPLE_ELEMENTS", SAMPLE_ELEMENTS) < 0) {
        return -1;
    }
    return 0;
}
