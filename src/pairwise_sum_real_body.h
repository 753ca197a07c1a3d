/*
 * Real floats: NumPy's pairwise sum of one strided range. Included by
 * pairwise_sum_body.h (no include guard), which defines PS_FN, PS_ACC and
 * PS_FN(load_col).
 */

/* A leaf of the tree: n <= 128 elements `stride` bytes apart, NumPy's eight
 * accumulators. Inlined with a constant stride the compiler vectorises them.
 * `read` (a constant, pairwise_sum_kernels.h) says how elements are read:
 * converted from the column type, the same with NumPy's prefetch of the
 * line ahead, or already converted (PS_ACC values: a staged leaf). */
static inline __attribute__((always_inline)) PS_ACC PS_FN(block)(const char *a, npy_intp n,
                                                                 npy_intp stride, int read)
{
#define PS_AT(i)                                                                                   \
    (read == NUMEXT_LEAF_STAGED ? ((const PS_ACC *)a)[i]                                           \
                                : PS_FN(load_col)((const PS_COL_T *)(a + (i)*stride)))
    if (n < 8) {
        PS_ACC res = (PS_ACC)-0.0; /* keeps the sum of -0.0 values -0.0, as NumPy */
        for (npy_intp i = 0; i < n; i++) {
            res += PS_AT(i);
        }
        return res;
    }
    PS_ACC r[8];
    for (int k = 0; k < 8; k++) {
        r[k] = PS_AT(k);
    }
    npy_intp i;
    for (i = 8; i < n - (n % 8); i += 8) {
        if (read == NUMEXT_LEAF_PREFETCH) {
            numext_prefetch_at(a, (i + 512 / (npy_intp)sizeof(PS_COL_T)) * stride);
        }
        for (int k = 0; k < 8; k++) {
            r[k] += PS_AT(i + k);
        }
    }
    PS_ACC res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) {
        res += PS_AT(i);
    }
    return res;
#undef PS_AT
}

/* The block at any stride, as eight scalar chains (two loads and two adds a
 * cycle). Not vectorised: GCC would build vectors from scalar loads one
 * lane at a time, slower than the chains (and than staging the leaf). */
NUMEXT_SCALAR_CHAINS static PS_ACC PS_FN(strided_block)(const char *a, npy_intp n, npy_intp stride)
{
    return PS_FN(block)(a, n, stride, NUMEXT_LEAF_PREFETCH);
}

#if defined(SUM_OUT) && !defined(SUM_HALF)
/* A contiguous leaf of a cast loop (an integer summed as float64) converted
 * into a buffer first: GCC vectorises that loop, but converts narrow
 * integers one at a time inside the eight chains (int8 rows: 0.4 ns an
 * element). The same values added in the same order. */
static inline __attribute__((always_inline)) PS_ACC PS_FN(staged_block)(const char *a, npy_intp n)
{
    PS_ACC buf[128];
    const PS_COL_T *x = (const PS_COL_T *)a;
    npy_intp i = 0;
    /* Eight at a time: one vector each, also in short rows (a loop over n
     * would convert a row of 16 one element at a time, and the vector
     * reads of the block would then wait on eight scalar stores). */
    for (; i + 8 <= n; i += 8) {
        for (int k = 0; k < 8; k++) {
            buf[i + k] = (PS_ACC)x[i + k];
        }
    }
    for (; i < n; i++) {
        buf[i] = (PS_ACC)x[i];
    }
    return PS_FN(block)((const char *)buf, n, (npy_intp)sizeof(PS_ACC), NUMEXT_LEAF_STAGED);
}
#endif

/* A leaf: vectorised for contiguous, reversed (x[::-1]) and every-other-element
 * (x[::2]) input. */
static inline __attribute__((always_inline)) PS_ACC
PS_FN(leaf)(const char *a, npy_intp n, npy_intp stride, int gaps_as_vectors)
{
    const npy_intp size = (npy_intp)sizeof(PS_COL_T);
    if (stride == size) {
#if defined(SUM_OUT) && !defined(SUM_HALF)
        if (sizeof(PS_COL_T) < 4) {
            return PS_FN(staged_block)(a, n);
        }
#endif
        return PS_FN(block)(a, n, size, NUMEXT_LEAF_PLAIN);
    }
    if (stride == -size) {
        return PS_FN(block)(a, n, -size, NUMEXT_LEAF_PLAIN);
    }
    if (stride == 2 * size && gaps_as_vectors) {
        return PS_FN(block)(a, n, 2 * size, NUMEXT_LEAF_PLAIN);
    }
    return PS_FN(strided_block)(a, n, stride);
}

NUMEXT_SIMD_CLONES static PS_ACC PS_FN(pairwise)(const char *a, npy_intp n, npy_intp stride,
                                                 int gaps_as_vectors)
{
    if (n <= 128) {
        return PS_FN(leaf)(a, n, stride, gaps_as_vectors);
    }
    npy_intp n2 = numext_sum_tree_split(NUMEXT_TREE_REAL, n);
    /* Left half first, in separate statements: as call arguments GCC
     * evaluates the right half first, walking memory leaf by leaf against
     * the stride, which defeats prefetching (float32 x[::-2] of 1e7 on one
     * thread: 0.78x NumPy that way). */
    const PS_ACC left = PS_FN(pairwise)(a, n2, stride, gaps_as_vectors);
    const PS_ACC right = PS_FN(pairwise)(a + n2 * stride, n - n2, stride, gaps_as_vectors);
    return PS_FN(add_nodes)(left, right);
}

static void PS_FN(partial)(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc)
{
    acc->SUM_FIELD = PS_FN(pairwise)(a, n, stride, numext_sum_gaps_as_vectors(n, stride));
}
