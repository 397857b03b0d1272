/*
 * Freeing: a PROCESS segment becomes a HOLE and merges with the holes beside it
 * in its own sub-chain (segment.c). Locating the block is a page-map load and
 * a bit test for a block's start; an interior or stale address takes a search
 * for the previous start, which is how it is told apart and described.
 */
#include "mems_internal.h"

MEMS_HOT_PATH void mems_free(void *v_ptr)
{
    STATE_ENSURE_INITIALIZED_OR(mems_state.routes->to_free(v_ptr); return);
    if (v_ptr == NULL)
        return;
    if (__builtin_expect(mems_state.classes.member != 0, 0)) { /* class-rounding members (class_blocks.c) */
        classes_free(v_ptr);
        return;
    }
    struct main_node *node = NULL;
    uint64_t size = 0;
    struct grain_place p;
    grain_t g = segment_locate((uintptr_t)v_ptr, "mems_free", &p, &node, &size);
    if (g != GRAIN_NONE)
        segment_free_at(node, g, size, &p); /* the block's place, found once */
}
