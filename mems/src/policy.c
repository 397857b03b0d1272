/*
 * Placement policies. Each is one query on the active hole index, answered
 * with exactly the choice the specification's scan of the chains in address
 * order would make; the index entries a search looks at count as holes
 * examined (the harness plots them as the search cost).
 *
 * Next fit resumes in the segment holding the cursor, the address of the last
 * placement: after merges that is the merged hole, so the cursor never needs
 * to follow segments around.
 *
 * Here too the address-ordered four's tables (struct policy_ops): the
 * transitions between their two indexes, and the functions index.h calls
 * inline on every operation, so that the table and the hot path cannot
 * disagree.
 */
#include "index.h"

#include <assert.h>
#include <stdio.h>

grain_t policy_next_fit(uint64_t size)
{
    grain_t from = 0;
    uintptr_t cursor = mems_state.cursor;
    if (cursor != 0 && cursor == mems_state.given_v)
        from = mems_state.given_grain; /* the block placed last is still live: it holds the cursor */
    else if (cursor != 0 && chain_node_at(cursor) != NULL)
        from = grain_prev_start(v_to_grain(cursor));
    grain_t g = fit_first(size, from);
    if (g == GRAIN_NONE && from != 0)
        g = fit_first(size, 0);
    return g;
}

/* ---- the address-ordered four's tables: the functions index.h calls inline ---- */

/* The four share the fit tree (first, next, worst fit) and the size bins
 * (best fit): a build turns the one the policy needs on, the other off. Only
 * bins_rebuild maps, and it goes first: a failure changes nothing. */
static bool address_index_build(enum mems_policy policy)
{
    bool want_bins = policy == MEMS_BEST_FIT, want_exact = policy == MEMS_WORST_FIT;
    if (want_bins && !mems_state.bins.active && !bins_rebuild())
        return false;
    /* bounds left high by first or next fit are not the maxima worst fit needs */
    bool stale = want_exact && !mems_state.fit_exact;
    mems_state.fit_exact = want_exact;
    if (!want_exact)
        fit_aside_return();
    if (policy == MEMS_FIRST_FIT && !mems_state.fit_floored)
        fit_floors_reset(); /* holes that came under another policy lowered none */
    mems_state.fit_floored = policy == MEMS_FIRST_FIT;
    if (!want_bins && (!mems_state.fit_active || stale)) {
        mems_state.fit_active = true;
        fit_rebuild();
    }
    if (!want_bins && mems_state.bins.active)
        bins_clear();
    if (want_bins && mems_state.fit_active) {
        fit_clear();
        mems_state.fit_active = false;
    }
    return true;
}

static bool first_fit_build(void)
{
    return address_index_build(MEMS_FIRST_FIT);
}

static bool next_fit_build(void)
{
    return address_index_build(MEMS_NEXT_FIT);
}

static bool best_fit_build(void)
{
    return address_index_build(MEMS_BEST_FIT);
}

static bool worst_fit_build(void)
{
    return address_index_build(MEMS_WORST_FIT);
}

/* For a member of the zoo. Worst fit's hole aside needs no return: the tree
 * it would go back to is cleared. */
static void address_index_drop(void)
{
    mems_state.fit_exact = false;
    mems_state.fit_floored = false;
    if (mems_state.fit_active) {
        fit_clear();
        mems_state.fit_active = false;
    }
    bins_clear();
}

static bool fit_tree_reserve(size_t more_holes)
{
    (void)more_holes; /* the tree's words are the bitmaps' own */
    return true;
}

static bool fit_tree_shrunk(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    return fit_shrunk_in_place(from, size, to, new_size);
}

static grain_t first_fit_search(uint64_t size)
{
    return fit_first(size, 0);
}

static int fit_tree_check(char *what, size_t what_size)
{
    int bad = fit_check();
    if (bad != 0)
        snprintf(what, what_size, "fit tree: %d entries disagree with the holes", bad);
    return bad;
}

/* A free that could not grow the store left the bins stale: nothing to check
 * until the next search rebuilds them. */
static int size_bins_check(char *what, size_t what_size)
{
    if (mems_state.bins.stale)
        return 0;
    size_t records;
    int bad = bins_check(&records);
    bad += records != mems_state.hole_count;
    if (bad != 0)
        snprintf(what, what_size, "size bins: %d faults, %zu records for %zu holes", bad, records,
                 mems_state.hole_count);
    return bad;
}

#define FIT_TREE_OPS(build_fn, search_fn)                                                                          \
    {                                                                                                              \
        .build = build_fn, .drop = address_index_drop, .reserve = fit_tree_reserve, .hole_added = fit_hole_added,  \
        .hole_removed = fit_hole_removed, .hole_shrunk = fit_tree_shrunk, .search = search_fn,                     \
        .commit = fit_end_operation, .largest = fit_largest, .check = fit_tree_check, .address_ordered = true,     \
    }

const struct policy_ops policy_first_fit_ops = FIT_TREE_OPS(first_fit_build, first_fit_search);
const struct policy_ops policy_next_fit_ops = FIT_TREE_OPS(next_fit_build, policy_next_fit);
const struct policy_ops policy_worst_fit_ops = FIT_TREE_OPS(worst_fit_build, fit_worst);
const struct policy_ops policy_best_fit_ops = {
    .build = best_fit_build,
    .drop = address_index_drop,
    .reserve = bins_room,
    .hole_added = bins_add,
    .hole_removed = bins_remove,
    .hole_shrunk = bins_shrink_first,
    .search = bins_best,
    .commit = bins_end_operation,
    .largest = bins_largest,
    .check = size_bins_check,
    .address_ordered = true,
};

/* Every member with a hole index; NULL for the class-rounding members (their
 * own interface: take and release, classes.h) and for a member this build does not
 * implement. */
const struct policy_ops *policy_ops_of(enum mems_policy policy)
{
    switch (policy) {
    case MEMS_FIRST_FIT: return &policy_first_fit_ops;
    case MEMS_NEXT_FIT: return &policy_next_fit_ops;
    case MEMS_BEST_FIT: return &policy_best_fit_ops;
    case MEMS_WORST_FIT: return &policy_worst_fit_ops;
    case MEMS_FIRST_FIT_LIFO: return &policy_first_lifo_ops;
    case MEMS_FIRST_FIT_FIFO: return &policy_first_fifo_ops;
    case MEMS_NEXT_FIT_LIFO: return &policy_next_lifo_ops;
    case MEMS_NEXT_FIT_FIFO: return &policy_next_fifo_ops;
    case MEMS_BEST_FIT_LIFO:
    case MEMS_BEST_FIT_FIFO: return &policy_best_list_ops;
    case MEMS_TLSF: return &policy_tlsf_ops;
    case MEMS_LEA: return &policy_lea_ops;
    default: return NULL;
    }
}

int mems_policy_implemented(enum mems_policy policy)
{
    return policy_ops_of(policy) != NULL || mems_policy_rounds_to_classes(policy);
}
