/*
 * Segments: placing a block in a hole, freeing it (merging with the holes
 * beside it), resizing it in place (segment.c), and the class-rounding
 * members' blocks (class_blocks.c). They tell the hole index below of every hole
 * that appears, goes or shrinks, inline. Above the placement indexes; the
 * public functions (alloc.c, free.c, ...) are above them.
 */
#ifndef MEMS_SEGMENT_H
#define MEMS_SEGMENT_H

#include "index.h"

/* Rounds a request to the configured alignment; sets *overflow when even the
 * page rounding that may follow would not fit in a size_t. */
static inline size_t segment_round_size(size_t size, bool *overflow)
{
    size_t align = mems_state.config.alignment;
    *overflow = size > SIZE_MAX - ((size_t)PAGE_SIZE - 1) - (align - 1);
    if (*overflow)
        return 0;
    return (size + align - 1) & ~(align - 1);
}

/* realloc's rounding of its new size: 0, with the overflow recorded as
 * mems_realloc's error, when the size cannot be rounded. */
static inline size_t segment_round_realloc_size(const void *v_ptr, size_t size)
{
    bool overflow;
    size_t rounded = segment_round_size(size, &overflow);
    if (overflow)
        state_record_error(MEMS_E_OVERFLOW, "mems_realloc(%ju, %zu): the size overflows when rounded to pages",
                           (uintmax_t)(uintptr_t)v_ptr, size);
    return rounded;
}

size_t node_segment_count(const struct main_node *node);
bool segment_place(struct main_node *node, grain_t hole, uint64_t hole_size, uint64_t size, size_t requested);
void segment_free(struct main_node *node, grain_t g, uint64_t size);
struct grain_place;
void segment_free_at(struct main_node *node, grain_t g, uint64_t size, const struct grain_place *place);
bool segment_shrink(struct main_node *node, grain_t g, uint64_t size, uint64_t new_size);
bool segment_grow(struct main_node *node, grain_t g, uint64_t size, uint64_t new_size);
void segment_set_requested(grain_t g, uint64_t size, size_t old_requested, size_t requested);
size_t segment_requested(grain_t g, uint64_t size);

/* Why `v` is not the start of a PROCESS segment, recorded as the error (GRAIN_NONE). */
__attribute__((noinline)) grain_t segment_locate_failed(uintptr_t v, const char *caller);

/* Finds the PROCESS segment that starts at `v`, or records why there is none.
 * *node_out is its node, or NULL when finding the block did not need it (a
 * PROCESS start bit is proof enough that `v` is a block MeMS gave: no page
 * map, no node record read); *place is where its bits are. */
static inline __attribute__((always_inline)) grain_t segment_locate(uintptr_t v, const char *caller,
                                                                    struct grain_place *place,
                                                                    struct main_node **node_out,
                                                                    uint64_t *size_out)
{
    grain_t g = v_to_grain(v);
    struct grain_place p = place_of(g);
    bool aligned = v >= MEMS_VIRTUAL_BASE && ((v - MEMS_VIRTUAL_BASE) & (mems_state.config.alignment - 1)) == 0;
    if (__builtin_expect(!(aligned && place_is_start(&p) && !place_is_hole(&p)), 0))
        return segment_locate_failed(v, caller);
    struct main_node *node = NULL;
    grain_t end = place_next_start_in_word(&p, g);
    if (!same_node_word(g, end))
        end = place_next_start(&p, g, node_of(&node, g)->end_grain, false);
    *place = p;
    *node_out = node;
    *size_out = end - g;
    return g;
}

/* The same, out of line. */
grain_t segment_locate_block(uintptr_t v, const char *caller, struct main_node **node_out, uint64_t *size_out);

/* class_blocks.c: the class-rounding members' blocks */
grain_t classes_place(size_t rounded, size_t requested);
void classes_free(void *v_ptr);
void *classes_realloc(void *v_ptr, size_t size, size_t *move_bytes);
size_t classes_requested(grain_t g);

#endif /* MEMS_SEGMENT_H */
