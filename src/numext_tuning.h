/*
 * numext's tuning constants, all in one place: when a kernel goes parallel,
 * how finely it splits, how the column kernels read and how long a worker
 * spins. The thresholds were measured on the 2-core AMD EPYC (Zen 4)
 * development machine with tools/measure_threshold.py; see README
 * "Thresholds" for the table they come from. Python reads the ones it needs
 * from the module's constants (module.c). Those in #ifndef can be overridden
 * with -D (NUMEXT_CFLAGS) to measure another value.
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

/* The column kernels (pairwise_sum_cols_body.h): rows a lane reads in one
 * pass, and the row length from which a leaf reads its rows lane by lane
 * rather than in order. */
#ifndef NUMEXT_COLS_PASS_ROWS
#define NUMEXT_COLS_PASS_ROWS 8
#endif
#ifndef NUMEXT_COLS_LANE_MIN_BYTES
#define NUMEXT_COLS_LANE_MIN_BYTES 1536
#endif

/* Padding, in cache lines, after each row of a column kernel's workspace, so
 * that rows are never a multiple of 4 KiB apart (they would compete for the
 * same L1 sets); 3 lines measured best on rows read in order. */
#ifndef NUMEXT_ACC_PAD_LINES
#define NUMEXT_ACC_PAD_LINES 3
#endif

/* How long a pool worker spins after a job before it sleeps (microseconds),
 * so back-to-back calls find it awake (numext_pool_internal.h). */
#ifndef NUMEXT_POOL_SPIN_US
#define NUMEXT_POOL_SPIN_US 50.0
#endif

/* numext.sum's cache of resolved loops (numext/_api.py, via the module
 * constant SUM_LOOP_CACHE_MAX): keys kept at most. */
#define NUMEXT_SUM_LOOP_CACHE_MAX 512

#define NUMEXT_CACHE_LINE 64

/* A sum of every other element (x[::2]) spanning more bytes than this reads
 * its leaves as NumPy's scalar chains with prefetch, not as vectors: beyond
 * the L2 the vector leaf's loads, split across cache lines, measured 3-6%
 * slower than NumPy's (float32 1e6 elements, one thread), in cache 1.2-1.7x
 * faster. */
#ifndef NUMEXT_SUM_VECTOR_GAPS_MAX_BYTES
#define NUMEXT_SUM_VECTOR_GAPS_MAX_BYTES ((size_t)1024 * 1024)
#endif

/* A contiguous complex double_pixels range of MIN to MAX bytes (input plus
 * output) starts its vector loop on a cache line of its input, others on a
 * line of their output: with input and output differently placed in their
 * lines, a split load costs the complex loop more than a split store
 * within the L2 (7-17% on 128-960 kB), less beyond it, and rows of a
 * broadcast (64 elements) writing a long output measured 5-10% slower
 * aligned on their input. MAX also bounds a run of calls along one output
 * (NumPy's buffered iteration, double_pixels.c): past it, they align on
 * the output. And a range of NUMEXT_DP_STREAM_MIN_BYTES or more so placed runs
 * with 256-bit vectors (simd_clones.h): beyond a core's L2 (2 MiB on the
 * development machine) memory sets the pace and split loads cost; within
 * it 512-bit vectors are 20-25% faster. */
#ifndef NUMEXT_DP_ALIGN_INPUT_MIN_BYTES
#define NUMEXT_DP_ALIGN_INPUT_MIN_BYTES ((size_t)64 * 1024)
#endif
#ifndef NUMEXT_DP_ALIGN_INPUT_MAX_BYTES
#define NUMEXT_DP_ALIGN_INPUT_MAX_BYTES ((size_t)1024 * 1024)
#endif
#ifndef NUMEXT_DP_STREAM_MIN_BYTES
#define NUMEXT_DP_STREAM_MIN_BYTES ((size_t)2 * 1024 * 1024)
#endif

/* A buffer NumPy has just filled, of MIN input bytes or more, is read back
 * from its end in pieces of PIECE input bytes (double_pixels.c). A smaller
 * one stays in the L1 (48 KiB on the development machine) with the output
 * beside it. */
#ifndef NUMEXT_DP_REFILL_MIN_BYTES
#define NUMEXT_DP_REFILL_MIN_BYTES ((size_t)32 * 1024)
#endif
#ifndef NUMEXT_DP_REFILL_PIECE_BYTES
#define NUMEXT_DP_REFILL_PIECE_BYTES 8192
#endif

#endif
