/*
 * The hole index of the active policy, kept in step with the bitmaps: the
 * fit tree (by address) for first, next and worst fit, the size bins for best
 * fit, and for every other member the index its table keeps (zoo_*.c). Only
 * the one the policy needs is maintained; switching policy goes through the
 * members' tables (struct policy_ops): the new index built from the bitmaps,
 * the old one dropped.
 */
#include "index.h"

/* A member of the other storage (the four's fit tree and size bins, the
 * zoo's record store): its index dropped. */
static bool storage_differs(const struct policy_ops *a, const struct policy_ops *b)
{
    return a != NULL && a->address_ordered != b->address_ordered;
}

/* Makes the index the policy needs the live one; false (nothing changed)
 * when it cannot be mapped. The new index is built before the old one of the
 * other storage is dropped, so a failed mmap leaves the old policy its index:
 * rebuilt when the failed build took over its storage (the zoo's builds start
 * from an empty store; the four's change nothing before theirs succeeds).
 * Out of line: state_reset reaches it from the flattened mems_malloc and
 * mems_free, where its cold body would only crowd the hot path's registers
 * (first fit's timed replay of gawk-words: 815.0 M instructions inlined,
 * 810.6 M out of line). */
__attribute__((noinline)) bool index_select(enum mems_policy policy)
{
    const struct policy_ops *old = mems_state.zoo.ops;
    if (mems_policy_rounds_to_classes(policy)) { /* no hole index: per-class lists (class_blocks.c) */
        if (old != NULL)
            old->drop();
        mems_state.zoo.ops = NULL;
        mems_state.zoo.hole_merged = NULL;
        return classes_select(policy);
    }
    mems_state.classes.member = 0;
    const struct policy_ops *ops = policy_ops_of(policy);
    int old_policy = mems_state.zoo.policy;
    mems_state.zoo.ops = ops;
    mems_state.zoo.policy = policy;
    mems_state.zoo.hole_merged = ops->hole_merged;
    if (!ops->build()) {
        mems_state.zoo.ops = old;
        mems_state.zoo.hole_merged = old != NULL ? old->hole_merged : NULL;
        mems_state.zoo.policy = old_policy;
        if (old != NULL && !storage_differs(old, ops))
            old->build();
        else
            ops->drop(); /* what the failed build left: the zoo's store marked stale */
        return false;
    }
    if (storage_differs(old, ops))
        old->drop();
    return true;
}

void index_release(void)
{
    bins_clear();
    store_release(); /* the class-rounding members' records */
    const struct policy_ops *ops = mems_state.zoo.ops;
    /* the fit tree's levels go with the granule directory (grain_release_all):
     * clearing them now would only touch pages about to be unmapped */
    if (ops != NULL && !ops->address_ordered)
        ops->drop();
    mems_state.fit_active = false;
    mems_state.aside_valid = false;
    mems_state.fit_dirty_count = 0;
}

/* In granules. */
uint64_t index_largest_hole(void)
{
    if (mems_state.classes.member != 0) /* class-rounding members (class_blocks.c) */
        return classes_largest_hole();
    return mems_state.zoo.ops->largest();
}

/* For mems_check: the member's own index; faults, the first described. A
 * class-rounding member's lists are checked by classes_check. */
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
