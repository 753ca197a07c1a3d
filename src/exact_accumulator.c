/*
 * The small superaccumulator: adding terms, carries, merging, rounding once
 * and the serialised state. The block fast path is in exact_block.c.
 */
#include "exact_accumulator.h"

#include <fenv.h>
#include <string.h>

#define MANT_BITS 52
#define MANT_MASK ((UINT64_C(1) << MANT_BITS) - 1)
#define LOW32 UINT64_C(0xffffffff)
#define TWO32 ((int64_t)1 << 32)

/* Weight 2^0 is bit 1074 of the chunks: chunk 33, bit 18. */
#define UNIT_CHUNK 33
#define UNIT_SHIFT 18

void exact_acc_init(exact_acc *acc) { memset(acc, 0, sizeof *acc); }

/* Propagate carries: chunks 0 .. N-2 end in [0, 2^32), the top one signed. */
static void normalise(exact_acc *acc)
{
    int64_t carry = 0;
    for (int j = 0; j < EXACT_NCHUNKS - 1; j++) {
        int64_t c = acc->chunk[j] + carry;
        carry = c >> 32; /* floor division: GCC's >> on negatives is arithmetic */
        acc->chunk[j] = (int64_t)((uint64_t)c & LOW32);
    }
    acc->chunk[EXACT_NCHUNKS - 1] += carry;
    acc->pending = 0;
}

static inline void count_add(exact_acc *acc)
{
    if (++acc->pending >= EXACT_CARRY_EVERY) {
        normalise(acc);
    }
}

/* Add (or, with neg = -1, subtract) v * 2^pos, v < 2^32, pos >= 0. */
static inline void add_piece(exact_acc *acc, uint64_t v, int pos, int64_t neg)
{
    const int j = pos >> 5, off = pos & 31;
    const uint64_t shifted = v << off; /* < 2^63 */
    const int64_t lo = (int64_t)(shifted & LOW32), hi = (int64_t)(shifted >> 32);
    acc->chunk[j] += (lo ^ neg) - neg;
    acc->chunk[j + 1] += (hi ^ neg) - neg;
}

static void add_special(exact_acc *acc, uint64_t bits)
{
    if (bits & MANT_MASK) {
        acc->special |= EXACT_NAN;
    } else {
        acc->special |= (bits >> 63) ? EXACT_NEG_INF : EXACT_POS_INF;
    }
}

void exact_acc_add(exact_acc *acc, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint64_t field = (bits >> MANT_BITS) & 0x7ff;
    uint64_t mant = bits & MANT_MASK;
    if (field == 0x7ff) {
        add_special(acc, bits);
        return;
    }
    if (field != 0) {
        mant |= UINT64_C(1) << MANT_BITS;
    } else {
        field = 1; /* subnormals: the smallest exponent, no hidden bit */
    }
    /* x = mant * 2^(field - 1075): its lowest bit is chunk bit field - 1. */
    const int pos = (int)field - 1, j = pos >> 5, off = pos & 31;
    const int64_t neg = -(int64_t)(bits >> 63);
    const int64_t lo = (int64_t)((mant << off) & LOW32); /* wraps: only the low 32 bits kept */
    const int64_t hi = (int64_t)(mant >> (32 - off));    /* < 2^52 */
    acc->chunk[j] += (lo ^ neg) - neg;
    acc->chunk[j + 1] += (hi ^ neg) - neg;
    count_add(acc);
}

void exact_acc_add_scaled(exact_acc *acc, uint64_t mag, int pos, int neg)
{
    const int64_t sign = neg ? -1 : 0;
    add_piece(acc, mag & LOW32, pos, sign);
    add_piece(acc, mag >> 32, pos + 32, sign);
    count_add(acc);
}

