/*
 * The exact accumulator's state as NumPy data, for reductions spread over
 * processes (dask): _exact_state_merge, (m, S)->(S), merges m states exactly;
 * _exact_state_round, (S)->(), rounds a state once to float64, float32 or
 * float16 (choose with dtype= or signature=). _exact_sum_state (exact_sum.c)
 * makes the states.
 */
#include "numext_numpy.h"

#include <string.h>

#include "exact_accumulator.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define S STR(EXACT_STATE_WORDS)

static void merge_loop(char **args, npy_intp const *dimensions, npy_intp const *steps, void *data)
{
    (void)data;
    /* dimensions [N, m, S]; steps [in_outer, out_outer, in_m, in_s, out_s] */
    for (npy_intp i = 0; i < dimensions[0]; i++) {
        const char *in = args[0] + i * steps[0];
        exact_acc acc, one;
        exact_acc_init(&acc);
        for (npy_intp j = 0; j < dimensions[1]; j++) {
            exact_acc_load(&one, in + j * steps[2], steps[3]);
            exact_acc_merge(&acc, &one);
        }
        exact_acc_save(&acc, args[1] + i * steps[1], steps[4]);
    }
}

static void round_loop(char **args, npy_intp const *dimensions, npy_intp const *steps, void *data)
{
    const int itemsize = (int)(npy_intp)data;
    /* dimensions [N, S]; steps [in_outer, out_outer, in_s] */
    for (npy_intp i = 0; i < dimensions[0]; i++) {
        exact_acc acc;
        exact_acc_load(&acc, args[0] + i * steps[0], steps[2]);
        char *out = args[1] + i * steps[1];
        if (itemsize == 8) {
            const uint64_t b = exact_acc_round_double(&acc);
            memcpy(out, &b, sizeof b);
        } else if (itemsize == 4) {
            const uint32_t b = exact_acc_round_float(&acc);
            memcpy(out, &b, sizeof b);
        } else {
            const uint16_t b = exact_acc_round_half(&acc);
            memcpy(out, &b, sizeof b);
        }
    }
}

static PyUFuncGenericFunction merge_funcs[] = {merge_loop};
static void *merge_data[] = {NULL};
static const char merge_types[] = {NPY_INT64, NPY_INT64};

static PyUFuncGenericFunction round_funcs[] = {round_loop, round_loop, round_loop};
static void *round_data[] = {(void *)(npy_intp)8, (void *)(npy_intp)4, (void *)(npy_intp)2};
static const char round_types[] = {NPY_INT64, NPY_DOUBLE, NPY_INT64,
                                   NPY_FLOAT, NPY_INT64,  NPY_HALF};

PyObject *numext_make_exact_state_merge(void)
{
    return PyUFunc_FromFuncAndDataAndSignature(
        merge_funcs, merge_data, (char *)merge_types, 1, 1, 1, PyUFunc_None, "_exact_state_merge",
        "_exact_state_merge(states, /): m exact-sum states merged into one.", 0,
        "(m," S ")->(" S ")");
}

PyObject *numext_make_exact_state_round(void)
{
    return PyUFunc_FromFuncAndDataAndSignature(
        round_funcs, round_data, (char *)round_types, 3, 1, 1, PyUFunc_None, "_exact_state_round",
        "_exact_state_round(state, /, *, dtype=float64): an exact-sum state rounded once.", 0,
        "(" S ")->()");
}
