/*
 * pairwise_tree: cutting NumPy's pairwise tree into leaves and adding the
 * leaves' partial sums back up it (see pairwise_tree.h). Pure arithmetic.
 */
#include "pairwise_tree.h"

/* Leaves of the pairwise tree over n elements: nodes no longer than `target`. */
void numext_tree_collect_leaves(int tree, npy_intp start, npy_intp n, npy_intp target,
                                npy_intp *leaf_start, npy_intp *leaf_len, npy_intp *count)
{
    npy_intp n2 = numext_sum_tree_split(tree, n);
    if (n <= target || n2 == 0) {
        leaf_start[*count] = start;
        leaf_len[*count] = n;
        (*count)++;
        return;
    }
    numext_tree_collect_leaves(tree, start, n2, target, leaf_start, leaf_len, count);
    numext_tree_collect_leaves(tree, start + n2, n - n2, target, leaf_start, leaf_len, count);
}

/* The value of the node of n elements, from its leaves, in tree order. */
void numext_tree_combine_leaves(const numext_sum_kernel *k, npy_intp n, npy_intp target,
                                const numext_sum_acc *leaves, npy_intp *next, numext_sum_acc *out)
{
    npy_intp n2 = numext_sum_tree_split(k->tree, n);
    if (n <= target || n2 == 0) {
        *out = leaves[(*next)++];
        return;
    }
    numext_sum_acc right;
    numext_tree_combine_leaves(k, n2, target, leaves, next, out);
    numext_tree_combine_leaves(k, n - n2, target, leaves, next, &right);
    k->combine(out, &right);
}

/* The same for rows of column partials, in place: returns the leaf whose row
 * now holds the node's value. */
npy_intp numext_tree_combine_leaf_rows(const numext_sum_kernel *k, char *rows, npy_intp ncols,
                                       npy_intp n, npy_intp target, npy_intp *next)
{
    npy_intp n2 = numext_sum_tree_split(k->tree, n);
    if (n <= target || n2 == 0) {
        return (*next)++;
    }
    npy_intp left = numext_tree_combine_leaf_rows(k, rows, ncols, n2, target, next);
    npy_intp right = numext_tree_combine_leaf_rows(k, rows, ncols, n - n2, target, next);
    const size_t row = (size_t)ncols * (size_t)k->accsize;
    k->cols_combine(rows + (size_t)left * row, rows + (size_t)right * row, ncols);
    return left;
}

/* Upper bound on the leaves of a tree cut at `target`: the cut is at most
 * ceil(log2(n / target)) + 1 levels deep and every split halves (to within 8). */
npy_intp numext_tree_max_leaves(npy_intp n, npy_intp target)
{
    npy_intp count = 1;
    while (n > target && count < ((npy_intp)1 << 20)) {
        n = n / 2 + 8;
        count *= 2;
    }
    return count * 2;
}
