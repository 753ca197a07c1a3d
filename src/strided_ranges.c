#include "strided_ranges.h"

#include "numext_tuning.h"

void numext_ranges_plan(numext_ranges *plan, ptrdiff_t n, size_t want_tasks, const char *data,
                        ptrdiff_t stride, ptrdiff_t itemsize)
{
    if (want_tasks < 1) {
        want_tasks = 1;
    }
    ptrdiff_t chunk = (n + (ptrdiff_t)want_tasks - 1) / (ptrdiff_t)want_tasks;
    ptrdiff_t head = 0;
    if (chunk < 1) {
        chunk = 1;
    }
    if (stride == itemsize && itemsize > 0 && itemsize <= NUMEXT_CACHE_LINE &&
        NUMEXT_CACHE_LINE % itemsize == 0) {
        const ptrdiff_t per_line = NUMEXT_CACHE_LINE / itemsize;
        const ptrdiff_t misalign = (ptrdiff_t)((uintptr_t)data % NUMEXT_CACHE_LINE);
        if (misalign % itemsize == 0) {
            head = misalign == 0 ? 0 : (NUMEXT_CACHE_LINE - misalign) / itemsize;
            chunk = (chunk + per_line - 1) / per_line * per_line;
        }
    }
    if (head > n) {
        head = n;
    }
    plan->n = n;
    plan->head = head;
    plan->chunk = chunk;
    /* Task 0 covers the head and the first chunk. */
    ptrdiff_t tasks = n - head <= 0 ? 1 : (n - head + chunk - 1) / chunk;
    plan->ntasks = (size_t)tasks;
}

void numext_ranges_get(const numext_ranges *plan, size_t task, ptrdiff_t *lo, ptrdiff_t *hi)
{
    ptrdiff_t t = (ptrdiff_t)task;
    ptrdiff_t start = t == 0 ? 0 : plan->head + t * plan->chunk;
    ptrdiff_t end = plan->head + (t + 1) * plan->chunk;
    if (end > plan->n) {
        end = plan->n;
    }
    if (start > end) {
        start = end;
    }
    *lo = start;
    *hi = end;
}
