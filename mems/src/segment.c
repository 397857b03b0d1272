/*
 * Segments on the bitmaps: placing a block in a hole (splitting off the
 * rest), freeing a block (merging with the holes on either side in its own
 * sub-chain, never across nodes), and resizing a block in place. Each keeps
 * the totals of mems_state and the hole index in step, and touches the index
 * once per hole that appears or disappears.
 *
 * A step that needs a new metadata leaf reserves it before anything changes,
 * so a failed mmap leaves the state as it was. The node may be passed as
 * NULL: it is looked up only when a neighbour lies outside the segment's
 * word (node_of), so most operations never read a node record.
 */
#include "segment.h"

#include <assert.h>

size_t segment_requested(grain_t g, uint64_t size)
{
    return grains_to_bytes(size) - grain_slack(g);
}

/* Records a PROCESS segment's new requested bytes (after a resize in place). */
void segment_set_requested(grain_t g, uint64_t size, size_t old_requested, size_t requested)
{
    size_t bytes = grains_to_bytes(size);
    assert(requested > 0 && requested <= bytes && bytes - requested < ((size_t)1 << mems_state.layout.shift));
    mems_state.requested_bytes = mems_state.requested_bytes - old_requested + requested;
    grain_set_kind(g, false, (unsigned)(bytes - requested));
}

/* A block now covers [g, end) of the hole [g, hole_end): the heap's clean
 * mark moves past it, and placed_clean says where its clean granules begin
 * (left alone when none is: calloc resets it first). Only the heap's tail
 * holds clean granules: one compare with the state. */
static inline void heap_mark_used(grain_t g, grain_t hole_end, grain_t end)
{
    if (hole_end != mems_state.heap_end_grain || end <= mems_state.heap_clean_from)
        return;
    assert(mems_state.heap_clean_from >= g);
    (void)g;
    mems_state.placed_clean = mems_state.heap_clean_from;
    mems_state.heap_clean_from = end;
}

static bool reserve_split(grain_t at)
{
    if (!grain_reserve(at))
        return false;
    if (!index_reserve(1)) {
        grain_unreserve(at);
        return false;
    }
    return true;
}

/* Turns the first `size` granules of HOLE `hole` into a PROCESS segment;
 * false (error recorded, nothing changed) when metadata cannot be mapped.
 * `hole_size` is the hole's size when the caller knows it, else 0. */
bool segment_place(struct main_node *node, grain_t hole, uint64_t hole_size, uint64_t size, size_t requested)
{
    struct grain_place p = place_of_start(hole);
    assert(place_is_start(&p) && place_is_hole(&p) && size > 0);
    /* the tail's size is kept beside the fit tree: no search for its end */
    if (hole_size == 0 && mems_state.tail_valid && hole == mems_state.tail_grain)
        hole_size = mems_state.tail_size;
    if (hole_size == 0 && hole == mems_state.known_hole)
        hole_size = mems_state.known_hole_size;
    if (hole_size == 0)
        hole_size = place_next_start(&p, hole, node_of(&node, hole)->end_grain, false) - hole;
    assert(hole_size >= size && hole_size == segment_size(node_of(&node, hole), hole));
    bool split = hole_size > size;
    struct grain_place rest;
    if (split) {
        rest = place_near(&p, hole, hole + size);
        bool leaf_ready = rest.leaf != NULL || grain_reserve(hole + size);
        if (!leaf_ready || !index_reserve(1)) {
            if (leaf_ready && rest.leaf == NULL)
                grain_unreserve(hole + size);
            state_record_error(MEMS_E_NO_MEMORY, "mmap for MeMS metadata failed");
            return false;
        }
        if (rest.leaf == NULL)
            rest = place_of(hole + size);
    }
    heap_mark_used(hole, hole + hole_size, hole + size);
    bool shrunk = split && index_hole_shrunk(hole, hole_size, hole + size, hole_size - size);
    if (!shrunk)
        index_hole_removed(hole, hole_size);
    place_make_process(&p, (unsigned)(grains_to_bytes(size) - requested));
    if (split) {
        place_set_start(&rest, true, 0);
        if (!shrunk)
            index_hole_added(hole + size, hole_size - size);
        mems_state.known_hole = hole + size;
        mems_state.known_hole_size = hole_size - size;
        mems_state.segment_count++;
    } else {
        mems_state.hole_count--;
    }
    index_commit();
    mems_state.hole_bytes -= grains_to_bytes(size);
    mems_state.requested_bytes += requested;
    mems_state.cursor = grain_to_v(hole);
    return true;
}

/* PROCESS [g, g + size), whose bits are at `place`, becomes a HOLE merged
 * with its neighbours; with release_empty_nodes a node left one whole HOLE
 * goes back to the OS. The neighbours' bits are mostly in the block's own
 * word: one place serves all. */
