/*
 * The bins of Neal's large superaccumulator (exact_accumulator.h): terms
 * added one at a time, for blocks whose exponents spread too widely for the
 * vector extraction of exact_block.c.
 *
 * Invariant: a bin whose count is 0 holds 0, so a term is added without a
 * test; the bins first used are listed so a flush visits only those. A bin
 * that fills (BIN_TERMS) is flushed at once and may be listed again later:
 * the list is flushed whole before it can overflow.
 */
#include "exact_accumulator.h"

#include <string.h>

#include "simd_clones.h"

#define MANT_MASK ((UINT64_C(1) << 52) - 1)
#define BIN_TERMS 4096 /* 4096 mantissa fields < 2^52 sum below 2^64 */
#define USED_CAP ((int)(sizeof(((exact_bins *)0)->used) / sizeof(uint16_t)))

void exact_work_init(exact_work *work)
{
    work->bins.nused = 0;
    work->bins.ready = 0;
}

/* Bin ix's sum into acc: `terms` terms whose mantissa fields sum to sum. */
static void flush_bin(exact_acc *acc, unsigned ix, uint64_t sum, unsigned terms)
{
    const unsigned field = ix & 0x7ff;
    const int neg = (int)(ix >> 11);
    const int pos = field != 0 ? (int)field - 1 : 0; /* as exact_acc_add */
    exact_acc_add_scaled(acc, sum, pos, neg);
    if (field != 0) {
        exact_acc_add_scaled(acc, (uint64_t)terms, pos + 52, neg); /* the hidden bits */
    }
}

void exact_bins_flush(exact_bins *bins, exact_acc *acc)
{
    for (int k = 0; k < bins->nused; k++) {
        const unsigned ix = bins->used[k];
        if (bins->count[ix] != 0) {
            flush_bin(acc, ix, bins->bin[ix], bins->count[ix]);
            bins->bin[ix] = 0;
            bins->count[ix] = 0;
        }
    }
    bins->nused = 0;
}

NUMEXT_SIMD_CLONES void exact_bins_add_terms(exact_bins *bins, exact_acc *acc, const double *x,
                                             ptrdiff_t n, const void *next)
{
    const char *ahead = next != NULL ? (const char *)next : (const char *)(x + n);
    if (!bins->ready) {
        memset(bins->bin, 0, sizeof bins->bin);
        memset(bins->count, 0, sizeof bins->count);
        bins->ready = 1;
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        if ((i & 7) == 0) {
            __builtin_prefetch(ahead + i * (ptrdiff_t)sizeof(double));
        }
        uint64_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        const unsigned ix = (unsigned)(bits >> 52);
        if ((ix & 0x7ff) == 0x7ff) {
            exact_acc_add(acc, x[i]); /* NaN or infinity: a flag */
            continue;
        }
        bins->bin[ix] += bits & MANT_MASK;
        const unsigned c = bins->count[ix] + 1u;
        bins->count[ix] = (uint16_t)c;
        if (c == 1) {
            if (bins->nused == USED_CAP) {
                exact_bins_flush(bins, acc); /* ix's term is flushed too */
                continue;
            }
            bins->used[bins->nused++] = (uint16_t)ix;
        } else if (c == BIN_TERMS) {
            flush_bin(acc, ix, bins->bin[ix], c);
            bins->bin[ix] = 0;
            bins->count[ix] = 0;
        }
    }
}
