/*
 * The parallel_sum dtype table: one block per loop, in the order NumPy's type
 * search tries them (ufunc.types): the first loop an input can be cast to
 * safely wins, which gives np.sum's result dtypes (bool and signed ints ->
 * int64, unsigned -> uint64, floats and complex keep theirs). Adding a dtype
 * is adding a block here.
 *
 * The file is included twice, with SUM_EXPAND naming what each block expands
 * to: pairwise_sum_body.h (the kernels) or pairwise_sum_entry.h (its row of
 * the kernel table). SUM_IN_NUM and SUM_OUT_NUM are NumPy type numbers; the
 * other names are described in pairwise_sum_body.h.
 */

#define SUM_NAME bool
#define SUM_LANE npy_uint16
#define SUM_LANE_SIGNED npy_int16
#define SUM_IN_NUM NPY_BOOL
#define SUM_OUT_NUM NPY_LONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_bool
#define SUM_OUT npy_long
#define SUM_BOOL
#include SUM_EXPAND

#define SUM_NAME byte
#define SUM_LANE npy_uint16
#define SUM_LANE_SIGNED npy_int16
#define SUM_IN_NUM NPY_BYTE
#define SUM_OUT_NUM NPY_LONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_byte
#define SUM_OUT npy_long
#include SUM_EXPAND

#define SUM_NAME ubyte
#define SUM_LANE npy_uint16
#define SUM_LANE_SIGNED npy_int16
#define SUM_IN_NUM NPY_UBYTE
#define SUM_OUT_NUM NPY_ULONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_ubyte
#define SUM_OUT npy_ulong
#include SUM_EXPAND

#define SUM_NAME short
#define SUM_LANE npy_uint32
#define SUM_LANE_SIGNED npy_int32
#define SUM_IN_NUM NPY_SHORT
#define SUM_OUT_NUM NPY_LONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_short
#define SUM_OUT npy_long
#include SUM_EXPAND

#define SUM_NAME ushort
#define SUM_LANE npy_uint32
#define SUM_LANE_SIGNED npy_int32
#define SUM_IN_NUM NPY_USHORT
#define SUM_OUT_NUM NPY_ULONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_ushort
#define SUM_OUT npy_ulong
#include SUM_EXPAND

#define SUM_NAME int
#define SUM_IN_NUM NPY_INT
#define SUM_OUT_NUM NPY_LONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_int
#define SUM_OUT npy_long
#include SUM_EXPAND

#define SUM_NAME uint
#define SUM_IN_NUM NPY_UINT
#define SUM_OUT_NUM NPY_ULONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_uint
#define SUM_OUT npy_ulong
#include SUM_EXPAND

#define SUM_NAME long
#define SUM_IN_NUM NPY_LONG
#define SUM_OUT_NUM NPY_LONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_long
#define SUM_OUT npy_long
#include SUM_EXPAND

#define SUM_NAME ulong
#define SUM_IN_NUM NPY_ULONG
#define SUM_OUT_NUM NPY_ULONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_ulong
#define SUM_OUT npy_ulong
#include SUM_EXPAND

#define SUM_NAME longlong
#define SUM_IN_NUM NPY_LONGLONG
#define SUM_OUT_NUM NPY_LONGLONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_longlong
#define SUM_OUT npy_longlong
#include SUM_EXPAND

#define SUM_NAME ulonglong
#define SUM_IN_NUM NPY_ULONGLONG
#define SUM_OUT_NUM NPY_ULONGLONG
#define SUM_KIND NUMEXT_SUM_INT
#define SUM_T npy_ulonglong
#define SUM_OUT npy_ulonglong
#include SUM_EXPAND

#define SUM_NAME half
#define SUM_IN_NUM NPY_HALF
#define SUM_OUT_NUM NPY_HALF
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_half
#define SUM_ACC npy_float
#define SUM_FIELD as_float
#define SUM_HALF
#include SUM_EXPAND

#define SUM_NAME float
#define SUM_IN_NUM NPY_FLOAT
#define SUM_OUT_NUM NPY_FLOAT
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_float
#define SUM_ACC npy_float
#define SUM_FIELD as_float
#include SUM_EXPAND

#define SUM_NAME double
#define SUM_IN_NUM NPY_DOUBLE
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_double
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#include SUM_EXPAND

#define SUM_NAME longdouble
#define SUM_IN_NUM NPY_LONGDOUBLE
#define SUM_OUT_NUM NPY_LONGDOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_longdouble
#define SUM_ACC npy_longdouble
#define SUM_FIELD as_longdouble
#define SUM_LONG_DOUBLE
#include SUM_EXPAND

#define SUM_NAME cfloat
#define SUM_IN_NUM NPY_CFLOAT
#define SUM_OUT_NUM NPY_CFLOAT
#define SUM_KIND NUMEXT_SUM_COMPLEX
#define SUM_T npy_float
#define SUM_ACC npy_float
#define SUM_FIELD as_cfloat
#include SUM_EXPAND

#define SUM_NAME cdouble
#define SUM_IN_NUM NPY_CDOUBLE
#define SUM_OUT_NUM NPY_CDOUBLE
#define SUM_KIND NUMEXT_SUM_COMPLEX
#define SUM_T npy_double
#define SUM_ACC npy_double
#define SUM_FIELD as_cdouble
#include SUM_EXPAND

#define SUM_NAME clongdouble
#define SUM_IN_NUM NPY_CLONGDOUBLE
#define SUM_OUT_NUM NPY_CLONGDOUBLE
#define SUM_KIND NUMEXT_SUM_COMPLEX
#define SUM_T npy_longdouble
#define SUM_ACC npy_longdouble
#define SUM_FIELD as_clongdouble
#define SUM_LONG_DOUBLE
#include SUM_EXPAND

/* Cast loops (integers summed as float64), after every loop above. */
#include "pairwise_sum_casts.h"