void exact_acc_add_int128(exact_acc *acc, int64_t high, uint64_t low)
{
    /* Four 32-bit pieces, the top one signed (high's sign is the value's). */
    add_piece(acc, low & LOW32, UNIT_CHUNK * 32 + UNIT_SHIFT, 0);
    add_piece(acc, low >> 32, UNIT_CHUNK * 32 + UNIT_SHIFT + 32, 0);
    add_piece(acc, (uint64_t)high & LOW32, UNIT_CHUNK * 32 + UNIT_SHIFT + 64, 0);
    const int64_t top = high >> 32; /* in [-2^31, 2^31) */
    const int64_t neg = top < 0 ? -1 : 0;
    add_piece(acc, (uint64_t)((top ^ neg) - neg), UNIT_CHUNK * 32 + UNIT_SHIFT + 96, neg);
    count_add(acc);
}

void exact_acc_merge(exact_acc *acc, const exact_acc *other)
{
    exact_acc b = *other;
    normalise(&b);
    normalise(acc);
    for (int j = 0; j < EXACT_NCHUNKS; j++) {
        acc->chunk[j] += b.chunk[j];
    }
    acc->pending = 2; /* each chunk now below 2^33: as after two adds */
    acc->special |= b.special;
}

/* ---- rounding once ---------------------------------------------------------- */

/* The sum's magnitude as normalised chunks (all in [0, 2^32)); returns 1 when
 * the sum is negative. */
static int magnitude(const exact_acc *acc, exact_acc *mag)
{
    *mag = *acc;
    normalise(mag);
    if (mag->chunk[EXACT_NCHUNKS - 1] >= 0) {
        return 0;
    }
    for (int j = 0; j < EXACT_NCHUNKS; j++) {
        mag->chunk[j] = -mag->chunk[j];
    }
    normalise(mag);
    return 1;
}

/* 64 bits of the magnitude starting at bit `pos` (pos >= 0). */
static uint64_t bits_at(const exact_acc *mag, int pos)
{
    uint64_t v = 0;
    const int j = pos >> 5, off = pos & 31;
    for (int k = 2; k >= 0; k--) {
        const int shift = 32 * k - off;
        if (j + k >= EXACT_NCHUNKS || shift >= 64) {
            continue;
        }
        const uint64_t c = (uint64_t)mag->chunk[j + k];
        v |= shift >= 0 ? c << shift : c >> -shift;
    }
    return v;
}

/* Whether any bit below `pos` is set. */
static int any_below(const exact_acc *mag, int pos)
{
    const int j = pos >> 5, off = pos & 31;
    if ((uint64_t)mag->chunk[j] & ((UINT64_C(1) << off) - 1)) {
        return 1;
    }
    for (int k = 0; k < j; k++) {
        if (mag->chunk[k] != 0) {
            return 1;
        }
    }
    return 0;
}

/* A binary format: precision (hidden bit included), exponent bias, width. */
typedef struct {
    int prec, bias, width;
} fp_format;

static const fp_format FMT_DOUBLE = {53, 1023, 64};
static const fp_format FMT_FLOAT = {24, 127, 32};
static const fp_format FMT_HALF = {11, 15, 16};

static uint64_t inf_bits(const fp_format *f, int neg)
{
    uint64_t exp_all = ((UINT64_C(1) << (f->width - f->prec)) - 1) << (f->prec - 1);
    return exp_all | ((uint64_t)neg << (f->width - 1));
}

