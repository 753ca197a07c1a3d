/*
 * sum_thread_buffers: scratch memory parallel_sum and exact_sum keep per
 * thread between calls (allocating it per call costs more than a small call itself), freed
 * when the thread exits.
 */
#ifndef NUMEXT_SUM_THREAD_BUFFERS_H
#define NUMEXT_SUM_THREAD_BUFFERS_H

#include <stddef.h>

enum {
    NUMEXT_BUF_COLS_WORKSPACE = 0, /* a column-sum task's workspace */
    NUMEXT_BUF_SPLIT_PARTIALS = 1, /* a cut core's leaves and partial sums */
    NUMEXT_BUF_EXACT_COLUMNS = 2,  /* an exact_sum column task's work and accumulators */
    NUMEXT_NBUFS = 3,
};

/* The calling thread's buffer `which`, at least `bytes` long and 64-byte
 * aligned; NULL when it would be larger than NUMEXT_THREAD_BUFFER_MAX_BYTES
 * or there is no memory. Any thread, no GIL needed. */
void *numext_thread_buffer(int which, size_t bytes);

#endif
