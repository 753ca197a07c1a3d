/*
 * parallel_sum kernels: the sum of one strided range, or of a block of
 * adjacent columns, exactly as NumPy's np.add.reduce computes it. Pure
 * functions; parallel_sum.c decides who runs which range. This header holds
 * what all dtypes share (the kernel table's row type, the tree's shape); the
 * kernels themselves are written once in pairwise_sum_body.h and
 * pairwise_sum_cols_body.h and expanded per dtype by pairwise_sum_dtypes.h.
 *
 * Floats use NumPy's pairwise summation (numpy/_core/src/umath/loops_utils.h.src):
 * n < 8 sequential from -0.0; n <= 128 eight accumulators over i % 8 combined
 * as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) then the rest one by one; otherwise
 * split at n2 = n/2 - (n/2)%8 and add the halves. Complex sums run the same
 * tree over the interleaved (re, im) scalars. float16 accumulates in float32.
 * The final value is 0 + sum, as np.sum starts from the identity.
 *
 * Because the tree depends on n alone, any cut of it (numext_sum_tree_split)
 * computed by any threads and added back up the tree gives the same bits:
 * that is how parallel_sum is bit-for-bit np.sum whatever the thread count.
 *
 * The column kernels run the same tree down many adjacent columns at once,
 * leaf by leaf across all of them, so a sum along a strided axis (axis=0 of a
 * C array) reads rows as long contiguous runs, as np.sum(axis=0) does, and
 * still gives each column exactly its own pairwise sum. Their results are
 * rows of accumulators (accsize bytes per column) that parallel_sum.c can add
 * up the tree a row at a time.
 *
 * Integers accumulate modulo 2^64 in uint64 (np.sum's int64/uint64 result,
 * wrapping included); order does not matter for them.
 */
#ifndef NUMEXT_PAIRWISE_SUM_KERNELS_H
#define NUMEXT_PAIRWISE_SUM_KERNELS_H

#include "numext_numpy.h"

#include <string.h>

#include "numext_tuning.h"
#include "simd_clones.h"

/* A leaf kernel kept as scalar chains (strided input): GCC's vectoriser
 * would build vectors one lane at a time from strided loads, slower than the
 * chains. Other compilers: just not inlined. */
#if defined(__GNUC__) && !defined(__clang__)
#define NUMEXT_SCALAR_CHAINS                                                                       \
    __attribute__((noinline, optimize("no-tree-loop-vectorize", "no-tree-slp-vectorize")))
#else
#define NUMEXT_SCALAR_CHAINS __attribute__((noinline))
#endif

/* Ask for the cache line `offset` bytes from a, as NumPy's pairwise sum does
 * in its strided leaves (the element 512 bytes' worth of elements ahead, once
 * per step): out of cache, hardware prefetch follows a long-stride or
 * backwards stream late (one thread, 1e7 elements: complex64 x[::-2] 0.89x
 * NumPy without, 1.03x with; float32 x[::-2] 0.87x -> 1.02x). The
 * address is computed as an integer: it may lie past the array, which a
 * prefetch may touch but a C pointer may not point to. */
static inline void numext_prefetch_at(const char *a, npy_intp offset)
{
#if defined(__GNUC__)
    __builtin_prefetch((const void *)((npy_uintp)a + (npy_uintp)offset), 0, 3);
#else
    (void)a, (void)offset;
#endif
}

/* Whether a range of n elements `stride` bytes apart reads the leaves of
 * every other element (x[::2]) as vectors: while it stays in the L2. */
static inline int numext_sum_gaps_as_vectors(npy_intp n, npy_intp stride)
{
    const size_t span = (size_t)n * (size_t)(stride < 0 ? -stride : stride);
    return span <= NUMEXT_SUM_VECTOR_GAPS_MAX_BYTES;
}

/* How a real leaf reads its elements (pairwise_sum_real_body.h). */
enum { NUMEXT_LEAF_PLAIN, NUMEXT_LEAF_PREFETCH, NUMEXT_LEAF_STAGED };

