/*
 * MeMS internals, the top layer: what the public functions (alloc.c, free.c,
 * translate.c, stats.c, check.c, lab.c) and the arenas (arena.c) share.
 * This header includes every layer below it (ARCHITECTURE.md, "Layers"),
 * bottom up:
 *   state.h      the heap's state and its error record
 *   os.h         mmap and munmap
 *   grain_bits.h the granule bitmaps' bits, inline, and their searches
 *   grain.h      granules: the leaves and their directory
 *   chain.h      nodes: the main chain, the page map, the sub-chains read
 *   index.h      placement indexes behind struct policy_ops
 *   segment.h    segments placed, freed, resized; the class-rounding blocks
 *   lifecycle.h  a heap set up, initialised on first use, torn down; the
 *                arenas' routes
 * The arenas, above the public functions, are reached through the table of
 * routes they register (struct heap_routes).
 */
#ifndef MEMS_INTERNAL_H
#define MEMS_INTERNAL_H

#include "lifecycle.h"

/* The address a caller sees for a heap's virtual address v: in arena k, v + k * MEMS_ARENA_SPAN. */
static inline uintptr_t state_public_v(uintptr_t v)
{
    return mems_state.arena_tag > 1 ? v + (mems_state.arena_tag - 1) * MEMS_ARENA_SPAN : v;
}

/* translate.c */
uintptr_t translate_real_to_virtual(const void *real);

/* class_check.c: the class-rounding members' invariants, for mems_check */
int classes_check(char *what, size_t what_size);

#endif /* MEMS_INTERNAL_H */
