/*
 * The bins of Neal's large superaccumulator (exact_accumulator.h): terms
 * added one at a time, for blocks whose exponents spread too widely for the
 * vector extraction of exact_block.c.
 *
 * A bin in use holds 1 + the sum of its terms' significands (hidden bit
 * included), a bin not in use holds 0: one unsigned test of the old value,
 * (old - 1) < FULL - 1, says both that the bin is in use and that it has
 * room (a significand is below 2^53, so a sum below FULL = 2^63 takes two
 * more without wrapping). Everything else goes to bin_edge: a bin's first
 * term (the bin is listed, once), a full bin (flushed, and left listed with
 * 1), the exponent field 0 (zeros, subnormals: no hidden bit, added
 * directly) and 0x7ff (NaN, infinities: flags), whose bins stay 0 so that
 * their terms always go there.
 */
#include "exact_accumulator.h"

#include <string.h>

#include "simd_clones.h"

#define MANT_MASK ((UINT64_C(1) << 52) - 1)
#define HIDDEN (UINT64_C(1) << 52)
#define FULL (UINT64_C(1) << 63)

void exact_work_init(exact_work *work)
{
    work->bins.nused = 0;
    work->bins.ready = 0;
    work->columns.next = NULL;
}

/* Bin ix's significands, summing to sum, into acc. */
static void flush_bin(exact_acc *acc, unsigned ix, uint64_t sum)
{
    const int pos = (int)(ix & 0x7ff) - 1; /* as exact_acc_add; the field is not 0 */
    exact_acc_add_scaled(acc, sum, pos, (int)(ix >> 11));
}

void exact_bins_flush(exact_bins *bins, exact_acc *acc)
{
    for (int k = 0; k < bins->nused; k++) {
        const unsigned ix = bins->used[k];
        if (bins->bin[ix] > 1) {
            flush_bin(acc, ix, bins->bin[ix] - 1);
        }
        bins->bin[ix] = 0;
    }
    bins->nused = 0;
}

/* The term `bits`, whose bin ix held `old`, outside the common case. */
static void bin_edge(exact_bins *bins, exact_acc *acc, unsigned ix, uint64_t old, uint64_t bits)
{
    const unsigned field = ix & 0x7ff;
    if (field == 0 || field == 0x7ff) {
        if (bits << 1 != 0) {
            double x;
            memcpy(&x, &bits, sizeof x);
            exact_acc_add(acc, x); /* a subnormal, or NaN/infinity as a flag */
        }
        return;
    }
    const uint64_t mant = (bits & MANT_MASK) | HIDDEN;
    if (old != 0) {
        flush_bin(acc, ix, old - 1 + mant); /* full: < 2^63 + 2^54, no wrap */
        bins->bin[ix] = 1;
    } else {
        bins->bin[ix] = 1 + mant;
        bins->used[bins->nused++] = (uint16_t)ix; /* 4094 bins at most: no overflow */
    }
}

static inline __attribute__((always_inline)) void add_term(exact_bins *bins, exact_acc *acc,
                                                           uint64_t *bin, const double *x)
{
    uint64_t bits;
    memcpy(&bits, x, sizeof bits);
    const unsigned ix = (unsigned)(bits >> 52);
    const uint64_t old = bin[ix];
    if (__builtin_expect(old - 1 < FULL - 1, 1)) {
        bin[ix] = old + ((bits & MANT_MASK) | HIDDEN);
    } else {
        bin_edge(bins, acc, ix, old, bits);
    }
}

NUMEXT_SIMD_CLONES void exact_bins_add_terms(exact_bins *bins, exact_acc *acc, const double *x,
                                             ptrdiff_t n, const void *next)
{
    const char *ahead = next != NULL ? (const char *)next : (const char *)(x + n);
    if (!bins->ready) {
        memset(bins->bin, 0, sizeof bins->bin);
        bins->ready = 1;
    }
    uint64_t *bin = bins->bin;
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __builtin_prefetch(ahead + i * (ptrdiff_t)sizeof(double));
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++) {
            add_term(bins, acc, bin, x + i + j);
        }
    }
    for (; i < n; i++) {
        add_term(bins, acc, bin, x + i);
    }
}
