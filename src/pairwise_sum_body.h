/*
 * The parallel_sum kernels of one dtype, written once and expanded per dtype
 * by pairwise_sum_dtypes.h (no include guard: it is meant to be included
 * repeatedly). Define before including it:
 *   SUM_NAME    the dtype's name: the kernels are sum_<SUM_NAME>_partial, ...
 *   SUM_KIND    NUMEXT_SUM_INT, NUMEXT_SUM_REAL or NUMEXT_SUM_COMPLEX
 *   SUM_T       the element type (complex: the type of re and of im)
 *   SUM_ACC     the accumulator type (floats; integers use npy_uint64)
 *   SUM_FIELD   its member of numext_sum_acc (floats)
 *   SUM_OUT     the result type: integers; floats only when it is not SUM_T
 *               (a cast loop, e.g. int64 summed as float64: each element is
 *               converted as it is read, SUM_ACC is then the result type)
 *   SUM_HALF    defined for float16 (stored as npy_half, summed in float)
 *   SUM_BOOL    defined for bool (each element counts as 0 or 1)
 *   SUM_LONG_DOUBLE  defined for long double and its complex
 * Everything is #undef'd at the end.
 */
#define PS_CAT_(a, b) a##b
#define PS_CAT(a, b) PS_CAT_(a, b)
#define PS_FN(suffix) PS_CAT(PS_CAT(sum_, SUM_NAME), PS_CAT(_, suffix))

#if SUM_KIND == NUMEXT_SUM_INT
#include "pairwise_sum_int_body.h"
#else

/* ---- floats: shared accessors ---- */

#if SUM_KIND == NUMEXT_SUM_COMPLEX
#define PS_COL_T SUM_T
#define PS_ACC SUM_T
#define PS_NACC 4
#define PS_TREE NUMEXT_TREE_COMPLEX
#define PS_COMPONENTS 2 /* a column sum is (re, im) */
#else
#define PS_COL_T SUM_T
#define PS_ACC SUM_ACC
#define PS_NACC 8
#define PS_TREE NUMEXT_TREE_REAL
#define PS_COMPONENTS 1
#endif

#ifdef SUM_OUT
#define PS_OUT_T SUM_OUT /* a cast loop: the result is the accumulator's type */
#else
#define PS_OUT_T PS_COL_T
#endif

/* A column's scalar as its accumulator type. */
static inline __attribute__((always_inline)) PS_ACC PS_FN(load_col)(const PS_COL_T *p)
{
#ifdef SUM_HALF
    return npy_half_to_float(*p);
#else
    return (PS_ACC)*p;
#endif
}

/* out = 0 + v, in the element type: np.sum starts from the identity. */
static inline void PS_FN(store_value)(char *out, PS_ACC v)
{
#ifdef SUM_HALF
    *(npy_half *)out = npy_float_to_half(0.0f + v);
#else
    *(PS_OUT_T *)out = (PS_OUT_T)((PS_ACC)0 + v);
#endif
}

/* left + right where two nodes of the tree meet, with left's NaN when both
 * are NaN (NaNs of opposite sign: the result's sign). x86's addsd keeps its
 * first operand's NaN, but GCC takes + as commutative and may emit right +
 * left, differently in each function, inlined copy and SIMD clone: the sign
 * then hung on the path (one thread: the kernel's recursion; more: the tree
 * combine). x87 long double keeps the NaN with the larger significand
 * whatever the order: added as is. */
static inline __attribute__((always_inline)) PS_ACC PS_FN(add_nodes)(PS_ACC left, PS_ACC right)
{
#if defined(SUM_LONG_DOUBLE) && (defined(__x86_64__) || defined(__i386__))
    return left + right;
#else
    return isnan(left) ? left : left + right;
#endif
}

#include "pairwise_sum_cols_body.h"

#if SUM_KIND == NUMEXT_SUM_COMPLEX
#include "pairwise_sum_complex_body.h"
#else
#include "pairwise_sum_real_body.h"
#endif

/* ---- floats: the column kernel's entry points ---- */

