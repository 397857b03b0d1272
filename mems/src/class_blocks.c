/*
 * The class-rounding members behind mems_malloc, mems_free and mems_realloc:
 * a request rounds to its class, the member's own placement finds the block
 * (buddy.c, simple_seg.c), and this file turns it into a PROCESS segment and
 * back, keeps the running totals every policy keeps, and checks the members'
 * invariants for mems_check.
 */
#include "segment.h"

#define S mems_state.classes

/* The member's take and release, called directly rather than through a
 * table: inlined into the flattened classes_place and classes_free, the
 * block's place stays in registers and what of it a member does not read is
 * never computed (through a pointer, simple segregated storage paid up to 5 % more
 * instructions for a place it never reads). */
static uint32_t member_take(struct class_id c, struct grain_place *place)
{
    return S.member >= CLASS_SIMPLE_SEG ? seg_take(c, place) : buddy_take(c, place);
}

static void member_release(uint32_t r, const struct grain_place *place)
{
    if (S.member >= CLASS_SIMPLE_SEG)
        seg_release(r, place);
    else
        buddy_release(r, place);
}

static size_t aligned_request(size_t requested)
{
    size_t align = mems_state.config.alignment;
    return (requested + align - 1) & ~(align - 1);
}

static size_t record_bytes(uint32_t r)
{
    return grains_to_bytes(class_grains((struct class_id){S.records[r].family, S.records[r].order}));
}

/* A block reaching past the heap's clean mark raises it to its end, and
 * tells calloc from where it reads as zero. Granules the mark passes over
 * without a block (a buddy's lower halves still free) count as used from
 * then on: calloc zeroes them, which is only more than needed. */
static void heap_mark_block(grain_t g, uint64_t size)
{
    grain_t end = g + size, clean = mems_state.heap_clean_from;
    if (end <= clean)
        return;
    mems_state.placed_clean = g > clean ? g : clean;
    mems_state.heap_clean_from = end;
}

static void block_make_live(uint32_t r, const struct grain_place *place, size_t requested)
{
    size_t bytes = record_bytes(r);
    heap_mark_block(S.records[r].grain, bytes >> mems_state.layout.shift);
    S.records[r].kind = CLASS_LIVE;
    S.records[r].value = requested;
    place_store_kind(place, false, 0);
    mems_state.hole_count--;
    mems_state.hole_bytes -= bytes;
    mems_state.requested_bytes += requested;
    S.rounding_bytes += bytes - aligned_request(requested);
    state_update_live_peaks();
}

static void block_release(uint32_t r)
{
    size_t bytes = record_bytes(r), requested = S.records[r].value;
    grain_t g = S.records[r].grain;
    struct grain_place place = place_of_start(g);
    place_store_kind(&place, true, 0);
    mems_state.hole_count++;
    mems_state.hole_bytes += bytes;
    mems_state.requested_bytes -= requested;
    S.rounding_bytes -= bytes - aligned_request(requested);
    S.records[r].value = 0;
    if (mems_state.given_v != 0 && mems_state.given_grain == g)
        mems_state.given_v = 0;
    member_release(r, &place);
}

/* The block for a request of `requested` bytes, `rounded` to the alignment:
 * its first granule, or GRAIN_NONE with the error recorded. */
__attribute__((noinline)) MEMS_HOT_PATH grain_t classes_place(size_t rounded, size_t requested)
{
    struct class_id c;
    if (!class_of(rounded >> mems_state.layout.shift, &c)) {
        state_record_error(MEMS_E_NO_MEMORY, "%zu bytes are more than MeMS's address space can number", requested);
        return GRAIN_NONE;
    }
    mems_state.searches++;
    struct grain_place place = {0}; /* set by every take that finds a block */
    uint32_t r = member_take(c, &place);
    if (r == 0)
        return GRAIN_NONE;
    block_make_live(r, &place, requested);
    return S.records[r].grain;
}

/* No live block at v: the bitmaps name the error. */
static __attribute__((noinline)) uint32_t locate_failed(uintptr_t v, const char *caller)
{
    struct main_node *node = NULL;
    uint64_t size = 0;
    grain_t g = segment_locate_block(v, caller, &node, &size);
    assert(g == GRAIN_NONE); /* every live block has its record */
    (void)g;
    return 0;
}

/* The record of the live block at v_ptr: a block's first granule has one
 * (a record is found only by the exact granule), so the bitmaps are read
 * only to name the error when there is none. */
static uint32_t locate_live(void *v_ptr, const char *caller)
{
    uintptr_t v = (uintptr_t)v_ptr;
    if (v >= MEMS_VIRTUAL_BASE && ((v - MEMS_VIRTUAL_BASE) & (mems_state.config.alignment - 1)) == 0) {
        uint32_t r = store_find(v_to_grain(v));
        if (r != 0 && S.records[r].kind == CLASS_LIVE)
            return r;
    }
    return locate_failed(v, caller);
}

__attribute__((noinline)) MEMS_HOT_PATH void classes_free(void *v_ptr)
{
    uint32_t r = locate_live(v_ptr, "mems_free");
    if (r != 0)
        block_release(r);
}

/* In place while the new size rounds to the block's own class: v_ptr. Else
 * NULL: the block freed (size 0), an error recorded, or, to be moved (a new
 * block, the copy, the old block freed, as mems_realloc moves every policy's
 * blocks), *move_bytes set to the bytes to copy. */
__attribute__((noinline)) void *classes_realloc(void *v_ptr, size_t size, size_t *move_bytes)
{
    uint32_t r = locate_live(v_ptr, "mems_realloc");
    if (r == 0)
        return NULL;
    if (size == 0) {
        block_release(r);
        return NULL;
    }
    size_t rounded = segment_round_realloc_size(v_ptr, size);
    if (rounded == 0)
        return NULL;
    struct class_id c;
    size_t old_requested = S.records[r].value;
    if (class_of(rounded >> mems_state.layout.shift, &c) && c.family == S.records[r].family &&
        c.order == S.records[r].order) {
        mems_state.requested_bytes += size - old_requested;
        S.rounding_bytes += aligned_request(old_requested) - aligned_request(size);
        S.records[r].value = size;
        state_update_live_peaks();
        return v_ptr;
    }
    *move_bytes = old_requested < size ? old_requested : size;
    return NULL;
}

/* Bytes requested by the live block at g (0 for a HOLE), for mems_check. */
size_t classes_requested(grain_t g)
{
    uint32_t r = store_find(g);
    return S.records[r].kind == CLASS_LIVE ? S.records[r].value : 0;
}
