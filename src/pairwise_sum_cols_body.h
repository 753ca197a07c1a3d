/*
 * The pairwise tree down ncols scalar columns, included by
 * pairwise_sum_body.h for a float dtype (no include guard). It defines
 * PS_FN(cols_tree)(a, ncols, cstep, n, rs, res, scratch), PS_FN(cols_accs)
 * (the accumulators, res included, it needs) and PS_FN(cols_add_rows), given:
 *   PS_COL_T     the scalar type of a column (a complex column is two of
 *                them, re and im), read with PS_FN(load_col)
 *   PS_ACC       its accumulator type
 *   PS_NACC      the accumulators of a leaf: 8 (real tree) or 4 (complex
 *                tree: NumPy's 8 over interleaved re, im)
 *   PS_TREE      NUMEXT_TREE_REAL or NUMEXT_TREE_COMPLEX
 *
 * A leaf has PS_NACC accumulators per column, accumulator k taking rows k,
 * k + PS_NACC, ... in order. Rows of NUMEXT_COLS_LANE_MIN_BYTES and more are
 * read lane by lane: accumulator k of every column gathers its rows in passes
 * of NUMEXT_COLS_PASS_ROWS rows, each read as one contiguous run, so the
 * accumulators are read and written once per pass rather than once per row;
 * the lanes are added as soon as their part of
 * ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) is complete, which takes
 * PS_NACC / 4 + 1 rows of scratch. Shorter rows are read in order (short runs
 * in many places measured up to 1.3x slower from memory), each added to its
 * accumulator's row: PS_NACC rows of scratch.
 *
 * Elements (columns) are cstep scalars apart: PS_COMPONENTS when adjacent,
 * more for a strided view such as m[:, ::2], whose columns are gathered into
 * the same lanes (the same adds in the same order: the same bits). Adjacent
 * columns get their own copy of the code, with unit-stride loads.
 */

#define PS_LD(ncols) numext_acc_row_stride((ncols), sizeof(PS_ACC))

/* Where scalar column i lies, in scalars from a row's start. */
static inline __attribute__((always_inline)) npy_intp PS_FN(col_at)(npy_intp i, npy_intp cstep)
{
    if (cstep == PS_COMPONENTS) {
        return i;
    }
#if PS_COMPONENTS == 2
    return (i >> 1) * cstep + (i & 1); /* (re, im) of element i / 2 */
#else
    return i * cstep;
#endif
}

static inline void PS_FN(cols_add_rows)(PS_ACC *restrict left, const PS_ACC *restrict right,
                                        npy_intp ncols)
{
    for (npy_intp c = 0; c < ncols; c++) {
        left[c] = PS_FN(add_nodes)(left[c], right[c]);
    }
}

/* rk[c] (+)= column c of nrows rows rsk bytes apart from p, in order (init: rk
 * starts from the first of them). Inlined with constant nrows and init. */
static inline __attribute__((always_inline)) void
PS_FN(cols_pass_at)(PS_ACC *restrict rk, const char *p, npy_intp rsk, npy_intp ncols,
                    npy_intp cstep, int nrows, int init)
{
    for (npy_intp c = 0; c < ncols; c++) {
        const npy_intp at = PS_FN(col_at)(c, cstep);
        const PS_COL_T *first = (const PS_COL_T *)p + at;
        PS_ACC s = init ? PS_FN(load_col)(first) : rk[c] + PS_FN(load_col)(first);
        for (int j = 1; j < nrows; j++) {
            s += PS_FN(load_col)((const PS_COL_T *)(p + j * rsk) + at);
        }
        rk[c] = s;
    }
}

/* The same; strided complex columns element by element, (re, im) side by
 * side (measured 1.9x faster than scalar by scalar on complex64). */
static inline __attribute__((always_inline)) void PS_FN(cols_pass)(PS_ACC *restrict rk,
                                                                   const char *p, npy_intp rsk,
                                                                   npy_intp ncols, npy_intp cstep,
                                                                   int nrows, int init)
{
    if (PS_COMPONENTS == 2 && cstep != PS_COMPONENTS) {
        const npy_intp step = cstep * (npy_intp)sizeof(PS_COL_T);
        for (npy_intp e = 0; e < ncols / 2; e++) {
            PS_FN(cols_pass_at)(rk + 2 * e, p + e * step, rsk, 2, PS_COMPONENTS, nrows, init);
        }
        return;
    }
    PS_FN(cols_pass_at)(rk, p, rsk, ncols, cstep, nrows, init);
}

/* rk[c] = the in-order sum of column c over `groups` rows rsk bytes apart from p
 * (one lane), NUMEXT_COLS_PASS_ROWS rows a pass. */
