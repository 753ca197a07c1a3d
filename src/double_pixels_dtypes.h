/*
 * The double_pixels dtype table: one block per loop. bool comes first: its
 * bool -> int64 loop (np.multiply(bool, 2) gives int64) is registered apart,
 * as a safe cast (double_pixels.c); the others, in this order, are
 * ufunc.types, which NumPy's legacy type resolution searches in order.
 * Adding a dtype is adding a block here.
 *
 * The file is included twice, with DP_EXPAND naming what each block expands
 * to: double_pixels_body.h (the kernel) or double_pixels_entry.h (its row of
 * the registration table). DP_IN_NUM and DP_OUT_NUM are NumPy type numbers;
 * the other names are described in double_pixels_body.h.
 */

#define DP_NAME bool
#define DP_IN_NUM NPY_BOOL
#define DP_OUT_NUM NPY_LONG
#define DP_IN npy_bool
#define DP_OUT npy_long
#define DP_UT npy_ulong
#define DP_OP NUMEXT_DOUBLE_BOOL
#include DP_EXPAND

#define DP_NAME byte
#define DP_IN_NUM NPY_BYTE
#define DP_OUT_NUM NPY_BYTE
#define DP_IN npy_byte
#define DP_OUT npy_byte
#define DP_UT npy_ubyte
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME ubyte
#define DP_IN_NUM NPY_UBYTE
#define DP_OUT_NUM NPY_UBYTE
#define DP_IN npy_ubyte
#define DP_OUT npy_ubyte
#define DP_UT npy_ubyte
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME short
#define DP_IN_NUM NPY_SHORT
#define DP_OUT_NUM NPY_SHORT
#define DP_IN npy_short
#define DP_OUT npy_short
#define DP_UT npy_ushort
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME ushort
#define DP_IN_NUM NPY_USHORT
#define DP_OUT_NUM NPY_USHORT
#define DP_IN npy_ushort
#define DP_OUT npy_ushort
#define DP_UT npy_ushort
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME int
#define DP_IN_NUM NPY_INT
#define DP_OUT_NUM NPY_INT
#define DP_IN npy_int
#define DP_OUT npy_int
#define DP_UT npy_uint
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME uint
#define DP_IN_NUM NPY_UINT
#define DP_OUT_NUM NPY_UINT
#define DP_IN npy_uint
#define DP_OUT npy_uint
#define DP_UT npy_uint
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME long
#define DP_IN_NUM NPY_LONG
#define DP_OUT_NUM NPY_LONG
#define DP_IN npy_long
#define DP_OUT npy_long
#define DP_UT npy_ulong
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME ulong
#define DP_IN_NUM NPY_ULONG
#define DP_OUT_NUM NPY_ULONG
#define DP_IN npy_ulong
#define DP_OUT npy_ulong
#define DP_UT npy_ulong
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME longlong
#define DP_IN_NUM NPY_LONGLONG
#define DP_OUT_NUM NPY_LONGLONG
#define DP_IN npy_longlong
#define DP_OUT npy_longlong
#define DP_UT npy_ulonglong
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME ulonglong
#define DP_IN_NUM NPY_ULONGLONG
#define DP_OUT_NUM NPY_ULONGLONG
#define DP_IN npy_ulonglong
#define DP_OUT npy_ulonglong
#define DP_UT npy_ulonglong
#define DP_OP NUMEXT_DOUBLE_WRAP
#include DP_EXPAND

#define DP_NAME half
#define DP_IN_NUM NPY_HALF
#define DP_OUT_NUM NPY_HALF
#define DP_IN npy_half
#define DP_OUT npy_half
#define DP_UT npy_half
#define DP_OP NUMEXT_DOUBLE_HALF
#include DP_EXPAND

#define DP_NAME float
#define DP_IN_NUM NPY_FLOAT
#define DP_OUT_NUM NPY_FLOAT
#define DP_IN npy_float
#define DP_OUT npy_float
#define DP_UT npy_float
#define DP_OP NUMEXT_DOUBLE_FLOAT
#include DP_EXPAND

#define DP_NAME double
#define DP_IN_NUM NPY_DOUBLE
#define DP_OUT_NUM NPY_DOUBLE
#define DP_IN npy_double
#define DP_OUT npy_double
#define DP_UT npy_double
#define DP_OP NUMEXT_DOUBLE_FLOAT
#include DP_EXPAND

#define DP_NAME longdouble
#define DP_IN_NUM NPY_LONGDOUBLE
#define DP_OUT_NUM NPY_LONGDOUBLE
#define DP_IN npy_longdouble
#define DP_OUT npy_longdouble
#define DP_UT npy_longdouble
#define DP_OP NUMEXT_DOUBLE_FLOAT
#include DP_EXPAND

/* Complex: NumPy's loops fuse for complex64 and complex128, never for long double. */

#define DP_NAME cfloat
#define DP_IN_NUM NPY_CFLOAT
#define DP_OUT_NUM NPY_CFLOAT
#define DP_IN numext_cfloat_parts
#define DP_OUT numext_cfloat_parts
#define DP_PART float
#define DP_FMA fmaf
#include DP_EXPAND

#define DP_NAME cdouble
#define DP_IN_NUM NPY_CDOUBLE
#define DP_OUT_NUM NPY_CDOUBLE
#define DP_IN numext_cdouble_parts
#define DP_OUT numext_cdouble_parts
#define DP_PART double
#define DP_FMA fma
#include DP_EXPAND

#define DP_NAME clongdouble
#define DP_IN_NUM NPY_CLONGDOUBLE
#define DP_OUT_NUM NPY_CLONGDOUBLE
#define DP_IN numext_clongdouble_parts
#define DP_OUT numext_clongdouble_parts
#define DP_PART long double
#include DP_EXPAND
