/*
 * The exact accumulator: the sum of any number of float64 terms (and 128-bit
 * integers) as an exact integer multiple of 2^-1074, rounded once at the end
 * to float64, float32 or float16 with ties to even.
 *
 * The value is held as a small superaccumulator (after Neal, "Fast exact
 * summation using small and large superaccumulators", arXiv 1505.05571):
 * EXACT_NCHUNKS signed 64-bit chunks, chunk j weighing 2^(32j - 1074), so
 * neighbours overlap by 32 bits and a term adds into two chunks without any
 * carry; carries are propagated only every EXACT_CARRY_EVERY adds. Blocks of
 * terms take a faster road (exact_acc_add_block): Rump's ExtractVector splits
 * each block exactly into a few float64 sums computed with plain vector adds,
 * and only blocks whose exponents spread too widely are added term by term.
 *
 * Merging two accumulators is integer addition of the chunks, so the result
 * is independent of how the terms were split between threads or dask chunks.
 * NaN and infinities are kept as flags beside the finite sum.
 *
 * Pure C: knows nothing of Python, NumPy or threads.
 */
#ifndef NUMEXT_EXACT_ACCUMULATOR_H
#define NUMEXT_EXACT_ACCUMULATOR_H

#include <stddef.h>
#include <stdint.h>

/* Chunk 0 holds bit 0 = 2^-1074; a double's mantissa reaches chunk 64; the
 * rest is room for carries of up to 2^64 terms of the largest magnitude. */
#define EXACT_NCHUNKS 68
#define EXACT_CARRY_EVERY 1024

/* Terms per block of exact_acc_add_block (2^EXACT_BLOCK_BITS). */
#define EXACT_BLOCK_BITS 10
#define EXACT_BLOCK ((ptrdiff_t)1 << EXACT_BLOCK_BITS)

/* The special values seen, as flags. */
enum { EXACT_NAN = 1, EXACT_POS_INF = 2, EXACT_NEG_INF = 4 };

/* The serialised state: the normalised chunks, then the flags, then a format
 * tag (so a state from another layout is recognised, not misread). */
#define EXACT_STATE_WORDS 70 /* EXACT_NCHUNKS + 2; a literal for gufunc signatures */
#define EXACT_STATE_TAG ((int64_t)0x6e78736d31) /* "nxsm1" */

typedef struct {
    int64_t chunk[EXACT_NCHUNKS];
    int32_t pending; /* adds since the last carry propagation */
    uint32_t special;
} exact_acc;

_Static_assert(EXACT_STATE_WORDS == EXACT_NCHUNKS + 2, "chunks, flags, tag");

/* Neal's large superaccumulator, for terms added one by one: a bin per sign
 * and exponent (the top 12 bits) summing the terms' 53-bit significands as
 * an integer, flushed into the small accumulator before that sum can reach
 * 2^64 and at the end of a range. Terms of one exponent then cost an integer
 * add and one well-predicted test. */
#define EXACT_NBINS 4096
typedef struct {
    uint64_t bin[EXACT_NBINS];  /* 1 + the significands' sum; 0: not in use */
    uint16_t used[EXACT_NBINS]; /* the bins in use, each once */
    int nused;
    int ready; /* bin[] zeroed */
} exact_bins;

/* exact_add_columns's guess for the tile of rows that follows the last one:
 * each column's sigma exponent. Only a hint: a wrong guess costs a second
 * pass over the tile, never a wrong bit. */
#define EXACT_COLUMNS 128
typedef struct {
    const char *next; /* the tile expected next; NULL: none */
    ptrdiff_t ncols, row_stride;
    int16_t k[EXACT_COLUMNS];
} exact_columns_hint;

/* What a thread needs beside its accumulators: block scratch and the bins. */
typedef struct {
    double scratch[2 * EXACT_BLOCK];
    exact_bins bins;
    exact_columns_hint columns;
} exact_work;

void exact_work_init(exact_work *work); /* cheap: the bins are zeroed when first used */

void exact_acc_init(exact_acc *acc);
/* One term (any float64, NaN and infinities included). */
void exact_acc_add(exact_acc *acc, double x);
/* n <= EXACT_BLOCK terms with at most mant_bits significant bits each (53,
 * or 24 / 11 for widened float32 / float16); x may be work->scratch. Terms
 * may be left in work's bins: exact_bins_flush(work, acc) before acc is read.
 * next: the input that will follow (prefetched meanwhile), or NULL. */
void exact_acc_add_block(exact_acc *acc, exact_work *work, const double *x, ptrdiff_t n,
                         int mant_bits, const void *next);
/* Adjacent float64 columns: nrows <= EXACT_BLOCK rows (row_stride bytes apart)
 * of ncols <= EXACT_COLUMNS contiguous doubles; column c into accs[c * acc_step]
 * (its terms flushed out of the bins again). */
void exact_add_columns(exact_acc *accs, ptrdiff_t acc_step, exact_work *work, const char *a,
                       ptrdiff_t ncols, ptrdiff_t nrows, ptrdiff_t row_stride);
/* The same for float32 terms, read in place (widened in registers). */
void exact_acc_add_block_f32(exact_acc *acc, exact_work *work, const float *x, ptrdiff_t n,
                             const void *next);
/* Terms into the bins (NaN and infinities into acc's flags); flush them into acc. */
void exact_bins_add_terms(exact_bins *bins, exact_acc *acc, const double *x, ptrdiff_t n,
                          const void *next);
void exact_bins_flush(exact_bins *bins, exact_acc *acc);
/* mag * 2^(pos - 1074), negated when neg; mag < 2^64, pos + 64 within the chunks. */
void exact_acc_add_scaled(exact_acc *acc, uint64_t mag, int pos, int neg);
/* An integer of up to 127 bits, as (high 64 bits signed, low 64 bits). */
void exact_acc_add_int128(exact_acc *acc, int64_t high, uint64_t low);
/* acc += other (exact). */
void exact_acc_merge(exact_acc *acc, const exact_acc *other);

/* The sum rounded once, as the bits of a float64, float32 or float16. An
 * overflow or +inf with -inf raises FE_OVERFLOW or FE_INVALID on the
 * calling thread (as a floating-point add would). */
uint64_t exact_acc_round_double(const exact_acc *acc);
uint32_t exact_acc_round_float(const exact_acc *acc);
uint16_t exact_acc_round_half(const exact_acc *acc);

/* Fixed-size state: EXACT_STATE_WORDS int64 values `stride` bytes apart. A
 * state that is not one exact_acc_save wrote loads as NaN. */
void exact_acc_save(const exact_acc *acc, char *state, ptrdiff_t stride);
void exact_acc_load(exact_acc *acc, const char *state, ptrdiff_t stride);

#endif