static inline __attribute__((always_inline)) void PS_FN(cols_lane)(PS_ACC *restrict rk,
                                                                   const char *p, npy_intp rsk,
                                                                   npy_intp ncols, npy_intp cstep,
                                                                   npy_intp groups)
{
    npy_intp g;
    if (groups >= NUMEXT_COLS_PASS_ROWS) {
        PS_FN(cols_pass)(rk, p, rsk, ncols, cstep, NUMEXT_COLS_PASS_ROWS, 1);
        g = NUMEXT_COLS_PASS_ROWS;
    } else if (groups >= 2) {
        PS_FN(cols_pass)(rk, p, rsk, ncols, cstep, 2, 1);
        g = 2;
    } else {
        PS_FN(cols_pass)(rk, p, rsk, ncols, cstep, 1, 1);
        g = 1;
    }
    for (; g + NUMEXT_COLS_PASS_ROWS <= groups; g += NUMEXT_COLS_PASS_ROWS) {
        PS_FN(cols_pass)(rk, p + g * rsk, rsk, ncols, cstep, NUMEXT_COLS_PASS_ROWS, 0);
    }
    for (; g + 2 <= groups; g += 2) {
        PS_FN(cols_pass)(rk, p + g * rsk, rsk, ncols, cstep, 2, 0);
    }
    if (g < groups) {
        PS_FN(cols_pass)(rk, p + g * rsk, rsk, ncols, cstep, 1, 0);
    }
}

static inline int PS_FN(cols_in_order)(npy_intp ncols)
{
    return ncols * (npy_intp)sizeof(PS_COL_T) < NUMEXT_COLS_LANE_MIN_BYTES;
}

/* A leaf read row after row: accumulator k of every column in row k of r. */
static inline __attribute__((always_inline)) void
PS_FN(cols_leaf_in_order)(const char *a, npy_intp ncols, npy_intp cstep, npy_intp groups,
                          npy_intp rs, PS_ACC *restrict res, PS_ACC *restrict r)
{
    const npy_intp ld = PS_LD(ncols);
    for (int k = 0; k < PS_NACC; k++) {
        PS_FN(cols_pass)(r + k * ld, a + k * rs, 0, ncols, cstep, 1, 1);
    }
    for (npy_intp g = 1; g < groups; g++) {
        for (int k = 0; k < PS_NACC; k++) {
            PS_FN(cols_pass)(r + k * ld, a + (g * PS_NACC + k) * rs, 0, ncols, cstep, 1, 0);
        }
    }
    for (npy_intp c = 0; c < ncols; c++) {
        const PS_ACC *q = r + c;
#if PS_NACC == 8
        res[c] = ((q[0] + q[ld]) + (q[2 * ld] + q[3 * ld])) +
                 ((q[4 * ld] + q[5 * ld]) + (q[6 * ld] + q[7 * ld]));
#else
        res[c] = (q[0] + q[ld]) + (q[2 * ld] + q[3 * ld]);
#endif
    }
}

/* A leaf of one group (PS_NACC to 2 PS_NACC - 1 rows, as in a sum over few
 * rows): each column's accumulators are its first PS_NACC rows, added in
 * registers in one pass (the in-order leaf's tree, with no scratch rows). */
static inline __attribute__((always_inline)) void
PS_FN(cols_leaf_one_group)(const char *a, npy_intp ncols, npy_intp cstep, npy_intp rs,
                           PS_ACC *restrict res)
{
    for (npy_intp c = 0; c < ncols; c++) {
        const PS_COL_T *q = (const PS_COL_T *)a + PS_FN(col_at)(c, cstep);
#define PS_ROW(k) PS_FN(load_col)((const PS_COL_T *)((const char *)q + (k)*rs))
#if PS_NACC == 8
        res[c] = ((PS_ROW(0) + PS_ROW(1)) + (PS_ROW(2) + PS_ROW(3))) +
                 ((PS_ROW(4) + PS_ROW(5)) + (PS_ROW(6) + PS_ROW(7)));
#else
        res[c] = (PS_ROW(0) + PS_ROW(1)) + (PS_ROW(2) + PS_ROW(3));
#endif
#undef PS_ROW
    }
}

