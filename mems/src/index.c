/*
 * The hole index of the active policy, kept in step with the bitmaps: the
 * fit tree (by address) for first, next and worst fit, the size bins for best
 * fit. Only the one the policy needs is maintained; switching policy builds
 * the other from the bitmaps and drops the first.
 */
#include "mems_internal.h"

/* Makes the index the policy needs the live one; false (nothing changed)
 * when the bins cannot be mapped. */
bool index_select(enum mems_policy policy)
{
    if (mems_policy_rounds_to_classes(policy)) /* no hole index: per-class lists (classes.c) */
        return classes_select(policy);
    mems_state.classes.member = 0;
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

void index_release(void)
{
    bins_clear();
    store_release(); /* the class-rounding members' records */
    mems_state.fit_active = false;
    mems_state.aside_valid = false;
    mems_state.fit_dirty_count = 0;
}

/* In granules. */
uint64_t index_largest_hole(void)
{
    if (mems_state.classes.member != 0) /* class-rounding members (classes.c) */
        return classes_largest_hole();
    return mems_state.bins.active ? bins_largest() : fit_largest();
}
