/*
 * The dtype tables of exact_sum and _exact_sum_state: range kernels per input
 * type (exact_sum_range.h), stores per result, and the (input, result) pairs
 * in the order NumPy's type search tries them.
 */
#include "exact_sum_table.h"

#include <string.h>

#include "simd_clones.h"

__extension__ typedef __int128 exact_i128;

#define EXACT_RANGE_NAME range_bool
#define EXACT_T npy_bool
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_byte
#define EXACT_T npy_byte
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_ubyte
#define EXACT_T npy_ubyte
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_short
#define EXACT_T npy_short
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_ushort
#define EXACT_T npy_ushort
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_int
#define EXACT_T npy_int
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_uint
#define EXACT_T npy_uint
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_long
#define EXACT_T npy_long
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_ulong
#define EXACT_T npy_ulong
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_longlong
#define EXACT_T npy_longlong
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_ulonglong
#define EXACT_T npy_ulonglong
#define EXACT_KIND 0
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_half
#define EXACT_T npy_half
#define EXACT_KIND EXACT_KIND_HALF
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_float
#define EXACT_T npy_float
#define EXACT_KIND EXACT_KIND_FLOAT
#include "exact_sum_range.h"
#define EXACT_RANGE_NAME range_double
#define EXACT_T npy_double
#define EXACT_KIND EXACT_KIND_DOUBLE
#include "exact_sum_range.h"

/* ---- stores ----------------------------------------------------------------- */

static void store_double(const exact_acc *acc, char *out, npy_intp out_step)
{
    (void)out_step;
    const uint64_t bits = exact_acc_round_double(acc);
    memcpy(out, &bits, sizeof bits);
}

static void store_float(const exact_acc *acc, char *out, npy_intp out_step)
{
    (void)out_step;
    const uint32_t bits = exact_acc_round_float(acc);
    memcpy(out, &bits, sizeof bits);
}

static void store_half(const exact_acc *acc, char *out, npy_intp out_step)
{
    (void)out_step;
    const uint16_t bits = exact_acc_round_half(acc);
    memcpy(out, &bits, sizeof bits);
}

static void store_cfloat(const exact_acc *acc, char *out, npy_intp out_step)
{
    store_float(&acc[0], out, out_step);
    store_float(&acc[1], out + sizeof(npy_float), out_step);
}

static void store_cdouble(const exact_acc *acc, char *out, npy_intp out_step)
{
    store_double(&acc[0], out, out_step);
    store_double(&acc[1], out + sizeof(npy_double), out_step);
}

static void store_state(const exact_acc *acc, char *out, npy_intp out_step)
{
    exact_acc_save(acc, out, out_step);
}

/* ---- the tables --------------------------------------------------------------- */

#define REAL(range, T, store)                                                                      \
    {                                                                                              \
        sizeof(T), 1, 0, range, store, range == range_double                                       \
    }
#define CPLX(range, R, store)                                                                      \
    {                                                                                              \
        2 * sizeof(R), 2, sizeof(R), range, store, 0                                               \
    }

/* Per input: the loops (result = its own float type, float64 for integers)
 * NumPy finds for a plain call; then the other float results, for dtype=:
 * integers before floats in each group, so a safe cast never widens an
 * integer into float16 on the way. */
const exact_kernel numext_exact_sum_kernels[] = {
    REAL(range_bool, npy_bool, store_double),
    REAL(range_byte, npy_byte, store_double),
    REAL(range_ubyte, npy_ubyte, store_double),
    REAL(range_short, npy_short, store_double),
    REAL(range_ushort, npy_ushort, store_double),
    REAL(range_int, npy_int, store_double),
    REAL(range_uint, npy_uint, store_double),
    REAL(range_long, npy_long, store_double),
    REAL(range_ulong, npy_ulong, store_double),
    REAL(range_longlong, npy_longlong, store_double),
    REAL(range_ulonglong, npy_ulonglong, store_double),
    REAL(range_half, npy_half, store_half),
    REAL(range_float, npy_float, store_float),
    REAL(range_double, npy_double, store_double),
    CPLX(range_float, npy_float, store_cfloat),
    CPLX(range_double, npy_double, store_cdouble),
    /* float32 results */
    REAL(range_bool, npy_bool, store_float),
    REAL(range_byte, npy_byte, store_float),
    REAL(range_ubyte, npy_ubyte, store_float),
    REAL(range_short, npy_short, store_float),
    REAL(range_ushort, npy_ushort, store_float),
    REAL(range_int, npy_int, store_float),
    REAL(range_uint, npy_uint, store_float),
    REAL(range_long, npy_long, store_float),
    REAL(range_ulong, npy_ulong, store_float),
    REAL(range_longlong, npy_longlong, store_float),
    REAL(range_ulonglong, npy_ulonglong, store_float),
    REAL(range_half, npy_half, store_float),
    REAL(range_double, npy_double, store_float),
    /* float16 results */
    REAL(range_bool, npy_bool, store_half),
    REAL(range_byte, npy_byte, store_half),
    REAL(range_ubyte, npy_ubyte, store_half),
    REAL(range_short, npy_short, store_half),
    REAL(range_ushort, npy_ushort, store_half),
    REAL(range_int, npy_int, store_half),
    REAL(range_uint, npy_uint, store_half),
    REAL(range_long, npy_long, store_half),
    REAL(range_ulong, npy_ulong, store_half),
    REAL(range_longlong, npy_longlong, store_half),
    REAL(range_ulonglong, npy_ulonglong, store_half),
    REAL(range_float, npy_float, store_half),
    REAL(range_double, npy_double, store_half),
    /* float64 from the small floats; complex of the other width */
    REAL(range_half, npy_half, store_double),
    REAL(range_float, npy_float, store_double),
    CPLX(range_float, npy_float, store_cdouble),
    CPLX(range_double, npy_double, store_cfloat),
};

