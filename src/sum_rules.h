/*
 * sum_rules: whether np.sum would add this parallel_sum call's rows one
 * buffer at a time, and how long a buffer is.
 *
 * NumPy sums a contiguous float axis pairwise, either as one tree over the
 * whole row or, when its iterator buffers the input, one tree per buffer of
 * np.getbufsize() elements, the buffers added in order (numext/_sum_rules.py
 * has the rules found by experiment). Which inputs are buffered depends on
 * the NumPy version and on the input itself: byte-swapped, misaligned or cast
 * input is. NumPy hands a gufunc loop a native, aligned copy of such input,
 * so the loop cannot see it: parallel_sum's note (call_settings.h) records,
 * on the calling thread, what the caller passed, and the loop asks.
 */
#ifndef NUMEXT_SUM_RULES_H
#define NUMEXT_SUM_RULES_H

#include "numext_numpy.h"

/* Kinds of input (numext/_sum_rules.py uses the same bits). */
enum {
    NUMEXT_INPUT_NATIVE = 1,     /* native byte order, aligned, the loop's dtype */
    NUMEXT_INPUT_SWAPPED = 2,    /* byte-swapped */
    NUMEXT_INPUT_MISALIGNED = 4, /* not aligned */
    NUMEXT_INPUT_CAST = 8,       /* another dtype, cast to the loop's */
};

/* Ask the running NumPy which kinds it reduces per buffer
 * (numext._sum_rules.probe()). Once per module exec; 0, or -1 with an error. */
int numext_sum_rules_init(void);

/* Make each call of `ufunc` (parallel_sum, its call settings installed)
 * note its input's kind. 0, or -1 with an error. */
int numext_sum_rules_install(PyObject *ufunc);

/* Elements per buffer np.sum would use for a contiguous row of the input of
 * the parallel_sum call running on this thread, whose loop reads `type_num`;
 * 0 when np.sum sums the row as one tree (or for integers: order does not
 * matter). Call on the calling thread, not in a pool worker. */
npy_intp numext_sum_chunk(int type_num);

/* The kinds probed at import (testing). */
int numext_sum_rules_buffered(void);

#endif
