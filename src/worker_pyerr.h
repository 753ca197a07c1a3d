/*
 * Python errors raised by a loop running on a pool worker.
 *
 * Some loops raise a Python exception without being marked as needing the
 * Python API: they take the GIL themselves (NumPy's npy_gil_error, used by
 * integer power with a negative exponent). On a thread with no Python thread
 * state that error is set in a temporary thread state and lost. So a worker
 * that runs such loops gets one thread state of its own, kept for the life
 * of the thread; after each task it looks at that state (its own, so no lock
 * is needed to read it) and, only when an error is there, takes the GIL to
 * clear it and marks the job failed. The caller then re-runs the call on its
 * own thread to raise the error exactly as the ufunc does.
 */
#ifndef NUMEXT_WORKER_PYERR_H
#define NUMEXT_WORKER_PYERR_H

#include <Python.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct {
    PyInterpreterState *interp; /* the caller's, captured with the GIL held */
    atomic_int failed;          /* a loop raised on some thread */
} numext_worker_errors;

/* GIL held. */
void numext_worker_errors_init(numext_worker_errors *errs);

/* On a pool worker, GIL not held: make sure this thread has a thread state
 * a loop's PyGILState_Ensure will find. Returns it (NULL if none could be made). */
PyThreadState *numext_worker_attach(numext_worker_errors *errs);

/* On a pool worker after a loop returned `rc`, GIL not held: record a failure
 * (rc < 0 or an error left in the thread state `ts`) and clear the error. */
void numext_worker_check(numext_worker_errors *errs, PyThreadState *ts, int rc);

/* What a task runs: elements [lo, hi) of `job` on the thread `thread_index`
 * (0: the caller's); 0, or -1 when a loop failed. */
typedef int (*numext_worker_range_fn)(const void *job, int thread_index, ptrdiff_t lo,
                                      ptrdiff_t hi);

/* One task of a job whose loops may raise, GIL not held: nothing once a task
 * failed (the caller re-runs the call anyway) or for an empty range; on a pool
 * worker (thread_index > 0), `run` with a thread state attached, then checked;
 * on the caller's thread, a failure only flagged: its error stays in the
 * caller's own state, checked after the job. */
void numext_worker_run_range(numext_worker_errors *errs, int thread_index,
                             numext_worker_range_fn run, const void *job, ptrdiff_t lo,
                             ptrdiff_t hi);

#endif
