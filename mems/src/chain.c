/*
 * The main chain: appending and removing main nodes, and two ways to find
 * one. The page map (as tcmalloc's pagemap) gives the node of a MeMS virtual
 * page in one load: virtual space is contiguous from MEMS_VIRTUAL_BASE, so a
 * flat array indexed by (v - MEMS_VIRTUAL_BASE) / PAGE_SIZE covers it, in
 * pages MeMS maps itself, grown fourfold. A treap of the nodes by real
 * base gives a real pointer's node in O(log n).
 */
#include "chain.h"

#include <assert.h>
#include <string.h>

/* Grown fourfold, not twofold: each growth copies the table into fresh pages,
 * a page fault each, and on a heap of a few large blocks those faults were
 * much of the time of an allocation. Four saves most of the copies for a
 * longer unused tail (8 bytes per 4 KB page of heap, at most 3 in 4 unused). */
static bool table_grow(void **table, size_t *bytes, size_t needed_bytes, const char *what)
{
    if (needed_bytes <= *bytes)
        return true;
    size_t grown = *bytes ? *bytes * 4 : (size_t)PAGE_SIZE;
    while (grown < needed_bytes)
        grown *= 4;
    void *map = os_map(grown);
    if (map == NULL)
        return false;
    if (*table != NULL) {
        memcpy(map, *table, *bytes);
        mems_state.metadata_bytes -= *bytes;
        state_unmap_or_keep(*table, *bytes, what);
    }
    mems_state.metadata_bytes += grown;
    *table = map;
    *bytes = grown;
    state_update_peaks();
    return true;
}

/* ---- by real base, for real -> virtual ----
 * A treap threaded through the node records: insertion and removal in
 * O(log n) whatever order mmap hands out addresses (a sorted array moved
 * O(n) entries per new node: a third of a million-block ramp's time). The
 * priority is a hash of the base, so no field holds it. */

static uint64_t node_priority(const struct main_node *node)
{
    uint64_t x = (uint64_t)(uintptr_t)node->base * 0x9E3779B97F4A7C15ULL;
    return x ^ (x >> 31);
}

/* Splits `tree` into the nodes below `key` and the others. */
static void by_base_split(struct main_node *tree, uintptr_t key, struct main_node **below, struct main_node **rest)
{
    while (tree != NULL) {
        if ((uintptr_t)tree->base < key) {
            *below = tree;
            below = &tree->higher;
            tree = tree->higher;
        } else {
            *rest = tree;
            rest = &tree->lower;
            tree = tree->lower;
        }
    }
    *below = *rest = NULL;
}

/* Joins two treaps, every base of `low` below every base of `high`. */
static struct main_node *by_base_join(struct main_node *low, struct main_node *high)
{
    struct main_node *root, **at = &root;
    while (low != NULL && high != NULL) {
        if (node_priority(low) > node_priority(high)) {
            *at = low;
            at = &low->higher;
            low = low->higher;
        } else {
            *at = high;
            at = &high->lower;
            high = high->lower;
        }
    }
    *at = low != NULL ? low : high;
    return root;
}

struct main_node *chain_node_of_real(const void *real)
{
    uintptr_t p = (uintptr_t)real;
    struct main_node *below = NULL; /* the node of the highest base at or below p */
    for (struct main_node *t = mems_state.by_base_root; t != NULL;)
        if ((uintptr_t)t->base <= p) {
            below = t;
            t = t->higher;
        } else {
            t = t->lower;
        }
    return below != NULL && p - (uintptr_t)below->base < node_bytes(below) ? below : NULL;
}

static void by_base_insert(struct main_node *node)
{
    struct main_node *low, *high;
    by_base_split(mems_state.by_base_root, (uintptr_t)node->base, &low, &high);
    node->lower = node->higher = NULL;
    mems_state.by_base_root = by_base_join(by_base_join(low, node), high);
}

static void by_base_remove(struct main_node *node)
{
    struct main_node *low, *rest, *it, *high;
    by_base_split(mems_state.by_base_root, (uintptr_t)node->base, &low, &rest);
    by_base_split(rest, (uintptr_t)node->base + 1, &it, &high);
    assert(it == node && node->lower == NULL && node->higher == NULL);
    mems_state.by_base_root = by_base_join(low, high);
}

/* For chain_check_tables: the nodes in base order, none overlapping, each
 * below its parent's priority; the count. */
