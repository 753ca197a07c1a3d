/*
 * ufunc_loop_cache: per wrapped ufunc, what one combination of input dtypes
 * (or Python scalar types) resolves to: the operands' dtypes, whether the
 * pool may run its loop, its measured cost per element, and the filled loop
 * capsules (ufunc._get_strided_loop) kept for reuse. A capsule is used by one
 * thread at a time: a call takes as many as it has threads and gives them
 * back. Capsules are made and freed with the GIL held.
 */
#ifndef NUMEXT_UFUNC_LOOP_CACHE_H
#define NUMEXT_UFUNC_LOOP_CACHE_H

#include "numext_numpy.h"

#define NUMEXT_LOOP_CACHE_SIZE 16

typedef struct {
    PyObject *key[NPY_MAXARGS];        /* strong: per input, dtype or Python type */
    PyArray_Descr *descr[NPY_MAXARGS]; /* strong: resolved, per operand */
    PyObject *resolve_arg;             /* the dtypes tuple _resolve_dtypes_and_context takes */
    double ns_per_element;             /* u's cost on one thread, measured once */
    int pool_ok;                       /* numeric dtypes, loop needs no Python API */
    int usable;                        /* pool_ok, and the inputs need no cast */
    int no_fp_errors;                  /* the loop says it raises no FP flags */
    PyObject *guard;                   /* callable: true when the pool may run it now; or NULL */
    PyObject *free_infos;              /* list of filled capsules */
} numext_loop_entry;

typedef struct {
    int nin, nout, count;
    numext_loop_entry *entries[NUMEXT_LOOP_CACHE_SIZE];
} numext_loop_cache;

/* The entry for these input keys (compared by identity), or NULL. */
numext_loop_entry *numext_loop_cache_find(const numext_loop_cache *cache, PyObject *const *key);

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
