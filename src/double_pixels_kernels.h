/*
 * double_pixels kernels: out[i] = in[i] * 2, NumPy's np.multiply(x, 2) for
 * every numeric dtype. Pure functions over one strided 1-D range; they know
 * nothing of threads or of the ufunc machinery (double_pixels.c has those).
 *
 * This header holds what the kernels share: the kernel type, the scalar
 * operations, the complex element type and the one memory-overlap test. The
 * kernel itself is written once, as plain C, in double_pixels_body.h, and
 * expanded per dtype by the table in double_pixels_dtypes.h; its complex
 * loop for buffered pieces of a long output, in 256-bit vectors, is in
 * double_pixels_piece_body.h.
 */
#ifndef NUMEXT_DOUBLE_PIXELS_KERNELS_H
#define NUMEXT_DOUBLE_PIXELS_KERNELS_H

/* Python.h (through numext_numpy.h) before any system header: it sets
 * _POSIX_C_SOURCE, which the system headers would otherwise fix first. */
#include "numext_numpy.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "numext_tuning.h"
#include "simd_clones.h"

/* `streamed`: input plus output bytes that earlier calls moved into the same
 * output just before this range, when the caller knows (0 otherwise): a hint
 * for how the range sits in the caches, never for what it computes. */
typedef void (*numext_unary_kernel)(const char *in, npy_intp in_step, char *out, npy_intp out_step,
                                    npy_intp n, size_t streamed);

/* Elements before the first cache line at or after `anchor` (none where
 * elements of `size` bytes never meet a line boundary exactly), at most n:
 * a loop stores (or loads) whole lines from there on. */
static inline npy_intp numext_line_head(uintptr_t anchor, size_t size, npy_intp n)
{
    const npy_intp off = (npy_intp)(anchor % NUMEXT_CACHE_LINE);
    const npy_intp head =
        off % (npy_intp)size ? 0 : (NUMEXT_CACHE_LINE - off) % NUMEXT_CACHE_LINE / (npy_intp)size;
    return head < n ? head : n;
}

/* The scalar operations that make each dtype exactly NumPy's x * 2:
 *   integers  wrap modulo 2^bits, computed in the unsigned type (no UB, no
 *             warning, as NumPy's array multiply);
 *   bool      True -> 2 into int64 (np.multiply(bool_array, 2) is int64);
 *   floats    x * 2 in the type itself (NaN, inf, -0.0 and overflow flags
 *             come from the hardware, as in NumPy);
 *   float16   through float32 like NumPy's HALF_multiply, using NumPy's own
 *             conversions so overflow sets the same flag. */
#define NUMEXT_DOUBLE_WRAP(TOUT, UT, x) ((TOUT)((UT)(x) * (UT)2))
#define NUMEXT_DOUBLE_BOOL(TOUT, UT, x) ((TOUT)((x) != 0) * 2)
#define NUMEXT_DOUBLE_FLOAT(TOUT, UT, x) ((x) * (TOUT)2)
#define NUMEXT_DOUBLE_HALF(TOUT, UT, x) npy_float_to_half(npy_half_to_float(x) * 2.0f)

/* A value the compiler must not fuse into a multiply-add with what follows:
 * GCC 12 recognises a complex multiply and emits fmaddsub for it even under
 * -ffp-contract=off. __builtin_assoc_barrier stops that and still lets the
 * loop vectorise. */
#if defined(__has_builtin)
#if __has_builtin(__builtin_assoc_barrier)
#define NUMEXT_UNFUSED(x) __builtin_assoc_barrier(x)
#endif
#endif
#ifndef NUMEXT_UNFUSED
#define NUMEXT_UNFUSED(x) (x)
#endif

/* A NaN made quiet as an FP operation would, with no FP operation (and so no
 * flag): its bits with the quiet bit set. */
static inline float numext_quiet_float(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits |= UINT32_C(1) << 22;
    memcpy(&x, &bits, sizeof x);
    return x;
}

static inline double numext_quiet_double(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits |= UINT64_C(1) << 51;
    memcpy(&x, &bits, sizeof x);
    return x;
}

#define numext_quiet(x) _Generic((x), float : numext_quiet_float, double : numext_quiet_double)(x)

