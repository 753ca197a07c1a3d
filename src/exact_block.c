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

/* Eight lanes, in GCC's vector extension: FP sums cannot be reassociated into
 * vectors by the compiler itself, and exactness makes any order right here.
 * One AVX-512 register, two AVX2 or four SSE2 ones per operation. */
typedef double vdouble __attribute__((vector_size(64)));
typedef int64_t vint __attribute__((vector_size(64)));
typedef uint64_t vuint __attribute__((vector_size(64)));
#define LANES 8

static inline int64_t abs_bits(double x)
{
    int64_t b;
    memcpy(&b, &x, sizeof b);
    return b & ABS_MASK;
}

/* max(m, a), lane by lane. A macro, not a function: vectors passed by value
 * would differ between the clones' ABIs, and by pointer they stay in memory. */
#define VMAX(m, a) (((a) & ((a) > (m))) | ((m) & ~((a) > (m))))

static inline int64_t hmax(const int64_t *v)
{
    int64_t m = v[0];
    for (int j = 1; j < LANES; j++) {
        m = v[j] > m ? v[j] : m;
    }
    return m;
}

/* The largest |x| and (about) the smallest non-zero |x|, as bits (which order
 * as the magnitudes do; NaN and inf above every finite value). The smallest
 * is found as the largest of ABS_MASK - (|x| - 1): 0 then counts as the
 * smallest value, any other |x| as |x| - 1, whose exponent is at most one
 * below |x|'s (the spread is overestimated by one at most). */
NUMEXT_SIMD_CLONES static void block_range(const double *x, ptrdiff_t n, int64_t *max_out,
                                           int64_t *min_out)
{
    vint mx = {0}, mn = {0};
    const vint mask = {ABS_MASK, ABS_MASK, ABS_MASK, ABS_MASK,
                       ABS_MASK, ABS_MASK, ABS_MASK, ABS_MASK};
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        vint v;
        memcpy(&v, x + i, sizeof v);
        const vint a = v & mask;
        const vuint one = (vuint)mask >> 62; /* all lanes 1 */
        const vint inverted = (vint)((vuint)mask & ((vuint)mask - ((vuint)a - one)));
        mx = VMAX(mx, a);
        mn = VMAX(mn, inverted);
    }
    int64_t lanes[LANES];
    memcpy(lanes, &mx, sizeof lanes);
    int64_t top = hmax(lanes);
    memcpy(lanes, &mn, sizeof lanes);
    int64_t inv = hmax(lanes);
    for (; i < n; i++) {
        const int64_t a = abs_bits(x[i]);
        const int64_t b = (int64_t)((uint64_t)ABS_MASK & ((uint64_t)ABS_MASK - ((uint64_t)a - 1)));
        top = a > top ? a : top;
        inv = b > inv ? b : inv;
    }
    *max_out = top;
    *min_out = ABS_MASK - inv;
}

/* One level: r[i] = p[i] - q[i]; returns the sum of the q and sets *rmax to
 * the largest |r| as bits. */
NUMEXT_SIMD_CLONES static double extract_level(const double *restrict p, ptrdiff_t n, double sigma,
                                               double *restrict r, int64_t *rmax, const char *ahead)
{
    const vdouble s = {sigma, sigma, sigma, sigma, sigma, sigma, sigma, sigma};
    const vint mask = {ABS_MASK, ABS_MASK, ABS_MASK, ABS_MASK,
                       ABS_MASK, ABS_MASK, ABS_MASK, ABS_MASK};
    vdouble t = {0};
    vint m = {0};
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        vdouble v;
        memcpy(&v, p + i, sizeof v);
        __builtin_prefetch(ahead + i * (ptrdiff_t)sizeof(double));
        const vdouble q = (s + v) - s;
        const vdouble res = v - q;
        memcpy(r + i, &res, sizeof res);
        t += q;
        const vint a = (vint)res & mask;
        m = VMAX(m, a);
    }
    double tail = 0.0;
    int64_t lanes[LANES];
    memcpy(lanes, &m, sizeof lanes);
    int64_t mx = hmax(lanes);
    for (; i < n; i++) {
        const double q = (sigma + p[i]) - sigma;
        const double res = p[i] - q;
        r[i] = res;
        tail += q;
        const int64_t a = abs_bits(res);
        mx = a > mx ? a : mx;
    }
    *rmax = mx;
    return (((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))) + tail;
}

/* Two levels in one pass, the second with sigma2 = sigma * 2^-42 (every
 * first-level residual is at most sigma * 2^-53); r gets the second level's
 * residuals. */
