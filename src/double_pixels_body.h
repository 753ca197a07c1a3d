/*
 * The double_pixels kernel, written once and expanded per dtype by
 * double_pixels_dtypes.h (no include guard: it is meant to be included
 * repeatedly). Define before including it:
 *   DP_NAME    the dtype's name: the kernel is double_<DP_NAME>
 *   DP_IN, DP_OUT   the input and output element types
 *   DP_OP      for a real dtype, NUMEXT_DOUBLE_WRAP, _BOOL, _FLOAT or _HALF
 *   DP_UT      the unsigned type DP_OP wraps in (DP_OUT itself for floats)
 *   DP_PART    for a complex dtype instead of DP_OP: the component type
 *              (DP_IN and DP_OUT are then numext_c<...>_parts), and
 *   DP_FMA     its fused multiply-add (fmaf, fma) where NumPy's loop fuses
 *              (on layouts numext_complex_numpy_fuses accepts); undefined
 *              where it never does (long double).
 * Everything is #undef'd at the end.
 */
#define DP_CAT_(a, b) a##b
#define DP_CAT(a, b) DP_CAT_(a, b)
#define DP_KERNEL DP_CAT(double_, DP_NAME)
#define DP_ELEMENT DP_CAT(double_element_, DP_NAME)

#ifdef DP_PART
/*
 * One complex element, (a + bi) * (2 + 0i) term for term as NumPy computes
 * it: the values are exact either way, but NumPy's FP flags and NaNs depend
 * on the form. NumPy's SIMD loop (fused) takes the products t = b*0 and
 * u = b*2, then re = a*2 - t and im = a*0 + u in one fused multiply-add each
 * (fmaddsub); x86's FMA does not raise "invalid" for inf*0 + NaN, so
 * (inf + nan j) * 2 is silent there. Its scalar loop (plain) multiplies all
 * four products first and then subtracts and adds. Where NaNs are operands
 * the result is the first of them in NumPy's order, sign and payload kept,
 * quietened.
 *
 * Both are written as the same operations on both parts, so that the
 * compiler vectorises the interleaved (re, im) stream with in-lane shuffles
 * only: "- t" is "+ b * -0.0", the same bits and flags also for a NaN t (a
 * subtraction, like the FMA's, gives a NaN operand through unnegated).
 */
static inline DP_IN DP_ELEMENT(DP_IN x, const int fused)
{
    const DP_PART a = x.re, b = x.im;
    /* NUMEXT_UNFUSED: GCC 12 otherwise recognises a complex multiply here
     * and fuses it into fmaddsub even under -ffp-contract=off, which
     * changes NumPy's flags and NaNs. */
    const DP_PART b_re = NUMEXT_UNFUSED(b * (DP_PART)-0.0), b_im = NUMEXT_UNFUSED(b * 2);
    DP_IN y;
    /* float and double (SSE) give the first NaN operand, but which one is
     * first hangs on the operand order the compiler picks: where both are
     * NaNs, NumPy's first is selected. Results are selected, never
     * operands, and the second operand is tested, so that every product is
     * computed (and raises its flags) whatever a is. (long double, without
     * DP_FMA: the x87 gives the NaN of larger significand, in NumPy's loop
     * as here.) */
#ifdef DP_FMA
    if (fused) {
        /* The first operand is a itself (the FMA's a * 2 and a * 0 are
         * inside it: inf * 0 is no NaN operand). */
        const int a_nan = isnan(a);
        const DP_PART re = DP_FMA(a, 2, b_re), im = DP_FMA(a, 0, b_im);
        y.re = (isnan(b_re) & a_nan) ? numext_quiet(a) : re;
        y.im = (isnan(b_im) & a_nan) ? numext_quiet(a) : im;
        return y;
    }
#endif
    (void)fused;
    const DP_PART a_re = NUMEXT_UNFUSED(a * 2), a_im = NUMEXT_UNFUSED(a * 0);
    y.re = a_re + b_re;
    y.im = a_im + b_im;
#ifdef DP_FMA
    y.re = (isnan(b_re) & isnan(a_re)) ? a_re : y.re;
    y.im = (isnan(b_im) & isnan(a_im)) ? a_im : y.im;
#endif
    return y;
}
#define DP_DOUBLE(x, fused) DP_ELEMENT(x, fused)
#else
#define DP_DOUBLE(x, fused) DP_OP(DP_OUT, DP_UT, x)
#endif

