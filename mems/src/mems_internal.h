/*
 * MeMS internal types: the 2-D free list and the one global state.
 *
 * Main chain: one main node per user mapping, in MeMS virtual address order.
 * Sub-chain: the segments of one mapping, in address order, tiling it exactly.
 * Every node and segment lives in metadata pages that MeMS maps itself
 * (meta.c), never inside the user's pages, so a user overrun cannot reach them.
 */
#ifndef MEMS_INTERNAL_H
#define MEMS_INTERNAL_H

#include "mems.h"

#include <stdbool.h>

#if (PAGE_SIZE) < 1024 || (PAGE_SIZE) > 65536 || ((PAGE_SIZE) & ((PAGE_SIZE) - 1)) != 0
#error "PAGE_SIZE must be a power of two from 1024 to 65536"
#endif

enum segment_type { SEGMENT_HOLE = 0, SEGMENT_PROCESS = 1 };

struct segment {
    struct segment *prev, *next;
    struct main_node *node;
    size_t offset;     /* from the start of its main node's mapping */
    size_t size;       /* never 0 */
    size_t requested;  /* bytes the user asked for; 0 for a HOLE */
    enum segment_type type;
    /* the hole index (index.c): a HOLE is in both treaps, a PROCESS in neither */
    bool indexed;
    uint32_t priority;
    struct segment *addr_left, *addr_right, *size_left, *size_right;
    size_t subtree_max; /* largest hole in this segment's by-address subtree */
    /* every segment, HOLE or PROCESS, is in the by-start treap */
    struct segment *start_left, *start_right;
};

struct main_node {
    struct main_node *prev, *next;
    struct segment *first, *last;
    unsigned char *base;  /* the mapping */
    size_t pages;
    uintptr_t v_start;    /* MeMS virtual address of base */
    size_t segment_count;
};

/* Metadata slots are all one size so a single free list serves both kinds. */
union meta_slot {
    struct segment segment;
    struct main_node node;
    union meta_slot *next_free;
};

struct meta_chunk {
    struct meta_chunk *next;
    size_t bytes;
};

struct mems_state {
    bool initialized;
    struct mems_config config;
    struct main_node *first, *last;
    size_t node_count;
    size_t segment_count;
    size_t hole_count;
    size_t pages;
    size_t hole_bytes;
    size_t requested_bytes;
    /* next fit resumes its search here; always a segment on the chains or NULL */
    struct main_node *cursor_node;
    struct segment *cursor_segment;
    /* the hole index and node table (index.c) */
    struct segment *by_address, *by_size, *by_start;
    uint32_t priority_state;
    struct main_node **node_table;
    size_t node_table_bytes, node_table_capacity;
    /* metadata */
    struct meta_chunk *chunks;
    union meta_slot *free_slots;
    size_t metadata_bytes;
    size_t slots_in_use;
    /* counters */
    uint64_t mmap_calls, munmap_calls, searches, holes_examined;
    size_t peak_mapped_bytes, peak_live_bytes, peak_requested_bytes, peak_footprint_bytes;
};

extern struct mems_state mems_state;

static inline size_t node_bytes(const struct main_node *node) { return node->pages * (size_t)PAGE_SIZE; }
static inline uintptr_t node_v_end(const struct main_node *node) { return node->v_start + node_bytes(node) - 1; }
static inline uintptr_t segment_v_start(const struct main_node *node, const struct segment *seg)
{
    return node->v_start + seg->offset;
}
static inline size_t state_live_bytes(void)
{
    return mems_state.pages * (size_t)PAGE_SIZE - mems_state.hole_bytes;
}

/* state.c */
void state_ensure_initialized(void);
void state_record_error(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));
void state_update_peaks(void);

/* os.c: the only file that talks to the kernel */
void *os_map(size_t bytes);
int os_unmap(void *address, size_t bytes);
/* Test hooks: make the k-th mmap / munmap from now fail (0 disarms); count live mappings. */
void mems_test_fail_mmap(long k);
void mems_test_fail_munmap(long k);
long mems_test_live_mappings(void);

/* meta.c */
void *meta_slot_take(void);
void meta_slot_give(void *slot);
void meta_release_all(void);

/* chain.c */
struct main_node *chain_append_node(size_t pages);
void chain_remove_node(struct main_node *node);
void chain_release_all(void);
struct segment *segment_split(struct main_node *node, struct segment *seg, size_t first_size);
struct segment *segment_merge_neighbours(struct main_node *node, struct segment *seg);
void segment_make_process(struct segment *seg, size_t requested);

/* index.c */
void index_add_hole(struct segment *seg);
void index_remove_hole(struct segment *seg);
struct segment *index_first_fit(size_t size, uintptr_t from);
struct segment *index_best_fit(size_t size);
struct segment *index_worst_fit(size_t size);
bool index_reserve_node(void);
void index_append_node(struct main_node *node);
void index_remove_node(struct main_node *node);
struct main_node *index_find_node(uintptr_t v);
void index_release(void);
void index_add_segment(struct segment *seg);
void index_remove_segment(struct segment *seg);
struct segment *index_segment_at(uintptr_t v);
void index_count(size_t *by_address, size_t *by_size, size_t *by_start, int *bad);

/* policy.c */
struct segment *policy_search(size_t size, struct main_node **node_out);
void policy_note_placement(struct main_node *node, struct segment *seg);
void policy_forget_segment(struct main_node *node, struct segment *seg, struct segment *replacement);

/* translate.c */
struct main_node *translate_find_node(uintptr_t v);
struct segment *translate_find_segment(struct main_node *node, uintptr_t v);
uintptr_t translate_real_to_virtual(const void *real);

/* alloc.c */
size_t alloc_round_size(size_t size, bool *overflow);
struct segment *alloc_place(size_t size, size_t requested, struct main_node **node_out);

/* free.c */
struct segment *free_locate_block(uintptr_t v, const char *caller, struct main_node **node_out);
void free_segment(struct main_node *node, struct segment *seg);

#endif /* MEMS_INTERNAL_H */
