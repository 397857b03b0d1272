/*
 * Nodes: the main chain of main nodes (chain.c), their records (meta.c), the
 * page map from a virtual page to its node, and the sub-chain of segments
 * each node's granules hold, as read from the bitmaps. Above the granules.
 * A node brings one HOLE and takes one away: the node layer tells the hole
 * index above it through the heap's node_events (state.h).
 */
#ifndef MEMS_CHAIN_H
#define MEMS_CHAIN_H

#include "grain.h"
#include "meta.h"

static inline size_t node_bytes(const struct main_node *node)
{
    return (size_t)(node->end_grain - node->first_grain) << mems_state.layout.shift;
}
static inline size_t node_pages(const struct main_node *node) { return node_bytes(node) / PAGE_SIZE; }
static inline uintptr_t node_v_end(const struct main_node *node) { return node->v_start + node_bytes(node) - 1; }

/* The node of a MeMS virtual address, through the page map (chain.c). */
static inline struct main_node *chain_node_at(uintptr_t v)
{
    if (v < MEMS_VIRTUAL_BASE)
        return NULL;
    size_t page = (v - MEMS_VIRTUAL_BASE) / PAGE_SIZE;
    return page < mems_state.page_map_capacity ? mems_state.page_map[page] : NULL;
}

/* `*node`, looked up for granule g the first time it is needed: most
 * operations stay in one word and never touch the node's record. */
static inline struct main_node *node_of(struct main_node **node, grain_t g)
{
    if (*node == NULL)
        *node = chain_node_at(grain_to_v(g));
    assert(*node != NULL && g >= (*node)->first_grain && g < (*node)->end_grain);
    return *node;
}

/* Does granule `to` share granule `from`'s word, in a layout where that
 * makes it part of the same node? */
static inline bool same_node_word(grain_t from, grain_t to)
{
    return mems_state.layout.node_covers_word && (from >> 6) == (to >> 6);
}

/* The size of the segment starting at g, in granules: to the next start, or its node's end. */
uint64_t segment_size(const struct main_node *node, grain_t g);
/* The length of a node's sub-chain. */
size_t node_segment_count(const struct main_node *node);

/* In an arena, the arenas' real-page map learns which arena a node's pages belong to (0: none). */
static inline void state_note_real(const void *base, size_t bytes, unsigned char tag)
{
    if (__builtin_expect(mems_state.arena_tag != 0, 0))
        mems_state.map_real(base, bytes, tag);
}

/* chain.c */
struct main_node *chain_append_node(size_t pages);
bool chain_remove_node(struct main_node *node);
void chain_release_all(void);
struct main_node *chain_node_of_real(const void *real);
int chain_check_tables(void);

#endif /* MEMS_CHAIN_H */
