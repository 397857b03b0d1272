/*
 * The placement layer's parts: the interface every member's hole index
 * answers to (struct policy_ops) and the functions of each index: the fit
 * tree, the size bins, the zoo's own indexes, the class-rounding members'
 * lists. Above the nodes: an index reads the bitmaps and the nodes to build
 * and check itself. Which index is live, and the calls the segment layer
 * makes of it: index.h. ARCHITECTURE.md, "Layers".
 */
#ifndef MEMS_PLACEMENT_H
#define MEMS_PLACEMENT_H

#include "chain.h"

/* The placement policy interface: what a member's hole index does, as
 * TLSF's control functions or a malloc lab's driver table. Every member with
 * a hole index has one (policy_ops_of); selection, largest, check and tools
 * go through it. The chains call the notes once per hole that appears, goes
 * or shrinks from its front, and commit at the end of each operation;
 * placement asks search. For the address-ordered four those calls are made
 * inline (index.h), to the functions their tables hold: a malloc pays no
 * indirect call for them. */
struct policy_ops {
    /* the index from the bitmaps, replacing that of a table of the same
     * storage (below); false: mmap failed, the new index not made */
    bool (*build)(void);
    void (*drop)(void);
    bool (*reserve)(size_t more);   /* room for `more` holes to appear; false: mmap failed */
    void (*hole_added)(grain_t g, uint64_t size);
    void (*hole_removed)(grain_t g, uint64_t size);
    /* (from, size) became (to, new_size), its front carved: true when done
     * in place, false to be told as a removal and an addition */
    bool (*hole_shrunk)(grain_t from, uint64_t size, grain_t to, uint64_t new_size);
    /* (from, size) became (to, new_size), the hole a free makes by merging
     * it with the freed block (and the hole on the block's other side, told
     * as removed first): one note, the record kept; true when done, false to
     * be told as a removal and an addition. NULL: never done. */
    bool (*hole_merged)(grain_t from, uint64_t size, grain_t to, uint64_t new_size);
    grain_t (*search)(uint64_t size); /* the hole chosen, its size in found_hole_size; GRAIN_NONE */
    void (*commit)(void);           /* NULL: nothing to do at the end of an operation */
    uint64_t (*largest)(void);
    int (*check)(char *what, size_t what_size); /* faults, the first described */
    /* the four: their index is the fit tree or the size bins, which they
     * share; false: the zoo's record store, which its members share */
    bool address_ordered;
};

/* fit_tree.c: holes by address */
void fit_note_removed(grain_t g, uint64_t size);
void fit_note_added(grain_t g, uint64_t size);
void worst_note_added(grain_t g, uint64_t size);
bool worst_shrunk_in_place(grain_t from, uint64_t size, grain_t to, uint64_t new_size);
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

/* policy.c: next fit's query on the fit tree, from its cursor */
grain_t policy_next_fit(uint64_t size);

/* policy.c, zoo_*.c: every member's table */
const struct policy_ops *policy_ops_of(enum mems_policy policy);
extern const struct policy_ops policy_first_fit_ops, policy_next_fit_ops, policy_best_fit_ops, policy_worst_fit_ops;
extern const struct policy_ops policy_first_lifo_ops, policy_first_fifo_ops, policy_next_lifo_ops,
    policy_next_fifo_ops, policy_best_list_ops, policy_tlsf_ops, policy_lea_ops;
uint32_t zoo_record_find(grain_t end);
bool zoo_store_reserve(size_t more);
uint32_t zoo_record_take(grain_t g, uint64_t size, uint64_t stamp);
void zoo_record_give(uint32_t n);
void zoo_record_move(uint32_t n, grain_t to, uint64_t new_size);
void zoo_record_reshaped(uint32_t n, grain_t to, uint64_t new_size);
uint32_t zoo_hole_appeared(grain_t g, uint64_t size, uint64_t stamp);
uint32_t zoo_hole_at(grain_t g, uint64_t size);
bool zoo_store_ready(void);
bool zoo_reserve(size_t more);
void zoo_store_release(void);
void zoo_store_drop(void);
bool zoo_store_build(void);
int zoo_store_check(void);
void zoo_sized_insert(uint32_t n);
void zoo_sized_remove(uint32_t n);
void zoo_sized_shrink(uint32_t n, grain_t to, uint64_t new_size);
uint32_t zoo_sized_best_fit(uint64_t size);
uint64_t zoo_sized_largest(void);
int zoo_sized_check(size_t *count);
void zoo_slots_release(void);
bool zoo_slots_add(uint32_t n, bool front);
void zoo_slots_remove(uint32_t n);
void zoo_slots_shrunk(uint32_t n);
uint32_t zoo_slots_first_fit(uint64_t from, uint64_t size);
uint32_t zoo_slots_first_fit_floored(uint64_t size);
uint64_t zoo_slots_largest(void);
int zoo_slots_check(size_t *count);

/* class_sizes.c, class_store.c, buddy.c, simple_seg.c: the class-rounding
 * members' classes, records and per-class lists (classes.h) */
enum class_member class_member_of(enum mems_policy policy);
bool class_of(uint64_t granules, struct class_id *out);
size_t class_node_pages(struct class_id c);
bool store_grow(uint32_t more);
/* Room for `more` new records beyond those in use; false (nothing changed)
 * when mmap fails. Inline: every allocation asks, and the store rarely grows. */
static inline bool store_reserve(uint32_t more)
{
    return (uint64_t)mems_state.classes.records_in_use + more < mems_state.classes.record_capacity || store_grow(more);
}
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
uint32_t buddy_take(struct class_id c, struct grain_place *place);
void buddy_release(uint32_t r, const struct grain_place *place);
uint32_t seg_take(struct class_id c, struct grain_place *place);
void seg_release(uint32_t r, const struct grain_place *place);

#endif /* MEMS_PLACEMENT_H */
