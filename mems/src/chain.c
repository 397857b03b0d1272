/*
 * The 2-D free list: appending and removing main nodes, splitting and merging
 * the segments of a sub-chain. Each function keeps the totals in mems_state in
 * step with the chains, which is what mems_check() later verifies.
 */
#include "mems_internal.h"

#include <assert.h>

static void node_link_last(struct main_node *node)
{
    node->prev = mems_state.last;
    node->next = NULL;
    if (mems_state.last != NULL)
        mems_state.last->next = node;
    else
        mems_state.first = node;
    mems_state.last = node;
    mems_state.node_count++;
}

static void node_unlink(struct main_node *node)
{
    if (node->prev != NULL)
        node->prev->next = node->next;
    else
        mems_state.first = node->next;
    if (node->next != NULL)
        node->next->prev = node->prev;
    else
        mems_state.last = node->prev;
    mems_state.node_count--;
}

/* Maps `pages` pages as a new main node at the end of the chain, holding one
 * HOLE that covers it. Returns NULL (error recorded, nothing changed) when the
 * cap, the address space or mmap says no. */
struct main_node *chain_append_node(size_t pages)
{
    assert(pages > 0);
    size_t bytes = pages * (size_t)PAGE_SIZE;
    size_t cap = mems_state.config.max_mapped_bytes;
    size_t mapped = mems_state.pages * (size_t)PAGE_SIZE;
    if (cap != 0 && (bytes > cap || mapped > cap - bytes)) {
        state_record_error(MEMS_E_CAP_REACHED, "mapping %zu more bytes would pass the cap of %zu (%zu mapped)",
                           bytes, cap, mapped);
        return NULL;
    }
    uintptr_t v_start = mems_state.last != NULL ? node_v_end(mems_state.last) + 1 : MEMS_VIRTUAL_BASE;
    if (v_start > UINTPTR_MAX - bytes) {
        state_record_error(MEMS_E_OVERFLOW, "%zu more bytes would run past the end of the virtual address space",
                           bytes);
        return NULL;
    }
    if (!index_reserve_node()) {
        state_record_error(MEMS_E_NO_MEMORY, "mmap for the MeMS node table failed");
        return NULL;
    }

    struct main_node *node = meta_slot_take();
    struct segment *hole = node != NULL ? meta_slot_take() : NULL;
    void *base = hole != NULL ? os_map(bytes) : NULL;
    if (base == NULL) {
        if (hole != NULL)
            meta_slot_give(hole);
        if (node != NULL)
            meta_slot_give(node);
        state_record_error(MEMS_E_NO_MEMORY, "mmap of %zu bytes failed", bytes);
        return NULL;
    }

    hole->type = SEGMENT_HOLE;
    hole->node = node;
    hole->offset = 0;
    hole->size = bytes;
    node->first = node->last = hole;
    node->base = base;
    node->pages = pages;
    node->v_start = v_start;
    node->segment_count = 1;
    index_append_node(node);
    node_link_last(node);
    index_add_segment(hole);
    index_add_hole(hole);

    mems_state.segment_count++;
    mems_state.hole_count++;
    mems_state.pages += pages;
    mems_state.hole_bytes += bytes;
    state_update_peaks();
    return node;
}

/* Unmaps a main node that is one whole HOLE. */
void chain_remove_node(struct main_node *node)
{
    assert(node->segment_count == 1 && node->first->type == SEGMENT_HOLE);
    assert(node->first->size == node_bytes(node));
    policy_forget_segment(node, node->first, NULL);
    if (os_unmap(node->base, node_bytes(node)) != 0) {
        /* still mapped: keep the node so the mapping is not lost */
        state_record_error(MEMS_E_OS, "munmap of main node [%ju:%ju] failed", (uintmax_t)node->v_start,
                           (uintmax_t)node_v_end(node));
        return;
    }
    index_remove_hole(node->first);
    index_remove_segment(node->first);
    index_remove_node(node);
    node_unlink(node);
    mems_state.segment_count--;
    mems_state.hole_count--;
    mems_state.pages -= node->pages;
    mems_state.hole_bytes -= node_bytes(node);
    meta_slot_give(node->first);
    meta_slot_give(node);
}

