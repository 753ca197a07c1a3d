/*
 * One row of parallel_sum's kernel table, for the dtype block of
 * pairwise_sum_dtypes.h being expanded (no include guard: included once per
 * block). The kernels are the ones pairwise_sum_body.h defined for it.
 */
#define PS_CAT_(a, b) a##b
#define PS_CAT(a, b) PS_CAT_(a, b)
#define PS_FN(suffix) PS_CAT(PS_CAT(sum_, SUM_NAME), PS_CAT(_, suffix))
#if SUM_KIND == NUMEXT_SUM_INT
#define PS_ELEMENT_SIZE sizeof(SUM_T)
#define PS_ACC_SIZE sizeof(npy_uint64)
#elif SUM_KIND == NUMEXT_SUM_REAL
#define PS_ELEMENT_SIZE sizeof(SUM_T)
#define PS_ACC_SIZE sizeof(SUM_ACC)
#else
#define PS_ELEMENT_SIZE (2 * sizeof(SUM_T))
#define PS_ACC_SIZE (2 * sizeof(SUM_ACC))
#endif
{
    .in_type = SUM_IN_NUM,
    .out_type = SUM_OUT_NUM,
    .tree = SUM_KIND == NUMEXT_SUM_COMPLEX ? NUMEXT_TREE_COMPLEX : NUMEXT_TREE_REAL,
    .itemsize = PS_ELEMENT_SIZE,
    .accsize = PS_ACC_SIZE,
    .partial = PS_FN(partial),
    .cols_partial = PS_FN(cols_partial),
    .cols_work = PS_FN(cols_work),
    .cols_combine = PS_FN(cols_combine),
    .cols_store = PS_FN(cols_store),
    .combine = PS_FN(combine),
    .load = PS_FN(load),
    .store = PS_FN(store),
},
#undef PS_ELEMENT_SIZE
#undef PS_ACC_SIZE
#undef PS_CAT_
#undef PS_CAT
#undef PS_FN
#undef SUM_NAME
#undef SUM_IN_NUM
#undef SUM_OUT_NUM
#undef SUM_KIND
#undef SUM_T
#undef SUM_ACC
#undef SUM_FIELD
#undef SUM_OUT
#undef SUM_HALF
#undef SUM_BOOL
#undef SUM_LANE
#undef SUM_LANE_SIGNED
#undef SUM_LONG_DOUBLE
