/*
 * parallel_sum kernels: the sum of one strided range, or of a block of
 * adjacent columns, exactly as NumPy's np.add.reduce computes it. Pure
 * functions; parallel_sum.c decides who runs which range.
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
#include "simd_clones.h"

typedef union {
    npy_uint64 u;
    npy_float f;
    npy_double d;
    npy_longdouble g;
    npy_float cf[2];
    npy_double cd[2];
    npy_longdouble cg[2];
} numext_sum_acc;

enum { NUMEXT_TREE_REAL = 0, NUMEXT_TREE_COMPLEX = 1 };

/* Column kernels (see NUMEXT_DEFINE_COLS_TREE): rows a lane reads in one pass,
 * and the row length from which a leaf reads its rows lane by lane. */
#ifndef NUMEXT_COLS_PASS_ROWS
#define NUMEXT_COLS_PASS_ROWS 8
#endif
#ifndef NUMEXT_COLS_LANE_MIN_BYTES
#define NUMEXT_COLS_LANE_MIN_BYTES 1536
#endif

/* Distance, in accumulators, between the rows of a column kernel's workspace:
 * whole cache lines (no access splits a line) plus a few, so that rows are never
 * a multiple of 4 KiB apart (they would compete for the same L1 sets); 3 lines
 * measured best on rows read in order. */
#ifndef NUMEXT_ACC_PAD_LINES
#define NUMEXT_ACC_PAD_LINES 3
#endif
#define NUMEXT_ACC_STRIDE(ncols, ACC)                                                        \
    (((ncols) + (npy_intp)(64 / sizeof(ACC)) - 1) / (npy_intp)(64 / sizeof(ACC)) *           \
         (npy_intp)(64 / sizeof(ACC)) + NUMEXT_ACC_PAD_LINES * (npy_intp)(64 / sizeof(ACC)))