void segment_free_at(struct main_node *node, grain_t g, uint64_t size, const struct grain_place *place)
{
    struct grain_place p = *place, after, before;
    assert(place_is_start(&p) && !place_is_hole(&p) && (g & 63) == p.bit);
    if (g == mems_state.given_grain)
        mems_state.given_v = 0;
    grain_t end = g + size, merged_end = end;
    size_t requested = grains_to_bytes(size) - place_take_slack(&p); /* a HOLE keeps no slack */
    bool next_hole = false, prev_hole = false;
    if (same_node_word(g, end) || end < node_of(&node, g)->end_grain) {
        after = place_near(&p, g, end);
        next_hole = place_is_hole(&after);
        if (next_hole) {
            grain_t in_word = place_next_start_in_word(&after, end);
            uint64_t sole = 0;
            merged_end = same_node_word(end, in_word) ? in_word
                         : mems_state.tail_valid && end == mems_state.tail_grain
                             ? node_of(&node, g)->end_grain
                         : end == mems_state.known_hole
                             ? end + mems_state.known_hole_size
                         : (sole = index_sole_hole_size(end, after.group[GROUP_HOLE])) != 0
                             ? end + sole
                             : place_next_start(&after, end, node_of(&node, g)->end_grain, true);
            assert(merged_end == grain_next_start(end, node_of(&node, g)->end_grain));
        }
    }
    grain_t prev = place_prev_start_in_word(&p, g);
    if (!same_node_word(g, prev))
        prev = g > node_of(&node, g)->first_grain ? place_prev_start(&p, g) : GRAIN_NONE;
    if (prev != GRAIN_NONE) {
        before = place_near(&p, g, prev);
        prev_hole = place_is_hole(&before);
    }
    grain_t merged_start = prev_hole ? prev : g;

    /* the hole after the block (else the one before) becomes the merged
     * hole: one note where the index can (index_hole_merged) */
    bool merged_in_place = false;
    if (next_hole) {
        if (prev_hole)
            index_hole_removed(prev, g - prev);
        merged_in_place = index_hole_merged(end, merged_end - end, merged_start, merged_end - merged_start);
        if (!merged_in_place)
            index_hole_removed(end, merged_end - end);
    } else if (prev_hole) {
        merged_in_place = index_hole_merged(prev, g - prev, merged_start, merged_end - merged_start);
        if (!merged_in_place)
            index_hole_removed(prev, g - prev);
    }
    /* only bits at existing starts change, so freeing never maps anything;
     * g's leaf still holds end's start when they share it, so clearing g
     * first cannot give back the leaf `after` points into */
    if (prev_hole)
        place_remove_start(&p, false);
    else
        p.group[GROUP_HOLE] |= (uint64_t)1 << p.bit;
    if (next_hole)
        place_remove_start(&after, true);
    size_t merged = (size_t)prev_hole + (size_t)next_hole;
    mems_state.segment_count -= merged;
    mems_state.hole_count = mems_state.hole_count + 1 - merged;
    mems_state.hole_bytes += grains_to_bytes(size);
    mems_state.requested_bytes -= requested;
    if (!merged_in_place)
        index_hole_added(merged_start, merged_end - merged_start);
    mems_state.known_hole = merged_start;
    mems_state.known_hole_size = merged_end - merged_start;
    index_commit();
    if (mems_state.config.release_empty_nodes && merged_start == node_of(&node, g)->first_grain &&
        merged_end == node->end_grain)
        chain_remove_node(node);
}

void segment_free(struct main_node *node, grain_t g, uint64_t size)
{
    struct grain_place p = place_of(g);
    segment_free_at(node, g, size, &p);
}

/* Gives the granules of PROCESS [g, g + size) past `new_size` back as a HOLE
 * (merged with a HOLE that follows); false (nothing changed) when metadata
 * cannot be mapped. The caller sets the requested bytes. */
bool segment_shrink(struct main_node *node, grain_t g, uint64_t size, uint64_t new_size)
{
    assert(new_size > 0 && new_size < size);
    grain_t end = g + size, cut = g + new_size;
    bool next_hole = end < node->end_grain && grain_is_hole(end);
    if (next_hole ? !grain_reserve(cut) : !reserve_split(cut))
        return false;
    uint64_t spare = size - new_size;
    if (next_hole) {
        uint64_t hole_size = grain_next_start(end, node->end_grain) - end;
        index_hole_removed(end, hole_size);
        grain_set_start(cut, true, 0);
        grain_clear_start(end);
        index_hole_added(cut, hole_size + spare);
    } else {
        grain_set_start(cut, true, 0);
        index_hole_added(cut, spare);
        mems_state.segment_count++;
        mems_state.hole_count++;
    }
    grain_set_kind(g, false, 0); /* slack no longer fits the new size; the caller sets it */
    index_commit();
    mems_state.hole_bytes += grains_to_bytes(spare);
    return true;
}

/* Grows PROCESS [g, g + size) into the HOLE after it, if that hole is big
 * enough; false (nothing changed) otherwise. The caller sets the requested bytes. */
bool segment_grow(struct main_node *node, grain_t g, uint64_t size, uint64_t new_size)
{
    assert(new_size > size);
    grain_t end = g + size;
    if (end >= node->end_grain || !grain_is_hole(end))
        return false;
    uint64_t hole_size = grain_next_start(end, node->end_grain) - end, need = new_size - size;
    if (hole_size < need)
        return false;
    if (hole_size == need) {
        index_hole_removed(end, hole_size);
        grain_clear_start(end);
        mems_state.segment_count--;
        mems_state.hole_count--;
    } else {
        if (!grain_reserve(end + need))
            return false;
        bool shrunk = index_hole_shrunk(end, hole_size, end + need, hole_size - need);
        if (!shrunk)
            index_hole_removed(end, hole_size);
        grain_set_start(end + need, true, 0);
        grain_clear_start(end);
        if (!shrunk)
            index_hole_added(end + need, hole_size - need);
    }
    heap_mark_used(end, end + hole_size, end + need);
    grain_set_kind(g, false, 0);
    index_commit();
    mems_state.hole_bytes -= grains_to_bytes(need);
    return true;
}

/* Why `v` is not the start of a PROCESS segment, recorded as the error:
 * kept out of line so the common case stays short. */
__attribute__((noinline)) grain_t segment_locate_failed(uintptr_t v, const char *caller)
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

grain_t segment_locate_block(uintptr_t v, const char *caller, struct main_node **node_out, uint64_t *size_out)
{
    struct grain_place p;
    return segment_locate(v, caller, &p, node_out, size_out);
}
