/*
 * Allocation: mems_malloc, mems_calloc and mems_realloc. A request is rounded
 * to the configured alignment, placed in a hole chosen by the policy, or else
 * in a new main node at the end of the chain.
 */
#include "mems_internal.h"

#include <assert.h>
#include <string.h>

/* Rounds a request to the configured alignment; sets *overflow when even the
 * page rounding that may follow would not fit in a size_t. */
size_t alloc_round_size(size_t size, bool *overflow)
{
    size_t align = mems_state.config.alignment;
    *overflow = size > SIZE_MAX - ((size_t)PAGE_SIZE - 1) - (align - 1);
    if (*overflow)
        return 0;
    return (size + align - 1) & ~(align - 1);
}

static size_t pages_for(size_t size)
{
    size_t pages = size / PAGE_SIZE + (size % PAGE_SIZE != 0);
    return pages < mems_state.config.min_pages ? mems_state.config.min_pages : pages;
}

/* Turns the start of a fitting HOLE into a PROCESS segment of `size` bytes,
 * mapping a new main node when no hole fits. Returns NULL with the error
 * recorded and the chains as they were. */
struct segment *alloc_place(size_t size, size_t requested, struct main_node **node_out)
{
    struct main_node *node;
    struct segment *seg = policy_search(size, &node);
    bool fresh_node = false;
    if (seg == NULL) {
        size_t pages = pages_for(size);
        if (pages > SIZE_MAX / PAGE_SIZE) {
            state_record_error(MEMS_E_OVERFLOW, "%zu pages cannot be expressed in bytes", pages);
            return NULL;
        }
        node = chain_append_node(pages);
        if (node == NULL)
            return NULL;
        seg = node->first;
        fresh_node = true;
    }
    /* out of the index first, so the split does not put it back */
    index_remove_hole(seg);
    if (seg->size > size && segment_split(node, seg, size) == NULL) {
        index_add_hole(seg);
        if (fresh_node)
            chain_remove_node(node);
        return NULL;
    }
    segment_make_process(seg, requested);
    policy_note_placement(node, seg);
    state_update_peaks();
    *node_out = node;
    return seg;
}

void *mems_malloc(size_t size)
{
    state_ensure_initialized();
    if (size == 0) {
        state_record_error(MEMS_E_ZERO_SIZE, "mems_malloc(0): a zero-byte request returns NULL");
        return NULL;
    }
    bool overflow;
    size_t rounded = alloc_round_size(size, &overflow);
    if (overflow) {
        state_record_error(MEMS_E_OVERFLOW, "mems_malloc(%zu): the size overflows when rounded to pages", size);
        return NULL;
    }
    struct main_node *node;
    struct segment *seg = alloc_place(rounded, size, &node);
    return seg != NULL ? (void *)segment_v_start(node, seg) : NULL;
}

void *mems_calloc(size_t nmemb, size_t size)
{
    state_ensure_initialized();
    if (size != 0 && nmemb > SIZE_MAX / size) {
        state_record_error(MEMS_E_OVERFLOW, "mems_calloc(%zu, %zu): the product overflows", nmemb, size);
        return NULL;
    }
    void *v = mems_malloc(nmemb * size);
    if (v != NULL)
        memset(mems_get(v), 0, nmemb * size);
    return v;
}

/* Gives the tail of PROCESS `seg` beyond `new_size` back as a HOLE. */
static bool block_shrink(struct main_node *node, struct segment *seg, size_t new_size)
{
    size_t spare = seg->size - new_size;
    if (spare == 0)
        return true;
    if (seg->next != NULL && seg->next->type == SEGMENT_HOLE) {
        index_remove_hole(seg->next);
        seg->next->offset -= spare;
        seg->next->size += spare;
        index_add_hole(seg->next);
        seg->size = new_size;
        mems_state.hole_bytes += spare;
        return true;
    }
    struct segment *rest = segment_split(node, seg, new_size);
    if (rest == NULL)
        return false;
    mems_state.hole_bytes += spare;
    return true;
}

/* Grows PROCESS `seg` into the HOLE after it, if that hole is big enough. */
static bool block_grow_in_place(struct main_node *node, struct segment *seg, size_t new_size)
{
    struct segment *next = seg->next;
    if (next == NULL || next->type != SEGMENT_HOLE || seg->size + next->size < new_size)
        return false;
    size_t need = new_size - seg->size;
    index_remove_hole(next);
    if (need == next->size) {
        index_remove_segment(next);
        seg->next = next->next;
        if (next->next != NULL)
            next->next->prev = seg;
        else
            node->last = seg;
        policy_forget_segment(node, next, seg);
        meta_slot_give(next);
        node->segment_count--;
        mems_state.segment_count--;
        mems_state.hole_count--;
    } else {
        next->offset += need;
        next->size -= need;
        index_add_hole(next);
    }
    seg->size = new_size;
    mems_state.hole_bytes -= need;
    return true;
}

static void block_set_requested(struct segment *seg, size_t requested)
{
    mems_state.requested_bytes -= seg->requested;
    mems_state.requested_bytes += requested;
    seg->requested = requested;
}

void *mems_realloc(void *v_ptr, size_t size)
{
    state_ensure_initialized();
    if (v_ptr == NULL)
        return mems_malloc(size);
    struct main_node *node;
    struct segment *seg = free_locate_block((uintptr_t)v_ptr, "mems_realloc", &node);
    if (seg == NULL)
        return NULL;
    if (size == 0) {
        free_segment(node, seg);
        return NULL;
    }
    bool overflow;
    size_t rounded = alloc_round_size(size, &overflow);
    if (overflow) {
        state_record_error(MEMS_E_OVERFLOW, "mems_realloc(%ju, %zu): the size overflows when rounded to pages",
                           (uintmax_t)(uintptr_t)v_ptr, size);
        return NULL;
    }
    if ((rounded <= seg->size && block_shrink(node, seg, rounded)) ||
        (rounded > seg->size && block_grow_in_place(node, seg, rounded))) {
        block_set_requested(seg, size);
        state_update_peaks();
        return v_ptr;
    }

    struct main_node *new_node;
    struct segment *moved = alloc_place(rounded, size, &new_node);
    if (moved == NULL)
        return NULL;
    size_t keep = seg->requested < size ? seg->requested : size;
    memcpy(new_node->base + moved->offset, node->base + seg->offset, keep);
    free_segment(node, seg);
    return (void *)segment_v_start(new_node, moved);
}