/*
 * `in_step`/`out_step` are byte strides. The contiguous branch is written so
 * the compiler vectorises it (across elements; for complex, across the
 * interleaved re/im stream); `ivdep` tells it that in == out (in place)
 * carries no dependence between iterations: the only partly overlapping
 * operands NumPy passes (out= behind its input) are safe in forward order.
 */
static inline __attribute__((always_inline)) void
DP_CAT(DP_KERNEL, _contiguous)(const DP_IN *src, DP_OUT *dst, npy_intp n, const int fused)
{
    (void)fused;
#pragma GCC ivdep
    for (npy_intp i = 0; i < n; i++) {
        dst[i] = DP_DOUBLE(src[i], fused);
    }
}

#ifdef DP_FMA
/* The contiguous loop in at most 256-bit vectors, for a long complex range
 * whose input and output sit differently in their cache lines: beyond the
 * L2 a 512-bit load splits across two lines on every vector, a 256-bit one
 * on every other (NUMEXT_DP_STREAM_MIN_BYTES). The same element operation:
 * the same bits and flags. */
NUMEXT_SIMD_CLONES_256 __attribute__((noinline)) static void
DP_CAT(DP_KERNEL, _streaming)(const DP_IN *src, DP_OUT *dst, npy_intp n, const int fused)
{
    if (fused) {
        DP_CAT(DP_KERNEL, _contiguous)(src, dst, n, 1);
    } else {
        DP_CAT(DP_KERNEL, _contiguous)(src, dst, n, 0);
    }
}
#endif

#ifdef DP_FMA
#include "double_pixels_piece_body.h"
#endif

/* Contiguous input and output: up to the first cache line of the output
 * first (a vector store across two lines costs about two, and NumPy's
 * arrays are often 16 bytes off a line), then the rest. A complex loop
 * reads each input vector twice (its real and its imaginary parts spread
 * over the lanes), so on a range that stays in the L2 it aligns its input
 * instead (NUMEXT_DP_ALIGN_INPUT_MIN/MAX_BYTES; short calls, such as the
 * rows of a broadcast, are often one of many writing a long output).
 * `streamed`: bytes that earlier calls moved into the same output just
 * before this range (NumPy's buffered iteration calls the loop once per
 * buffer along one output); counted with the range's own, they tell a
 * piece of a long output, which aligns its output. */
static inline __attribute__((always_inline)) void
DP_CAT(DP_KERNEL, _contiguous_run)(const DP_IN *src, DP_OUT *dst, npy_intp n, const int fused,
                                   const size_t streamed)
{
    uintptr_t anchor = (uintptr_t)dst;
#ifdef DP_FMA
    const size_t bytes = (size_t)n * (sizeof(DP_IN) + sizeof(DP_OUT));
    if (bytes >= NUMEXT_DP_ALIGN_INPUT_MIN_BYTES &&
        bytes + streamed <= NUMEXT_DP_ALIGN_INPUT_MAX_BYTES) {
        anchor = (uintptr_t)src;
    }
#else
    (void)streamed;
#endif
    /* (The element sizes are equal wherever the input is the anchor.) */
    const npy_intp head = numext_line_head(anchor, sizeof(DP_OUT), n);
    DP_CAT(DP_KERNEL, _contiguous)(src, dst, head, fused);
#if defined(DP_FMA) && defined(NUMEXT_TARGET_256)
    /* A buffered piece of a long output, or a range just past the L2
     * (double_pixels_piece_body.h; complex64 of 1e5, one thread: +4%; on
     * ranges of 2 MiB and more it measured 2-3% slower at 1e7, and the
     * branch below keeps them). A fused layout never overlaps, except in
     * place (src == dst). */
    if (fused && bytes + streamed > NUMEXT_DP_ALIGN_INPUT_MAX_BYTES &&
        (streamed > 0 || bytes < NUMEXT_DP_STREAM_MIN_BYTES) &&
        (const void *)src != (const void *)dst && NUMEXT_HAS_TARGET_256()) {
        DP_CAT(DP_KERNEL, _piece)(src + head, dst + head, n - head);
        return;
    }
#endif
#ifdef DP_FMA
    if (bytes >= NUMEXT_DP_STREAM_MIN_BYTES &&
        ((uintptr_t)src - (uintptr_t)dst) % NUMEXT_CACHE_LINE != 0) {
        DP_CAT(DP_KERNEL, _streaming)(src + head, dst + head, n - head, fused);
        return;
    }
#endif
    DP_CAT(DP_KERNEL, _contiguous)(src + head, dst + head, n - head, fused);
}

