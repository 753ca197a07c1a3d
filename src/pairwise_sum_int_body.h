/*
 * Integers and bool: sums modulo 2^64 in npy_uint64 (order does not matter).
 * Included by pairwise_sum_body.h (no include guard), which defines PS_FN;
 * SUM_T is the element type, SUM_OUT the result type, SUM_BOOL defined for
 * bool; SUM_LANE (unsigned) and SUM_LANE_SIGNED, for 8- and 16-bit types, a
 * type twice as wide that contiguous input is first added in.
 */

/* The element as a count. */
static inline __attribute__((always_inline)) npy_uint64 PS_FN(value)(SUM_T x)
{
#ifdef SUM_BOOL
    return (npy_uint64)(x != 0);
#else
    return (npy_uint64)x;
#endif
}

#ifdef SUM_LANE
/* Element j of x[::step] (step 1 or 2) as a lane addend. Step 2 loads the
 * element and its odd neighbour (x[2j + 1], which must exist) as one
 * SUM_LANE word and keeps the element's half: whole-vector loads, no
 * shuffles. */
static inline __attribute__((always_inline)) SUM_LANE PS_FN(lane_at)(const SUM_T *x, npy_intp j,
                                                                     npy_intp step)
{
    if (step == 1) {
        return (SUM_LANE)PS_FN(value)(x[j]);
    }
    SUM_LANE w;
    memcpy(&w, x + 2 * j, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = (SUM_LANE)(w >> (8 * sizeof(SUM_T)));
#endif
    return (SUM_LANE)PS_FN(value)((SUM_T)w); /* the low half, modulo 2^bits */
}

/* x[k * step] for k < n, step 1 (contiguous) or 2 (every other element), of
 * narrow elements (8 and 16 bits) added in lanes of SUM_LANE (twice as wide)
 * for at most PS_ROUNDS rounds, which no lane's exact sum outgrows, then
 * widened into the 64-bit total: the lanes add as many elements per
 * instruction as NumPy's own narrow loops, where widening each element to 64
 * bits would add 8 (or 4) times fewer. The same total modulo 2^64. Inlined
 * with a constant step; the last element of a step-2 run is added alone (its
 * odd neighbour may lie past the array). */
#define PS_LANES 64
#define PS_ROUNDS 256
static inline __attribute__((always_inline)) npy_uint64 PS_FN(total_run)(const SUM_T *x, npy_intp n,
                                                                         npy_intp step)
{
    const npy_intp in_words = step == 1 ? n : n - 1;
    npy_uint64 s = 0;
    npy_intp i = 0;
    while (in_words - i >= PS_LANES) {
        const npy_intp left = (in_words - i) / PS_LANES;
        const int rounds = left < PS_ROUNDS ? (int)left : PS_ROUNDS;
        SUM_LANE acc[PS_LANES] = {0};
        for (int r = 0; r < rounds; r++, i += PS_LANES) {
            for (int k = 0; k < PS_LANES; k++) {
                acc[k] = (SUM_LANE)(acc[k] + PS_FN(lane_at)(x, i + k, step));
            }
        }
        for (int k = 0; k < PS_LANES; k++) {
            /* the lane's exact sum, from its value modulo 2^bits */
            s += (SUM_T)-1 < (SUM_T)0 ? (npy_uint64)(npy_int64)(SUM_LANE_SIGNED)acc[k]
                                      : (npy_uint64)acc[k];
        }
    }
    for (; i < n; i++) {
        s += PS_FN(value)(x[i * step]);
    }
    return s;
}
#undef PS_LANES
#undef PS_ROUNDS
#else
/* x[k * step] for k < n, step 1 or 2: inlined with a constant step, which the
 * vectoriser turns into whole-vector loads (and shuffles, for step 2). */
static inline __attribute__((always_inline)) npy_uint64 PS_FN(total_run)(const SUM_T *x, npy_intp n,
                                                                         npy_intp step)
{
    npy_uint64 s = 0;
    for (npy_intp i = 0; i < n; i++) {
        s += PS_FN(value)(x[i * step]);
    }
    return s;
}
#endif

/* Any other stride: four independent chains, so that each add does not wait
 * for the one before (kept scalar: vectors built lane by lane are slower). */
NUMEXT_SCALAR_CHAINS static npy_uint64 PS_FN(total_strided)(const char *a, npy_intp n,
                                                            npy_intp stride)
{
    npy_uint64 s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    npy_intp i = 0;
    for (; i + 4 <= n; i += 4) {
        const char *p = a + i * stride;
        s0 += PS_FN(value)(*(const SUM_T *)p);
        s1 += PS_FN(value)(*(const SUM_T *)(p + stride));
        s2 += PS_FN(value)(*(const SUM_T *)(p + 2 * stride));
        s3 += PS_FN(value)(*(const SUM_T *)(p + 3 * stride));
    }
    for (; i < n; i++) {
        s0 += PS_FN(value)(*(const SUM_T *)(a + i * stride));
    }
    return (s0 + s1) + (s2 + s3);
}

/* The sum modulo 2^64 of n elements stride bytes apart. Order is free for
 * integers: a negative stride is read forwards from its lowest element, so
 * x[::-1] and x[::-2] take the contiguous and every-other-element runs. */
NUMEXT_SIMD_CLONES static npy_uint64 PS_FN(total)(const char *a, npy_intp n, npy_intp stride)
{
    const npy_intp size = (npy_intp)sizeof(SUM_T);
    if (stride < 0 && n > 0) {
        a += (n - 1) * stride;
        stride = -stride;
    }
    if (stride == size) {
        return PS_FN(total_run)((const SUM_T *)a, n, 1);
    }
    if (stride == 2 * size) {
        return PS_FN(total_run)((const SUM_T *)a, n, 2);
    }
    return PS_FN(total_strided)(a, n, stride);
}

static void PS_FN(partial)(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc)
{
    acc->as_uint64 = PS_FN(total)(a, n, stride);
}

/* s[c] += column c over nrows rows rs bytes apart, columns cstep elements
 * apart: the accumulators are read and written once per nrows rows. Inlined
 * with constant nrows (and cstep 1 for adjacent columns). */
static inline __attribute__((always_inline)) void PS_FN(cols_pass)(npy_uint64 *restrict s,
                                                                   const char *p, npy_intp rs,
                                                                   npy_intp ncols, npy_intp cstep,
                                                                   int nrows)
{
    for (npy_intp c = 0; c < ncols; c++) {
        npy_uint64 v = s[c];
        for (int j = 0; j < nrows; j++) {
            v += PS_FN(value)(((const SUM_T *)(p + j * rs))[c * cstep]);
        }
        s[c] = v;
    }
}

static inline __attribute__((always_inline)) void
PS_FN(cols_block_at)(const char *a, npy_intp ncols, npy_intp cstep, npy_intp n, npy_intp rs,
                     npy_uint64 *restrict s)
{
    for (npy_intp c = 0; c < ncols; c++) {
        s[c] = 0;
    }
    npy_intp i = 0;
    for (; i + NUMEXT_COLS_PASS_ROWS <= n; i += NUMEXT_COLS_PASS_ROWS) {
        PS_FN(cols_pass)(s, a + i * rs, rs, ncols, cstep, NUMEXT_COLS_PASS_ROWS);
    }
    for (; i < n; i++) {
        PS_FN(cols_pass)(s, a + i * rs, rs, ncols, cstep, 1);
    }
}

/* ncols columns, a few rows at a time (order is free for integers); adjacent
 * columns get their own copy with unit-stride loads. */
NUMEXT_SIMD_CLONES static void PS_FN(cols_block)(const char *a, npy_intp ncols, npy_intp cstep,
                                                 npy_intp n, npy_intp rs, npy_uint64 *restrict s)
{
    if (cstep == 1) {
        PS_FN(cols_block_at)(a, ncols, 1, n, rs, s);
    } else {
        PS_FN(cols_block_at)(a, ncols, cstep, n, rs, s);
    }
}

static size_t PS_FN(cols_work)(npy_intp ncols, npy_intp n)
{
    (void)n;
    return (size_t)ncols * sizeof(npy_uint64);
}

static void PS_FN(cols_store)(const void *acc, npy_intp ncols, char *out, npy_intp out_stride)
{
    const npy_uint64 *s = acc;
    for (npy_intp c = 0; c < ncols; c++) {
        *(SUM_OUT *)(out + c * out_stride) = (SUM_OUT)s[c]; /* modulo 2^64, as np.sum wraps */
    }
}

static void PS_FN(cols_partial)(const char *a, npy_intp ncols, npy_intp col_stride, npy_intp n,
                                npy_intp rs, void *acc, char *out, npy_intp out_stride, void *work)
{
    npy_uint64 *s = acc != NULL ? (npy_uint64 *)acc : (npy_uint64 *)work;
    PS_FN(cols_block)(a, ncols, col_stride / (npy_intp)sizeof(SUM_T), n, rs, s);
    if (acc == NULL) {
        PS_FN(cols_store)(s, ncols, out, out_stride);
    }
}

static void PS_FN(cols_combine)(void *left, const void *right, npy_intp ncols)
{
    npy_uint64 *l = left;
    const npy_uint64 *r = right;
    for (npy_intp c = 0; c < ncols; c++) {
        l[c] += r[c];
    }
}

static void PS_FN(combine)(numext_sum_acc *left, const numext_sum_acc *right)
{
    left->as_uint64 += right->as_uint64;
}

static void PS_FN(load)(const char *out, numext_sum_acc *acc)
{
    acc->as_uint64 = (npy_uint64)(*(const SUM_OUT *)out);
}

static void PS_FN(store)(const numext_sum_acc *acc, char *out)
{
    *(SUM_OUT *)out = (SUM_OUT)acc->as_uint64; /* modulo 2^64, as np.sum wraps */
}
