/*
 * exact_add_columns: up to EXACT_BLOCK rows of up to EXACT_COLUMNS adjacent
 * float64 columns (a sum along a strided axis, such as axis=0 of a C array)
 * added into one exact accumulator per column.
 *
 * The extraction of exact_block.c (two levels), run down the columns with
 * the columns as the vector lanes, in one pass over the tile: rows are read
 * ROW_BLOCK at a time, in strips of STRIP_VECS vectors of columns whose
 * sums, residual flags and largest magnitudes stay in registers over those
 * rows. Each column's sigma is guessed, with some headroom, from the tile
 * before it (the hint in exact_work) or, for a first tile, from its first
 * rows, and checked afterwards against the tile's own largest magnitude: a
 * column that outgrew its guess sends the tile through a second pass with
 * the sigmas it really needs. A column whose second-level residuals are not
 * all zero (exponents spread too widely) or that holds an infinity or NaN is
 * added term by term instead: what the pass found, not the plan, decides, so
 * the result is exact either way.
 */
#include "exact_accumulator.h"

#include <string.h>

#include "simd_clones.h"

#define ABS_MASK INT64_C(0x7fffffffffffffff)
#define INF_BITS INT64_C(0x7ff0000000000000)
#define MAX_FIELD (1023 + 1023 - EXACT_BLOCK_BITS - 2)
/* sigma = 2^k is exact for terms whose exponent field is at most k + K_SLACK
 * (exact_block.c's level_sigma: k = field - 1023 + EXACT_BLOCK_BITS + 2). */
#define K_SLACK (1023 - EXACT_BLOCK_BITS - 2)

typedef double vdouble __attribute__((vector_size(64)));
typedef int64_t vint __attribute__((vector_size(64)));
#define LANES 8
#define STRIP_VECS 4 /* 4 x 6 vectors held: fits AVX-512's 32 registers */
#define ROW_BLOCK 16 /* rows per strip visit: 16 KiB of 128 columns, in L1 */
/* Bits of headroom over the magnitudes seen: in the tile before (the hint),
 * or in the first ROW_BLOCK rows only (a first tile). */
#define HINT_HEADROOM 1
#define SAMPLE_HEADROOM 3

typedef struct {
    double sigma[EXACT_COLUMNS];
    double t1[EXACT_COLUMNS], t2[EXACT_COLUMNS]; /* the two levels' sums */
    int64_t left[EXACT_COLUMNS];                 /* non-zero: some residual is */
    int64_t top[EXACT_COLUMNS];                  /* largest |x| as bits */
    int k[EXACT_COLUMNS];                        /* sigma = 2^k */
} columns_pass;

static inline int64_t abs_bits(double x)
{
    int64_t b;
    memcpy(&b, &x, sizeof b);
    return b & ABS_MASK;
}

/* max(m, a), lane by lane. A macro, not a function: vectors passed by value
 * would differ between the clones' ABIs. */
#define VMAX(m, a) (((a) & ((a) > (m))) | ((m) & ~((a) > (m))))

/* Rows [r0, r0 + rn) of nvec * LANES columns from column c0 (nvec a constant
 * once inlined, so the arrays below live in registers). */
