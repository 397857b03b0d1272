/*
 * The active placement index (index.c, policy.c): which member's index is
 * live, switched on a change of policy through the members' tables (struct
 * policy_ops, placement.h), and the calls the segment layer above makes of
 * it, inline: the fit tree's and the size bins' directly, every other
 * member's through its table. ARCHITECTURE.md, "Layers".
 */
#ifndef MEMS_INDEX_H
#define MEMS_INDEX_H

#include "placement.h"

/* ---- the address-ordered four's calls: made inline below and held by
 * their tables (policy.c), so both are the same functions ---- */

static inline __attribute__((always_inline)) bool bins_room(size_t more_holes)
{
    const struct size_bins *b = &mems_state.bins;
    return b->stale || b->records_in_use + 1 + more_holes <= b->record_capacity || bins_reserve(more_holes);
}

/* First, next and worst fit: worst fit's entries are exact maxima (fit_exact). */
static inline __attribute__((always_inline)) void fit_hole_added(grain_t g, uint64_t size)
{
    if (mems_state.fit_exact)
        worst_note_added(g, size);
    else
        fit_note_added(g, size);
}

/* The tail is kept beside the tree, not in it; first and next fit's bounds
 * above a hole that goes stay valid (upper bounds), worst fit's maxima do not. */
static inline __attribute__((always_inline)) void fit_hole_removed(grain_t g, uint64_t size)
{
    if (mems_state.tail_valid && g == mems_state.tail_grain)
        mems_state.tail_valid = false;
    else if (mems_state.fit_exact)
        fit_note_removed(g, size);
}

/* First and next fit: a hole carved from its front leaves the fit tree as it
 * is when the rest starts in the same word (that word's bound, an upper bound,
 * covered the larger hole, and so did every floor of its size and below), and
 * the tail stays the tail. Worst fit's entries are exact: worst_shrunk_in_place. */
static inline __attribute__((always_inline)) bool fit_shrunk_in_place(grain_t from, uint64_t size, grain_t to,
                                                                      uint64_t new_size)
{
    if (mems_state.fit_exact)
        return worst_shrunk_in_place(from, size, to, new_size);
    if (mems_state.tail_valid && from == mems_state.tail_grain) {
        mems_state.tail_grain = to;
        mems_state.tail_size = new_size;
        return true;
    }
    return (from >> 6) == (to >> 6);
}

/* Worst fit's tree gets exact again at the end of an operation. */
static inline __attribute__((always_inline)) void fit_end_operation(void)
{
    if (mems_state.fit_dirty_count != 0)
        fit_commit();
}

/* The size bins compact their store when three quarters of it stand empty. */
static inline __attribute__((always_inline)) void bins_end_operation(void)
{
    if (mems_state.bins.records_in_use < mems_state.bins.compact_below)
        bins_compact();
}

/* The size of HOLE `g`, the only hole starting in its word (`word_holes`
 * its word's hole bits), when the index knows it without a search for its
 * end, else 0: worst fit's exact maxima hold it, or it is the hole set aside.
 * Between operations only, when the maxima are committed. A free that meets
 * a hole after its block asks this first: under worst fit the hole mostly
 * runs past its word (sqlite-queries: 628,175 such frees, 612,098 of them
 * with the hole alone in its word). */
static inline uint64_t index_sole_hole_size(grain_t g, uint64_t word_holes)
{
    if (!mems_state.fit_exact || (word_holes & (word_holes - 1)) != 0)
        return 0;
    assert(mems_state.fit_dirty_count == 0 && word_holes == (uint64_t)1 << (g & 63));
    if (mems_state.aside_valid && g == mems_state.aside_grain)
        return mems_state.aside_size;
    if (mems_state.tail_valid && g == mems_state.tail_grain)
        return mems_state.tail_size;
    uint32_t largest = mems_state.dir.levels[0][g >> 6];
    return largest < FIT_SATURATED ? largest : 0;
}

/* ---- index.c: keeps the active policy's index in step with the bitmaps.
 * The calls every operation makes are here, inline: the address-ordered
 * four's by their flags (fit_active, bins.active), most one test; every
 * other member's through its table. ---- */

/* The zoo's members share one record store (zoo_store.c), and every one
 * reserves in it: when it is live and has room, no call. */
static inline bool zoo_room(size_t more_holes)
{
    const struct zoo_index *z = &mems_state.zoo;
    return (!z->stale && z->in_use + 1 + more_holes <= z->capacity) || z->ops->reserve(more_holes);
}

