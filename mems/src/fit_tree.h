/*
 * What the fit tree's two files share: fit_tree.c (the tree by address,
 * first and next fit) and fit_worst.c (worst fit's exact maxima and the hole
 * it keeps aside).
 */
#ifndef MEMS_FIT_TREE_H
#define MEMS_FIT_TREE_H

#include "placement.h"

uint64_t fit_tree_holes(uint64_t word, uint64_t holes);
uint32_t fit_holes_largest(uint64_t word, uint64_t holes);
/* The lowest-addressed hole of the tree of at least `size` granules at or after `from`. */
grain_t fit_tree_first(uint64_t size, grain_t from);
/* The largest hole of the heap and the lowest-addressed of that size, by a walk of the chains. */
uint64_t fit_largest_by_walk(grain_t *where);

#endif /* MEMS_FIT_TREE_H */
