/*
 * One row of double_pixels' registration table, for the dtype block of
 * double_pixels_dtypes.h being expanded (no include guard: included once per
 * block). The kernel is the one double_pixels_body.h defined for it.
 */
#define DP_CAT_(a, b) a##b
#define DP_CAT(a, b) DP_CAT_(a, b)
{DP_CAT(double_, DP_NAME), DP_IN_NUM, DP_OUT_NUM, sizeof(DP_IN), sizeof(DP_OUT)},
#undef DP_CAT_
#undef DP_CAT
#undef DP_NAME
#undef DP_IN_NUM
#undef DP_OUT_NUM
#undef DP_IN
#undef DP_OUT
#undef DP_UT
#undef DP_OP
#undef DP_PART
#undef DP_FMA
