/*
 * Complex floats: NumPy's pairwise sum of one strided range, the real tree
 * over the interleaved (re, im) scalars (CDOUBLE_pairwise_sum in NumPy's
 * loops_utils.h.src). Included by pairwise_sum_body.h (no include guard),
 * which defines PS_FN and PS_ACC (the component type).
 */

/* A leaf of 4 <= m <= 64 complex elements, element j at (x[j*s], x[j*s+1])
 * (s in scalars, a constant where inlined): NumPy's eight accumulators over
 * the 2m scalars i % 8 (re in the even ones, im in the odd ones), vectorised
 * as the real block is. */
static inline __attribute__((always_inline)) void PS_FN(block)(const PS_ACC *x, npy_intp m,
                                                               npy_intp s, PS_ACC *rr, PS_ACC *ri)
{
    PS_ACC r[8];
    for (int k = 0; k < 4; k++) {
        r[2 * k] = x[k * s];
        r[2 * k + 1] = x[k * s + 1];
    }
    npy_intp j;
    for (j = 4; j < m - (m % 4); j += 4) {
        for (int k = 0; k < 4; k++) {
            r[2 * k] += x[(j + k) * s];
            r[2 * k + 1] += x[(j + k) * s + 1];
        }
    }
    *rr = ((r[0] + r[2]) + (r[4] + r[6]));
    *ri = ((r[1] + r[3]) + (r[5] + r[7]));
    for (; j < m; j++) {
        *rr += x[j * s];
        *ri += x[j * s + 1];
    }
}

#ifndef SUM_LONG_DOUBLE
/* (re, im) as one 2-lane vector: lane-wise IEEE adds, the scalar adds' bits. */
typedef PS_ACC PS_FN(pair) __attribute__((vector_size(2 * sizeof(PS_ACC))));

/* The block at any stride: NumPy's eight accumulators as four (re, im)
 * pairs, one load and one add per element. Not vectorised further: GCC would
 * build wider vectors from the pairs one at a time, slower than this. */
NUMEXT_SCALAR_CHAINS static void PS_FN(strided_block)(const char *a, npy_intp m, npy_intp stride,
                                                      PS_ACC *rr, PS_ACC *ri)
{
    PS_FN(pair) r[4], v;
    for (int k = 0; k < 4; k++) {
        memcpy(&r[k], a + k * stride, sizeof v);
    }
    /* As NumPy's leaf: 512 bytes' worth of elements ahead; twice that for
     * complex128, whose stride it otherwise reads slower from memory. */
    const npy_intp ahead = (sizeof v >= 16 ? 1024 : 512) / (npy_intp)sizeof v;
    npy_intp j;
    for (j = 4; j < m - (m % 4); j += 4) {
        numext_prefetch_at(a, (j + ahead) * stride);
        for (int k = 0; k < 4; k++) {
            memcpy(&v, a + (j + k) * stride, sizeof v);
            r[k] += v;
        }
    }
    *rr = ((r[0][0] + r[1][0]) + (r[2][0] + r[3][0]));
    *ri = ((r[0][1] + r[1][1]) + (r[2][1] + r[3][1]));
    for (; j < m; j++) {
        *rr += ((const PS_ACC *)(a + j * stride))[0];
        *ri += ((const PS_ACC *)(a + j * stride))[1];
    }
}
#else
/* Long double: the block as eight scalar chains. */
NUMEXT_SCALAR_CHAINS static void PS_FN(strided_block)(const char *a, npy_intp m, npy_intp stride,
                                                      PS_ACC *rr, PS_ACC *ri)
{
    PS_FN(block)((const PS_ACC *)a, m, stride / (npy_intp)sizeof(PS_ACC), rr, ri);
}
#endif

/* A leaf of m <= 64 elements: vectorised for contiguous and every-other-
 * element input, else as scalar chains, or staged into a contiguous buffer
 * when the stride is not a whole number of components (the same adds in the
 * same order, whichever). */
static inline __attribute__((always_inline)) void
PS_FN(leaf)(const char *a, npy_intp m, npy_intp stride, int gaps_as_vectors, PS_ACC *rr, PS_ACC *ri)
{
    const PS_ACC *x = (const PS_ACC *)a;
    const npy_intp part = (npy_intp)sizeof(PS_ACC);
    if (m < 4) {
        *rr = (PS_ACC)-0.0;
        *ri = (PS_ACC)-0.0;
        for (npy_intp j = 0; j < m; j++) {
            *rr += ((const PS_ACC *)(a + j * stride))[0];
            *ri += ((const PS_ACC *)(a + j * stride))[1];
        }
    } else if (stride == 2 * part) {
        PS_FN(block)(x, m, 2, rr, ri);
    } else if (stride == 4 * part && gaps_as_vectors) {
        PS_FN(block)(x, m, 4, rr, ri);
    } else if (stride % part == 0) {
        PS_FN(strided_block)(a, m, stride, rr, ri);
    } else {
        PS_ACC buf[128];
        for (npy_intp j = 0; j < m; j++) {
            buf[2 * j] = ((const PS_ACC *)(a + j * stride))[0];
            buf[2 * j + 1] = ((const PS_ACC *)(a + j * stride))[1];
        }
        PS_FN(block)(buf, m, 2, rr, ri);
    }
}

/* m complex elements, i.e. NumPy's n = 2m scalars, into (*rr, *ri). */
NUMEXT_SIMD_CLONES static void PS_FN(pairwise)(const char *a, npy_intp m, npy_intp stride,
                                               int gaps_as_vectors, PS_ACC *rr, PS_ACC *ri)
{
    if (m <= 64) {
        PS_FN(leaf)(a, m, stride, gaps_as_vectors, rr, ri);
        return;
    }
    npy_intp m2 = numext_sum_tree_split(NUMEXT_TREE_COMPLEX, m);
    PS_ACC rr1, ri1, rr2, ri2;
    PS_FN(pairwise)(a, m2, stride, gaps_as_vectors, &rr1, &ri1);
    PS_FN(pairwise)(a + m2 * stride, m - m2, stride, gaps_as_vectors, &rr2, &ri2);
    *rr = PS_FN(add_nodes)(rr1, rr2);
    *ri = PS_FN(add_nodes)(ri1, ri2);
}

static void PS_FN(partial)(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc)
{
    PS_FN(pairwise)
    (a, n, stride, numext_sum_gaps_as_vectors(n, stride), &acc->SUM_FIELD[0], &acc->SUM_FIELD[1]);
}