void chain_release_all(void)
{
    struct main_node *node = mems_state.first;
    while (node != NULL) {
        struct main_node *next = node->next;
        if (os_unmap(node->base, node_bytes(node)) != 0)
            state_record_error(MEMS_E_OS, "munmap of main node [%ju:%ju] failed", (uintmax_t)node->v_start,
                               (uintmax_t)node_v_end(node));
        node = next;
    }
    mems_state.first = mems_state.last = NULL;
    mems_state.cursor_node = NULL;
    mems_state.cursor_segment = NULL;
}

/* Cuts `seg` in two: `seg` keeps the first `first_size` bytes and a new HOLE
 * after it takes the rest (the caller moves those bytes into hole_bytes when
 * `seg` is a PROCESS being shrunk). Returns the new HOLE, or NULL (nothing
 * changed) when no metadata slot can be had. */
struct segment *segment_split(struct main_node *node, struct segment *seg, size_t first_size)
{
    assert(first_size > 0 && first_size < seg->size);
    struct segment *rest = meta_slot_take();
    if (rest == NULL) {
        state_record_error(MEMS_E_NO_MEMORY, "mmap for MeMS metadata failed");
        return NULL;
    }
    bool reindex = seg->indexed;
    if (reindex)
        index_remove_hole(seg);
    rest->type = SEGMENT_HOLE;
    rest->node = node;
    rest->offset = seg->offset + first_size;
    rest->size = seg->size - first_size;
    seg->size = first_size;

    rest->prev = seg;
    rest->next = seg->next;
    if (seg->next != NULL)
        seg->next->prev = rest;
    else
        node->last = rest;
    seg->next = rest;

    node->segment_count++;
    mems_state.segment_count++;
    mems_state.hole_count++;
    index_add_segment(rest);
    if (reindex)
        index_add_hole(seg);
    index_add_hole(rest);
    return rest;
}

void segment_make_process(struct segment *seg, size_t requested)
{
    assert(seg->type == SEGMENT_HOLE && requested <= seg->size);
    if (seg->indexed)
        index_remove_hole(seg);
    seg->type = SEGMENT_PROCESS;
    seg->requested = requested;
    mems_state.hole_count--;
    mems_state.hole_bytes -= seg->size;
    mems_state.requested_bytes += requested;
}

/* Folds HOLE `absorbed` into the HOLE just before it. The keeper leaves the
 * index (its size changes); segment_merge_neighbours puts the survivor back. */
static void segment_absorb_into_prev(struct main_node *node, struct segment *absorbed)
{
    struct segment *keeper = absorbed->prev;
    assert(keeper != NULL && keeper->type == SEGMENT_HOLE && absorbed->type == SEGMENT_HOLE);
    assert(keeper->offset + keeper->size == absorbed->offset);
    if (keeper->indexed)
        index_remove_hole(keeper);
    if (absorbed->indexed)
        index_remove_hole(absorbed);
    index_remove_segment(absorbed);
    keeper->size += absorbed->size;
    keeper->next = absorbed->next;
    if (absorbed->next != NULL)
        absorbed->next->prev = keeper;
    else
        node->last = keeper;
    policy_forget_segment(node, absorbed, keeper);
    meta_slot_give(absorbed);
    node->segment_count--;
    mems_state.segment_count--;
    mems_state.hole_count--;
}

/* Merges HOLE `seg` with a HOLE on either side; returns the HOLE that
 * remains, indexed. */
struct segment *segment_merge_neighbours(struct main_node *node, struct segment *seg)
{
    assert(seg->type == SEGMENT_HOLE);
    if (seg->next != NULL && seg->next->type == SEGMENT_HOLE)
        segment_absorb_into_prev(node, seg->next);
    if (seg->prev != NULL && seg->prev->type == SEGMENT_HOLE) {
        struct segment *keeper = seg->prev;
        segment_absorb_into_prev(node, seg);
        seg = keeper;
    }
    if (!seg->indexed)
        index_add_hole(seg);
    return seg;
}
