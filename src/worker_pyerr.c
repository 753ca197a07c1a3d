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
