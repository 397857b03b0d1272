/*
 * Freeing: a PROCESS segment becomes a HOLE and merges with the holes beside it
 * in its own sub-chain (segment.c). Locating the block is a page-map load and
 * a bit test for a block's start; an interior or stale address takes a search
 * for the previous start, which is how it is told apart and described.
 */
#include "mems_internal.h"

/* Why `v` is not the start of a PROCESS segment, recorded as the error:
 * kept out of line so the common case stays short. */
static __attribute__((noinline)) grain_t locate_failed(uintptr_t v, const char *caller)
{
    struct main_node *node = chain_node_at(v);
    if (node == NULL) {
        state_record_error(MEMS_E_UNKNOWN_ADDRESS, "%s(%ju): MeMS never gave this address", caller, (uintmax_t)v);
        return GRAIN_NONE;
    }
    grain_t g = v_to_grain(v);
    bool aligned = ((v - MEMS_VIRTUAL_BASE) & (mems_state.config.alignment - 1)) == 0;
    bool at_start = aligned && grain_is_start(g);
    /* a HOLE's start, or inside a segment: which one, for the message */
    grain_t start = at_start ? g : grain_prev_start(g);
    uint64_t size = segment_size(node, start);
    uintmax_t first = grain_to_v(start), last = first + grains_to_bytes(size) - 1;
    if (grain_is_hole(start))
        state_record_error(MEMS_E_DOUBLE_FREE, "%s(%ju): the address lies in HOLE [%ju:%ju]: already freed", caller,
                           (uintmax_t)v, first, last);
    else
        state_record_error(MEMS_E_INTERIOR_FREE, "%s(%ju): the address is inside P[%ju:%ju], not at its start",
                           caller, (uintmax_t)v, first, last);
    return GRAIN_NONE;
}

/* Finds the PROCESS segment that starts at `v`, or records why there is none.
 * *node_out is its node, or NULL when finding the block did not need it (a
 * PROCESS start bit is proof enough that `v` is a block MeMS gave: no page
 * map, no node record read); *place is where its bits are. */
static inline __attribute__((always_inline)) grain_t locate_block(uintptr_t v, const char *caller,
                                                                  struct grain_place *place,
                                                                  struct main_node **node_out, uint64_t *size_out)
{
    grain_t g = v_to_grain(v);
    struct grain_place p = place_of(g);
    bool aligned = v >= MEMS_VIRTUAL_BASE && ((v - MEMS_VIRTUAL_BASE) & (mems_state.config.alignment - 1)) == 0;
    if (__builtin_expect(!(aligned && place_is_start(&p) && !place_is_hole(&p)), 0))
        return locate_failed(v, caller);
    struct main_node *node = NULL;
    grain_t end = place_next_start_in_word(&p, g);
    if (!same_node_word(g, end))
        end = place_next_start(&p, g, node_of(&node, g)->end_grain, false);
    *place = p;
    *node_out = node;
    *size_out = end - g;
    return g;
}

grain_t free_locate_block(uintptr_t v, const char *caller, struct main_node **node_out, uint64_t *size_out)
{
    struct grain_place p;
    return locate_block(v, caller, &p, node_out, size_out);
}

MEMS_HOT_PATH void mems_free(void *v_ptr)
{
    STATE_ENSURE_INITIALIZED_OR(arena_free(v_ptr); return);
    if (v_ptr == NULL)
        return;
    if (__builtin_expect(mems_state.classes.member != 0, 0)) { /* class-rounding members (classes.c) */
        classes_free(v_ptr);
        return;
    }
    struct main_node *node = NULL;
    uint64_t size = 0;
    struct grain_place p;
    grain_t g = locate_block((uintptr_t)v_ptr, "mems_free", &p, &node, &size);
    if (g != GRAIN_NONE)
        segment_free_at(node, g, size, &p); /* the block's place, found once */
}