static inline __attribute__((always_inline)) void pass_strip(columns_pass *restrict cp,
                                                             ptrdiff_t c0, const int nvec,
                                                             const char *a, ptrdiff_t r0,
                                                             ptrdiff_t rn, ptrdiff_t row_stride)
{
    vdouble s[STRIP_VECS], s2[STRIP_VECS], t1[STRIP_VECS], t2[STRIP_VECS];
    vint left[STRIP_VECS], top[STRIP_VECS];
    const vint mask = (vint){0} + ABS_MASK;
    for (int j = 0; j < nvec; j++) {
        memcpy(&s[j], &cp->sigma[c0 + j * LANES], sizeof s[j]);
        s2[j] = s[j] * 0x1p-42;
        memcpy(&t1[j], &cp->t1[c0 + j * LANES], sizeof t1[j]);
        memcpy(&t2[j], &cp->t2[c0 + j * LANES], sizeof t2[j]);
        memcpy(&left[j], &cp->left[c0 + j * LANES], sizeof left[j]);
        memcpy(&top[j], &cp->top[c0 + j * LANES], sizeof top[j]);
    }
    const char *base = a + c0 * (ptrdiff_t)sizeof(double);
    for (ptrdiff_t r = r0; r < r0 + rn; r++) {
        const char *row = base + r * row_stride;
        for (int j = 0; j < nvec; j++) {
            /* The same columns ROW_BLOCK rows on: fetched while these are worked on. */
            __builtin_prefetch(row + ROW_BLOCK * row_stride + j * (ptrdiff_t)sizeof(vdouble));
            vdouble v;
            memcpy(&v, row + j * (ptrdiff_t)sizeof v, sizeof v);
            const vdouble q = (s[j] + v) - s[j];
            const vdouble res = v - q;
            const vdouble q2 = (s2[j] + res) - s2[j];
            left[j] |= (vint)(res - q2);
            t1[j] += q;
            t2[j] += q2;
            const vint a = (vint)v & mask;
            top[j] = VMAX(top[j], a);
        }
    }
    for (int j = 0; j < nvec; j++) {
        memcpy(&cp->t1[c0 + j * LANES], &t1[j], sizeof t1[j]);
        memcpy(&cp->t2[c0 + j * LANES], &t2[j], sizeof t2[j]);
        memcpy(&cp->left[c0 + j * LANES], &left[j], sizeof left[j]);
        memcpy(&cp->top[c0 + j * LANES], &top[j], sizeof top[j]);
    }
}

/* The same for the columns [c0, ncols), fewer than LANES, one at a time. */
static void pass_tail(columns_pass *restrict cp, ptrdiff_t c0, ptrdiff_t ncols, const char *a,
                      ptrdiff_t r0, ptrdiff_t rn, ptrdiff_t row_stride)
{
    for (ptrdiff_t c = c0; c < ncols; c++) {
        const double s = cp->sigma[c], s2 = s * 0x1p-42;
        for (ptrdiff_t r = r0; r < r0 + rn; r++) {
            double v;
            memcpy(&v, a + r * row_stride + c * (ptrdiff_t)sizeof v, sizeof v);
            const double q = (s + v) - s;
            const double res = v - q;
            const double q2 = (s2 + res) - s2;
            cp->left[c] |= abs_bits(res - q2);
            cp->t1[c] += q;
            cp->t2[c] += q2;
            cp->top[c] = abs_bits(v) > cp->top[c] ? abs_bits(v) : cp->top[c];
        }
    }
}

/* One pass over the tile with the sigmas set: sums, residual flags, tops. */
NUMEXT_SIMD_CLONES static void columns_pass_run(columns_pass *restrict cp, const char *a,
                                                ptrdiff_t ncols, ptrdiff_t nrows,
                                                ptrdiff_t row_stride)
{
    for (ptrdiff_t c = 0; c < ncols; c++) {
        cp->t1[c] = cp->t2[c] = 0.0;
        cp->left[c] = cp->top[c] = 0;
    }
    for (ptrdiff_t r0 = 0; r0 < nrows; r0 += ROW_BLOCK) {
        const ptrdiff_t rn = nrows - r0 < ROW_BLOCK ? nrows - r0 : ROW_BLOCK;
        ptrdiff_t c0 = 0;
        for (; c0 + STRIP_VECS * LANES <= ncols; c0 += STRIP_VECS * LANES) {
            pass_strip(cp, c0, STRIP_VECS, a, r0, rn, row_stride);
        }
        for (; c0 + LANES <= ncols; c0 += LANES) {
            pass_strip(cp, c0, 1, a, r0, rn, row_stride);
        }
        pass_tail(cp, c0, ncols, a, r0, rn, row_stride);
    }
}

/* Each column's largest magnitude in rows [0, nrows). */
NUMEXT_SIMD_CLONES static void columns_top(int64_t *restrict top, const char *a, ptrdiff_t ncols,
                                           ptrdiff_t nrows, ptrdiff_t row_stride)
{
    for (ptrdiff_t c = 0; c < ncols; c++) {
        top[c] = 0;
    }
    for (ptrdiff_t r = 0; r < nrows; r++) {
        const double *restrict row = (const double *)(a + r * row_stride);
        for (ptrdiff_t c = 0; c < ncols; c++) {
            const int64_t v = abs_bits(row[c]);
            top[c] = v > top[c] ? v : top[c];
        }
    }
}

