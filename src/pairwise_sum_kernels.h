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
 * C array) reads rows as contiguous runs, as np.sum(axis=0) does, and still
 * gives each column exactly its own pairwise sum.
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

/* Columns the column kernels sum together: up to 32 KiB of each row, read as
 * one contiguous run as np.sum(axis=0) reads it (shorter runs measured up to
 * 1.5x slower: the prefetcher restarts on every run), while the accumulators
 * (8 + tree depth rows of them) stay in L2. */
#define NUMEXT_COLS_BATCH_BYTES 32768
static inline npy_intp numext_cols_batch(npy_intp itemsize)
{
    return NUMEXT_COLS_BATCH_BYTES / itemsize;
}

/* Distance between accumulator rows: a multiple of 4 KiB apart they would
 * compete for the same L1 sets; 3 cache lines of padding spread them. */
#define NUMEXT_ACC_STRIDE(ncols) ((ncols) + 24)

/* Levels of the pairwise tree over n elements. */
static inline npy_intp numext_sum_tree_depth(npy_intp n)
{
    npy_intp depth = 1;
    while (n > 128) {
        n = n - n / 2 + 8; /* the larger child is at most this long */
        depth++;
    }
    return depth;
}

typedef struct {
    int tree;            /* which pairwise tree: real or complex */
    npy_intp itemsize;   /* input element size */
    /* Sum of n elements `stride` bytes apart (no final 0 +). */
    void (*partial)(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc);
    /* Sums of ncols <= numext_cols_batch(itemsize) adjacent columns (itemsize
     * apart), rows `row_stride` apart, using numext_cols_work_bytes(ncols, n)
     * bytes of `work`; NULL where columns fall back to `partial` one by one. */
    void (*cols_partial)(const char *a, npy_intp ncols, npy_intp n, npy_intp row_stride,
                         numext_sum_acc *acc, void *work);
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

/* Workspace a column kernel needs: (1 + tree depth + 8) accumulator rows. */
static inline size_t numext_cols_work_bytes(npy_intp ncols, npy_intp n)
{
    return (size_t)(NUMEXT_ACC_STRIDE(ncols) * (numext_sum_tree_depth(n) + 9)) *
           sizeof(npy_longdouble);
}

#define NUMEXT_LOAD_SCALAR(T, ACC, p) ((ACC)(*(const T *)(p)))
#define NUMEXT_LOAD_HALF(T, ACC, p) npy_half_to_float(*(const npy_half *)(p))
#define NUMEXT_STORE_SCALAR(T, ACC, out, v) (*(T *)(out) = (T)((ACC)0 + (v)))
#define NUMEXT_STORE_HALF(T, ACC, out, v) (*(npy_half *)(out) = npy_float_to_half(0.0f + (v)))

/*
 * Real floats. T: element type, ACC: accumulator type, FIELD: its member of
 * numext_sum_acc, LOAD/STORE: conversions.
 */
#define NUMEXT_DEFINE_REAL_SUM(NAME, T, ACC, FIELD, LOAD, STORE)                             \
    static inline __attribute__((always_inline)) ACC NAME##_block(const char *a, npy_intp n, \
                                                                   npy_intp stride)           \
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
    /* One leaf (n <= 128 rows) of the tree down ncols adjacent columns. The 8            \
     * accumulators of every column live in r, rows NUMEXT_ACC_STRIDE(ncols) apart (padded   \
     * so they do not share cache sets); each input row is read as one contiguous run,     \
     * so the hardware prefetcher sees plain streams. */                                   \
    NUMEXT_SIMD_CLONES static void NAME##_cols_leaf(const char *a, npy_intp ncols,           \
                                                    npy_intp n, npy_intp rs,                 \
                                                    ACC *restrict res, ACC *restrict r)      \
    {                                                                                        \
        if (n < 8) {                                                                         \
            for (npy_intp c = 0; c < ncols; c++) {                                           \
                res[c] = (ACC)-0.0;                                                          \
            }                                                                                \
            for (npy_intp i = 0; i < n; i++) {                                               \
                const T *row = (const T *)(a + i * rs);                                      \
                for (npy_intp c = 0; c < ncols; c++) {                                       \
                    res[c] += LOAD(T, ACC, row + c);                                         \
                }                                                                            \
            }                                                                                \
            return;                                                                          \
        }                                                                                    \
        const npy_intp ld = NUMEXT_ACC_STRIDE(ncols);                                        \
        for (int k = 0; k < 8; k++) {                                                        \
            const T *restrict row = (const T *)(a + k * rs);                                 \
            ACC *restrict rk = r + k * ld;                                                   \
            for (npy_intp c = 0; c < ncols; c++) {                                           \
                rk[c] = LOAD(T, ACC, row + c);                                               \
            }                                                                                \
        }                                                                                    \
        npy_intp i;                                                                          \
        for (i = 8; i < n - (n % 8); i += 8) {                                               \
            for (int k = 0; k < 8; k++) {                                                    \
                const T *restrict row = (const T *)(a + (i + k) * rs);                       \
                ACC *restrict rk = r + k * ld;                                               \
                for (npy_intp c = 0; c < ncols; c++) {                                       \
                    rk[c] += LOAD(T, ACC, row + c);                                          \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            res[c] = ((r[c] + r[ld + c]) + (r[2 * ld + c] + r[3 * ld + c])) +               \
                     ((r[4 * ld + c] + r[5 * ld + c]) + (r[6 * ld + c] + r[7 * ld + c]));    \
        }                                                                                    \
        for (; i < n; i++) {                                                                 \
            const T *row = (const T *)(a + i * rs);                                          \
            for (npy_intp c = 0; c < ncols; c++) {                                           \
                res[c] += LOAD(T, ACC, row + c);                                             \
            }                                                                                \
        }                                                                                    \
    }                                                                                        \
    /* The tree down ncols adjacent columns, leaf by leaf across all of them: res[c] is     \
     * column c's pairwise sum. scratch holds (8 + tree depth) * NUMEXT_ACC_STRIDE(ncols). */\
    static void NAME##_cols_tree(const char *a, npy_intp ncols, npy_intp n, npy_intp rs,     \
                                 ACC *res, ACC *scratch)                                     \
    {                                                                                        \
        if (n <= 128) {                                                                      \
            NAME##_cols_leaf(a, ncols, n, rs, res, scratch);                                 \
            return;                                                                          \
        }                                                                                    \
        npy_intp n2 = numext_sum_tree_split(NUMEXT_TREE_REAL, n);                            \
        ACC *right = scratch;                                                                \
        NAME##_cols_tree(a, ncols, n2, rs, res, scratch);                                    \
        NAME##_cols_tree(a + n2 * rs, ncols, n - n2, rs, right,                              \
                         scratch + NUMEXT_ACC_STRIDE(ncols));                                \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            res[c] += right[c];                                                              \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_cols_partial(const char *a, npy_intp ncols, npy_intp n, npy_intp rs,  \
                                    numext_sum_acc *acc, void *work)                         \
    {                                                                                        \
        ACC *res = work;                                                                     \
        NAME##_cols_tree(a, ncols, n, rs, res, res + NUMEXT_ACC_STRIDE(ncols));              \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            acc[c].FIELD = res[c];                                                           \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_combine(numext_sum_acc *left, const numext_sum_acc *right)            \
    {                                                                                        \
        left->FIELD = left->FIELD + right->FIELD;                                            \
    }                                                                                        \
    static void NAME##_store(const numext_sum_acc *acc, char *out)                           \
    {                                                                                        \
        STORE(T, ACC, out, acc->FIELD);                                                      \
    }

/* Complex floats: R is the component type, FIELD the [2] member. */
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
    /* ncols adjacent columns, row after row (order is free for integers). */              \
    NUMEXT_SIMD_CLONES static void NAME##_cols_block(const char *a, npy_intp ncols,          \
                                                     npy_intp n, npy_intp rs, npy_uint64 *s) \
    {                                                                                        \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            s[c] = 0;                                                                        \
        }                                                                                    \
        for (npy_intp i = 0; i < n; i++) {                                                   \
            const T *row = (const T *)(a + i * rs);                                          \
            for (npy_intp c = 0; c < ncols; c++) {                                           \
                s[c] += (npy_uint64)VALUE(row[c]);                                           \
            }                                                                                \
        }                                                                                    \
    }                                                                                        \
    static void NAME##_cols_partial(const char *a, npy_intp ncols, npy_intp n, npy_intp rs,  \
                                    numext_sum_acc *acc, void *work)                         \
    {                                                                                        \
        npy_uint64 *s = work;                                                                \
        NAME##_cols_block(a, ncols, n, rs, s);                                               \
        for (npy_intp c = 0; c < ncols; c++) {                                               \
            acc[c].u = s[c];                                                                 \
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
