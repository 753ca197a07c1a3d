/*
 * What the exact_sum loops are made of: for each input dtype a range kernel
 * (exact_sum_range.h expanded per type), for each result a store that rounds
 * the accumulator once (or writes its state), and a loop descriptor pairing
 * the two (exact_sum_table.c); exact_sum.c runs them.
 */
#ifndef NUMEXT_EXACT_SUM_TABLE_H
#define NUMEXT_EXACT_SUM_TABLE_H

#include "numext_numpy.h"

#include "exact_accumulator.h"

/* Add n elements `stride` bytes apart to acc (work's bins flushed again). */
typedef void (*exact_range_fn)(exact_acc *acc, const char *a, npy_intp n, npy_intp stride,
                               exact_work *work);
/* Write the result of ncomp accumulators at out (core elements out_step apart). */
typedef void (*exact_store_fn)(const exact_acc *acc, char *out, npy_intp out_step);

typedef struct {
    npy_intp itemsize;  /* input element size */
    int ncomp;          /* accumulators per element: 1, or 2 for complex (re, im) */
    npy_intp comp_size; /* bytes from one component to the next */
    exact_range_fn add_range;
    exact_store_fn store;
    int float64_columns; /* adjacent columns can go to exact_add_columns */
} exact_kernel;

/* exact_sum's loops and their (input, output) type pairs; likewise
 * _exact_sum_state's, whose output is the EXACT_STATE_WORDS-long state. */
extern const exact_kernel numext_exact_sum_kernels[];
extern const char numext_exact_sum_types[];
extern const int numext_exact_sum_nkernels;
extern const exact_kernel numext_exact_state_kernels[];
extern const char numext_exact_state_types[];
extern const int numext_exact_state_nkernels;

#endif