static inline bool index_reserve(size_t more_holes)
{
    /* the fit tree is the bitmaps' own: nothing to reserve; a class-rounding member has no table */
    if (!mems_state.bins.active)
        return __builtin_expect(mems_state.fit_active, 1) || mems_state.zoo.ops == NULL || zoo_room(more_holes);
    return bins_room(more_holes);
}

/* Before a search: an index dropped by a free is rebuilt; false when it cannot be. */
static inline bool index_prepare(void)
{
    return !mems_state.bins.active || !mems_state.bins.stale || bins_rebuild();
}

static inline void index_hole_added(grain_t g, uint64_t size)
{
    if (!mems_state.fit_active) {
        /* bins_add tests the same flag first: best fit pays nothing for the zoo */
        if (__builtin_expect(!mems_state.bins.active, 0)) {
            if (mems_state.zoo.ops != NULL) /* none under a class-rounding member */
                mems_state.zoo.ops->hole_added(g, size);
        } else
            bins_add(g, size);
    } else
        fit_hole_added(g, size);
}

static inline void index_hole_removed(grain_t g, uint64_t size)
{
    if (g == mems_state.known_hole)
        mems_state.known_hole = GRAIN_NONE;
    if (!mems_state.fit_active) {
        if (__builtin_expect(!mems_state.bins.active, 0)) {
            if (mems_state.zoo.ops != NULL)
                mems_state.zoo.ops->hole_removed(g, size);
        } else
            bins_remove(g, size);
    } else
        fit_hole_removed(g, size);
}

/* Hole (from, size) becomes (to, new_size), a smaller hole that ends where
 * it ended (a placement or a growth carving its front): true when the index
 * did that in place, and neither index_hole_removed nor index_hole_added is
 * to be called; false (nothing changed) when they are. */
static inline bool index_hole_shrunk(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    if (mems_state.fit_active                         ? !fit_shrunk_in_place(from, size, to, new_size)
        : __builtin_expect(!mems_state.bins.active, 0)
            ? mems_state.zoo.ops == NULL || !mems_state.zoo.ops->hole_shrunk(from, size, to, new_size)
                                                      : !bins_shrink_first(from, size, to, new_size))
        return false;
    if (from == mems_state.known_hole)
        mems_state.known_hole = GRAIN_NONE;
    return true;
}

/* Hole (from, size) became (to, new_size) by a free's merge: true when the
 * member's index did that in one note (the zoo's members keep the record),
 * and neither index_hole_removed of it nor index_hole_added is to be
 * called; false (nothing changed) when they are. */
static inline bool index_hole_merged(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    /* the address-ordered four's tables have none: no test of their flags */
    bool (*merged)(grain_t, uint64_t, grain_t, uint64_t) = mems_state.zoo.hole_merged;
    if (merged == NULL || !merged(from, size, to, new_size))
        return false;
    if (from == mems_state.known_hole)
        mems_state.known_hole = GRAIN_NONE;
    return true;
}

static inline void index_commit(void)
{
    if (mems_state.fit_active)
        fit_end_operation();
    else if (__builtin_expect(!mems_state.bins.active, 0)) {
        if (mems_state.zoo.ops != NULL && mems_state.zoo.ops->commit != NULL)
            mems_state.zoo.ops->commit();
    } else
        bins_end_operation();
}

bool index_select(enum mems_policy policy);
void index_release(void);
uint64_t index_largest_hole(void);
int index_check_own(char *what, size_t what_size);
/* The node layer's side of the index (struct node_events), for state_reset to register. */
extern const struct node_events index_node_events;


/* The hole the policy chooses for `size` granules, or GRAIN_NONE; inline,
 * so that a malloc pays no call for the choice of query. */
static inline grain_t policy_search(uint64_t size)
{
    grain_t g;
    mems_state.searches++;
    mems_state.found_hole_size = 0;
    switch (mems_state.config.policy) {
    case MEMS_NEXT_FIT: g = policy_next_fit(size); break;
    case MEMS_BEST_FIT: g = bins_best(size); break;
    case MEMS_WORST_FIT: g = fit_worst(size); break;
    case MEMS_FIRST_FIT: g = fit_first(size, 0); break;
    default: g = mems_state.zoo.ops->search(size); break;
    }
    return g;
}

#endif /* MEMS_INDEX_H */
