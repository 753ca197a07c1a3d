/*
 * Whether the calling thread holds the GIL (its thread state is attached),
 * asked of the thread state itself. Never PyGILState_Check(): CPython switches
 * that check off (it then always answers 1) once any sub-interpreter has been
 * created, and a loop that NumPy already released the GIL for would release
 * it a second time and abort the process.
 */
#ifndef NUMEXT_GIL_STATE_H
#define NUMEXT_GIL_STATE_H

#include <Python.h>

static inline int numext_thread_holds_gil(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return PyThreadState_GetUnchecked() != NULL;
#else
    return _PyThreadState_UncheckedGet() != NULL;
#endif
}

#endif
