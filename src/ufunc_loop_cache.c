#include "ufunc_loop_cache.h"

#include "ufunc_executor.h"

#ifdef Py_GIL_DISABLED
#define LOCK(m) PyMutex_Lock(&(m))
#define UNLOCK(m) PyMutex_Unlock(&(m))
#else
#define LOCK(m) ((void)(m))
#define UNLOCK(m) ((void)(m))
#endif

int numext_loop_cache_full(const numext_loop_cache *cache)
{
    return atomic_load_explicit(&cache->count, memory_order_acquire) == NUMEXT_LOOP_CACHE_SIZE;
}

/* A new filled capsule for the entry's dtypes. */
static PyObject *new_call_info(PyObject *ufunc, numext_loop_entry *entry)
{
    PyObject *resolved =
        PyObject_CallMethod(ufunc, "_resolve_dtypes_and_context", "(O)", entry->resolve_arg);
    if (resolved == NULL) {
        return NULL;
    }
    PyObject *capsule = PyTuple_Check(resolved) && PyTuple_GET_SIZE(resolved) == 2
                            ? PyTuple_GET_ITEM(resolved, 1)
                            : NULL;
    Py_XINCREF(capsule);
    Py_DECREF(resolved);
    if (capsule == NULL || !PyCapsule_IsValid(capsule, NUMEXT_UFUNC_CALL_INFO_NAME)) {
        Py_XDECREF(capsule);
        PyErr_SetString(PyExc_RuntimeError, "unexpected _resolve_dtypes_and_context result");
        return NULL;
    }
    PyObject *done = PyObject_CallMethod(ufunc, "_get_strided_loop", "(O)", capsule);
    if (done == NULL) {
        Py_DECREF(capsule);
        return NULL;
    }
    Py_DECREF(done);
    return capsule;
}

static numext_ufunc_call_info *info_of(PyObject *capsule)
{
    return PyCapsule_GetPointer(capsule, NUMEXT_UFUNC_CALL_INFO_NAME);
}

/* Fill entry from `prepared` (see the header); 0, or -1 with an error set. */
static int fill_entry(numext_loop_cache *cache, PyObject *ufunc, numext_loop_entry *entry,
                      PyObject *prepared)
{
    const int nop = cache->nin + cache->nout;
    PyObject *dtypes;
    if (!PyArg_ParseTuple(prepared, "O!dO", &PyTuple_Type, &dtypes, &entry->ns_per_element,
                          &entry->guard)) {
        return -1;
    }
    entry->guard = entry->guard == Py_None ? NULL : Py_NewRef(entry->guard);
    if (PyTuple_GET_SIZE(dtypes) != nop) {
        PyErr_SetString(PyExc_ValueError, "prepare gave the wrong number of dtypes");
        return -1;
    }
    for (int i = 0; i < nop; i++) {
        PyObject *d = PyTuple_GET_ITEM(dtypes, i);
        if (!PyArray_DescrCheck(d)) {
            PyErr_SetString(PyExc_TypeError, "prepare gave a non-dtype");
            return -1;
        }
        entry->descr[i] = (PyArray_Descr *)Py_NewRef(d);
    }
    entry->usable = 1;
    for (int i = 0; i < cache->nin; i++) {
        if (PyArray_DescrCheck(entry->key[i]) &&
            !PyArray_EquivTypes((PyArray_Descr *)entry->key[i], entry->descr[i])) {
            entry->usable = 0; /* the input needs a cast: NumPy's own call does that */
        }
    }
    PyObject *capsule = new_call_info(ufunc, entry);
    if (capsule == NULL) {
        return -1;
    }
    numext_ufunc_call_info *info = info_of(capsule);
    entry->pool_ok = !info->requires_pyapi;
    entry->usable = entry->usable && entry->pool_ok;
    entry->no_fp_errors = info->no_floatingpoint_errors;
    entry->free_infos[entry->nfree++] = capsule; /* not yet published: no lock */
    return 0;
}

