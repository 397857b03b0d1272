/*
 * Freeing: a PROCESS segment becomes a HOLE and merges with the holes beside it
 * in its own sub-chain. Main nodes are separate mappings, so holes never merge
 * across them; with release_empty_nodes a node that is one whole HOLE goes
 * back to the OS.
 */
#include "mems_internal.h"

#include <assert.h>

/* Finds the PROCESS segment that starts at `v`, or records why there is none. */
struct segment *free_locate_block(uintptr_t v, const char *caller, struct main_node **node_out)
{
    struct main_node *node = translate_find_node(v);
    if (node == NULL) {
        state_record_error(MEMS_E_UNKNOWN_ADDRESS, "%s(%ju): MeMS never gave this address", caller, (uintmax_t)v);
        return NULL;
    }
    struct segment *seg = translate_find_segment(node, v);
    uintptr_t start = segment_v_start(node, seg);
    if (seg->type == SEGMENT_HOLE) {
        state_record_error(MEMS_E_DOUBLE_FREE, "%s(%ju): the address lies in HOLE [%ju:%ju]: already freed",
                           caller, (uintmax_t)v, (uintmax_t)start, (uintmax_t)(start + seg->size - 1));
        return NULL;
    }
    if (start != v) {
        state_record_error(MEMS_E_INTERIOR_FREE, "%s(%ju): the address is inside P[%ju:%ju], not at its start",
                           caller, (uintmax_t)v, (uintmax_t)start, (uintmax_t)(start + seg->size - 1));
        return NULL;
    }
    *node_out = node;
    return seg;
}

void free_segment(struct main_node *node, struct segment *seg)
{
    assert(seg->type == SEGMENT_PROCESS);
    mems_state.requested_bytes -= seg->requested;
    seg->requested = 0;
    seg->type = SEGMENT_HOLE;
    mems_state.hole_count++;
    mems_state.hole_bytes += seg->size;
    segment_merge_neighbours(node, seg);
    if (mems_state.config.release_empty_nodes && node->segment_count == 1)
        chain_remove_node(node);
}

void mems_free(void *v_ptr)
{
    state_ensure_initialized();
    if (v_ptr == NULL)
        return;
    struct main_node *node;
    struct segment *seg = free_locate_block((uintptr_t)v_ptr, "mems_free", &node);
    if (seg != NULL)
        free_segment(node, seg);
}
