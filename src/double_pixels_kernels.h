/*
 * double_pixels kernels: out[i] = in[i] * 2, NumPy's np.multiply(x, 2) for
 * every numeric dtype. Pure functions over one strided 1-D range; they know
 * nothing of threads or of the ufunc machinery (double_pixels.c has those).
 *
 * One kernel body (NUMEXT_DEFINE_DOUBLE_KERNEL), expanded per dtype with the
 * scalar operation that makes it exactly NumPy's:
 *   integers  wrap modulo 2^bits, computed in the unsigned type (no UB, no
 *             warning, as NumPy's array multiply);
 *   bool      True -> 2 into int64 (np.multiply(bool_array, 2) is int64);
 *   floats    x * 2 in the type itself (NaN, inf, -0.0 and overflow flags
 *             come from the hardware, as in NumPy);
 *   float16   through float32 like NumPy's HALF_multiply, using NumPy's own
 *             conversions so overflow sets the same flag;
 *   complex   the full product with (2 + 0j), term for term as NumPy
 *             computes it (fused where NumPy's SIMD loop fuses), so
 *             (1+inf j)*2 is (nan+inf j) with NumPy's warnings.
 */
#ifndef NUMEXT_DOUBLE_PIXELS_KERNELS_H
#define NUMEXT_DOUBLE_PIXELS_KERNELS_H

#include <math.h>
#include <stdint.h>

#include "numext_numpy.h"
#include "simd_clones.h"

typedef void (*numext_unary_kernel)(const char *in, npy_intp in_step, char *out,
                                    npy_intp out_step, npy_intp n);

/* The scalar operations, OP(TOUT, UT, x); UT is the unsigned type of TOUT. */
#define NUMEXT_DOUBLE_WRAP(TOUT, UT, x) ((TOUT)((UT)(x) * (UT)2))
#define NUMEXT_DOUBLE_BOOL(TOUT, UT, x) ((TOUT)((x) != 0) * 2)
#define NUMEXT_DOUBLE_FLOAT(TOUT, UT, x) ((x) * (TOUT)2)
#define NUMEXT_DOUBLE_HALF(TOUT, UT, x) npy_float_to_half(npy_half_to_float(x) * 2.0f)

/*
 * One body for every dtype. `in_step`/`out_step` are byte strides. The
 * contiguous branch is written so the compiler vectorises it; `ivdep` tells
 * it that in == out (in place) carries no dependence between iterations, as
 * partially overlapping operands never reach the parallel split (double_pixels.c runs them in order).
 */
#define NUMEXT_DEFINE_DOUBLE_KERNEL(NAME, TIN, TOUT, UT, OP)                           \
    NUMEXT_SIMD_CLONES static void NAME(const char *in, npy_intp in_step, char *out,  \
                                        npy_intp out_step, npy_intp n)                \
    {                                                                                 \
        if (in_step == (npy_intp)sizeof(TIN) && out_step == (npy_intp)sizeof(TOUT)) { \
            const TIN *src = (const TIN *)in;                                         \
            TOUT *dst = (TOUT *)out;                                                  \
            _Pragma("GCC ivdep") for (npy_intp i = 0; i < n; i++) {                   \
                dst[i] = OP(TOUT, UT, src[i]);                                          \
            }                                                                         \
        }                                                                             \
        else {                                                                        \
            for (npy_intp i = 0; i < n; i++) {                                        \
                *(TOUT *)(out + i * out_step) = OP(TOUT, UT, *(const TIN *)(in + i * in_step)); \
            }                                                                         \
        }                                                                             \
    }

/*
 * Complex: NumPy's (a+bi)(c+di) with c = 2, d = 0, term for term as its loop
 * computes it, because the FP flags (not the values: products with 2 and 0
 * are exact) depend on the form. NumPy's SIMD loop (simd_cmul) computes
 *   re = fma(a, c, -(b*d)),  im = fma(a, d, b*c)
 * and an x86 FMA does not raise "invalid" for inf*0 + NaN, so (inf+nan j)*2
 * is silent there while a*d + b*c would warn. Its scalar fallback, taken for
 * partly overlapping operands or strides that are not a multiple of the
 * component size, uses the plain products. MULADD is the fused form (fmaf,
 * fma: an instruction in the x86-64-v3/v4 clones, libm otherwise, which on a
 * CPU without FMA raises the flag like NumPy's baseline emulation does);
 * long double passes the plain form, as NumPy's CLONGDOUBLE loop has no SIMD.
 */
#define NUMEXT_MULADD_PLAIN(a, b, c) ((a) * (b) + (c))

/* True where NumPy's complex multiply takes its SIMD (fused) path. */
static inline int
numext_complex_numpy_fuses(const char *in, npy_intp in_step, const char *out, npy_intp out_step,
                           npy_intp n, size_t component)
{
    if (n <= 0 || out_step == 0 || in_step % (npy_intp)component || out_step % (npy_intp)component) {
        return 0;
    }
    /* NumPy's nomemoverlap() over [p, p + step*n]: identical spans or
     * disjoint ones. Addresses as integers: the span may end past the array. */
    intptr_t in_lo = (intptr_t)in, in_hi = in_lo + in_step * n;
    intptr_t out_lo = (intptr_t)out, out_hi = out_lo + out_step * n;
    if (in_step < 0) { intptr_t t = in_lo; in_lo = in_hi; in_hi = t; }
    if (out_step < 0) { intptr_t t = out_lo; out_lo = out_hi; out_hi = t; }
    return (in_lo == out_lo && in_hi == out_hi) || in_lo > out_hi || out_lo > in_hi;
}

#define NUMEXT_DEFINE_DOUBLE_COMPLEX_KERNEL(NAME, R, MULADD)                            \
    NUMEXT_SIMD_CLONES static void NAME(const char *in, npy_intp in_step, char *out,   \
                                        npy_intp out_step, npy_intp n)                 \
    {                                                                                  \
        const R two = 2, zero = 0;                                                     \
        if (numext_complex_numpy_fuses(in, in_step, out, out_step, n, sizeof(R))) {    \
            for (npy_intp i = 0; i < n; i++) {                                         \
                const R *x = (const R *)(in + i * in_step);                            \
                R *y = (R *)(out + i * out_step);                                      \
                const R re = x[0], im = x[1];                                          \
                y[0] = MULADD(re, two, -(im * zero));                                  \
                y[1] = MULADD(re, zero, im * two);                                     \
            }                                                                          \
            return;                                                                    \
        }                                                                              \
        for (npy_intp i = 0; i < n; i++) {                                             \
            const R *x = (const R *)(in + i * in_step);                                \
            R *y = (R *)(out + i * out_step);                                          \
            /* volatile: GCC's SLP vectoriser otherwise fuses this pattern into \
             * fmaddsub even under -ffp-contract=off (seen with GCC 12). */           \
            const volatile R rr = x[0] * two, ii = x[1] * zero;                        \
            const volatile R ri = x[0] * zero, ir = x[1] * two;                        \
            y[0] = rr - ii;                                                            \
            y[1] = ri + ir;                                                            \
        }                                                                              \
    }

#endif
