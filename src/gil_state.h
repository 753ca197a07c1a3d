/*
 * Whether the calling thread holds the GIL (its thread state is attached),
 * asked of the thread state itself. Never PyGILState_Check(): CPython switches
 * that check off (it then always answers 1) once any sub-interpreter has been
 * created, and a loop that NumPy already released the GIL for would release
 * it a second time and abort the process. Before 3.12 the unchecked getter
 * returns the runtime-wide GIL holder, which may be another thread: the GIL is
 * ours only if that is this thread's own state (compared, never dereferenced:
 * another thread's state may be freed at any moment).
 */
#ifndef NUMEXT_GIL_STATE_H
#define NUMEXT_GIL_STATE_H

#include <Python.h>

static inline int numext_thread_holds_gil(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked() != NULL;
#elif PY_VERSION_HEX >= 0x030C0000
    return _PyThreadState_UncheckedGet() != NULL; /* thread-local since 3.12 */
#else
    PyThreadState *holder = _PyThreadState_UncheckedGet();
    return holder != NULL && holder == PyGILState_GetThisThreadState();
#endif
}

#endif
