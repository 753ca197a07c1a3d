/*
 * reduction_driver: the GIL and the thread/task plan of a reduction loop
 * (see reduction_driver.h).
 */
#include "reduction_driver.h"

#include "gil_state.h"
#include "numext_tuning.h"
#include "parallel_for.h"

void numext_run_reduction(void *job, npy_intp nouter, npy_intp n, npy_intp itemsize,
                          numext_reduction_run run)
{
    const size_t nbytes = (size_t)nouter * (size_t)n * (size_t)itemsize;
    PyThreadState *saved = NULL;
    if (nbytes >= NUMEXT_RELEASE_GIL_MIN_BYTES && numext_thread_holds_gil()) {
        saved = PyEval_SaveThread();
    }
    const int nthreads = nbytes >= NUMEXT_PARALLEL_MIN_BYTES ? numext_threads_available() : 1;
    run(job, nthreads, numext_plan_tasks(nbytes, nthreads));
    if (saved != NULL) {
        PyEval_RestoreThread(saved);
    }
}