typedef struct {
    int tree;            /* which pairwise tree: real or complex */
    npy_intp itemsize;   /* input element size */
    npy_intp accsize;    /* bytes of one column's sum in a row of accumulators */
    /* Sum of n elements `stride` bytes apart (no final 0 +). */
    void (*partial)(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc);
    /* Sums of ncols adjacent columns (itemsize apart) over n rows `row_stride`
     * apart: into the accumulator row `acc` (no final 0 +) when it is not NULL,
     * else stored (as `store`) at out + c * out_stride. Uses cols_work(ncols, n)
     * bytes of `work`, 64-byte aligned. NULL where columns fall back to
     * `partial` one by one. */
    void (*cols_partial)(const char *a, npy_intp ncols, npy_intp n, npy_intp row_stride,
                         void *acc, char *out, npy_intp out_stride, void *work);
    size_t (*cols_work)(npy_intp ncols, npy_intp n);
    /* Accumulator rows of ncols columns: left += right; out[c] = 0 + acc[c]. */
    void (*cols_combine)(void *left, const void *right, npy_intp ncols);
    void (*cols_store)(const void *acc, npy_intp ncols, char *out, npy_intp out_stride);
    void (*combine)(numext_sum_acc *left, const numext_sum_acc *right); /* left += right */
    void (*store)(const numext_sum_acc *acc, char *out);                /* out = 0 + acc */
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

#define NUMEXT_LOAD_SCALAR(T, ACC, p) ((ACC)(*(const T *)(p)))
#define NUMEXT_LOAD_HALF(T, ACC, p) npy_half_to_float(*(const npy_half *)(p))
#define NUMEXT_STORE_SCALAR(T, ACC, out, v) (*(T *)(out) = (T)((ACC)0 + (v)))
#define NUMEXT_STORE_HALF(T, ACC, out, v) (*(npy_half *)(out) = npy_float_to_half(0.0f + (v)))

/*
 * The pairwise tree down ncols adjacent scalar columns of T (a complex column
 * is two of them, re and im), accumulated in ACC. NACC: the accumulators of a
 * leaf, 8 (real tree) or 4 (complex tree: NumPy's 8 over interleaved re, im).
 * Defines NAME##_cols_tree(a, ncols, n, rs, res, scratch), NAME##_cols_accs
 * (the accumulators, res included, it needs) and NAME##_cols_add_rows.
 *
 * A leaf has NACC accumulators per column, accumulator k taking rows k,
 * k + NACC, ... in order. Rows of NUMEXT_COLS_LANE_MIN_BYTES and more are
 * read lane by lane: accumulator k of every column gathers its rows in passes
 * of NUMEXT_COLS_PASS_ROWS rows, each read as one contiguous run, so the
 * accumulators are read and written once per pass rather than once per row;
 * the lanes are added as soon as their part of
 * ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) is complete, which takes
 * NACC / 4 + 1 rows of scratch. Shorter rows are read in order (short runs in
 * many places measured up to 1.3x slower from memory), each added to its
 * accumulator's row: NACC rows of scratch.
 */
#define NUMEXT_DEFINE_COLS_TREE(NAME, T, ACC, LOAD, NACC, TREE)                              \
    static inline void NAME##_cols_add_rows(ACC *restrict left, const ACC *restrict right,   \
                                            npy_intp ncols)                                  \
    {                                                                                        \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            left[c] = left[c] + right[c];                                                    \
        }                                                                                    \
    }                                                                                        \
    /* rk[c] (+)= column c of nrows rows rsk bytes apart from p, in order (init: rk          \
     * starts from the first of them). Inlined with constant nrows and init. */              \
    static inline __attribute__((always_inline)) void NAME##_cols_pass(                      \
        ACC *restrict rk, const char *p, npy_intp rsk, npy_intp ncols, int nrows, int init)  \
    {                                                                                        \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            ACC s = init ? LOAD(T, ACC, (const T *)p + c)                                    \
                         : rk[c] + LOAD(T, ACC, (const T *)p + c);                           \
            for (int j = 1; j < nrows; j++) {                                                \
                s += LOAD(T, ACC, (const T *)(p + j * rsk) + c);                             \
            }                                                                                \
            rk[c] = s;                                                                       \
        }                                                                                    \
    }                                                                                        \
    /* rk[c] = the in-order sum of column c over `groups` rows rsk bytes apart from p        \
     * (one lane), NUMEXT_COLS_PASS_ROWS rows a pass. */                                     \
    static inline __attribute__((always_inline)) void NAME##_cols_lane(                      \
        ACC *restrict rk, const char *p, npy_intp rsk, npy_intp ncols, npy_intp groups)      \
    {                                                                                        \
        npy_intp g;                                                                          \
        if (groups >= NUMEXT_COLS_PASS_ROWS) {                                               \
            NAME##_cols_pass(rk, p, rsk, ncols, NUMEXT_COLS_PASS_ROWS, 1);                   \
            g = NUMEXT_COLS_PASS_ROWS;                                                       \
        }                                                                                    \
        else if (groups >= 2) {                                                              \
            NAME##_cols_pass(rk, p, rsk, ncols, 2, 1);                                       \
            g = 2;                                                                           \
        }                                                                                    \
        else {                                                                               \
            NAME##_cols_pass(rk, p, rsk, ncols, 1, 1);                                       \
            g = 1;                                                                           \
        }                                                                                    \
        for (; g + NUMEXT_COLS_PASS_ROWS <= groups; g += NUMEXT_COLS_PASS_ROWS) {            \
            NAME##_cols_pass(rk, p + g * rsk, rsk, ncols, NUMEXT_COLS_PASS_ROWS, 0);         \
        }                                                                                    \
        for (; g + 2 <= groups; g += 2) {                                                    \
            NAME##_cols_pass(rk, p + g * rsk, rsk, ncols, 2, 0);                             \
        }                                                                                    \
        if (g < groups) {                                                                    \
            NAME##_cols_pass(rk, p + g * rsk, rsk, ncols, 1, 0);                             \
        }                                                                                    \
    }                                                                                        \
    static inline int NAME##_cols_in_order(npy_intp ncols)                                   \
    {                                                                                        \
        return ncols * (npy_intp)sizeof(T) < NUMEXT_COLS_LANE_MIN_BYTES;                     \
    }                                                                                        \
    /* One leaf (n rows, at most NumPy's block) into res; r: scratch rows, ld apart. */      \
    NUMEXT_SIMD_CLONES static void NAME##_cols_leaf(const char *a, npy_intp ncols,           \
                                                    npy_intp n, npy_intp rs,                 \
                                                    ACC *restrict res, ACC *restrict r)      \
    {                                                                                        \
        const npy_intp ld = NUMEXT_ACC_STRIDE(ncols, ACC), groups = n / NACC;                \
        if (n < NACC) {                                                                      \
            for (npy_intp c = 0; c < ncols; c++) {                                           \
                res[c] = (ACC)-0.0; /* keeps the sum of -0.0 values -0.0, as NumPy */        \
            }                                                                                \
        }                                                                                    \
        else if (NAME##_cols_in_order(ncols)) {                                              \
            for (int k = 0; k < NACC; k++) {                                                 \
                NAME##_cols_pass(r + k * ld, a + k * rs, 0, ncols, 1, 1);                    \
            }                                                                                \
            for (npy_intp g = 1; g < groups; g++) {                                          \
                for (int k = 0; k < NACC; k++) {                                             \
                    NAME##_cols_pass(r + k * ld, a + (g * NACC + k) * rs, 0, ncols, 1, 0);   \
                }                                                                            \
            }                                                                                \
            for (npy_intp c = 0; c < ncols; c++) {                                           \
                if (NACC == 8) {                                                             \
                    const ACC *q = r + c;                                                    \
                    res[c] = ((q[0] + q[ld]) + (q[2 * ld] + q[3 * ld])) +                    \
                             ((q[4 * ld] + q[5 * ld]) + (q[6 * ld] + q[7 * ld]));            \
                }                                                                            \
                else {                                                                       \
                    res[c] = (r[c] + r[ld + c]) + (r[2 * ld + c] + r[3 * ld + c]);           \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
        else {                                                                               \
            const npy_intp rsk = NACC * rs;                                                  \
            ACC *restrict s1 = r;                                                            \
            ACC *restrict s2 = r + ld;                                                       \
            NAME##_cols_lane(res, a, rsk, ncols, groups);                                    \
            NAME##_cols_lane(s1, a + rs, rsk, ncols, groups);                                \
            NAME##_cols_add_rows(res, s1, ncols); /* r0 + r1 */                              \
            NAME##_cols_lane(s1, a + 2 * rs, rsk, ncols, groups);                            \
            NAME##_cols_lane(s2, a + 3 * rs, rsk, ncols, groups);                            \
            for (npy_intp c = 0; c < ncols; c++) {                                           \
                res[c] = res[c] + (s1[c] + s2[c]); /* + (r2 + r3) */                         \
            }                                                                                \
            if (NACC == 8) {                                                                 \
                ACC *restrict s3 = r + 2 * ld;                                               \
                NAME##_cols_lane(s1, a + 4 * rs, rsk, ncols, groups);                        \
                NAME##_cols_lane(s2, a + 5 * rs, rsk, ncols, groups);                        \
                NAME##_cols_add_rows(s1, s2, ncols); /* r4 + r5 */                           \
                NAME##_cols_lane(s2, a + 6 * rs, rsk, ncols, groups);                        \
                NAME##_cols_lane(s3, a + 7 * rs, rsk, ncols, groups);                        \
                for (npy_intp c = 0; c < ncols; c++) {                                       \
                    res[c] = res[c] + (s1[c] + (s2[c] + s3[c])); /* + ((r4+r5) + (r6+r7)) */ \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
        for (npy_intp i = NACC * groups; i < n; i++) {                                       \
            NAME##_cols_pass(res, a + i * rs, 0, ncols, 1, 0); /* the rest one by one */     \
        }                                                                                    \
    }                                                                                        \
    /* res[c] = column c's pairwise sum, leaf by leaf across all columns; scratch:           \
     * the rows of the right children below, then the leaf's. */                             \
    static void NAME##_cols_tree(const char *a, npy_intp ncols, npy_intp n, npy_intp rs,     \
                                 ACC *res, ACC *scratch)                                     \
    {                                                                                        \
        npy_intp n2 = numext_sum_tree_split(TREE, n);                                        \
        if (n2 == 0) {                                                                       \
            NAME##_cols_leaf(a, ncols, n, rs, res, scratch);                                 \
            return;                                                                          \
        }                                                                                    \
        ACC *right = scratch;                                                                \
        NAME##_cols_tree(a, ncols, n2, rs, res, scratch);                                    \
        NAME##_cols_tree(a + n2 * rs, ncols, n - n2, rs, right,                              \
                         scratch + NUMEXT_ACC_STRIDE(ncols, ACC));                           \
        NAME##_cols_add_rows(res, right, ncols);                                             \
    }                                                                                        \
    /* Accumulators NAME##_cols_tree needs, res included, for ncols columns of n             \
     * rows: enough for any fewer columns too (they may be read in order). */                \
    static npy_intp NAME##_cols_accs(npy_intp ncols, npy_intp n)                             \
    {                                                                                        \
        const npy_intp depth = numext_sum_tree_depth(TREE, n);                               \
        if (n < NACC) {                                                                      \
            return depth * NUMEXT_ACC_STRIDE(ncols, ACC);                                    \
        }                                                                                    \
        const npy_intp in_order_max = (NUMEXT_COLS_LANE_MIN_BYTES - 1) / (npy_intp)sizeof(T); \
        const npy_intp few = ncols < in_order_max ? ncols : in_order_max;                    \
        const npy_intp in_order = (depth + NACC) * NUMEXT_ACC_STRIDE(few, ACC);              \
        const npy_intp lanes = (depth + NACC / 4 + 1) * NUMEXT_ACC_STRIDE(ncols, ACC);       \
        return ncols > in_order_max && lanes > in_order ? lanes : in_order;                  \
    }

/*
 * Real floats. T: element type, ACC: accumulator type, FIELD: its member of
 * numext_sum_acc, LOAD/STORE: conversions.
 */
#define NUMEXT_DEFINE_REAL_SUM(NAME, T, ACC, FIELD, LOAD, STORE)                             \
    static inline __attribute__((always_inline)) ACC NAME##_block(const char *a, npy_intp n, \
                                                                   npy_intp stride)          \
    {                                                                                        \
        if (n < 8) {                                                                         \
            ACC res = (ACC)-0.0; /* keeps the sum of -0.0 values -0.0, as NumPy */           \
            for (npy_intp i = 0; i < n; i++) {                                               \
                res += LOAD(T, ACC, a + i * stride);                                         \
            }                                                                                \
            return res;                                                                      \
        }                                                                                    \
        ACC r[8];                                                                            \
        for (int k = 0; k < 8; k++) {                                                        \
            r[k] = LOAD(T, ACC, a + k * stride);                                             \
        }                                                                                    \
        npy_intp i;                                                                          \
        for (i = 8; i < n - (n % 8); i += 8) {                                               \
            for (int k = 0; k < 8; k++) {                                                    \
                r[k] += LOAD(T, ACC, a + (i + k) * stride);                                  \
            }                                                                                \
        }                                                                                    \
        ACC res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));         \
        for (; i < n; i++) {                                                                 \
            res += LOAD(T, ACC, a + i * stride);                                             \
        }                                                                                    \
        return res;                                                                          \
    }                                                                                        \
    NUMEXT_SIMD_CLONES static ACC NAME##_pairwise(const char *a, npy_intp n, npy_intp stride) \
    {                                                                                        \
        if (n <= 128) {                                                                      \
            /* the constant stride lets the compiler vectorise the 8 lanes */                \
            return stride == (npy_intp)sizeof(T) ? NAME##_block(a, n, (npy_intp)sizeof(T))   \
                                                 : NAME##_block(a, n, stride);               \
        }                                                                                    \
        npy_intp n2 = numext_sum_tree_split(NUMEXT_TREE_REAL, n);                            \
        return NAME##_pairwise(a, n2, stride) + NAME##_pairwise(a + n2 * stride, n - n2, stride); \
    }                                                                                        \
    static void NAME##_partial(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc) \
    {                                                                                        \
        acc->FIELD = NAME##_pairwise(a, n, stride);                                          \
    }                                                                                        \
    NUMEXT_DEFINE_COLS_TREE(NAME, T, ACC, LOAD, 8, NUMEXT_TREE_REAL)                         \
    static size_t NAME##_cols_work(npy_intp ncols, npy_intp n)                               \
    {                                                                                        \
        return (size_t)NAME##_cols_accs(ncols, n) * sizeof(ACC);                             \
    }                                                                                        \
    static void NAME##_cols_store(const void *acc, npy_intp ncols, char *out,                \
                                  npy_intp out_stride)                                       \
    {                                                                                        \
        const ACC *res = acc;                                                                \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            STORE(T, ACC, out + c * out_stride, res[c]);                                     \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_cols_partial(const char *a, npy_intp ncols, npy_intp n, npy_intp rs,  \
                                    void *acc, char *out, npy_intp out_stride, void *work)   \
    {                                                                                        \
        ACC *res = acc != NULL ? (ACC *)acc : (ACC *)work;                                   \
        ACC *scratch = acc != NULL ? (ACC *)work : (ACC *)work + NUMEXT_ACC_STRIDE(ncols, ACC); \
        NAME##_cols_tree(a, ncols, n, rs, res, scratch);                                     \
        if (acc == NULL) {                                                                   \
            NAME##_cols_store(res, ncols, out, out_stride);                                  \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_cols_combine(void *left, const void *right, npy_intp ncols)           \
    {                                                                                        \
        NAME##_cols_add_rows(left, right, ncols);                                            \
    }                                                                                        \
    static void NAME##_combine(numext_sum_acc *left, const numext_sum_acc *right)            \
    {                                                                                        \
        left->FIELD = left->FIELD + right->FIELD;                                            \
    }                                                                                        \
    static void NAME##_store(const numext_sum_acc *acc, char *out)                           \
    {                                                                                        \
        STORE(T, ACC, out, acc->FIELD);                                                      \
    }

/* Complex floats: R is the component type, FIELD the [2] member. Columns are
 * summed as their 2 * ncols interleaved components, down the complex tree. */
#define NUMEXT_DEFINE_COMPLEX_SUM(NAME, R, FIELD)                                            \
    static void NAME##_pairwise(const char *a, npy_intp m, npy_intp stride, R *rr, R *ri)    \
    {                                                                                        \
        /* m complex elements, i.e. NumPy's n = 2m scalars */                                \
        if (m < 4) {                                                                         \
            *rr = (R)-0.0;                                                                   \
            *ri = (R)-0.0;                                                                   \
            for (npy_intp j = 0; j < m; j++) {                                               \
                *rr += ((const R *)(a + j * stride))[0];                                     \
                *ri += ((const R *)(a + j * stride))[1];                                     \
            }                                                                                \
            return;                                                                          \
        }                                                                                    \
        if (m <= 64) {                                                                       \
            R r[8];                                                                          \
            for (int k = 0; k < 4; k++) {                                                    \
                r[2 * k] = ((const R *)(a + k * stride))[0];                                 \
                r[2 * k + 1] = ((const R *)(a + k * stride))[1];                             \
            }                                                                                \
            npy_intp j;                                                                      \
            for (j = 4; j < m - (m % 4); j += 4) {                                           \
                for (int k = 0; k < 4; k++) {                                                \
                    r[2 * k] += ((const R *)(a + (j + k) * stride))[0];                      \
                    r[2 * k + 1] += ((const R *)(a + (j + k) * stride))[1];                  \
                }                                                                            \
            }                                                                                \
            *rr = ((r[0] + r[2]) + (r[4] + r[6]));                                           \
            *ri = ((r[1] + r[3]) + (r[5] + r[7]));                                           \
            for (; j < m; j++) {                                                             \
                *rr += ((const R *)(a + j * stride))[0];                                     \
                *ri += ((const R *)(a + j * stride))[1];                                     \
            }                                                                                \
            return;                                                                          \
        }                                                                                    \
        npy_intp m2 = numext_sum_tree_split(NUMEXT_TREE_COMPLEX, m);                         \
        R rr1, ri1, rr2, ri2;                                                                \
        NAME##_pairwise(a, m2, stride, &rr1, &ri1);                                          \
        NAME##_pairwise(a + m2 * stride, m - m2, stride, &rr2, &ri2);                        \
        *rr = rr1 + rr2;                                                                     \
        *ri = ri1 + ri2;                                                                     \
    }                                                                                        \
    static void NAME##_partial(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc) \
    {                                                                                        \
        NAME##_pairwise(a, n, stride, &acc->FIELD[0], &acc->FIELD[1]);                       \
    }                                                                                        \
    NUMEXT_DEFINE_COLS_TREE(NAME, R, R, NUMEXT_LOAD_SCALAR, 4, NUMEXT_TREE_COMPLEX)          \
    static size_t NAME##_cols_work(npy_intp ncols, npy_intp n)                               \
    {                                                                                        \
        return (size_t)NAME##_cols_accs(2 * ncols, n) * sizeof(R);                           \
    }                                                                                        \
    static void NAME##_cols_store(const void *acc, npy_intp ncols, char *out,                \
                                  npy_intp out_stride)                                       \
    {                                                                                        \
        const R *res = acc;                                                                  \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            ((R *)(out + c * out_stride))[0] = (R)0 + res[2 * c];                            \
            ((R *)(out + c * out_stride))[1] = (R)0 + res[2 * c + 1];                        \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_cols_partial(const char *a, npy_intp ncols, npy_intp n, npy_intp rs,  \
                                    void *acc, char *out, npy_intp out_stride, void *work)   \
    {                                                                                        \
        R *res = acc != NULL ? (R *)acc : (R *)work;                                         \
        R *scratch = acc != NULL ? (R *)work : (R *)work + NUMEXT_ACC_STRIDE(2 * ncols, R);  \
        NAME##_cols_tree(a, 2 * ncols, n, rs, res, scratch);                                 \
        if (acc == NULL) {                                                                   \
            NAME##_cols_store(res, ncols, out, out_stride);                                  \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_cols_combine(void *left, const void *right, npy_intp ncols)           \
    {                                                                                        \
        NAME##_cols_add_rows(left, right, 2 * ncols);                                        \
    }                                                                                        \
    static void NAME##_combine(numext_sum_acc *left, const numext_sum_acc *right)            \
    {                                                                                        \
        left->FIELD[0] = left->FIELD[0] + right->FIELD[0];                                   \
        left->FIELD[1] = left->FIELD[1] + right->FIELD[1];                                   \
    }                                                                                        \
    static void NAME##_store(const numext_sum_acc *acc, char *out)                           \
    {                                                                                        \
        ((R *)out)[0] = (R)0 + acc->FIELD[0];                                                \
        ((R *)out)[1] = (R)0 + acc->FIELD[1];                                                \
    }

/* Integers and bool: T element type, OUT result type, VALUE(x) the element as
 * a count (x != 0 for bool). Accumulates modulo 2^64. */
#define NUMEXT_INT_VALUE(x) (x)
#define NUMEXT_BOOL_VALUE(x) ((x) != 0)
#define NUMEXT_DEFINE_INT_SUM(NAME, T, OUT, VALUE)                                           \
    NUMEXT_SIMD_CLONES static npy_uint64 NAME##_total(const char *a, npy_intp n,             \
                                                      npy_intp stride)                       \
    {                                                                                        \
        npy_uint64 s = 0;                                                                    \
        if (stride == (npy_intp)sizeof(T)) {                                                 \
            const T *x = (const T *)a;                                                       \
            for (npy_intp i = 0; i < n; i++) {                                               \
                s += (npy_uint64)VALUE(x[i]);                                                \
            }                                                                                \
        }                                                                                    \
        else {                                                                               \
            for (npy_intp i = 0; i < n; i++) {                                               \
                s += (npy_uint64)VALUE(*(const T *)(a + i * stride));                        \
            }                                                                                \
        }                                                                                    \
        return s;                                                                            \
    }                                                                                        \
    static void NAME##_partial(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc) \
    {                                                                                        \
        acc->u = NAME##_total(a, n, stride);                                                 \
    }                                                                                        \
    /* s[c] += column c over nrows rows rs bytes apart: the accumulators are read            \
     * and written once per nrows rows. Inlined with constant nrows. */                      \
    static inline __attribute__((always_inline)) void NAME##_cols_pass(                      \
        npy_uint64 *restrict s, const char *p, npy_intp rs, npy_intp ncols, int nrows)       \
    {                                                                                        \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            npy_uint64 v = s[c];                                                             \
            for (int j = 0; j < nrows; j++) {                                                \
                v += (npy_uint64)VALUE(((const T *)(p + j * rs))[c]);                        \
            }                                                                                \
            s[c] = v;                                                                        \
        }                                                                                    \
    }                                                                                        \
    /* ncols adjacent columns, a few rows at a time (order is free for integers). */         \
    NUMEXT_SIMD_CLONES static void NAME##_cols_block(const char *a, npy_intp ncols,          \
                                                     npy_intp n, npy_intp rs,                \
                                                     npy_uint64 *restrict s)                 \
    {                                                                                        \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            s[c] = 0;                                                                        \
        }                                                                                    \
        npy_intp i = 0;                                                                      \
        for (; i + NUMEXT_COLS_PASS_ROWS <= n; i += NUMEXT_COLS_PASS_ROWS) {                 \
            NAME##_cols_pass(s, a + i * rs, rs, ncols, NUMEXT_COLS_PASS_ROWS);               \
        }                                                                                    \
        for (; i < n; i++) {                                                                 \
            NAME##_cols_pass(s, a + i * rs, rs, ncols, 1);                                   \
        }                                                                                    \
    }                                                                                        \
    static size_t NAME##_cols_work(npy_intp ncols, npy_intp n)                               \
    {                                                                                        \
        (void)n;                                                                             \
        return (size_t)ncols * sizeof(npy_uint64);                                           \
    }                                                                                        \
    static void NAME##_cols_store(const void *acc, npy_intp ncols, char *out,                \
                                  npy_intp out_stride)                                       \
    {                                                                                        \
        const npy_uint64 *s = acc;                                                           \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            *(OUT *)(out + c * out_stride) = (OUT)s[c]; /* modulo 2^64, as np.sum wraps */   \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_cols_partial(const char *a, npy_intp ncols, npy_intp n, npy_intp rs,  \
                                    void *acc, char *out, npy_intp out_stride, void *work)   \
    {                                                                                        \
        npy_uint64 *s = acc != NULL ? (npy_uint64 *)acc : (npy_uint64 *)work;                \
        NAME##_cols_block(a, ncols, n, rs, s);                                               \
        if (acc == NULL) {                                                                   \
            NAME##_cols_store(s, ncols, out, out_stride);                                    \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_cols_combine(void *left, const void *right, npy_intp ncols)           \
    {                                                                                        \
        npy_uint64 *l = left;                                                                \
        const npy_uint64 *r = right;                                                         \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            l[c] += r[c];                                                                    \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_combine(numext_sum_acc *left, const numext_sum_acc *right)            \
    {                                                                                        \
        left->u += right->u;                                                                 \
    }                                                                                        \
    static void NAME##_store(const numext_sum_acc *acc, char *out)                           \
    {                                                                                        \
        *(OUT *)out = (OUT)acc->u; /* modulo 2^64, as np.sum wraps */                        \
    }

#endif
