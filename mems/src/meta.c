/*
 * Records of main nodes, in slots of chunks MeMS maps itself: the library
 * never calls malloc, and no metadata lives in user pages. A chunk whose
 * slots are all free again goes back to the OS (one is kept for reuse).
 */
#include "meta.h"

#include <assert.h>
#include <string.h>

static size_t slots_per_chunk(void)
{
    return ((size_t)PAGE_SIZE - sizeof(struct meta_chunk)) / sizeof(union meta_slot);
}

static union meta_slot *chunk_slots(struct meta_chunk *chunk)
{
    return (union meta_slot *)(chunk + 1);
}

/* Node records come and go with mappings, so a walk of the chunks is cheap enough. */
static struct meta_chunk *chunk_of(const void *slot)
{
    struct meta_chunk *chunk = mems_state.chunks;
    while (chunk != NULL && !((uintptr_t)slot >= (uintptr_t)chunk && (uintptr_t)slot < (uintptr_t)chunk + chunk->bytes))
        chunk = chunk->next;
    assert(chunk != NULL);
    return chunk;
}

static bool meta_chunk_add(void)
{
    struct meta_chunk *chunk = os_map(PAGE_SIZE);
    if (chunk == NULL)
        return false;
    chunk->bytes = PAGE_SIZE;
    chunk->in_use = 0;
    chunk->next = mems_state.chunks;
    mems_state.chunks = chunk;
    mems_state.metadata_bytes += PAGE_SIZE;
    state_update_peaks();
    union meta_slot *slots = chunk_slots(chunk);
    for (size_t i = slots_per_chunk(); i-- > 0;) {
        slots[i].next_free = mems_state.free_slots;
        mems_state.free_slots = &slots[i];
    }
    return true;
}

struct main_node *meta_node_take(void)
{
    if (mems_state.free_slots == NULL && !meta_chunk_add())
        return NULL;
    union meta_slot *slot = mems_state.free_slots;
    mems_state.free_slots = slot->next_free;
    mems_state.slots_in_use++;
    chunk_of(slot)->in_use++;
    memset(slot, 0, sizeof *slot);
    return &slot->node;
}

/* A chunk emptied while others have room is unmapped: its slots leave the free list first. */
static void chunk_release_if_idle(struct meta_chunk *chunk)
{
    if (chunk->in_use != 0 || mems_state.slots_in_use == 0)
        return;
    union meta_slot **link = &mems_state.free_slots;
    while (*link != NULL) {
        if (chunk_of(*link) == chunk)
            *link = (*link)->next_free;
        else
            link = &(*link)->next_free;
    }
    struct meta_chunk **c = &mems_state.chunks;
    while (*c != chunk)
        c = &(*c)->next;
    *c = chunk->next;
    mems_state.metadata_bytes -= PAGE_SIZE;
    state_unmap_or_keep(chunk, PAGE_SIZE, "an empty node-record chunk");
}

void meta_node_give(struct main_node *node)
{
    assert(node != NULL && mems_state.slots_in_use > 0);
    union meta_slot *s = (union meta_slot *)node;
    s->next_free = mems_state.free_slots;
    mems_state.free_slots = s;
    mems_state.slots_in_use--;
    struct meta_chunk *chunk = chunk_of(s);
    chunk->in_use--;
    chunk_release_if_idle(chunk);
}

void meta_release_all(void)
{
    struct meta_chunk *chunk = mems_state.chunks;
    while (chunk != NULL) {
        struct meta_chunk *next = chunk->next;
        mems_state.metadata_bytes -= chunk->bytes;
        state_unmap_or_keep(chunk, chunk->bytes, "a node-record chunk");
        chunk = next;
    }
    mems_state.chunks = NULL;
    mems_state.free_slots = NULL;
    mems_state.slots_in_use = 0;
}
