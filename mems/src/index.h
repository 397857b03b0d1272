/*
 * Placement indexes: the hole index of each member of the policy zoo behind
 * one interface (struct policy_ops), and the calls the segment layer above
 * makes of the active one, inline. Above the nodes: an index reads the
 * bitmaps and the nodes to build itself and to check itself, and is told of
 * every hole that appears or goes. ARCHITECTURE.md, "Layers".
 */
#ifndef MEMS_INDEX_H
#define MEMS_INDEX_H

#include "chain.h"

/* The placement policy interface: what a member's hole index does, as
 * TLSF's control functions or a malloc lab's driver table. The chains call
 * the notes once per hole that appears, goes or shrinks from its front, and
 * commit at the end of each operation; placement asks search. The
 * address-ordered four are served inline by the fit tree and the size bins
 * (index_* below, policy_search) and have no table: policy_ops_of gives NULL. */
struct policy_ops {
    bool (*build)(void);            /* the index from the bitmaps; false: mmap failed */
    void (*drop)(void);
    bool (*reserve)(size_t more);   /* room for `more` holes to appear; false: mmap failed */
    void (*hole_added)(grain_t g, uint64_t size);
    void (*hole_removed)(grain_t g, uint64_t size);
    /* (from, size) became (to, new_size), its front carved: true when done
     * in place, false to be told as a removal and an addition */
    bool (*hole_shrunk)(grain_t from, uint64_t size, grain_t to, uint64_t new_size);
    grain_t (*search)(uint64_t size); /* the hole chosen, its size in found_hole_size; GRAIN_NONE */
    void (*commit)(void);
    uint64_t (*largest)(void);
    int (*check)(char *what, size_t what_size); /* faults, the first described */
};

/* fit_tree.c: holes by address */
void fit_note_removed(grain_t g, uint64_t size);
void fit_note_added(grain_t g, uint64_t size);
void worst_note_added(grain_t g, uint64_t size);
void fit_commit(void);
grain_t fit_first(uint64_t size, grain_t from);
grain_t fit_worst(uint64_t size);
void fit_aside_return(void);
uint64_t fit_largest(void);
void fit_rebuild(void);
void fit_floors_reset(void);
void fit_clear(void);
int fit_check(void);

/* size_bins.c: holes by size */
uint32_t bins_index_of(uint64_t size);
bool bins_reserve(size_t more);
void bins_add(grain_t g, uint64_t size);
bool bins_shrink_first(grain_t from, uint64_t size, grain_t to, uint64_t new_size);
void bins_remove(grain_t g, uint64_t size);
grain_t bins_best(uint64_t size);
uint64_t bins_largest(void);
bool bins_rebuild(void);
void bins_clear(void);
void bins_compact(void);
int bins_check(size_t *count);

/* policy.c, zoo_*.c: the members with an index of their own */
const struct policy_ops *policy_ops_of(enum mems_policy policy);
extern const struct policy_ops policy_first_list_ops, policy_next_list_ops, policy_best_list_ops, policy_tlsf_ops,
    policy_lea_ops;
uint32_t zoo_record_find(grain_t g);
bool zoo_store_reserve(size_t more);
uint32_t zoo_record_take(grain_t g, uint64_t size, uint64_t stamp);
void zoo_record_give(uint32_t n);
void zoo_record_move(uint32_t n, grain_t to, uint64_t new_size);
uint32_t zoo_hole_appeared(grain_t g, uint64_t size, uint64_t stamp);
uint32_t zoo_hole_at(grain_t g, uint64_t size);
bool zoo_store_ready(void);
bool zoo_reserve(size_t more);
void zoo_store_release(void);
void zoo_store_drop(void);
bool zoo_store_build(void);
int zoo_store_check(void);
uint32_t zoo_treap_insert(uint32_t t, uint32_t n, bool by_size);
uint32_t zoo_treap_remove(uint32_t t, uint32_t n, bool by_size);
uint32_t zoo_treap_best_fit(uint32_t t, uint64_t size);
int zoo_treap_check(uint32_t root, bool by_size, size_t *count);
void zoo_sized_insert(uint32_t n);
void zoo_sized_remove(uint32_t n);
uint32_t zoo_sized_best_fit(uint64_t size);
uint64_t zoo_sized_largest(void);
int zoo_sized_check(size_t *count);
void zoo_slots_release(void);
bool zoo_slots_add(uint32_t n, bool front);
void zoo_slots_remove(uint32_t n);
void zoo_slots_shrunk(uint32_t n);
uint32_t zoo_slots_first_fit(uint64_t from, uint64_t size);
uint64_t zoo_slots_largest(void);
int zoo_slots_check(size_t *count);

