#include "worker_pyerr.h"

static _Thread_local PyThreadState *worker_state;
static _Thread_local PyInterpreterState *worker_interp;

void numext_worker_errors_init(numext_worker_errors *errs)
{
    errs->interp = PyInterpreterState_Get();
    atomic_init(&errs->failed, 0);
}

PyThreadState *numext_worker_attach(numext_worker_errors *errs)
{
    if (worker_state != NULL && worker_interp == errs->interp) {
        return worker_state;
    }
    PyThreadState *ts = PyGILState_GetThisThreadState();
    if (ts == NULL || PyThreadState_GetInterpreter(ts) != errs->interp) {
        /* Without the GIL, as PyGILState_Ensure itself does; the new state
         * becomes this thread's for PyGILState_Ensure. */
        ts = PyThreadState_New(errs->interp);
    }
    worker_state = ts;
    worker_interp = errs->interp;
    return ts;
}

static int state_has_error(const PyThreadState *ts)
{
#if PY_VERSION_HEX >= 0x030C0000
    return ts->current_exception != NULL;
#else
    return ts->curexc_type != NULL;
#endif
}

void numext_worker_check(numext_worker_errors *errs, PyThreadState *ts, int rc)
{
    int has_error = ts != NULL && state_has_error(ts);
    if (rc < 0 || has_error) {
        atomic_store_explicit(&errs->failed, 1, memory_order_relaxed);
    }
    if (has_error) {
        PyEval_RestoreThread(ts);
        PyErr_Clear();
        PyEval_SaveThread();
    }
}

void numext_worker_run_range(numext_worker_errors *errs, int thread_index,
                             numext_worker_range_fn run, const void *job, ptrdiff_t lo,
                             ptrdiff_t hi)
{
    if (atomic_load_explicit(&errs->failed, memory_order_relaxed) || lo >= hi) {
        return;
    }
    PyThreadState *ts = thread_index == 0 ? NULL : numext_worker_attach(errs);
    int rc = run(job, thread_index, lo, hi);
    if (thread_index == 0) {
        if (rc < 0) {
            atomic_store_explicit(&errs->failed, 1, memory_order_relaxed);
        }
        return;
    }
    numext_worker_check(errs, ts, rc);
}
