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
 * A ufunc that must see more of its call than the loop gets (parallel_sum:
 * its input before NumPy casts or copies it) adds a note, which the same
 * wrapper calls: one wrapper, one place for per-call state.
 */
#ifndef NUMEXT_CALL_SETTINGS_H
#define NUMEXT_CALL_SETTINGS_H

#include "numext_numpy.h"

/* Create the threads ContextVar (module attribute `_thread_limit`) and find
 * NumPy's buffer-size context; once per module exec. 0, or -1 with an error. */
int numext_call_settings_init(PyObject *module);

/* Make every call of `ufunc` capture the settings. 0, or -1 with an error. */
int numext_call_settings_install(PyObject *ufunc);

/* What a ufunc's note recorded about the call running on this thread; all 0
 * outside a call of a ufunc with a note. */
struct numext_call_note {
    int kind;     /* the note's own bits (sum_rules.h: NUMEXT_INPUT_*) */
    int type_num; /* the dtype number of the operand it looked at */
};

/* A note: called with the GIL on the calling thread, before NumPy sees the
 * call's arguments (a vectorcall's); fills `note`. Must not fail. */
typedef void (*numext_call_note_fn)(PyObject *const *args, size_t nargsf,
                                    struct numext_call_note *note);

/* Call `note` on every call of `ufunc` (installed above); the outer call's
 * note is restored when a nested call returns. 0, or -1 with an error. */
int numext_call_settings_add_note(PyObject *ufunc, numext_call_note_fn note);

/* The note of the numext call running on this thread. No GIL needed; read it
 * on the calling thread (pool workers are outside the call). */
struct numext_call_note numext_call_note(void);

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
