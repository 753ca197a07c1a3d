/*
 * sum_rules: the probe's answer and the per-call note of the input's kind
 * (see sum_rules.h).
 */
#include "sum_rules.h"

#include <stddef.h>

#include "call_settings.h"
#include "import_probe.h"

/* Kinds of input np.sum reduces per buffer; until the probe ran, the rule of
 * every NumPy tried: byte-swapped, misaligned and cast input. */
static int buffered_kinds = NUMEXT_INPUT_SWAPPED | NUMEXT_INPUT_MISALIGNED | NUMEXT_INPUT_CAST;

int numext_sum_rules_init(void)
{
    long kinds;
    if (numext_call_probe("numext._sum_rules", "probe", &kinds) < 0) {
        return -1;
    }
    buffered_kinds = (int)kinds;
    return 0;
}

int numext_sum_rules_buffered(void) { return buffered_kinds; }

static int input_kind(PyObject *obj, int *type_num)
{
    if (!PyArray_Check(obj)) {
        *type_num = NPY_NOTYPE; /* converted by NumPy to a fresh array */
        return NUMEXT_INPUT_NATIVE;
    }
    PyArrayObject *arr = (PyArrayObject *)obj;
    *type_num = PyArray_TYPE(arr);
    int kind = 0;
    if (!PyArray_ISNOTSWAPPED(arr)) {
        kind |= NUMEXT_INPUT_SWAPPED;
    }
    if (!PyArray_ISALIGNED(arr)) {
        kind |= NUMEXT_INPUT_MISALIGNED;
    }
    return kind != 0 ? kind : NUMEXT_INPUT_NATIVE;
}

/* parallel_sum's note (call_settings.h): the input's kind bits (NATIVE
 * meaning "as the loop will read it, if the dtypes match") and its dtype's
 * number, from the one positional operand; kind 0 without one. */
static void note_input(PyObject *const *args, size_t nargsf, struct numext_call_note *note)
{
    if (PyVectorcall_NARGS(nargsf) >= 1) {
        note->kind = input_kind(args[0], &note->type_num);
    } else {
        note->kind = 0;
    }
}

int numext_sum_rules_install(PyObject *ufunc)
{
    return numext_call_settings_add_note(ufunc, note_input);
}

static int is_float_type(int type_num)
{
    switch (type_num) {
    case NPY_HALF:
    case NPY_FLOAT:
    case NPY_DOUBLE:
    case NPY_LONGDOUBLE:
    case NPY_CFLOAT:
    case NPY_CDOUBLE:
    case NPY_CLONGDOUBLE:
        return 1;
    default:
        return 0;
    }
}

npy_intp numext_sum_chunk(int type_num)
{
    if (!is_float_type(type_num)) {
        return 0;
    }
    const struct numext_call_note call = numext_call_note();
    int kind = call.kind;
    if (kind == 0) {
        kind = NUMEXT_INPUT_NATIVE; /* the loop called some other way */
    }
    if (call.type_num != NPY_NOTYPE && call.kind != 0 && call.type_num != type_num) {
        kind |= NUMEXT_INPUT_CAST;
        kind &= ~NUMEXT_INPUT_NATIVE;
    }
    return (kind & buffered_kinds) ? numext_call_bufsize() : 0;
}
