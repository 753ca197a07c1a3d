/*
 * When a kernel goes parallel, and how finely it splits. Figures measured on
 * the 2-core AMD EPYC (Zen 4) development machine with bench/threshold.py;
 * see README "Thresholds" for the table they come from.
 */
#ifndef NUMEXT_TUNING_H
#define NUMEXT_TUNING_H

/* Bytes moved (input + output) below which a call runs inline on the calling
 * thread: waking a parked worker costs ~10-30 us, which pays off only from
 * here on. */
#define NUMEXT_PARALLEL_MIN_BYTES ((size_t)1024 * 1024)

/* Smallest task handed to a thread, and tasks aimed for per thread: a few
 * tasks per thread let a thread the OS delayed hand work to the others. */
#define NUMEXT_TASK_MIN_BYTES ((size_t)64 * 1024)
#define NUMEXT_TASKS_PER_THREAD 4

/* parallel_sum releases the GIL itself (NumPy does not for a 1-D gufunc call)
 * when it reads at least this much. */
#define NUMEXT_RELEASE_GIL_MIN_BYTES ((size_t)32 * 1024)

/* Column sums (a strided core, such as axis=0 of a C array); each figure can be
 * overridden with -D (NUMEXT_CFLAGS) to measure another. Adjacent columns are
 * summed together, up to this much of each row (rows read in runs of 8 KiB
 * measured up to 1.4x slower than in 32 KiB on arrays beyond the caches), ... */
#ifndef NUMEXT_COLS_BATCH_BYTES
#define NUMEXT_COLS_BATCH_BYTES ((size_t)32 * 1024)
#endif
/* ... as long as the column kernel's workspace (rows of accumulators, a few
 * per level of the pairwise tree) stays under this; */
#ifndef NUMEXT_COLS_WORK_MAX_BYTES
#define NUMEXT_COLS_WORK_MAX_BYTES ((size_t)512 * 1024)
#endif
/* a workspace up to this size is on the stack, a larger one in a buffer each
 * thread keeps, up to this size, for its next calls. */
#ifndef NUMEXT_COLS_STACK_BYTES
#define NUMEXT_COLS_STACK_BYTES ((size_t)16 * 1024)
#endif
#ifndef NUMEXT_THREAD_BUFFER_MAX_BYTES
#define NUMEXT_THREAD_BUFFER_MAX_BYTES ((size_t)1024 * 1024)
#endif

#define NUMEXT_CACHE_LINE 64

#endif
