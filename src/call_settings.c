/*
 * call_settings: per-call settings captured with the GIL (see call_settings.h).
 *
 * Cost per call: two ContextVar reads (CPython caches them per thread and
 * context, a few ns each) and, for the buffer size, an identity check against
 * the NumPy context value seen last on this thread; np.getbufsize() is called
 * only when that value changed (np.errstate or np.setbufsize made a new one);
 * for a ufunc with a note, finding it among the few and calling it.
 */
#include "call_settings.h"

#include <stddef.h>
#include <stdint.h>

#include "parallel_for.h"

static PyObject *threads_var;   /* numext's ContextVar: an int, or unset */
static PyObject *extobj_var;    /* NumPy's errstate/bufsize ContextVar; NULL if none */
static PyObject *getbufsize_fn; /* np.getbufsize */
static PyObject *cache_key;     /* where the thread-state dict keeps the cached value */
static vectorcallfunc numpy_vectorcall;

/* The ufuncs with a note: parallel_sum, once per time the module is
 * executed; a scan over so few is cheapest. */
#define MAX_NOTES 16
static struct {
    PyObject *ufunc; /* a reference, so that its address is never another's */
    numext_call_note_fn note;
} notes[MAX_NOTES];
static int n_notes;
static _Thread_local struct numext_call_note current_note;

/* The buffer size of the numext call running on this thread; 0 outside one. */
static _Thread_local npy_intp current_bufsize;
static _Thread_local int last_thread_limit;
static _Thread_local npy_intp last_bufsize;

/* The NumPy context value last seen on this thread and its buffer size. The
 * thread state's dict holds the reference, so the address cannot be reused
 * while the thread state (checked by its unique id) lives. */
static _Thread_local struct {
    uint64_t tstate_id;
    PyObject *extobj;
    npy_intp bufsize;
} bufsize_cache;

static npy_intp call_getbufsize(void)
{
    PyObject *res = PyObject_CallNoArgs(getbufsize_fn);
    if (res == NULL) {
        return -1;
    }
    Py_ssize_t n = PyLong_AsSsize_t(res);
    Py_DECREF(res);
    if (n == -1 && PyErr_Occurred()) {
        return -1;
    }
    return n > 0 ? (npy_intp)n : NPY_BUFSIZE;
}

static npy_intp bufsize_now(void)
{
    PyObject *extobj = NULL;
    if (extobj_var == NULL || PyContextVar_Get(extobj_var, NULL, &extobj) < 0 || extobj == NULL) {
        PyErr_Clear();
        return call_getbufsize();
    }
    const uint64_t id = PyThreadState_GetID(PyThreadState_Get());
    if (extobj == bufsize_cache.extobj && id == bufsize_cache.tstate_id) {
        Py_DECREF(extobj);
        return bufsize_cache.bufsize;
    }
    npy_intp n = call_getbufsize();
    PyObject *dict = PyThreadState_GetDict();
    if (n > 0 && dict != NULL) {
        if (PyDict_SetItem(dict, cache_key, extobj) < 0) {
            n = -1;
        } else {
            bufsize_cache.tstate_id = id;
            bufsize_cache.extobj = extobj;
            bufsize_cache.bufsize = n;
        }
    }
    Py_DECREF(extobj);
    return n;
}

int numext_context_thread_limit(void)
{
    PyObject *value = NULL;
    if (PyContextVar_Get(threads_var, NULL, &value) < 0) {
        return -1;
    }
    if (value == NULL) {
        return 0;
    }
    long n = PyLong_AsLong(value);
    Py_DECREF(value);
    if (n == -1 && PyErr_Occurred()) {
        return -1;
    }
    return n < 1 ? 0 : n > NUMEXT_POOL_MAX_THREADS ? NUMEXT_POOL_MAX_THREADS : (int)n;
}

npy_intp numext_call_bufsize(void)
{
    npy_intp n = current_bufsize;
    return n > 0 ? n : NPY_BUFSIZE;
}

struct numext_call_note numext_call_note(void) { return current_note; }

static numext_call_note_fn note_of(PyObject *ufunc)
{
    for (int i = 0; i < n_notes; i++) {
        if (notes[i].ufunc == ufunc) {
            return notes[i].note;
        }
    }
    return NULL;
}

/* NumPy's vectorcall with the ufunc's note (if any) in force: a ufunc
 * without one leaves the note alone (one thread-local less per call). */
static PyObject *call_noted(PyObject *ufunc, PyObject *const *args, size_t nargsf,
                            PyObject *kwnames)
{
    const numext_call_note_fn note = n_notes > 0 ? note_of(ufunc) : NULL;
    if (note == NULL) {
        return numpy_vectorcall(ufunc, args, nargsf, kwnames);
    }
    const struct numext_call_note saved_note = current_note;
    note(args, nargsf, &current_note);
    PyObject *res = numpy_vectorcall(ufunc, args, nargsf, kwnames);
    current_note = saved_note;
    return res;
}