/* A leaf read lane by lane, the lanes added as their part of the tree completes. */
static inline __attribute__((always_inline)) void
PS_FN(cols_leaf_by_lane)(const char *a, npy_intp ncols, npy_intp cstep, npy_intp groups,
                         npy_intp rs, PS_ACC *restrict res, PS_ACC *restrict r)
{
    const npy_intp ld = PS_LD(ncols), rsk = PS_NACC * rs;
    PS_ACC *restrict s1 = r;
    PS_ACC *restrict s2 = r + ld;
    PS_FN(cols_lane)(res, a, rsk, ncols, cstep, groups);
    PS_FN(cols_lane)(s1, a + rs, rsk, ncols, cstep, groups);
    PS_FN(cols_add_rows)(res, s1, ncols); /* r0 + r1 */
    PS_FN(cols_lane)(s1, a + 2 * rs, rsk, ncols, cstep, groups);
    PS_FN(cols_lane)(s2, a + 3 * rs, rsk, ncols, cstep, groups);
    for (npy_intp c = 0; c < ncols; c++) {
        res[c] = res[c] + (s1[c] + s2[c]); /* + (r2 + r3) */
    }
#if PS_NACC == 8
    PS_ACC *restrict s3 = r + 2 * ld;
    PS_FN(cols_lane)(s1, a + 4 * rs, rsk, ncols, cstep, groups);
    PS_FN(cols_lane)(s2, a + 5 * rs, rsk, ncols, cstep, groups);
    PS_FN(cols_add_rows)(s1, s2, ncols); /* r4 + r5 */
    PS_FN(cols_lane)(s2, a + 6 * rs, rsk, ncols, cstep, groups);
    PS_FN(cols_lane)(s3, a + 7 * rs, rsk, ncols, cstep, groups);
    for (npy_intp c = 0; c < ncols; c++) {
        res[c] = res[c] + (s1[c] + (s2[c] + s3[c])); /* + ((r4+r5) + (r6+r7)) */
    }
#endif
}

/* One leaf (n rows, at most NumPy's block) into res; r: scratch rows. */
static inline __attribute__((always_inline)) void
PS_FN(cols_leaf_at)(const char *a, npy_intp ncols, npy_intp cstep, npy_intp n, npy_intp rs,
                    PS_ACC *restrict res, PS_ACC *restrict r)
{
    const npy_intp groups = n / PS_NACC;
    if (n < PS_NACC) {
        for (npy_intp c = 0; c < ncols; c++) {
            res[c] = (PS_ACC)-0.0; /* keeps the sum of -0.0 values -0.0, as NumPy */
        }
    } else if (groups == 1) {
        PS_FN(cols_leaf_one_group)(a, ncols, cstep, rs, res);
    } else if (PS_FN(cols_in_order)(ncols)) {
        PS_FN(cols_leaf_in_order)(a, ncols, cstep, groups, rs, res, r);
    } else {
        PS_FN(cols_leaf_by_lane)(a, ncols, cstep, groups, rs, res, r);
    }
    for (npy_intp i = PS_NACC * groups; i < n; i++) {
        PS_FN(cols_pass)(res, a + i * rs, 0, ncols, cstep, 1, 0); /* the rest one by one */
    }
}

/* The leaf with adjacent columns (unit-stride loads) or strided ones. */
NUMEXT_SIMD_CLONES static void PS_FN(cols_leaf)(const char *a, npy_intp ncols, npy_intp cstep,
                                                npy_intp n, npy_intp rs, PS_ACC *restrict res,
                                                PS_ACC *restrict r)
{
    if (cstep == PS_COMPONENTS) {
        PS_FN(cols_leaf_at)(a, ncols, PS_COMPONENTS, n, rs, res, r);
    } else {
        PS_FN(cols_leaf_at)(a, ncols, cstep, n, rs, res, r);
    }
}

/* res[c] = column c's pairwise sum, leaf by leaf across all columns; scratch:
 * the rows of the right children below, then the leaf's. */
static void PS_FN(cols_tree)(const char *a, npy_intp ncols, npy_intp cstep, npy_intp n, npy_intp rs,
                             PS_ACC *res, PS_ACC *scratch)
{
    npy_intp n2 = numext_sum_tree_split(PS_TREE, n);
    if (n2 == 0) {
        PS_FN(cols_leaf)(a, ncols, cstep, n, rs, res, scratch);
        return;
    }
    PS_ACC *right = scratch;
    PS_FN(cols_tree)(a, ncols, cstep, n2, rs, res, scratch);
    PS_FN(cols_tree)(a + n2 * rs, ncols, cstep, n - n2, rs, right, scratch + PS_LD(ncols));
    PS_FN(cols_add_rows)(res, right, ncols);
}

/* Accumulators PS_FN(cols_tree) needs, res included, for ncols columns of n
 * rows: enough for any fewer columns too (they may be read in order). */
static npy_intp PS_FN(cols_accs)(npy_intp ncols, npy_intp n)
{
    const npy_intp depth = numext_sum_tree_depth(PS_TREE, n);
    if (n < PS_NACC) {
        return depth * PS_LD(ncols);
    }
    const npy_intp in_order_max = (NUMEXT_COLS_LANE_MIN_BYTES - 1) / (npy_intp)sizeof(PS_COL_T);
    const npy_intp few = ncols < in_order_max ? ncols : in_order_max;
    const npy_intp in_order = (depth + PS_NACC) * PS_LD(few);
    const npy_intp lanes = (depth + PS_NACC / 4 + 1) * PS_LD(ncols);
    return ncols > in_order_max && lanes > in_order ? lanes : in_order;
}

#undef PS_LD
