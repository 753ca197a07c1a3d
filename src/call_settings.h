/*
 * call_settings: what one numext ufunc call takes from its caller's context.
 *
 * numext's loops run inside NumPy's ufunc machinery, usually with the GIL
 * released, so they cannot read a ContextVar. Every numext ufunc's vectorcall
 * is wrapped: with the GIL held, on the calling thread, before NumPy does
 * anything, the wrapper reads the context's settings (numext.threads(n), and
 * np.getbufsize()) into thread-locals that the loop, which NumPy runs on that
 * same thread, reads. NumPy 2 offers no per-call hook nearer the loop: the
 * ufunc's legacy loop selector left the public struct in 2.0 (numpy#24271).
 */
#ifndef NUMEXT_CALL_SETTINGS_H
#define NUMEXT_CALL_SETTINGS_H

#include "numext_numpy.h"

/* Create the threads ContextVar (module attribute `_thread_limit`) and find
 * NumPy's buffer-size context; once per module exec. 0, or -1 with an error. */
int numext_call_settings_init(PyObject *module);

/* Make every call of `ufunc` capture the settings. 0, or -1 with an error. */
int numext_call_settings_install(PyObject *ufunc);

/* The thread limit numext.threads() set in the calling context, 0 when none;
 * -1 with an error. GIL held. */
int numext_context_thread_limit(void);

/* np.getbufsize() in force for the numext ufunc call now running on this
 * thread; NPY_BUFSIZE (8192) outside one. Pool workers are outside one: read
 * it on the calling thread and hand it to the tasks. No GIL needed. */
npy_intp numext_call_bufsize(void);

/* (thread limit, bufsize) captured by this thread's last numext ufunc call
 * (testing). */
PyObject *numext_last_call_settings(PyObject *self, PyObject *noargs);

#endif
