/*
 * parallel_sum's cast loops: integers and float32 summed as float64, each element
 * converted as the kernel reads it (the conversion NumPy's cast does, so the
 * same double per element), in the float kernels' pairwise tree, so that no
 * cast copy of the input is made. Included at the end of
 * pairwise_sum_dtypes.h: after every loop of the table, so NumPy's type
 * search still finds each integer's own loop first (b->l before b->d);
 * dtype=float64 matches a cast loop exactly and takes it. numext.sum asks
 * for them by signature (numext/_sum_paths.py: column sums of integers with
 * dtype=float64). None for long long: two loops of input q (q->q, q->d) sent
 * NumPy's type search for q to l->l, giving np.int64, not np.sum's
 * np.longlong. Names as in pairwise_sum_dtypes.h; SUM_OUT marks a cast
 * loop's result type (pairwise_sum_body.h).
 */

#define SUM_NAME byte_as_double
#define SUM_IN_NUM NPY_BYTE
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_byte
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND

#define SUM_NAME ubyte_as_double
#define SUM_IN_NUM NPY_UBYTE
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_ubyte
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND

#define SUM_NAME short_as_double
#define SUM_IN_NUM NPY_SHORT
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_short
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND

#define SUM_NAME ushort_as_double
#define SUM_IN_NUM NPY_USHORT
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_ushort
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND

#define SUM_NAME int_as_double
#define SUM_IN_NUM NPY_INT
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_int
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND

#define SUM_NAME uint_as_double
#define SUM_IN_NUM NPY_UINT
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_uint
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND

#define SUM_NAME long_as_double
#define SUM_IN_NUM NPY_LONG
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_long
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND

#define SUM_NAME ulong_as_double
#define SUM_IN_NUM NPY_ULONG
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_ulong
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND

/* float32 summed as float64 (exact conversion): np.sum(x, dtype=np.float64),
 * the common way to sum float32 accurately, without a cast copy. */
#define SUM_NAME float_as_double
#define SUM_IN_NUM NPY_FLOAT
#define SUM_OUT_NUM NPY_DOUBLE
#define SUM_KIND NUMEXT_SUM_REAL
#define SUM_T npy_float
#define SUM_ACC npy_double
#define SUM_FIELD as_double
#define SUM_OUT npy_double
#include SUM_EXPAND