static inline int field_of(int64_t top) { return top >> 52 != 0 ? (int)(top >> 52) : 1; }

/* Whether the extraction can take a column whose largest magnitude is top. */
static inline int extractable(int64_t top) { return top < INF_BITS && field_of(top) <= MAX_FIELD; }

/* The sigma exponent for terms up to top, plus headroom (kept <= 1023). */
static inline int sigma_k(int64_t top, int headroom)
{
    const int k = field_of(top) - K_SLACK + headroom;
    return extractable(top) ? (k < 1023 ? k : 1023) : 0;
}

/* Whether column c's sigma was right for its terms (or it goes term by term anyway). */
static inline int sigma_fits(const columns_pass *cp, ptrdiff_t c)
{
    return !extractable(cp->top[c]) || field_of(cp->top[c]) <= cp->k[c] + K_SLACK;
}

static void set_sigmas(columns_pass *cp, ptrdiff_t ncols)
{
    for (ptrdiff_t c = 0; c < ncols; c++) {
        const uint64_t bits = (uint64_t)(cp->k[c] + 1023) << 52;
        memcpy(&cp->sigma[c], &bits, sizeof bits);
    }
}

/* The pass with guessed sigmas: the hint's for the tile it expected, else
 * from the first rows; then, where a guess was too small, again with the
 * sigmas the tile needs (it is in cache now). */
static void run_tile(columns_pass *cp, const exact_columns_hint *hint, const char *a,
                     ptrdiff_t ncols, ptrdiff_t nrows, ptrdiff_t row_stride)
{
    if (hint->next == a && hint->ncols == ncols && hint->row_stride == row_stride) {
        for (ptrdiff_t c = 0; c < ncols; c++) {
            cp->k[c] = hint->k[c];
        }
    } else {
        columns_top(cp->top, a, ncols, nrows < ROW_BLOCK ? nrows : ROW_BLOCK, row_stride);
        for (ptrdiff_t c = 0; c < ncols; c++) {
            cp->k[c] = sigma_k(cp->top[c], SAMPLE_HEADROOM);
        }
    }
    set_sigmas(cp, ncols);
    columns_pass_run(cp, a, ncols, nrows, row_stride);
    int fits = 1;
    for (ptrdiff_t c = 0; c < ncols; c++) {
        fits &= sigma_fits(cp, c);
    }
    if (fits) {
        return;
    }
    for (ptrdiff_t c = 0; c < ncols; c++) {
        cp->k[c] = sigma_k(cp->top[c], 0);
    }
    set_sigmas(cp, ncols);
    columns_pass_run(cp, a, ncols, nrows, row_stride);
}

void exact_add_columns(exact_acc *accs, ptrdiff_t acc_step, exact_work *work, const char *a,
                       ptrdiff_t ncols, ptrdiff_t nrows, ptrdiff_t row_stride)
{
    columns_pass cp;
    exact_columns_hint *hint = &work->columns;
    run_tile(&cp, hint, a, ncols, nrows, row_stride);
    for (ptrdiff_t c = 0; c < ncols; c++) {
        exact_acc *acc = &accs[c * acc_step];
        hint->k[c] = (int16_t)sigma_k(cp.top[c], HINT_HEADROOM);
        if (cp.top[c] == 0) {
            continue;
        }
        if (extractable(cp.top[c]) && sigma_fits(&cp, c) && (cp.left[c] & ABS_MASK) == 0) {
            exact_acc_add(acc, cp.t1[c]);
            exact_acc_add(acc, cp.t2[c]);
            continue;
        }
        /* Term by term: the column gathered into scratch, added as a block
         * (which plans its own levels, the bins as the last resort). */
        for (ptrdiff_t r = 0; r < nrows; r++) {
            memcpy(&work->scratch[r], a + r * row_stride + c * (ptrdiff_t)sizeof(double),
                   sizeof(double));
        }
        exact_acc_add_block(acc, work, work->scratch, nrows, 53, NULL);
        exact_bins_flush(&work->bins, acc);
    }
    hint->next = a + nrows * row_stride;
    hint->ncols = ncols;
    hint->row_stride = row_stride;
}