/* The finite sum rounded to nearest, ties to even, in format f. */
static uint64_t round_finite(const exact_acc *acc, const fp_format *f)
{
    exact_acc mag;
    const int neg = magnitude(acc, &mag);
    int h = EXACT_NCHUNKS - 1;
    while (h >= 0 && mag.chunk[h] == 0) {
        h--;
    }
    if (h < 0) {
        return 0; /* an exact zero is +0.0 */
    }
    const int top = 32 * h + 63 - __builtin_clzll((uint64_t)mag.chunk[h]);
    /* The result's lowest bit, as a chunk bit: prec bits below the top, but
     * never below the format's smallest subnormal. */
    const int min_lsb = 1074 - (f->bias - 1) - (f->prec - 1);
    int lsb = top - (f->prec - 1);
    if (lsb < min_lsb) {
        lsb = min_lsb;
    }
    uint64_t q = top >= lsb ? bits_at(&mag, lsb) & ((UINT64_C(1) << (top - lsb + 1)) - 1) : 0;
    const int half = lsb >= 1 && ((bits_at(&mag, lsb - 1) & 1) != 0);
    const int sticky = lsb >= 2 && any_below(&mag, lsb - 1);
    if (half && (sticky || (q & 1))) {
        q++;
        if (q >> f->prec) {
            q >>= 1;
            lsb++;
        }
    }
    const uint64_t sign = (uint64_t)neg << (f->width - 1);
    const uint64_t hidden = UINT64_C(1) << (f->prec - 1);
    if (q < hidden) {
        return sign | q; /* subnormal (lsb == min_lsb) */
    }
    const int64_t field = (int64_t)lsb - min_lsb + 1;
    if (field >= ((int64_t)1 << (f->width - f->prec)) - 1) {
        feraiseexcept(FE_OVERFLOW | FE_INEXACT);
        return inf_bits(f, neg);
    }
    return sign | ((uint64_t)field << (f->prec - 1)) | (q - hidden);
}

static uint64_t round_to(const exact_acc *acc, const fp_format *f)
{
    const uint64_t quiet_nan = inf_bits(f, 0) | (UINT64_C(1) << (f->prec - 2));
    const uint32_t s = acc->special;
    if ((s & EXACT_POS_INF) && (s & EXACT_NEG_INF)) {
        /* inf - inf is invalid whatever else the sum holds (NaNs included):
         * the same warning for every order of the terms. */
        feraiseexcept(FE_INVALID);
        return quiet_nan;
    }
    if (s & EXACT_NAN) {
        return quiet_nan;
    }
    if (s) {
        return inf_bits(f, (s & EXACT_NEG_INF) != 0);
    }
    return round_finite(acc, f);
}

uint64_t exact_acc_round_double(const exact_acc *acc) { return round_to(acc, &FMT_DOUBLE); }
uint32_t exact_acc_round_float(const exact_acc *acc) { return (uint32_t)round_to(acc, &FMT_FLOAT); }
uint16_t exact_acc_round_half(const exact_acc *acc) { return (uint16_t)round_to(acc, &FMT_HALF); }

/* ---- the serialised state --------------------------------------------------- */

void exact_acc_save(const exact_acc *acc, char *state, ptrdiff_t stride)
{
    exact_acc n = *acc;
    normalise(&n);
    for (int j = 0; j < EXACT_NCHUNKS; j++) {
        memcpy(state + j * stride, &n.chunk[j], sizeof(int64_t));
    }
    const int64_t special = n.special, tag = EXACT_STATE_TAG;
    memcpy(state + EXACT_NCHUNKS * stride, &special, sizeof special);
    memcpy(state + (EXACT_NCHUNKS + 1) * stride, &tag, sizeof tag);
}

void exact_acc_load(exact_acc *acc, const char *state, ptrdiff_t stride)
{
    int64_t w[EXACT_STATE_WORDS];
    for (int j = 0; j < EXACT_STATE_WORDS; j++) {
        memcpy(&w[j], state + j * stride, sizeof w[j]);
    }
    exact_acc_init(acc);
    /* Only what a save can produce: normalised chunks, a top chunk far from
     * overflowing, known flags, the tag. Anything else is NaN. */
    int ok = w[EXACT_NCHUNKS + 1] == EXACT_STATE_TAG && w[EXACT_NCHUNKS] >= 0 &&
             w[EXACT_NCHUNKS] <= (EXACT_NAN | EXACT_POS_INF | EXACT_NEG_INF);
    for (int j = 0; ok && j < EXACT_NCHUNKS - 1; j++) {
        ok = w[j] >= 0 && w[j] < TWO32;
    }
    const int64_t top = w[EXACT_NCHUNKS - 1];
    if (!ok || top >= ((int64_t)1 << 40) || top <= -((int64_t)1 << 40)) {
        acc->special = EXACT_NAN;
        return;
    }
    memcpy(acc->chunk, w, sizeof acc->chunk);
    acc->special = (uint32_t)w[EXACT_NCHUNKS];
}
