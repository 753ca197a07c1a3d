/*
 * exact_acc_add_block: a block of up to EXACT_BLOCK float64 terms added
 * exactly, mostly with plain vector arithmetic (Rump, Ogita, Oishi,
 * "Accurate floating-point summation", ExtractVector).
 *
 * With sigma = 2^k, k = e + EXACT_BLOCK_BITS + 1 and every |p| <= 2^e:
 *   q = (sigma + p) - sigma   is exact, a multiple of 2^(k-53),
 *   r = p - q                 is exact, |r| <= 2^(k-53),
 * and any sum of up to EXACT_BLOCK of the q stays below 2^k in magnitude on
 * that grid, so it is computed exactly in any order (lanes, vectors). Each
 * such level moves the top 42 bits of the block into one double, which goes
 * into the accumulator; the residuals r are the next level's terms. A block
 * whose exponents spread too widely for a few levels, or that holds an
 * infinity or NaN, is added term by term instead.
 */
#include "exact_accumulator.h"

#include <math.h>
#include <string.h>

#include "simd_clones.h"

#define ABS_MASK INT64_C(0x7fffffffffffffff)
#define INF_BITS INT64_C(0x7ff0000000000000)
#define MAX_LEVELS 3
/* Largest exponent field whose sigma still fits a double. */
#define MAX_FIELD (1023 + 1023 - EXACT_BLOCK_BITS - 2)

static inline int64_t abs_bits(double x)
{
    int64_t b;
    memcpy(&b, &x, sizeof b);
    return b & ABS_MASK;
}

/* The largest |x| and the smallest non-zero |x|, as bits (which order as the
 * magnitudes do; NaN and inf above every finite value). */
NUMEXT_SIMD_CLONES static void block_range(const double *x, ptrdiff_t n, int64_t *max_out,
                                           int64_t *min_out)
{
    int64_t mx = 0, mn = INT64_MAX;
    for (ptrdiff_t i = 0; i < n; i++) {
        const int64_t a = abs_bits(x[i]);
        const int64_t nz = a != 0 ? a : INT64_MAX;
        mx = a > mx ? a : mx;
        mn = nz < mn ? nz : mn;
    }
    *max_out = mx;
    *min_out = mn;
}

/* One level: r[i] = p[i] - q[i]; returns the sum of the q and sets *rmax to
 * the largest |r| as bits. */
NUMEXT_SIMD_CLONES static double extract_level(const double *restrict p, ptrdiff_t n,
                                               double sigma, double *restrict r, int64_t *rmax)
{
    double t[8] = {0};
    int64_t m[8] = {0};
    ptrdiff_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; j++) {
            const double q = (sigma + p[i + j]) - sigma;
            const double res = p[i + j] - q;
            r[i + j] = res;
            t[j] += q;
            const int64_t a = abs_bits(res);
            m[j] = a > m[j] ? a : m[j];
        }
    }
    for (; i < n; i++) {
        const double q = (sigma + p[i]) - sigma;
        const double res = p[i] - q;
        r[i] = res;
        t[0] += q;
        const int64_t a = abs_bits(res);
        m[0] = a > m[0] ? a : m[0];
    }
    int64_t mx = 0;
    for (int j = 0; j < 8; j++) {
        mx = m[j] > mx ? m[j] : mx;
    }
    *rmax = mx;
    return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
}

static void add_terms(exact_acc *acc, const double *x, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i++) {
        exact_acc_add(acc, x[i]);
    }
}

static inline int exponent_field(int64_t abs)
{
    const int f = (int)(abs >> 52);
    return f != 0 ? f : 1;
}

void exact_acc_add_block(exact_acc *acc, const double *x, ptrdiff_t n, double *scratch)
{
    int64_t top, bottom;
    block_range(x, n, &top, &bottom);
    if (top == 0) {
        return;
    }
    const int emax = exponent_field(top), emin = exponent_field(bottom);
    /* Level L leaves the bits below 2^(emax - 41 - 42 (L - 1)) (biased), and
     * the lowest bit of any term is 52 below its exponent. */
    if (top >= INF_BITS || emax > MAX_FIELD || emax - emin > 42 * (MAX_LEVELS - 1) - 11) {
        add_terms(acc, x, n);
        return;
    }
    /* Residuals alternate between the halves of scratch (x may be the first). */
    const double *p = x;
    double *r = scratch + EXACT_BLOCK;
    for (int level = 0; level < MAX_LEVELS; level++) {
        int k = exponent_field(top) - 1023 + 1 + EXACT_BLOCK_BITS + 1;
        if (k < -1022) {
            k = -1022; /* a larger sigma is as exact; the smallest normal suffices */
        }
        const double tau = extract_level(p, n, ldexp(1.0, k), r, &top);
        exact_acc_add(acc, tau);
        if (top == 0) {
            return;
        }
        p = r;
        r = r == scratch ? scratch + EXACT_BLOCK : scratch;
    }
    add_terms(acc, p, n);
}