static int by_base_check(const struct main_node *tree, const struct main_node **previous, size_t *count)
{
    if (tree == NULL)
        return 0;
    int bad = by_base_check(tree->lower, previous, count);
    bad += *previous != NULL && (uintptr_t)(*previous)->base + node_bytes(*previous) > (uintptr_t)tree->base;
    bad += tree->lower != NULL && node_priority(tree->lower) > node_priority(tree);
    bad += tree->higher != NULL && node_priority(tree->higher) > node_priority(tree);
    *previous = tree;
    (*count)++;
    return bad + by_base_check(tree->higher, previous, count);
}

/* ---- the page map ---- */

static void page_map_fill(const struct main_node *node, struct main_node *value)
{
    size_t first = (node->v_start - MEMS_VIRTUAL_BASE) / PAGE_SIZE;
    for (size_t i = 0, pages = node_pages(node); i < pages; i++)
        mems_state.page_map[first + i] = value;
}

/* ---- nodes ---- */

static void node_link_last(struct main_node *node)
{
    node->prev = mems_state.last;
    node->next = NULL;
    if (mems_state.last != NULL)
        mems_state.last->next = node;
    else
        mems_state.first = node;
    mems_state.last = node;
    mems_state.heap_end_grain = node->end_grain;
    mems_state.heap_clean_from = node->first_grain; /* fresh from mmap */
}

static void node_unlink(struct main_node *node)
{
    if (node->prev != NULL)
        node->prev->next = node->next;
    else
        mems_state.first = node->next;
    if (node->next != NULL)
        node->next->prev = node->prev;
    else {
        mems_state.last = node->prev;
        mems_state.heap_end_grain = node->prev != NULL ? node->prev->end_grain : 0;
        mems_state.heap_clean_from = mems_state.heap_end_grain; /* the new last node's tail: not known clean */
    }
}

/* Room in every table for a node of `pages` pages at `v_start`; false
 * (tables only grown, nothing else changed) when mmap fails. */
static bool tables_reserve(uintptr_t v_start, size_t pages, grain_t end_grain)
{
    size_t last_page = (v_start - MEMS_VIRTUAL_BASE) / PAGE_SIZE + pages;
    void *page_map = mems_state.page_map;
    bool ok = table_grow(&page_map, &mems_state.page_map_bytes, last_page * sizeof(struct main_node *),
                         "the old page map");
    mems_state.page_map = page_map;
    mems_state.page_map_capacity = mems_state.page_map_bytes / sizeof(struct main_node *);
    return ok && grain_reserve_span(end_grain) && mems_state.node_events->reserve(1) &&
           grain_reserve(v_to_grain(v_start));
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
    if (v_to_grain(v_start) + (bytes >> mems_state.layout.shift) > GRAIN_LIMIT) {
        state_record_error(MEMS_E_NO_MEMORY, "%zu more bytes are more than MeMS's address space can number", bytes);
        return NULL;
    }
    grain_t first = v_to_grain(v_start), end = first + (bytes >> mems_state.layout.shift);
    if (!tables_reserve(v_start, pages, end)) {
        if (mems_state.dir.leaf_capacity > 0)
            grain_unreserve(first);
        state_record_error(MEMS_E_NO_MEMORY, "mmap for MeMS metadata failed");
        return NULL;
    }
    struct main_node *node = meta_node_take();
    void *base = node != NULL ? os_map(bytes) : NULL;
    if (base == NULL) {
        if (node != NULL)
            meta_node_give(node);
        grain_unreserve(first);
        state_record_error(MEMS_E_NO_MEMORY, "mmap of %zu bytes failed", bytes);
        return NULL;
    }

    *node = (struct main_node){.base = base, .v_start = v_start, .first_grain = first, .end_grain = end};
    by_base_insert(node);
    state_note_real(base, bytes, mems_state.arena_tag);
    node_link_last(node);
    mems_state.node_count++;
    page_map_fill(node, node);
    grain_set_start(first, true, 0);
    mems_state.node_events->hole_added(first, end - first);
    mems_state.node_events->commit();

    mems_state.segment_count++;
    mems_state.hole_count++;
    mems_state.pages += pages;
    mems_state.hole_bytes += bytes;
    state_update_peaks();
    return node;
}

/* Gives back every table sized for the heap: the page map,
 * the granule directory and spare leaves, node records, and (the index's
 * part) hole records. */