/* The ufunc's vectorcall: capture, call NumPy, restore (calls may nest:
 * dask blocks, __array_ufunc__). */
static PyObject *call_with_settings(PyObject *ufunc, PyObject *const *args, size_t nargsf,
                                    PyObject *kwnames)
{
    const int limit = numext_context_thread_limit();
    if (limit < 0) {
        return NULL;
    }
    const npy_intp bufsize = bufsize_now();
    if (bufsize < 0) {
        return NULL;
    }
    last_thread_limit = limit;
    last_bufsize = bufsize;
    const int saved_limit = numext_set_call_thread_limit(limit);
    const npy_intp saved_bufsize = current_bufsize;
    current_bufsize = bufsize;
    PyObject *res = call_noted(ufunc, args, nargsf, kwnames);
    current_bufsize = saved_bufsize;
    numext_set_call_thread_limit(saved_limit);
    return res;
}

int numext_call_settings_install(PyObject *ufunc)
{
    if (!PyObject_TypeCheck(ufunc, &PyUFunc_Type) ||
        Py_TYPE(ufunc)->tp_vectorcall_offset != offsetof(PyUFuncObject, vectorcall)) {
        PyErr_SetString(PyExc_RuntimeError,
                        "numext: this NumPy's ufuncs are not called through their vectorcall "
                        "field, so numext.threads() cannot reach the loops");
        return -1;
    }
    PyUFuncObject *u = (PyUFuncObject *)ufunc;
    if (u->vectorcall == call_with_settings) {
        return 0;
    }
    if (u->vectorcall == NULL || (numpy_vectorcall != NULL && u->vectorcall != numpy_vectorcall)) {
        PyErr_SetString(PyExc_RuntimeError, "numext: unexpected ufunc vectorcall");
        return -1;
    }
    numpy_vectorcall = u->vectorcall;
    u->vectorcall = call_with_settings;
    return 0;
}

int numext_call_settings_add_note(PyObject *ufunc, numext_call_note_fn note)
{
    if (!PyObject_TypeCheck(ufunc, &PyUFunc_Type) ||
        ((PyUFuncObject *)ufunc)->vectorcall != call_with_settings) {
        PyErr_SetString(PyExc_RuntimeError, "numext: a note for a ufunc without call settings");
        return -1;
    }
    /* A module executed again (imported anew) makes new ufuncs and adds them;
     * the old ones keep their notes (whoever still holds them). */
    int i = 0;
    while (i < n_notes && notes[i].ufunc != ufunc) {
        i++;
    }
    if (i == MAX_NOTES) {
        PyErr_SetString(PyExc_RuntimeError,
                        "numext: too many ufunc notes (imported anew too often?)");
        return -1;
    }
    Py_INCREF(ufunc);
    Py_XSETREF(notes[i].ufunc, ufunc);
    notes[i].note = note;
    n_notes = i == n_notes ? n_notes + 1 : n_notes;
    return 0;
}

static PyObject *numpy_attr(const char *module_name, const char *name)
{
    PyObject *module = PyImport_ImportModule(module_name);
    if (module == NULL) {
        return NULL;
    }
    PyObject *attr = PyObject_GetAttrString(module, name);
    Py_DECREF(module);
    return attr;
}

int numext_call_settings_init(PyObject *module)
{
    Py_XSETREF(threads_var, PyContextVar_New("numext.threads", NULL));
    if (threads_var == NULL || PyModule_AddObjectRef(module, "_thread_limit", threads_var) < 0) {
        return -1;
    }
    Py_XSETREF(getbufsize_fn, numpy_attr("numpy", "getbufsize"));
    Py_XSETREF(cache_key, PyUnicode_InternFromString("numext.call_settings.extobj"));
    if (getbufsize_fn == NULL || cache_key == NULL) {
        return -1;
    }
    /* NumPy >= 2.0 keeps errstate and the buffer size in this ContextVar. Without
     * it every call asks np.getbufsize(): slower, still right. */
    Py_XSETREF(extobj_var, numpy_attr("numpy._core.umath", "_extobj_contextvar"));
    if (extobj_var != NULL && !PyContextVar_CheckExact(extobj_var)) {
        Py_CLEAR(extobj_var);
    }
    PyErr_Clear();
    return 0;
}

PyObject *numext_last_call_settings(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    return Py_BuildValue("(in)", last_thread_limit, (Py_ssize_t)last_bufsize);
}