NUMEXT_SIMD_CLONES static void extract_two_levels(const double *restrict p, ptrdiff_t n,
                                                  double sigma, double *restrict r, int64_t *rmax,
                                                  double *tau, const char *ahead)
{
    const double sigma2 = sigma * 0x1p-42;
    const vdouble s = {sigma, sigma, sigma, sigma, sigma, sigma, sigma, sigma};
    const vdouble s2 = {sigma2, sigma2, sigma2, sigma2, sigma2, sigma2, sigma2, sigma2};
    const vint mask = {ABS_MASK, ABS_MASK, ABS_MASK, ABS_MASK,
                       ABS_MASK, ABS_MASK, ABS_MASK, ABS_MASK};
    vdouble t = {0}, t2 = {0};
    vint m = {0};
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        vdouble v;
        memcpy(&v, p + i, sizeof v);
        __builtin_prefetch(ahead + i * (ptrdiff_t)sizeof(double));
        const vdouble q = (s + v) - s;
        const vdouble res = v - q;
        const vdouble q2 = (s2 + res) - s2;
        const vdouble res2 = res - q2;
        memcpy(r + i, &res2, sizeof res2);
        t += q;
        t2 += q2;
        const vint a = (vint)res2 & mask;
        m = VMAX(m, a);
    }
    double tail = 0.0, tail2 = 0.0;
    int64_t lanes[LANES];
    memcpy(lanes, &m, sizeof lanes);
    int64_t mx = hmax(lanes);
    for (; i < n; i++) {
        const double q = (sigma + p[i]) - sigma;
        const double res = p[i] - q;
        const double q2 = (sigma2 + res) - sigma2;
        const double res2 = res - q2;
        r[i] = res2;
        tail += q;
        tail2 += q2;
        const int64_t a = abs_bits(res2);
        mx = a > mx ? a : mx;
    }
    *rmax = mx;
    tau[0] = (((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))) + tail;
    tau[1] = (((t2[0] + t2[1]) + (t2[2] + t2[3])) + ((t2[4] + t2[5]) + (t2[6] + t2[7]))) + tail2;
}

static void add_terms(exact_acc *acc, exact_bins *bins, const double *x, ptrdiff_t n,
                      const void *next)
{
    exact_bins_add_terms(bins, acc, x, n, next);
}

static inline int exponent_field(int64_t abs)
{
    const int f = (int)(abs >> 52);
    return f != 0 ? f : 1;
}

/* The sigma of a level whose terms are at most `top` (bits) in magnitude. */
static inline double level_sigma(int64_t top)
{
    int k = exponent_field(top) - 1023 + 1 + EXACT_BLOCK_BITS + 1;
    if (k < -1022) {
        k = -1022; /* a larger sigma is as exact; the smallest normal suffices */
    }
    return ldexp(1.0, k);
}

void exact_acc_add_block(exact_acc *acc, exact_work *work, const double *x, ptrdiff_t n,
                         int mant_bits, const void *next)
{
    int64_t top, bottom;
    block_range(x, n, &top, &bottom);
    if (top == 0) {
        return;
    }
    const int emax = exponent_field(top), emin = exponent_field(bottom);
    /* Level L leaves the bits below 2^(emax - 41 - 42 (L - 1)) (unbiased
     * exponents); the lowest bit of a term is mant_bits - 1 below its
     * exponent. Blocks that would need more levels go term by term. */
    const int below = emax - emin + mant_bits - 1;
    const int levels = below <= 41 ? 1 : (below <= 83 ? 2 : (below <= 124 ? 3 : 4));
    if (top >= INF_BITS || emax > MAX_FIELD || levels > MAX_LEVELS) {
        add_terms(acc, &work->bins, x, n, next);
        return;
    }
    /* While the block is worked on in cache, the input that follows it is
     * fetched from memory. */
    const char *ahead = next != NULL ? (const char *)next : (const char *)(x + n);
    /* Residuals alternate between the halves of scratch (x may be the first). */
    double *scratch = work->scratch;
    const double *p = x;
    double *r = scratch + EXACT_BLOCK;
    for (int done = 0; done < levels;) {
        if (levels - done >= 2) {
            double tau[2];
            extract_two_levels(p, n, level_sigma(top), r, &top, tau, ahead);
            exact_acc_add(acc, tau[0]);
            exact_acc_add(acc, tau[1]);
            done += 2;
        } else {
            exact_acc_add(acc, extract_level(p, n, level_sigma(top), r, &top, ahead));
            done += 1;
        }
        if (top == 0) {
            return;
        }
        p = r;
        r = r == scratch ? scratch + EXACT_BLOCK : scratch;
    }
    add_terms(acc, &work->bins, p, n, NULL); /* not reached when the levels were planned right */
}

