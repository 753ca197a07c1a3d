/*
 * exact_add_columns: up to EXACT_BLOCK rows of up to EXACT_COLUMNS adjacent
 * float64 columns (a sum along a strided axis, such as axis=0 of a C array)
 * added into one exact accumulator per column.
 *
 * The extraction of exact_block.c, run down the columns with the columns as
 * the vector lanes: each row is read as one contiguous run, a first pass
 * finds every column's largest and smallest magnitude, a second extracts two
 * levels with each column's own sigma. A column that two levels cannot
 * finish (exponents spread too widely, an infinity or NaN) is added term by
 * term instead (its extracted sums are dropped).
 */
#include "exact_accumulator.h"

#include <math.h>
#include <string.h>

#include "simd_clones.h"

#define ABS_MASK INT64_C(0x7fffffffffffffff)
#define INF_BITS INT64_C(0x7ff0000000000000)
#define MAX_FIELD (1023 + 1023 - EXACT_BLOCK_BITS - 2)

typedef struct {
    int64_t top[EXACT_COLUMNS], inv[EXACT_COLUMNS]; /* as block_range's */
    double sigma[EXACT_COLUMNS], sigma2[EXACT_COLUMNS];
    double t1[EXACT_COLUMNS], t2[EXACT_COLUMNS];
    int64_t rmax[EXACT_COLUMNS];
} columns_pass;

static inline int64_t abs_bits(double x)
{
    int64_t b;
    memcpy(&b, &x, sizeof b);
    return b & ABS_MASK;
}

NUMEXT_SIMD_CLONES static void columns_range(columns_pass *restrict cp, const char *a,
                                             ptrdiff_t ncols, ptrdiff_t nrows, ptrdiff_t row_stride)
{
    for (ptrdiff_t c = 0; c < ncols; c++) {
        cp->top[c] = 0;
        cp->inv[c] = 0;
    }
    for (ptrdiff_t r = 0; r < nrows; r++) {
        const double *restrict row = (const double *)(a + r * row_stride);
        for (ptrdiff_t c = 0; c < ncols; c++) {
            const int64_t v = abs_bits(row[c]);
            const int64_t inv =
                (int64_t)((uint64_t)ABS_MASK & ((uint64_t)ABS_MASK - ((uint64_t)v - 1)));
            cp->top[c] = v > cp->top[c] ? v : cp->top[c];
            cp->inv[c] = inv > cp->inv[c] ? inv : cp->inv[c];
        }
    }
}

NUMEXT_SIMD_CLONES static void columns_extract(columns_pass *restrict cp, const char *a,
                                               ptrdiff_t ncols, ptrdiff_t nrows,
                                               ptrdiff_t row_stride)
{
    /* Meanwhile the same columns of the next tile are fetched from memory. */
    const char *ahead = a + nrows * row_stride;
    for (ptrdiff_t c = 0; c < ncols; c++) {
        cp->t1[c] = 0.0;
        cp->t2[c] = 0.0;
        cp->rmax[c] = 0;
    }
    for (ptrdiff_t r = 0; r < nrows; r++) {
        const double *restrict row = (const double *)(a + r * row_stride);
        for (ptrdiff_t b = 0; b < ncols * (ptrdiff_t)sizeof(double); b += 64) {
            __builtin_prefetch(ahead + r * row_stride + b);
        }
        for (ptrdiff_t c = 0; c < ncols; c++) {
            const double v = row[c];
            const double q = (cp->sigma[c] + v) - cp->sigma[c];
            const double res = v - q;
            const double q2 = (cp->sigma2[c] + res) - cp->sigma2[c];
            const int64_t left = abs_bits(res - q2);
            cp->t1[c] += q;
            cp->t2[c] += q2;
            cp->rmax[c] = left > cp->rmax[c] ? left : cp->rmax[c];
        }
    }
}

static inline int exponent_field(int64_t abs)
{
    const int f = (int)(abs >> 52);
    return f != 0 ? f : 1;
}

/* Whether two levels finish column c; sets its sigmas (harmless ones if not). */
static int plan_column(columns_pass *cp, ptrdiff_t c)
{
    const int64_t top = cp->top[c];
    const int emax = exponent_field(top), emin = exponent_field(ABS_MASK - cp->inv[c]);
    int k = emax - 1023 + 1 + EXACT_BLOCK_BITS + 1;
    if (k < -1022) {
        k = -1022;
    }
    const int ok = top < INF_BITS && emax <= MAX_FIELD && emax - emin + 52 <= 83;
    cp->sigma[c] = ok ? ldexp(1.0, k) : 1.0;
    cp->sigma2[c] = cp->sigma[c] * 0x1p-42;
    return ok;
}

void exact_add_columns(exact_acc *accs, ptrdiff_t acc_step, exact_work *work, const char *a,
                       ptrdiff_t ncols, ptrdiff_t nrows, ptrdiff_t row_stride)
{
    columns_pass cp;
    int ok[EXACT_COLUMNS];
    columns_range(&cp, a, ncols, nrows, row_stride);
    for (ptrdiff_t c = 0; c < ncols; c++) {
        ok[c] = plan_column(&cp, c);
    }
    columns_extract(&cp, a, ncols, nrows, row_stride);
    for (ptrdiff_t c = 0; c < ncols; c++) {
        exact_acc *acc = &accs[c * acc_step];
        if (cp.top[c] == 0) {
            continue;
        }
        if (ok[c] && cp.rmax[c] == 0) {
            exact_acc_add(acc, cp.t1[c]);
            exact_acc_add(acc, cp.t2[c]);
            continue;
        }
        /* Term by term: the column gathered into scratch. */
        for (ptrdiff_t r = 0; r < nrows; r++) {
            memcpy(&work->scratch[r], a + r * row_stride + c * (ptrdiff_t)sizeof(double),
                   sizeof(double));
        }
        exact_bins_add_terms(&work->bins, acc, work->scratch, nrows, NULL);
        exact_bins_flush(&work->bins, acc);
    }
}