static size_t PS_FN(cols_work)(npy_intp ncols, npy_intp n)
{
    return (size_t)PS_FN(cols_accs)(PS_COMPONENTS * ncols, n) * sizeof(PS_ACC);
}

static void PS_FN(cols_store)(const void *acc, npy_intp ncols, char *out, npy_intp out_stride)
{
    const PS_ACC *res = acc;
    for (npy_intp c = 0; c < ncols; c++) {
        for (int part = 0; part < PS_COMPONENTS; part++) {
            PS_FN(store_value)
            (out + c * out_stride + part * (npy_intp)sizeof(PS_OUT_T),
             res[PS_COMPONENTS * c + part]);
        }
    }
}

static void PS_FN(cols_partial)(const char *a, npy_intp ncols, npy_intp col_stride, npy_intp n,
                                npy_intp rs, void *acc, char *out, npy_intp out_stride, void *work)
{
    const npy_intp cstep = col_stride / (npy_intp)sizeof(PS_COL_T);
    const npy_intp nscalars = PS_COMPONENTS * ncols;
    PS_ACC *res = acc != NULL ? (PS_ACC *)acc : (PS_ACC *)work;
    PS_ACC *scratch = acc != NULL
                          ? (PS_ACC *)work
                          : (PS_ACC *)work + numext_acc_row_stride(nscalars, sizeof(PS_ACC));
    PS_FN(cols_tree)(a, nscalars, cstep, n, rs, res, scratch);
    if (acc == NULL) {
        PS_FN(cols_store)(res, ncols, out, out_stride);
    }
}

static void PS_FN(cols_combine)(void *left, const void *right, npy_intp ncols)
{
    PS_FN(cols_add_rows)(left, right, PS_COMPONENTS * ncols);
}

static void PS_FN(combine)(numext_sum_acc *left, const numext_sum_acc *right)
{
#if PS_COMPONENTS == 2
    left->SUM_FIELD[0] = PS_FN(add_nodes)(left->SUM_FIELD[0], right->SUM_FIELD[0]);
    left->SUM_FIELD[1] = PS_FN(add_nodes)(left->SUM_FIELD[1], right->SUM_FIELD[1]);
#else
    left->SUM_FIELD = PS_FN(add_nodes)(left->SUM_FIELD, right->SUM_FIELD);
#endif
}

/* out's value as an accumulator, -0.0 + out: the running total of a row
 * summed one buffer at a time (parallel_sum.c), read back as stored. */
static void PS_FN(load)(const char *out, numext_sum_acc *acc)
{
#ifdef SUM_HALF
    acc->SUM_FIELD = (PS_ACC)-0.0 + npy_half_to_float(*(const npy_half *)out);
#elif PS_COMPONENTS == 2
    acc->SUM_FIELD[0] = (PS_ACC)-0.0 + (PS_ACC)((const PS_OUT_T *)out)[0];
    acc->SUM_FIELD[1] = (PS_ACC)-0.0 + (PS_ACC)((const PS_OUT_T *)out)[1];
#else
    acc->SUM_FIELD = (PS_ACC)-0.0 + (PS_ACC)(*(const PS_OUT_T *)out);
#endif
}

static void PS_FN(store)(const numext_sum_acc *acc, char *out)
{
#if PS_COMPONENTS == 2
    PS_FN(store_value)(out, acc->SUM_FIELD[0]);
    PS_FN(store_value)(out + sizeof(PS_OUT_T), acc->SUM_FIELD[1]);
#else
    PS_FN(store_value)(out, acc->SUM_FIELD);
#endif
}

#undef PS_COL_T
#undef PS_OUT_T
#undef PS_ACC
#undef PS_NACC
#undef PS_TREE
#undef PS_COMPONENTS
#endif /* floats */

#undef PS_CAT_
#undef PS_CAT
#undef PS_FN
#undef SUM_NAME
#undef SUM_IN_NUM
#undef SUM_OUT_NUM
#undef SUM_KIND
#undef SUM_T
#undef SUM_ACC
#undef SUM_FIELD
#undef SUM_OUT
#undef SUM_HALF
#undef SUM_BOOL
#undef SUM_LANE
#undef SUM_LANE_SIGNED
#undef SUM_LONG_DOUBLE