#define INT_TYPES(OUT)                                                                             \
    NPY_BOOL, OUT, NPY_BYTE, OUT, NPY_UBYTE, OUT, NPY_SHORT, OUT, NPY_USHORT, OUT, NPY_INT, OUT,   \
        NPY_UINT, OUT, NPY_LONG, OUT, NPY_ULONG, OUT, NPY_LONGLONG, OUT, NPY_ULONGLONG, OUT

const char numext_exact_sum_types[] = {
    INT_TYPES(NPY_DOUBLE),
    NPY_HALF,
    NPY_HALF,
    NPY_FLOAT,
    NPY_FLOAT,
    NPY_DOUBLE,
    NPY_DOUBLE,
    NPY_CFLOAT,
    NPY_CFLOAT,
    NPY_CDOUBLE,
    NPY_CDOUBLE,
    INT_TYPES(NPY_FLOAT),
    NPY_HALF,
    NPY_FLOAT,
    NPY_DOUBLE,
    NPY_FLOAT,
    INT_TYPES(NPY_HALF),
    NPY_FLOAT,
    NPY_HALF,
    NPY_DOUBLE,
    NPY_HALF,
    NPY_HALF,
    NPY_DOUBLE,
    NPY_FLOAT,
    NPY_DOUBLE,
    NPY_CFLOAT,
    NPY_CDOUBLE,
    NPY_CDOUBLE,
    NPY_CFLOAT,
};

const int numext_exact_sum_nkernels =
    (int)(sizeof numext_exact_sum_kernels / sizeof numext_exact_sum_kernels[0]);
_Static_assert(sizeof numext_exact_sum_types ==
                   2 * (sizeof numext_exact_sum_kernels / sizeof numext_exact_sum_kernels[0]),
               "one (in, out) pair per kernel");

/* The state of the real inputs' exact sums (complex: real and imaginary views). */
const exact_kernel numext_exact_state_kernels[] = {
    REAL(range_bool, npy_bool, store_state),
    REAL(range_byte, npy_byte, store_state),
    REAL(range_ubyte, npy_ubyte, store_state),
    REAL(range_short, npy_short, store_state),
    REAL(range_ushort, npy_ushort, store_state),
    REAL(range_int, npy_int, store_state),
    REAL(range_uint, npy_uint, store_state),
    REAL(range_long, npy_long, store_state),
    REAL(range_ulong, npy_ulong, store_state),
    REAL(range_longlong, npy_longlong, store_state),
    REAL(range_ulonglong, npy_ulonglong, store_state),
    REAL(range_half, npy_half, store_state),
    REAL(range_float, npy_float, store_state),
    REAL(range_double, npy_double, store_state),
};

const char numext_exact_state_types[] = {
    INT_TYPES(NPY_INT64), NPY_HALF, NPY_INT64, NPY_FLOAT, NPY_INT64, NPY_DOUBLE, NPY_INT64,
};

const int numext_exact_state_nkernels =
    (int)(sizeof numext_exact_state_kernels / sizeof numext_exact_state_kernels[0]);
_Static_assert(sizeof numext_exact_state_types ==
                   2 * (sizeof numext_exact_state_kernels / sizeof numext_exact_state_kernels[0]),
               "one (in, out) pair per kernel");