/* class_sizes.c, class_store.c, buddy.c, simple_seg.c: the class-rounding
 * members' classes, records and per-class lists (classes.h) */
enum class_member class_member_of(enum mems_policy policy);
bool class_of(uint64_t granules, struct class_id *out);
size_t class_node_pages(struct class_id c);
bool store_reserve(uint32_t more);
uint32_t store_add(uint64_t grain, struct class_id c, uint8_t kind, uint64_t value);
uint32_t store_find(uint64_t grain);
void store_delete(uint32_t r);
void store_release(void);
int store_check(size_t segments, size_t free_blocks);
void list_push(uint32_t r);
void list_remove(uint32_t r);
uint32_t classes_no_memory(void);
struct main_node *classes_new_node(struct class_id c);
bool classes_select(enum mems_policy policy);
uint64_t classes_largest_hole(void);
uint32_t buddy_take(struct class_id c);
void buddy_release(uint32_t r);
uint32_t seg_take(struct class_id c);
void seg_release(uint32_t r);

/* index.c: keeps the active policy's index in step with the bitmaps. The
 * calls every operation makes are here, inline: most are one test. */
static inline bool index_reserve(size_t more_holes)
{
    const struct size_bins *b = &mems_state.bins;
    if (!b->active)
        return __builtin_expect(mems_state.zoo.ops == NULL, 1) || mems_state.zoo.ops->reserve(more_holes);
    return b->stale || b->records_in_use + 1 + more_holes <= b->record_capacity || bins_reserve(more_holes);
}

/* Before a search: an index dropped by a free is rebuilt; false when it cannot be. */
static inline bool index_prepare(void)
{
    return !mems_state.bins.active || !mems_state.bins.stale || bins_rebuild();
}

/* First and next fit: a hole carved from its front leaves the fit tree as it
 * is when the rest starts in the same word (that word's bound, an upper bound,
 * covered the larger hole, and so did every floor of its size and below), and
 * the tail stays the tail. Worst fit's entries are exact: never in place. */
static inline bool fit_shrunk_in_place(grain_t from, grain_t to, uint64_t new_size)
{
    if (mems_state.fit_exact)
        return false;
    if (mems_state.tail_valid && from == mems_state.tail_grain) {
        mems_state.tail_grain = to;
        mems_state.tail_size = new_size;
        return true;
    }
    return (from >> 6) == (to >> 6);
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
    } else if (mems_state.fit_exact)
        worst_note_added(g, size);
    else
        fit_note_added(g, size);
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
    } else if (mems_state.tail_valid && g == mems_state.tail_grain)
        mems_state.tail_valid = false;
    else if (mems_state.fit_exact) /* first and next fit: the bounds above a hole that goes stay valid */
        fit_note_removed(g, size);
}

/* Hole (from, size) becomes (to, new_size), a smaller hole that ends where
 * it ended (a placement or a growth carving its front): true when the index
 * did that in place, and neither index_hole_removed nor index_hole_added is
 * to be called; false (nothing changed) when they are. */
static inline bool index_hole_shrunk(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    if (mems_state.fit_active                         ? !fit_shrunk_in_place(from, to, new_size)
        : __builtin_expect(!mems_state.bins.active, 0)
            ? mems_state.zoo.ops == NULL || !mems_state.zoo.ops->hole_shrunk(from, size, to, new_size)
                                                      : !bins_shrink_first(from, size, to, new_size))
        return false;
    if (from == mems_state.known_hole)
        mems_state.known_hole = GRAIN_NONE;
    return true;
}

/* Ends an operation: worst fit's tree gets exact again, the size
 * bins compact their store when three quarters of it stand empty. */
static inline void index_commit(void)
{
    if (mems_state.fit_active) {
        if (mems_state.fit_dirty_count != 0)
            fit_commit();
    } else if (__builtin_expect(!mems_state.bins.active, 0)) {
        if (mems_state.zoo.ops != NULL)
            mems_state.zoo.ops->commit();
    } else if (mems_state.bins.records_in_use < mems_state.bins.compact_below) {
        bins_compact();
    }
}

bool index_select(enum mems_policy policy);
void index_release(void);
uint64_t index_largest_hole(void);
int index_check_own(char *what, size_t what_size);
/* The node layer's side of the index (struct node_events), for state_reset to register. */
extern const struct node_events index_node_events;

/* policy.c: the placement policies, each one query on the active index */
grain_t policy_next_fit(uint64_t size);

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
