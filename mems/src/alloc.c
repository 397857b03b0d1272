/*
 * Allocation: mems_malloc, mems_calloc and mems_realloc. A request is rounded
 * to the configured alignment, placed in a hole chosen by the policy, or else
 * in a new main node at the end of the chain.
 */
#include "mems_internal.h"

#include <string.h>

static size_t pages_for(size_t size)
{
    size_t pages = size / PAGE_SIZE + (size % PAGE_SIZE != 0);
    return pages < mems_state.config.min_pages ? mems_state.config.min_pages : pages;
}

/* No hole fits: a new main node at the end of the chain, holding the block.
 * Out of line, like the errors below, so the common placement stays short. */
static __attribute__((noinline)) grain_t alloc_in_new_node(size_t bytes, uint64_t size, size_t requested)
{
    size_t pages = pages_for(bytes);
    if (pages > SIZE_MAX / PAGE_SIZE) {
        state_record_error(MEMS_E_OVERFLOW, "%zu pages cannot be expressed in bytes", pages);
        return GRAIN_NONE;
    }
    struct main_node *node = chain_append_node(pages);
    if (node == NULL)
        return GRAIN_NONE;
    grain_t hole = node->first_grain;
    if (!segment_place(node, hole, node->end_grain - hole, size, requested)) {
        chain_remove_node(node);
        return GRAIN_NONE;
    }
    state_update_live_peaks();
    return hole;
}

static __attribute__((noinline)) grain_t index_unavailable(void)
{
    state_record_error(MEMS_E_NO_MEMORY, "mmap for the MeMS hole index failed");
    return GRAIN_NONE;
}

/* Places a PROCESS segment of `bytes` (already rounded) in the hole the
 * policy chooses, mapping a new main node when none fits. Returns its first
 * granule, or GRAIN_NONE with the error recorded and the chains as they were. */
static inline __attribute__((always_inline)) grain_t alloc_place(size_t bytes, size_t requested)
{
    uint64_t size = bytes >> mems_state.layout.shift;
    if (__builtin_expect(!index_prepare(), 0))
        return index_unavailable();
    grain_t hole = policy_search(size);
    assert(hole == GRAIN_NONE || (grain_is_hole(hole) && segment_size(chain_node_at(grain_to_v(hole)), hole) >= size));
    assert(hole == GRAIN_NONE || mems_state.found_hole_size == 0 ||
           mems_state.found_hole_size == segment_size(chain_node_at(grain_to_v(hole)), hole));
    if (__builtin_expect(hole == GRAIN_NONE, 0))
        return alloc_in_new_node(bytes, size, requested);
    /* the node is looked up only if placing needs it */
    if (__builtin_expect(!segment_place(NULL, hole, mems_state.found_hole_size, size, requested), 0))
        return GRAIN_NONE;
    state_update_live_peaks();
    return hole;
}

/* mems_malloc(0) and sizes that overflow when rounded. */
static __attribute__((noinline)) void *malloc_refused(size_t size)
{
    if (size == 0)
        state_record_error(MEMS_E_ZERO_SIZE, "mems_malloc(0): a zero-byte request returns NULL");
    else
        state_record_error(MEMS_E_OVERFLOW, "mems_malloc(%zu): the size overflows when rounded to pages", size);
    return NULL;
}

/* The block at granule g, remembered for mems_get, as returned to the caller. */
static void *alloc_give(grain_t g)
{
    uintptr_t v = grain_to_v(g);
    const struct main_node *node = chain_node_at(v);
    mems_state.given_v = v;
    mems_state.given_grain = g;
    mems_state.given_real = node->base + (v - node->v_start);
    return (void *)v;
}

MEMS_HOT_PATH void *mems_malloc(size_t size)
{
    STATE_ENSURE_INITIALIZED_OR(return mems_state.routes->to_malloc(size));
    bool overflow;
    size_t rounded = segment_round_size(size, &overflow);
    if (__builtin_expect(size == 0 || overflow, 0))
        return malloc_refused(size);
    /* class-rounding members: their own placement (class_blocks.c) */
    grain_t g = __builtin_expect(mems_state.classes.member != 0, 0) ? classes_place(rounded, size)
                                                                    : alloc_place(rounded, size);
    return g != GRAIN_NONE ? alloc_give(g) : NULL;
}

void *mems_calloc(size_t nmemb, size_t size)
{
    STATE_ENSURE_INITIALIZED_OR(return mems_state.routes->to_calloc(nmemb, size));
    if (size != 0 && nmemb > SIZE_MAX / size) {
        state_record_error(MEMS_E_OVERFLOW, "mems_calloc(%zu, %zu): the product overflows", nmemb, size);
        return NULL;
    }
    size_t bytes = nmemb * size;
    mems_state.placed_clean = GRAIN_NONE; /* a placement sets it only when it reaches clean granules */
    void *v = mems_malloc(bytes);
    if (v != NULL) {
        /* granules past the heap's clean mark were never handed out: still zero */
        size_t used = mems_state.placed_clean == GRAIN_NONE
                          ? bytes
                          : grains_to_bytes(mems_state.placed_clean - mems_state.given_grain);
        memset(mems_state.given_real, 0, used < bytes ? used : bytes);
    }
    return v;
}

/* Moved: through the two hot paths, which the model's realloc is too (a new
 * block, the copy of its first `keep` bytes, the old block freed), at the
 * cost of finding the old block again. */
static void *realloc_moved(void *v_ptr, size_t size, size_t keep)
{
    const struct main_node *node = chain_node_at((uintptr_t)v_ptr);
    void *moved = mems_malloc(size);
    if (moved == NULL)
        return NULL;
    memcpy(mems_state.given_real, node->base + ((uintptr_t)v_ptr - node->v_start), keep);
    mems_free(v_ptr);
    return moved;
}

void *mems_realloc(void *v_ptr, size_t size)
{
    STATE_ENSURE_INITIALIZED_OR(return mems_state.routes->to_realloc(v_ptr, size));
    if (v_ptr == NULL)
        return mems_malloc(size);
    if (mems_state.classes.member != 0) { /* class-rounding members (class_blocks.c) */
        size_t move_bytes = 0;
        void *same = classes_realloc(v_ptr, size, &move_bytes);
        return same != NULL || move_bytes == 0 ? same : realloc_moved(v_ptr, size, move_bytes);
    }
    struct main_node *node = NULL;
    uint64_t old_size = 0;
    grain_t g = segment_locate_block((uintptr_t)v_ptr, "mems_realloc", &node, &old_size);
    if (g == GRAIN_NONE)
        return NULL;
    node_of(&node, g);
    if (size == 0) {
        segment_free(node, g, old_size);
        return NULL;
    }
    size_t rounded = segment_round_realloc_size(v_ptr, size);
    if (rounded == 0)
        return NULL;
    uint64_t new_size = rounded >> mems_state.layout.shift;
    size_t old_requested = segment_requested(g, old_size);
    if (new_size == old_size || (new_size < old_size && segment_shrink(node, g, old_size, new_size)) ||
        (new_size > old_size && segment_grow(node, g, old_size, new_size))) {
        segment_set_requested(g, new_size, old_requested, size);
        state_update_live_peaks();
        return v_ptr;
    }

    return realloc_moved(v_ptr, size, old_requested < size ? old_requested : size);
}
