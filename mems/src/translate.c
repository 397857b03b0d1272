/*
 * MeMS virtual addresses to real pointers and back. The page map gives the
 * node of a virtual address in one load and the bitmaps say at once whether a
 * block starts there; an interior address searches back for its segment's start.
 */
#include "mems_internal.h"

/* Returns the MeMS virtual address of a real pointer into a user mapping, or 0. */
uintptr_t translate_real_to_virtual(const void *real)
{
    struct main_node *node = chain_node_of_real(real);
    return node != NULL ? node->v_start + ((uintptr_t)real - (uintptr_t)node->base) : 0;
}

/* mems_get of anything but a block's start: an interior address, a HOLE, or
 * no address MeMS gave; kept out of line so the common case stays short. */
static __attribute__((noinline)) void *get_slow(uintptr_t v, const struct main_node *node)
{
    if (node == NULL) {
        state_record_error(MEMS_E_UNKNOWN_ADDRESS, "mems_get(%ju): no mapping holds this MeMS virtual address",
                           (uintmax_t)v);
        return NULL;
    }
    grain_t g = v_to_grain(v);
    bool at_start = ((v - MEMS_VIRTUAL_BASE) & (mems_state.config.alignment - 1)) == 0 && grain_is_start(g);
    if (grain_is_hole(at_start ? g : grain_prev_start(g))) {
        state_record_error(MEMS_E_GET_HOLE, "mems_get(%ju): the address lies in a HOLE, not in allocated memory",
                           (uintmax_t)v);
        return NULL;
    }
    return node->base + (v - node->v_start);
}

void *mems_get(void *v_ptr)
{
    STATE_ENSURE_INITIALIZED_OR(return mems_state.routes->to_get(v_ptr));
    uintptr_t v = (uintptr_t)v_ptr;
    if (v == mems_state.given_v && v != 0)
        return mems_state.given_real;
    struct main_node *node = chain_node_at(v);
    if (__builtin_expect(node != NULL && ((v - MEMS_VIRTUAL_BASE) & (mems_state.config.alignment - 1)) == 0, 1)) {
        struct grain_place p = place_of(v_to_grain(v));
        if (__builtin_expect(place_is_start(&p) && !place_is_hole(&p), 1))
            return node->base + (v - node->v_start);
    }
    return get_slow(v, node);
}

void *mems_virtual(const void *real)
{
    STATE_ENSURE_INITIALIZED_OR(return mems_state.routes->to_virtual(real));
    return (void *)translate_real_to_virtual(real);
}

size_t mems_block_size(void *v_ptr)
{
    STATE_ENSURE_INITIALIZED_OR(return mems_state.routes->to_block_size(v_ptr));
    struct main_node *node = NULL;
    uint64_t size = 0;
    grain_t g = segment_locate_block((uintptr_t)v_ptr, "mems_block_size", &node, &size);
    return g != GRAIN_NONE ? grains_to_bytes(size) : 0;
}
