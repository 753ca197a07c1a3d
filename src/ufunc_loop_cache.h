/*
 * ufunc_loop_cache: per wrapped ufunc, what one combination of input dtypes
 * (or Python scalar types) resolves to: the operands' dtypes, whether the
 * pool may run its loop, its measured cost per element, and the filled loop
 * capsules (ufunc._get_strided_loop) kept for reuse. A capsule is used by one
 * thread at a time: a call takes as many as it has threads and gives them
 * back. Capsules are made and freed with the GIL held.
 *
 * Free-threaded CPython (the module declares Py_MOD_GIL_NOT_USED): entries
 * are published with a release store of `count` after they are complete, and
 * read-only from then on, so finding one takes no lock; adding one and the
 * free capsule lists take a mutex (PyMutex, which detaches the thread state
 * while it waits) around plain C work only, never a Python call. With the
 * GIL the mutex is compiled out: the GIL serialises the same C sections.
 */
#ifndef NUMEXT_UFUNC_LOOP_CACHE_H
#define NUMEXT_UFUNC_LOOP_CACHE_H

#include "numext_numpy.h"

#include <stdatomic.h>

#define NUMEXT_LOOP_CACHE_SIZE 64
/* Capsules kept per entry for reuse; more are freed on return. */
#define NUMEXT_LOOP_FREE_INFOS 64

#ifdef Py_GIL_DISABLED
typedef PyMutex numext_cache_mutex;
#else
typedef struct {
    char unused;
} numext_cache_mutex;
#endif

typedef struct {
    /* What every call reads first, together in the first cache line. */
    double ns_per_element;             /* u's cost on one thread, measured once */
    int pool_ok;                       /* numeric dtypes, loop needs no Python API */
    int usable;                        /* pool_ok, and the inputs need no cast */
    PyObject *key[NPY_MAXARGS];        /* strong: per input, dtype or Python type */
    PyArray_Descr *descr[NPY_MAXARGS]; /* strong: resolved, per operand */
    PyObject *resolve_arg;             /* the dtypes tuple _resolve_dtypes_and_context takes */
    int no_fp_errors;                  /* the loop says it raises no FP flags */
    PyObject *guard;                   /* callable: true when the pool may run it now; or NULL */
    numext_cache_mutex lock;           /* guards the free capsules */
    int nfree;
    PyObject *free_infos[NUMEXT_LOOP_FREE_INFOS]; /* strong: filled capsules */
} numext_loop_entry;

typedef struct {
    int nin, nout;
    atomic_int count;        /* entries published */
    numext_cache_mutex lock; /* guards adding entries */
    numext_loop_entry *entries[NUMEXT_LOOP_CACHE_SIZE];
} numext_loop_cache;

/* Whether no entry can be added any more. */
int numext_loop_cache_full(const numext_loop_cache *cache);

/* The entry for these input keys (compared by identity), or NULL. Inline:
 * every call of a wrapped ufunc, small ones too, looks here. */
static inline numext_loop_entry *numext_loop_cache_find(const numext_loop_cache *cache,
                                                        PyObject *const *key)
{
    const int count = atomic_load_explicit(&cache->count, memory_order_acquire);
    for (int e = 0; e < count; e++) {
        numext_loop_entry *entry = cache->entries[e];
        int i = 0;
        while (i < cache->nin && entry->key[i] == key[i]) {
            i++;
        }
        if (i == cache->nin) {
            return entry;
        }
    }
    return NULL;
}

/* Store what `prepared` says for `key`: None (not for the pool) or a tuple
 * (resolved dtypes, ns per element, guard or None). NULL with an error set,
 * or NULL without one when the cache is full. */
numext_loop_entry *numext_loop_cache_add(numext_loop_cache *cache, PyObject *ufunc,
                                         PyObject *const *key, PyObject *prepared);

/* Take `count` filled capsules (reused or new); -1 with an error set. */
int numext_loop_entry_take(PyObject *ufunc, numext_loop_entry *entry, int count, PyObject **infos);
/* Give them back (and release the references the caller held). */
void numext_loop_entry_give_back(numext_loop_entry *entry, int count, PyObject **infos);

void numext_loop_cache_clear(numext_loop_cache *cache);

#endif