/*
 * Do two operands' spans share memory, other than by being the very same
 * span? A span runs from the first element to the last plus `size` bytes.
 * With the element sizes these are the bytes the loop touches: double_pixels.c
 * splits a call over threads only when they do not overlap (an out= one
 * element behind its input is safe in order, not in parallel). With sizes 0
 * this is NumPy's is_mem_overlap() as NumPy 2.4.6 behaves (first to last
 * element), which decides whether its complex loop takes the SIMD path.
 * Addresses as integers: a span may reach outside the array's buffer.
 */
static inline int numext_spans_overlap(const char *a, npy_intp a_step, npy_intp a_size,
                                       const char *b, npy_intp b_step, npy_intp b_size, npy_intp n)
{
    intptr_t a_lo = (intptr_t)a, a_hi = a_lo + a_step * (n - 1);
    intptr_t b_lo = (intptr_t)b, b_hi = b_lo + b_step * (n - 1);
    if (a_step < 0) {
        intptr_t t = a_lo;
        a_lo = a_hi;
        a_hi = t;
    }
    if (b_step < 0) {
        intptr_t t = b_lo;
        b_lo = b_hi;
        b_hi = t;
    }
    const int same = a_lo == b_lo && a_hi == b_hi;
    return !same && a_lo <= b_hi + b_size && b_lo <= a_hi + a_size;
}

/* Layout classes of a complex input read into a forward output, as bits
 * (numext/_multiply_rules.py uses the same values). */
enum {
    NUMEXT_FUSED_CFLOAT_CONTIGUOUS = 1,
    NUMEXT_FUSED_CFLOAT_STRIDED = 2,  /* a positive stride (or 0), not contiguous */
    NUMEXT_FUSED_CFLOAT_REVERSED = 4, /* a negative stride */
    NUMEXT_FUSED_CDOUBLE_CONTIGUOUS = 8,
    NUMEXT_FUSED_CDOUBLE_STRIDED = 16,
    NUMEXT_FUSED_CDOUBLE_REVERSED = 32,
    NUMEXT_FUSED_ALL = 63,
};

/* The classes in which the running NumPy's complex multiply fuses (probed at
 * import by numext_double_pixels_rules_init, double_pixels_rules.c). */
extern int numext_complex_fused_layouts;

/* Ask numext._multiply_rules.probe(); 0, or -1 with a Python error set. */
int numext_double_pixels_rules_init(void);

/*
 * True where NumPy's complex multiply takes its SIMD (fused) path for
 * np.multiply(x, 2), measured on NumPy 2.4.6's AVX-512 loop (called directly,
 * through np.multiply._get_strided_loop): operands that do not partly
 * overlap, an output stride other than 0, strides a multiple of
 * the component size, and for complex64 an input stride that NumPy's
 * npyv_loadable_stride_f32 accepts: it divides the signed stride by an
 * unsigned sizeof, so a negative stride never is (NumPy 2.0's is: which
 * layout classes fuse is probed, numext_complex_fused_layouts), nor one of
 * more than 0x7fffffff / 8 floats. complex128's loop has no such limit; the
 * long double loop has no SIMD form at all.
 */
static inline int numext_complex_numpy_fuses(const char *in, npy_intp in_step, const char *out,
                                             npy_intp out_step, npy_intp n, size_t part)
{
    if (part > sizeof(double) || n <= 0 || out_step == 0 || in_step % (npy_intp)part ||
        out_step % (npy_intp)part) {
        return 0;
    }
    const int single = part == sizeof(float);
    const npy_intp contiguous = 2 * (npy_intp)part;
    int layout = in_step < 0             ? NUMEXT_FUSED_CFLOAT_REVERSED
                 : in_step == contiguous ? NUMEXT_FUSED_CFLOAT_CONTIGUOUS
                                         : NUMEXT_FUSED_CFLOAT_STRIDED;
    if (!single) {
        layout *= NUMEXT_FUSED_CDOUBLE_CONTIGUOUS; /* the same classes, 3 bits up */
    }
    if (!(numext_complex_fused_layouts & layout) || (single && in_step / 4 > 0x7fffffff / 8)) {
        return 0;
    }
    return !numext_spans_overlap(in, in_step, 0, out, out_step, 0, n);
}

/* A complex element as its two parts, for each component type. */
typedef struct {
    float re, im;
} numext_cfloat_parts;
typedef struct {
    double re, im;
} numext_cdouble_parts;
typedef struct {
    long double re, im;
} numext_clongdouble_parts;

#endif
