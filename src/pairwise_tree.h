/*
 * pairwise_tree: NumPy's pairwise summation tree cut at its nodes. The leaves
 * (nodes no longer than a target) are summed independently, by any threads;
 * adding their sums back up the tree, in tree order, gives the bits of one
 * pairwise sum over the whole node. Pure functions: no threads, no NumPy
 * objects, no allocation.
 */
#ifndef NUMEXT_PAIRWISE_TREE_H
#define NUMEXT_PAIRWISE_TREE_H

#include "pairwise_sum_kernels.h"

/* Appends the leaves (start, length) of the tree over elements [start, start
 * + n) to leaf_start/leaf_len at *count. */
void numext_tree_collect_leaves(int tree, npy_intp start, npy_intp n, npy_intp target,
                                npy_intp *leaf_start, npy_intp *leaf_len, npy_intp *count);

/* The sum of a node of n elements from its leaves' sums (leaves[*next], ...,
 * consumed in order). */
void numext_tree_combine_leaves(const numext_sum_kernel *k, npy_intp n, npy_intp target,
                                const numext_sum_acc *leaves, npy_intp *next, numext_sum_acc *out);

/* The same for rows of ncols column sums (row i of `rows`: leaf i), in place;
 * returns the row that holds the node's sums. */
npy_intp numext_tree_combine_leaf_rows(const numext_sum_kernel *k, char *rows, npy_intp ncols,
                                       npy_intp n, npy_intp target, npy_intp *next);

/* At least the number of leaves of a tree over n elements cut at target. */
npy_intp numext_tree_max_leaves(npy_intp n, npy_intp target);

#endif