static void release_tables(void)
{
    assert(mems_state.node_count == 0);
    if (mems_state.page_map != NULL) {
        mems_state.metadata_bytes -= mems_state.page_map_bytes;
        state_unmap_or_keep(mems_state.page_map, mems_state.page_map_bytes, "the page map");
    }
    mems_state.page_map = NULL;
    mems_state.page_map_bytes = mems_state.page_map_capacity = 0;
    mems_state.by_base_root = NULL;
    grain_release_all();
    meta_release_all();
    mems_state.node_events->emptied();
}

/* Unmaps a main node that is one whole HOLE; false (node kept, error
 * recorded) when munmap fails. */
bool chain_remove_node(struct main_node *node)
{
    assert(segment_size(node, node->first_grain) == node->end_grain - node->first_grain &&
           grain_is_hole(node->first_grain));
    /* the real-page map forgets the pages before munmap: once unmapped, another arena may be given them */
    state_note_real(node->base, node_bytes(node), 0);
    if (os_unmap(node->base, node_bytes(node)) != 0) {
        state_note_real(node->base, node_bytes(node), mems_state.arena_tag);
        state_record_error(MEMS_E_OS, "munmap of main node [%ju:%ju] failed", (uintmax_t)node->v_start,
                           (uintmax_t)node_v_end(node));
        return false;
    }
    /* next fit resumes in the node that followed, or at the start */
    if (mems_state.cursor >= node->v_start && mems_state.cursor <= node_v_end(node))
        mems_state.cursor = node->next != NULL ? node->next->v_start : 0;
    mems_state.node_events->hole_removed(node->first_grain, node->end_grain - node->first_grain);
    grain_clear_start(node->first_grain);
    mems_state.node_events->commit();
    page_map_fill(node, NULL);
    by_base_remove(node);
    node_unlink(node);
    mems_state.node_count--;
    mems_state.segment_count--;
    mems_state.hole_count--;
    mems_state.pages -= node_pages(node);
    mems_state.hole_bytes -= node_bytes(node);
    meta_node_give(node);
    if (mems_state.node_count == 0)
        release_tables(); /* an empty heap keeps no metadata at all */
    return true;
}

void chain_release_all(void)
{
    struct main_node *node = mems_state.first;
    while (node != NULL) {
        struct main_node *next = node->next;
        state_note_real(node->base, node_bytes(node), 0);
        if (os_unmap(node->base, node_bytes(node)) != 0)
            state_record_error(MEMS_E_OS, "munmap of main node [%ju:%ju] failed", (uintmax_t)node->v_start,
                               (uintmax_t)node_v_end(node));
        node = next;
    }
    mems_state.first = mems_state.last = NULL;
    mems_state.heap_end_grain = mems_state.heap_clean_from = 0;
    mems_state.cursor = 0;
    mems_state.node_count = 0;
    release_tables();
}

/* For mems_check: the page map and the base table agree with the chain. */
int chain_check_tables(void)
{
    int bad = 0;
    size_t i = 0;
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next, i++) {
        size_t first = (node->v_start - MEMS_VIRTUAL_BASE) / PAGE_SIZE;
        size_t pages = node_pages(node);
        bad += first + pages > mems_state.page_map_capacity;
        for (size_t p = 0; p < pages && first + p < mems_state.page_map_capacity; p++)
            bad += mems_state.page_map[first + p] != node;
        bad += chain_node_of_real(node->base) != node;
    }
    const struct main_node *previous = NULL;
    size_t in_treap = 0;
    bad += by_base_check(mems_state.by_base_root, &previous, &in_treap);
    bad += in_treap != mems_state.node_count;
    size_t mapped_pages = 0;
    for (size_t p = 0; p < mems_state.page_map_capacity; p++)
        mapped_pages += mems_state.page_map[p] != NULL;
    bad += mapped_pages != mems_state.pages;
    return bad;
}

uint64_t segment_size(const struct main_node *node, grain_t g)
{
    return grain_next_start(g, node->end_grain) - g;
}

/* Counted when asked (stats, checks) rather than kept up to date by every operation. */
size_t node_segment_count(const struct main_node *node)
{
    size_t count = 0;
    for (grain_t g = node->first_grain; g < node->end_grain; g = grain_next_start(g, node->end_grain))
        count++;
    return count;
}
