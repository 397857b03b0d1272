/*
 * MeMS virtual addresses to real pointers and back. Main nodes are in virtual
 * address order and tile [1000, end] without gaps (unless released nodes left
 * some), so a lookup finds the node, then the segment inside it.
 */
#include "mems_internal.h"

struct main_node *translate_find_node(uintptr_t v)
{
    return index_find_node(v); /* NULL in a gap left by a released node, too */
}

struct segment *translate_find_segment(struct main_node *node, uintptr_t v)
{
    struct segment *seg = index_segment_at(v);
    /* segments tile every node, so the nearest start at or before v is v's */
    return seg != NULL && seg->node == node ? seg : NULL;
}

/* Returns the MeMS virtual address of a real pointer into a user mapping, or 0. */
uintptr_t translate_real_to_virtual(const void *real)
{
    uintptr_t p = (uintptr_t)real;
    for (struct main_node *node = mems_state.first; node != NULL; node = node->next) {
        uintptr_t base = (uintptr_t)node->base;
        if (p >= base && p - base < node_bytes(node))
            return node->v_start + (p - base);
    }
    return 0;
}

void *mems_get(void *v_ptr)
{
    state_ensure_initialized();
    uintptr_t v = (uintptr_t)v_ptr;
    struct main_node *node = translate_find_node(v);
    if (node == NULL) {
        state_record_error(MEMS_E_UNKNOWN_ADDRESS, "mems_get(%ju): no mapping holds this MeMS virtual address",
                           (uintmax_t)v);
        return NULL;
    }
    struct segment *seg = translate_find_segment(node, v);
    if (seg == NULL || seg->type != SEGMENT_PROCESS) {
        state_record_error(MEMS_E_GET_HOLE, "mems_get(%ju): the address lies in a HOLE, not in allocated memory",
                           (uintmax_t)v);
        return NULL;
    }
    return node->base + (v - node->v_start);
}

void *mems_virtual(const void *real)
{
    state_ensure_initialized();
    return (void *)translate_real_to_virtual(real);
}

size_t mems_block_size(void *v_ptr)
{
    state_ensure_initialized();
    struct main_node *node;
    struct segment *seg = free_locate_block((uintptr_t)v_ptr, "mems_block_size", &node);
    return seg != NULL ? seg->size : 0;
}
