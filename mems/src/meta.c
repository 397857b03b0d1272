/*
 * Metadata slots for main nodes and segments, carved from chunks that MeMS maps
 * itself: the library never calls malloc, and a user overrunning a block can
 * never reach a chain pointer because no metadata lives in user pages.
 *
 * Slots are recycled through a free list and chunks are only unmapped by
 * meta_release_all(): metadata is bounded by the peak segment count, and
 * keeping chunks spares an mmap/munmap pair on every burst of frees.
 *
 * Chunks grow geometrically (one page, then as much as is already mapped, up
 * to 1 MiB): a small heap pays one page of metadata, a large one few mmaps.
 */
#include "mems_internal.h"

#include <assert.h>
#include <string.h>

#define META_CHUNK_MAX_BYTES ((size_t)1 << 20)

static size_t meta_next_chunk_bytes(void)
{
    size_t bytes = mems_state.metadata_bytes;
    if (bytes < (size_t)PAGE_SIZE)
        bytes = PAGE_SIZE;
    if (bytes > META_CHUNK_MAX_BYTES)
        bytes = META_CHUNK_MAX_BYTES;
    return bytes; /* a whole number of pages: every size here is PAGE_SIZE * 2^k */
}

static bool meta_chunk_add(void)
{
    size_t bytes = meta_next_chunk_bytes();
    struct meta_chunk *chunk = os_map(bytes);
    if (chunk == NULL)
        return false;
    chunk->bytes = bytes;
    chunk->next = mems_state.chunks;
    mems_state.chunks = chunk;
    mems_state.metadata_bytes += bytes;
    state_update_peaks();

    /* slots start after the chunk header, aligned like the union */
    size_t first = (sizeof(struct meta_chunk) + sizeof(union meta_slot) - 1) / sizeof(union meta_slot);
    size_t count = bytes / sizeof(union meta_slot);
    union meta_slot *slots = (union meta_slot *)chunk;
    for (size_t i = count; i-- > first;) {
        slots[i].next_free = mems_state.free_slots;
        mems_state.free_slots = &slots[i];
    }
    return true;
}

void *meta_slot_take(void)
{
    if (mems_state.free_slots == NULL && !meta_chunk_add())
        return NULL;
    union meta_slot *slot = mems_state.free_slots;
    mems_state.free_slots = slot->next_free;
    mems_state.slots_in_use++;
    memset(slot, 0, sizeof *slot);
    return slot;
}

void meta_slot_give(void *slot)
{
    assert(slot != NULL && mems_state.slots_in_use > 0);
    union meta_slot *s = slot;
    s->next_free = mems_state.free_slots;
    mems_state.free_slots = s;
    mems_state.slots_in_use--;
}

void meta_release_all(void)
{
    struct meta_chunk *chunk = mems_state.chunks;
    while (chunk != NULL) {
        struct meta_chunk *next = chunk->next;
        size_t bytes = chunk->bytes;
        if (os_unmap(chunk, bytes) != 0)
            state_record_error(MEMS_E_OS, "munmap of a %zu-byte metadata chunk failed", bytes);
        chunk = next;
    }
    mems_state.chunks = NULL;
    mems_state.free_slots = NULL;
    mems_state.metadata_bytes = 0;
    mems_state.slots_in_use = 0;
}
