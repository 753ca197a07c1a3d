/*
 * The bins of Neal's large superaccumulator (exact_accumulator.h): terms
 * added one at a time, for blocks whose exponents spread too widely for the
 * vector extraction of exact_block.c.
 *
 * A bin adds the whole bits of its terms (sign, exponent and mantissa field)
 * modulo 2^64: n terms sharing the top 12 bits ix sum to n * (ix << 52) plus
 * their mantissa fields, and fewer than 2^12 fields of 52 bits sum below
 * 2^64, so the fields' sum is recovered exactly at the flush. room[ix] counts
 * down the terms the bin may still take, and is 0 for a bin not in use
 * (which holds 0) and always for the NaN/infinity bins: the common case
 * costs one test. The bins in use are listed (each once) so a flush visits
 * only those.
 */
#include "exact_accumulator.h"

#include <string.h>

#include "simd_clones.h"

#define BIN_TERMS 4096 /* 4096 mantissa fields < 2^52 sum below 2^64 */
_Static_assert(BIN_TERMS <= UINT16_MAX, "room[] counts the terms");

void exact_work_init(exact_work *work)
{
    work->bins.nused = 0;
    work->bins.ready = 0;
    work->columns.next = NULL;
}

/* Bin ix's sum into acc: `terms` terms whose bits sum to sum (mod 2^64). */
static void flush_bin(exact_acc *acc, unsigned ix, uint64_t sum, unsigned terms)
{
    const unsigned field = ix & 0x7ff;
    const int neg = (int)(ix >> 11);
    const int pos = field != 0 ? (int)field - 1 : 0; /* as exact_acc_add */
    const uint64_t fields = sum - (uint64_t)terms * ((uint64_t)ix << 52); /* mod 2^64 */
    exact_acc_add_scaled(acc, fields, pos, neg);
    if (field != 0) {
        exact_acc_add_scaled(acc, (uint64_t)terms, pos + 52, neg); /* the hidden bits */
    }
}

void exact_bins_flush(exact_bins *bins, exact_acc *acc)
{
    for (int k = 0; k < bins->nused; k++) {
        const unsigned ix = bins->used[k];
        const unsigned room = bins->room[ix];
        if (room != 0 && room != BIN_TERMS) {
            flush_bin(acc, ix, bins->bin[ix], BIN_TERMS - room);
        }
        bins->bin[ix] = 0;
        bins->room[ix] = 0;
    }
    bins->nused = 0;
}

/* The term `bits` went into bin ix, whose room was 0 or 1: a NaN or infinity
 * (a flag instead), a bin's first term or its last. A full bin is flushed
 * and stays listed, empty, with room for BIN_TERMS more: the list holds each
 * bin once at most. */
static void bin_edge(exact_bins *bins, exact_acc *acc, unsigned ix, uint64_t bits)
{
    if ((ix & 0x7ff) == 0x7ff) {
        bins->bin[ix] = 0;
        double x;
        memcpy(&x, &bits, sizeof x);
        exact_acc_add(acc, x); /* NaN or infinity: a flag */
    } else if (bins->room[ix] == 1) {
        flush_bin(acc, ix, bins->bin[ix], BIN_TERMS);
        bins->bin[ix] = 0;
        bins->room[ix] = BIN_TERMS;
    } else {
        bins->room[ix] = BIN_TERMS - 1;
        bins->used[bins->nused++] = (uint16_t)ix;
    }
}

NUMEXT_SIMD_CLONES void exact_bins_add_terms(exact_bins *bins, exact_acc *acc, const double *x,
                                             ptrdiff_t n, const void *next)
{
    const char *ahead = next != NULL ? (const char *)next : (const char *)(x + n);
    if (!bins->ready) {
        memset(bins->bin, 0, sizeof bins->bin);
        memset(bins->room, 0, sizeof bins->room);
        bins->ready = 1;
    }
    uint64_t *bin = bins->bin;
    uint16_t *room = bins->room;
    for (ptrdiff_t i = 0; i < n; i++) {
        if ((i & 7) == 0) {
            __builtin_prefetch(ahead + i * (ptrdiff_t)sizeof(double));
        }
        uint64_t bits;
        memcpy(&bits, &x[i], sizeof bits);
        const unsigned ix = (unsigned)(bits >> 52);
        const unsigned r = room[ix];
        bin[ix] += bits;
        if (__builtin_expect(r > 1, 1)) {
            room[ix] = (uint16_t)(r - 1);
        } else {
            bin_edge(bins, acc, ix, bits);
        }
    }
}
