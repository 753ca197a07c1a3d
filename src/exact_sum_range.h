/*
 * Include-template: one exact_sum range kernel, "add n elements `stride`
 * bytes apart into an exact accumulator", for the element type EXACT_T.
 *
 *   #define EXACT_RANGE_NAME  the function's name
 *   #define EXACT_T           the element type
 *   #define EXACT_KIND        EXACT_KIND_INT, EXACT_KIND_FLOAT, EXACT_KIND_HALF
 *                             or EXACT_KIND_DOUBLE
 *
 * Floats are widened to double (exact) a block at a time and the block goes
 * through exact_acc_add_block; contiguous doubles are read in place. Terms a
 * block left in the bins are flushed at the end of the range.
 * Integers are summed exactly in 128 bits and added once.
 */
#ifndef EXACT_KIND_INT
#define EXACT_KIND_INT 0
#define EXACT_KIND_FLOAT 1
#define EXACT_KIND_HALF 2
#define EXACT_KIND_DOUBLE 3
#endif

#define EXACT_CAT_(a, b) a##b
#define EXACT_CAT(a, b) EXACT_CAT_(a, b)
#define EXACT_LOAD_NAME EXACT_CAT(EXACT_RANGE_NAME, _load)
#if EXACT_KIND == EXACT_KIND_HALF
#define EXACT_MANT_BITS 11
#elif EXACT_KIND == EXACT_KIND_FLOAT
#define EXACT_MANT_BITS 24
#else
#define EXACT_MANT_BITS 53
#endif

#if EXACT_KIND == EXACT_KIND_INT

static void EXACT_RANGE_NAME(exact_acc *acc, const char *a, npy_intp n, npy_intp stride,
                             exact_work *work)
{
    (void)work;
    exact_i128 total = 0;
    if (sizeof(EXACT_T) <= 4) {
        /* An int64 holds the sum of 2^31 of these: vector adds per block. */
        for (npy_intp i0 = 0; i0 < n; i0 += (npy_intp)1 << 31) {
            const npy_intp m = n - i0 < ((npy_intp)1 << 31) ? n - i0 : (npy_intp)1 << 31;
            const char *p = a + i0 * stride;
            int64_t s = 0;
            for (npy_intp i = 0; i < m; i++) {
                s += (int64_t) * (const EXACT_T *)(p + i * stride);
            }
            total += s;
        }
    } else {
        for (npy_intp i = 0; i < n; i++) {
            total += (exact_i128) * (const EXACT_T *)(a + i * stride);
        }
    }
    exact_acc_add_int128(acc, (int64_t)(total >> 64), (uint64_t)total);
}

#else

/* Up to EXACT_BLOCK elements widened into buf. */
NUMEXT_SIMD_CLONES static void EXACT_LOAD_NAME(const char *p, npy_intp m, npy_intp stride,
                                               double *restrict buf)
{
#if EXACT_KIND == EXACT_KIND_HALF
    for (npy_intp i = 0; i < m; i++) {
        buf[i] = npy_half_to_double(*(const npy_half *)(p + i * stride));
    }
#else
    if (stride == (npy_intp)sizeof(EXACT_T)) {
        const EXACT_T *src = (const EXACT_T *)p;
        for (npy_intp i = 0; i < m; i++) {
            buf[i] = (double)src[i];
        }
    } else {
        for (npy_intp i = 0; i < m; i++) {
            buf[i] = (double)*(const EXACT_T *)(p + i * stride);
        }
    }
#endif
}

static void EXACT_RANGE_NAME(exact_acc *acc, const char *a, npy_intp n, npy_intp stride,
                             exact_work *work)
{
    double *buf = work->scratch;
    for (npy_intp i0 = 0; i0 < n; i0 += EXACT_BLOCK) {
        const npy_intp m = n - i0 < EXACT_BLOCK ? n - i0 : EXACT_BLOCK;
        const char *p = a + i0 * stride;
#if EXACT_KIND == EXACT_KIND_FLOAT
        if (stride == (npy_intp)sizeof(float)) {
            exact_acc_add_block_f32(acc, work, (const float *)p, m, p + m * stride);
            continue;
        }
#endif
#if EXACT_KIND == EXACT_KIND_DOUBLE
        if (stride == (npy_intp)sizeof(double)) {
            exact_acc_add_block(acc, work, (const double *)p, m, EXACT_MANT_BITS, NULL);
            continue;
        }
#endif
        EXACT_LOAD_NAME(p, m, stride, buf);
        /* The next block is prefetched while this one is worked on (contiguous input). */
        const char *next = stride == (npy_intp)sizeof(EXACT_T) ? p + m * stride : NULL;
        exact_acc_add_block(acc, work, buf, m, EXACT_MANT_BITS, next);
    }
    exact_bins_flush(&work->bins, acc);
}

#endif

#undef EXACT_LOAD_NAME
#undef EXACT_MANT_BITS
#undef EXACT_RANGE_NAME
#undef EXACT_T
#undef EXACT_KIND
