/*
 * The hole index of the active policy, kept in step with the bitmaps: the
 * fit tree (by address) for first, next and worst fit, the size bins for best
 * fit, and for every other member the index its policy_ops keep (zoo_*.c).
 * Only the one the policy needs is maintained; switching policy builds the
 * new one from the bitmaps and drops the old.
 */
#include "index.h"

/* The fit tree and the size bins given up for a member with its own index. */
static void address_indexes_drop(void)
{
    mems_state.fit_exact = false;
    fit_aside_return();
    mems_state.fit_floored = false;
    if (mems_state.fit_active) {
        fit_clear();
        mems_state.fit_active = false;
    }
    bins_clear();
}

/* A member with its own index: built first, so a failed mmap leaves the old
 * index (a member's own one rebuilt, or left to rebuild before its next
 * search) and the old policy. */
static bool zoo_select(const struct policy_ops *ops, enum mems_policy policy)
{
    const struct policy_ops *old = mems_state.zoo.ops;
    int old_policy = mems_state.zoo.policy;
    mems_state.zoo.ops = ops;
    mems_state.zoo.policy = policy;
    if (!ops->build()) {
        mems_state.zoo.ops = old;
        mems_state.zoo.policy = old_policy;
        if (old != NULL)
            old->build();
        else
            zoo_store_release();
        return false;
    }
    address_indexes_drop();
    return true;
}

/* Makes the index the policy needs the live one; false (nothing changed)
 * when it cannot be mapped. */
bool index_select(enum mems_policy policy)
{
    if (mems_policy_rounds_to_classes(policy)) { /* no hole index: per-class lists (class_blocks.c) */
        if (mems_state.zoo.ops != NULL) {
            mems_state.zoo.ops->drop();
            mems_state.zoo.ops = NULL;
        }
        return classes_select(policy);
    }
    mems_state.classes.member = 0;
    const struct policy_ops *ops = policy_ops_of(policy);
    if (ops != NULL)
        return zoo_select(ops, policy);
    bool want_bins = policy == MEMS_BEST_FIT, want_exact = policy == MEMS_WORST_FIT;
    if (want_bins && !mems_state.bins.active && !bins_rebuild())
        return false;
    if (mems_state.zoo.ops != NULL) {
        mems_state.zoo.ops->drop();
        mems_state.zoo.ops = NULL;
    }
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

void index_release(void)
{
    bins_clear();
    store_release(); /* the class-rounding members' records */
    if (mems_state.zoo.ops != NULL)
        mems_state.zoo.ops->drop();
    mems_state.fit_active = false;
    mems_state.aside_valid = false;
    mems_state.fit_dirty_count = 0;
}

/* In granules. */
uint64_t index_largest_hole(void)
{
    if (mems_state.classes.member != 0) /* class-rounding members (class_blocks.c) */
        return classes_largest_hole();
    if (mems_state.zoo.ops != NULL)
        return mems_state.zoo.ops->largest();
    return mems_state.bins.active ? bins_largest() : fit_largest();
}

/* For mems_check: the member's own index; faults, the first described. */
int index_check_own(char *what, size_t what_size)
{
    return mems_state.zoo.ops != NULL ? mems_state.zoo.ops->check(what, what_size) : 0;
}

/* ---- the node layer's side (struct node_events): a node's one HOLE ---- */

static bool node_reserve(size_t more_holes)
{
    return index_reserve(more_holes);
}

static void node_hole_added(grain_t g, uint64_t size)
{
    index_hole_added(g, size);
}

static void node_hole_removed(grain_t g, uint64_t size)
{
    index_hole_removed(g, size);
}

static void node_commit(void)
{
    index_commit();
}

/* The last node went: the indexes keep their policy and map nothing, each
 * mapped again with the first hole of the next node. */
static void node_emptied(void)
{
    mems_state.fit_dirty_count = 0;
    mems_state.tail_valid = false;
    mems_state.aside_valid = false;
    mems_state.known_hole = GRAIN_NONE;
    fit_floors_reset();
    bool best_fit = mems_state.bins.active;
    bins_clear();
    mems_state.bins.active = best_fit;
    zoo_store_release();
}

const struct node_events index_node_events = {
    .reserve = node_reserve,
    .hole_added = node_hole_added,
    .hole_removed = node_hole_removed,
    .commit = node_commit,
    .emptied = node_emptied,
};