/* A partial sum of one row, whatever the dtype: the member is the kernel's
 * accumulator type (integers: modulo 2^64; float16: float32). */
typedef union {
    npy_uint64 as_uint64;
    npy_float as_float;
    npy_double as_double;
    npy_longdouble as_longdouble;
    npy_float as_cfloat[2]; /* (re, im) */
    npy_double as_cdouble[2];
    npy_longdouble as_clongdouble[2];
} numext_sum_acc;

/* The kinds of kernel (SUM_KIND in pairwise_sum_dtypes.h). */
#define NUMEXT_SUM_INT 0
#define NUMEXT_SUM_REAL 1
#define NUMEXT_SUM_COMPLEX 2

/* Which pairwise tree a kernel's sums follow. */
enum { NUMEXT_TREE_REAL = 0, NUMEXT_TREE_COMPLEX = 1 };

typedef struct {
    int in_type, out_type; /* NumPy type numbers of the loop */
    int tree;              /* which pairwise tree: real or complex */
    npy_intp itemsize;     /* input element size */
    npy_intp accsize;      /* bytes of one column's sum in a row of accumulators */
    /* Sum of n elements `stride` bytes apart (no final 0 +). */
    void (*partial)(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc);
    /* Sums of ncols columns col_stride bytes apart (a positive multiple of
     * itemsize) over n rows `row_stride` apart: into the accumulator row `acc`
     * (no final 0 +) when it is not NULL, else stored (as `store`) at
     * out + c * out_stride. Uses cols_work(ncols, n) bytes of `work`, 64-byte
     * aligned. */
    void (*cols_partial)(const char *a, npy_intp ncols, npy_intp col_stride, npy_intp n,
                         npy_intp row_stride, void *acc, char *out, npy_intp out_stride,
                         void *work);
    size_t (*cols_work)(npy_intp ncols, npy_intp n);
    /* Accumulator rows of ncols columns: left += right; out[c] = 0 + acc[c]. */
    void (*cols_combine)(void *left, const void *right, npy_intp ncols);
    void (*cols_store)(const void *acc, npy_intp ncols, char *out, npy_intp out_stride);
    void (*combine)(numext_sum_acc *left, const numext_sum_acc *right); /* left += right */
    void (*store)(const numext_sum_acc *acc, char *out);                /* out = 0 + acc */
    void (*load)(const char *out, numext_sum_acc *acc); /* acc = -0.0 + out, in out's dtype */
} numext_sum_kernel;

/* Size of the left child of a node of n elements, or 0 if the node is a leaf. */
static inline npy_intp numext_sum_tree_split(int tree, npy_intp n)
{
    if (tree == NUMEXT_TREE_COMPLEX) {
        /* In complex elements: NumPy's scalar tree over 2n values. */
        return n <= 64 ? 0 : (n - n % 8) / 2;
    }
    if (n <= 128) {
        return 0;
    }
    npy_intp n2 = n / 2;
    return n2 - n2 % 8;
}

/* Levels of the pairwise tree over n elements (at least). */
static inline npy_intp numext_sum_tree_depth(int tree, npy_intp n)
{
    const npy_intp leaf = tree == NUMEXT_TREE_COMPLEX ? 64 : 128;
    npy_intp depth = 1;
    while (n > leaf) {
        n = n - n / 2 + 8; /* the larger child is at most this long */
        depth++;
    }
    return depth;
}

/* Distance, in accumulators of accsize bytes, between the rows of a column
 * kernel's workspace: whole cache lines (no access splits a line) plus
 * NUMEXT_ACC_PAD_LINES more (numext_tuning.h). */
static inline npy_intp numext_acc_row_stride(npy_intp ncols, size_t accsize)
{
    const npy_intp per_line = (npy_intp)(NUMEXT_CACHE_LINE / accsize);
    return (ncols + per_line - 1) / per_line * per_line + NUMEXT_ACC_PAD_LINES * per_line;
}

#endif
