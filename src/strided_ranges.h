/*
 * Cutting one strided 1-D loop of n elements into ranges for the pool.
 *
 * Ranges are cut at cache-line boundaries of one chosen operand (the output
 * the loop writes) when it is contiguous, so two threads never write the same
 * cache line; otherwise into near-equal pieces. Task 0 takes the elements
 * before the first boundary (the head) plus one chunk. NumPy-free: the same
 * plan serves any kernel that processes "elements lo..hi of a strided loop".
 */
#ifndef NUMEXT_STRIDED_RANGES_H
#define NUMEXT_STRIDED_RANGES_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    ptrdiff_t n;     /* elements in the loop */
    ptrdiff_t head;  /* elements before the first cache-line boundary */
    ptrdiff_t chunk; /* elements per task after the head */
    size_t ntasks;   /* tasks the plan holds (>= 1) */
} numext_ranges;

/* Plan about `want_tasks` ranges over n elements of the operand at `data`
 * with `stride` bytes between elements of `itemsize` bytes. */
void numext_ranges_plan(numext_ranges *plan, ptrdiff_t n, size_t want_tasks, const char *data,
                        ptrdiff_t stride, ptrdiff_t itemsize);

/* Elements [*lo, *hi) of task `task` (possibly empty). */
void numext_ranges_get(const numext_ranges *plan, size_t task, ptrdiff_t *lo, ptrdiff_t *hi);

#endif
