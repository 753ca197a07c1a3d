/*
 * Complex floats: NumPy's pairwise sum of one strided range, the real tree
 * over the interleaved (re, im) scalars. Included by pairwise_sum_body.h (no
 * include guard), which defines PS_FN and PS_ACC (the component type).
 */

/* m complex elements, i.e. NumPy's n = 2m scalars, into (*rr, *ri). */
static void PS_FN(pairwise)(const char *a, npy_intp m, npy_intp stride, PS_ACC *rr, PS_ACC *ri)
{
#define PS_RE(j) ((const PS_ACC *)(a + (j)*stride))[0]
#define PS_IM(j) ((const PS_ACC *)(a + (j)*stride))[1]
    if (m < 4) {
        *rr = (PS_ACC)-0.0;
        *ri = (PS_ACC)-0.0;
        for (npy_intp j = 0; j < m; j++) {
            *rr += PS_RE(j);
            *ri += PS_IM(j);
        }
        return;
    }
    if (m <= 64) {
        PS_ACC r[8];
        for (int k = 0; k < 4; k++) {
            r[2 * k] = PS_RE(k);
            r[2 * k + 1] = PS_IM(k);
        }
        npy_intp j;
        for (j = 4; j < m - (m % 4); j += 4) {
            for (int k = 0; k < 4; k++) {
                r[2 * k] += PS_RE(j + k);
                r[2 * k + 1] += PS_IM(j + k);
            }
        }
        *rr = ((r[0] + r[2]) + (r[4] + r[6]));
        *ri = ((r[1] + r[3]) + (r[5] + r[7]));
        for (; j < m; j++) {
            *rr += PS_RE(j);
            *ri += PS_IM(j);
        }
        return;
    }
#undef PS_RE
#undef PS_IM
    npy_intp m2 = numext_sum_tree_split(NUMEXT_TREE_COMPLEX, m);
    PS_ACC rr1, ri1, rr2, ri2;
    PS_FN(pairwise)(a, m2, stride, &rr1, &ri1);
    PS_FN(pairwise)(a + m2 * stride, m - m2, stride, &rr2, &ri2);
    *rr = PS_FN(add_nodes)(rr1, rr2);
    *ri = PS_FN(add_nodes)(ri1, ri2);
}

static void PS_FN(partial)(const char *a, npy_intp n, npy_intp stride, numext_sum_acc *acc)
{
    PS_FN(pairwise)(a, n, stride, &acc->SUM_FIELD[0], &acc->SUM_FIELD[1]);
}