static inline __attribute__((always_inline)) void
DP_CAT(DP_KERNEL, _loop)(const char *in, npy_intp in_step, char *out, npy_intp out_step, npy_intp n,
                         const int fused, const size_t streamed)
{
    (void)fused;
    if (n == 1) { /* where= every other element: NumPy calls the loop per element */
        *(DP_OUT *)out = DP_DOUBLE(*(const DP_IN *)in, fused);
    } else if (in_step == (npy_intp)sizeof(DP_IN) && out_step == (npy_intp)sizeof(DP_OUT)) {
        DP_CAT(DP_KERNEL, _contiguous_run)((const DP_IN *)in, (DP_OUT *)out, n, fused, streamed);
    } else if (out_step == (npy_intp)sizeof(DP_OUT) &&
               (in_step == -(npy_intp)sizeof(DP_IN) ||
                (in_step == 2 * (npy_intp)sizeof(DP_IN) && sizeof(DP_IN) != 16))) {
        /* x[::-1] and x[::2] (every other pixel or channel) into a contiguous
         * output: with the stride a constant the compiler vectorises these too. */
        const DP_IN *src = (const DP_IN *)in;
        DP_OUT *dst = (DP_OUT *)out;
        /* Up to the output's first cache line alone, as in _contiguous_run
         * (complex128 x[::-1] of 1e5, one thread: 0.95x -> 1.02x NumPy). */
        const npy_intp head = numext_line_head((uintptr_t)dst, sizeof(DP_OUT), n);
        if (in_step < 0) {
            for (npy_intp i = 0; i < head; i++) {
                dst[i] = DP_DOUBLE(src[-i], fused);
            }
#pragma GCC ivdep
            for (npy_intp i = head; i < n; i++) {
                dst[i] = DP_DOUBLE(src[-i], fused);
            }
        } else {
            for (npy_intp i = 0; i < head; i++) {
                dst[i] = DP_DOUBLE(src[2 * i], fused);
            }
#pragma GCC ivdep
            for (npy_intp i = head; i < n; i++) {
                dst[i] = DP_DOUBLE(src[2 * i], fused);
            }
        }
    } else if (out_step == (npy_intp)sizeof(DP_OUT) && sizeof(DP_IN) == 16) {
        /* An element of 16 bytes (complex128) is one vector lane: loaded one
         * by one it is never split across cache lines, as the wide loads
         * of x[::2] above are on an input 16 bytes off a line. */
        DP_OUT *dst = (DP_OUT *)out;
        for (npy_intp i = 0; i < n; i++) {
            dst[i] = DP_DOUBLE(*(const DP_IN *)(in + i * in_step), fused);
        }
    } else {
        for (npy_intp i = 0; i < n; i++) {
            const DP_IN x = *(const DP_IN *)(in + i * in_step);
            *(DP_OUT *)(out + i * out_step) = DP_DOUBLE(x, fused);
        }
    }
}

#ifdef DP_PART
/*
 * Complex operands that are strided (or reversed) but do not overlap go
 * through a small contiguous buffer, so that the arithmetic runs vectorised
 * as on contiguous data; copying whole elements is cheap next to it. A
 * contiguous operand is read or written directly. Overlapping operands,
 * and an output written again and again (stride 0), keep the
 * element-by-element order of _loop.
 */