static numext_loop_entry *new_entry(const numext_loop_cache *cache, PyObject *const *key)
{
    numext_loop_entry *entry = PyMem_Calloc(1, sizeof(*entry));
    if (entry == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    entry->resolve_arg = PyTuple_New(cache->nin + cache->nout);
    if (entry->resolve_arg == NULL) {
        PyMem_Free(entry);
        return NULL;
    }
    for (int i = 0; i < cache->nin + cache->nout; i++) {
        PyObject *item = i < cache->nin ? key[i] : Py_None;
        if (i < cache->nin) {
            entry->key[i] = Py_NewRef(item);
        }
        PyTuple_SET_ITEM(entry->resolve_arg, i, Py_NewRef(item));
    }
    return entry;
}

static void free_entry(const numext_loop_cache *cache, numext_loop_entry *entry)
{
    for (int i = 0; i < cache->nin + cache->nout; i++) {
        Py_XDECREF(entry->descr[i]);
        if (i < cache->nin) {
            Py_XDECREF(entry->key[i]);
        }
    }
    Py_XDECREF(entry->resolve_arg);
    Py_XDECREF(entry->guard);
    for (int t = 0; t < entry->nfree; t++) {
        Py_DECREF(entry->free_infos[t]);
    }
    PyMem_Free(entry);
}

numext_loop_entry *numext_loop_cache_add(numext_loop_cache *cache, PyObject *ufunc,
                                         PyObject *const *key, PyObject *prepared)
{
    if (numext_loop_cache_full(cache)) {
        return NULL;
    }
    numext_loop_entry *entry = new_entry(cache, key);
    if (entry == NULL) {
        return NULL;
    }
    if (prepared != Py_None && fill_entry(cache, ufunc, entry, prepared) < 0) {
        free_entry(cache, entry);
        return NULL;
    }
    /* Another thread may have added this key or filled the cache while
     * prepare ran: then the entry already there is the one. */
    LOCK(cache->lock);
    numext_loop_entry *found = numext_loop_cache_find(cache, key);
    const int count = atomic_load_explicit(&cache->count, memory_order_relaxed);
    if (found == NULL && count < NUMEXT_LOOP_CACHE_SIZE) {
        cache->entries[count] = entry;
        atomic_store_explicit(&cache->count, count + 1, memory_order_release);
    }
    UNLOCK(cache->lock);
    if (found != NULL || count == NUMEXT_LOOP_CACHE_SIZE) {
        free_entry(cache, entry);
        return found;
    }
    return entry;
}

int numext_loop_entry_take(PyObject *ufunc, numext_loop_entry *entry, int count, PyObject **infos)
{
    int t = 0;
    LOCK(entry->lock);
    while (t < count && entry->nfree > 0) {
        infos[t++] = entry->free_infos[--entry->nfree];
    }
    UNLOCK(entry->lock);
    for (; t < count; t++) {
        infos[t] = new_call_info(ufunc, entry);
        if (infos[t] == NULL) {
            numext_loop_entry_give_back(entry, t, infos);
            return -1;
        }
    }
    return 0;
}

void numext_loop_entry_give_back(numext_loop_entry *entry, int count, PyObject **infos)
{
    int t = 0;
    LOCK(entry->lock);
    while (t < count && entry->nfree < NUMEXT_LOOP_FREE_INFOS) {
        entry->free_infos[entry->nfree++] = infos[t++]; /* the caller's reference */
    }
    UNLOCK(entry->lock);
    for (; t < count; t++) {
        Py_DECREF(infos[t]);
    }
}

void numext_loop_cache_clear(numext_loop_cache *cache)
{
    const int count = atomic_load_explicit(&cache->count, memory_order_acquire);
    for (int e = 0; e < count; e++) {
        free_entry(cache, cache->entries[e]);
    }
    atomic_store_explicit(&cache->count, 0, memory_order_release);
}