/* ---- float32 blocks, read in place ------------------------------------------------ */

typedef float vfloat __attribute__((vector_size(32)));
typedef int32_t vint32 __attribute__((vector_size(32)));
typedef uint32_t vuint32 __attribute__((vector_size(32)));
#define ABS_MASK32 0x7fffffff
#define INF_BITS32 0x7f800000

/* block_range on float32 bits (8 lanes of 32 bits). */
NUMEXT_SIMD_CLONES static void block_range_f32(const float *x, ptrdiff_t n, int32_t *max_out,
                                               int32_t *min_out)
{
    const vint32 mask = {ABS_MASK32, ABS_MASK32, ABS_MASK32, ABS_MASK32,
                         ABS_MASK32, ABS_MASK32, ABS_MASK32, ABS_MASK32};
    const vuint32 one = (vuint32)mask >> 30;
    vint32 mx = {0}, mn = {0};
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        vint32 v;
        memcpy(&v, x + i, sizeof v);
        const vint32 a = v & mask;
        const vint32 inverted = (vint32)((vuint32)mask & ((vuint32)mask - ((vuint32)a - one)));
        mx = VMAX(mx, a);
        mn = VMAX(mn, inverted);
    }
    int32_t top = 0, inv = 0;
    for (int j = 0; j < LANES; j++) {
        top = mx[j] > top ? mx[j] : top;
        inv = mn[j] > inv ? mn[j] : inv;
    }
    for (; i < n; i++) {
        uint32_t b;
        memcpy(&b, x + i, sizeof b);
        const int32_t a = (int32_t)(b & ABS_MASK32);
        const int32_t v = (int32_t)(ABS_MASK32 & (ABS_MASK32 - ((uint32_t)a - 1u)));
        top = a > top ? a : top;
        inv = v > inv ? v : inv;
    }
    *max_out = top;
    *min_out = ABS_MASK32 - inv;
}

/* One extraction level over float32 terms widened in registers: the sum of
 * the q; *left is non-zero when some residual is (then nothing is done). */
NUMEXT_SIMD_CLONES static double extract_f32(const float *restrict x, ptrdiff_t n, double sigma,
                                             int64_t *left, const char *ahead)
{
    const vdouble s = {sigma, sigma, sigma, sigma, sigma, sigma, sigma, sigma};
    vdouble t = {0};
    vint any = {0};
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        vfloat f;
        memcpy(&f, x + i, sizeof f);
        __builtin_prefetch(ahead + i * (ptrdiff_t)sizeof(float));
        const vdouble v = __builtin_convertvector(f, vdouble);
        const vdouble q = (s + v) - s;
        const vdouble res = v - q;
        t += q;
        any |= (vint)res;
    }
    double tail = 0.0;
    int64_t nonzero = 0;
    for (int j = 0; j < LANES; j++) {
        nonzero |= any[j] & ABS_MASK;
    }
    for (; i < n; i++) {
        const double v = (double)x[i];
        const double q = (sigma + v) - sigma;
        tail += q;
        nonzero |= abs_bits(v - q);
    }
    *left = nonzero;
    return (((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]))) + tail;
}

void exact_acc_add_block_f32(exact_acc *acc, exact_work *work, const float *x, ptrdiff_t n,
                             const void *next)
{
    int32_t top, bottom;
    block_range_f32(x, n, &top, &bottom);
    if (top == 0) {
        return;
    }
    /* As float64 exponent fields (a float32 subnormal: float32's field 1). */
    const int emax = (top >> 23 ? top >> 23 : 1) - 127 + 1023;
    const int emin = (bottom >> 23 ? bottom >> 23 : 1) - 127 + 1023;
    if (top < INF_BITS32 && emax - emin + 23 <= 41) {
        int64_t left;
        const int64_t top64 = (int64_t)emax << 52;
        const double tau = extract_f32(x, n, level_sigma(top64), &left, next);
        if (left == 0) {
            exact_acc_add(acc, tau);
            return;
        }
    }
    /* Wider spreads, infinities, NaN: widened, as any block. */
    for (ptrdiff_t i = 0; i < n; i++) {
        work->scratch[i] = (double)x[i];
    }
    exact_acc_add_block(acc, work, work->scratch, n, 24, next);
}