static inline __attribute__((always_inline)) void
DP_CAT(DP_KERNEL, _staged)(const char *in, npy_intp in_step, char *out, npy_intp out_step,
                           npy_intp n, const int fused)
{
    enum { STAGE = 256 };
    const npy_intp size = (npy_intp)sizeof(DP_IN);
    DP_IN buf[STAGE];
    for (npy_intp start = 0; start < n; start += STAGE) {
        const npy_intp m = n - start < STAGE ? n - start : STAGE;
        const char *src = in + start * in_step;
        char *dst = out + start * out_step;
        if (in_step == -size) { /* reversed: a copy the compiler vectorises */
            const DP_IN *last = (const DP_IN *)src;
            for (npy_intp i = 0; i < m; i++) {
                buf[i] = last[-i];
            }
            src = (const char *)buf;
        } else if (in_step != size) {
            for (npy_intp i = 0; i < m; i++) {
                buf[i] = *(const DP_IN *)(src + i * in_step);
            }
            src = (const char *)buf;
        }
        if (out_step == size) {
            DP_CAT(DP_KERNEL, _loop)(src, size, dst, size, m, fused, 0);
            continue;
        }
        DP_CAT(DP_KERNEL, _loop)(src, size, (char *)buf, size, m, fused, 0);
        for (npy_intp i = 0; i < m; i++) {
            *(DP_OUT *)(dst + i * out_step) = buf[i];
        }
    }
}

/* Fused as NumPy's loop is for this layout, staged where that pays. */
static inline __attribute__((always_inline)) void
DP_CAT(DP_KERNEL, _complex)(const char *in, npy_intp in_step, char *out, npy_intp out_step,
                            npy_intp n, const size_t streamed)
{
#ifdef DP_FMA
    const int fused = numext_complex_numpy_fuses(in, in_step, out, out_step, n, sizeof(DP_PART));
#else
    const int fused = 0;
#endif
    const npy_intp size = (npy_intp)sizeof(DP_IN);
    /* The layouts _loop vectorises well itself: contiguous, x[::2] and
     * x[::-1] into a contiguous output, and for a 16-byte element
     * (complex128, one vector lane, loaded and stored alone at no cost)
     * every layout; the staged copy would only add a pass. */
    const int vectorised =
        size == 16 ||
        (out_step == size && (in_step == size || in_step == 2 * size || in_step == -size));
    const int direct = vectorised || n < 8 || out_step == 0 ||
                       numext_spans_overlap(in, in_step, size, out, out_step, size, n);
    /* `fused` a constant in each call, so that each loop is specialised. */
    if (direct && fused) {
        DP_CAT(DP_KERNEL, _loop)(in, in_step, out, out_step, n, 1, streamed);
    } else if (direct) {
        DP_CAT(DP_KERNEL, _loop)(in, in_step, out, out_step, n, 0, streamed);
    } else if (fused) {
        DP_CAT(DP_KERNEL, _staged)(in, in_step, out, out_step, n, 1);
    } else {
        DP_CAT(DP_KERNEL, _staged)(in, in_step, out, out_step, n, 0);
    }
}
#endif

NUMEXT_SIMD_CLONES static void DP_KERNEL(const char *in, npy_intp in_step, char *out,
                                         npy_intp out_step, npy_intp n, size_t streamed)
{
#ifdef DP_PART
    DP_CAT(DP_KERNEL, _complex)(in, in_step, out, out_step, n, streamed);
#else
    DP_CAT(DP_KERNEL, _loop)(in, in_step, out, out_step, n, 1, streamed);
#endif
}

#undef DP_CAT_
#undef DP_CAT
#undef DP_KERNEL
#undef DP_ELEMENT
#undef DP_DOUBLE
#undef DP_NAME
#undef DP_IN
#undef DP_OUT
#undef DP_IN_NUM
#undef DP_OUT_NUM
#undef DP_OP
#undef DP_UT
#undef DP_PART
#undef DP_FMA
