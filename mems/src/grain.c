/*
 * The granule bitmaps: which granules start a segment, which of those start
 * a HOLE, and each PROCESS segment's slack. They live in leaves of one page,
 * each covering words_per_leaf words of 64 granules, mapped when a start first
 * lands in them and given back when their last start goes: the interior of a
 * large hole costs no metadata at all.
 *
 * A leaf holds, in uint64_t units: a count of its starts; a summary (a bit per
 * start word that is not zero, so finding the next or previous start skips
 * empty words); then, from a cache line on, a group per word of 64 granules:
 * its start bits, its hole bits and its slack fields side by side, so that a
 * free or a placement, which reads and writes all three, touches one cache
 * line of the leaf (sometimes two) rather than three. Leaves are located through
 * the directory, which also has a bit per leaf that holds a start, so a search
 * for the next start skips empty leaves, and the levels of the fit tree.
 */
#include "grain.h"

#include <assert.h>
#include <string.h>

#define L (mems_state.layout)
#define D (mems_state.dir)

static unsigned log2_exact(size_t x)
{
    unsigned n = 0;
    while (((size_t)1 << n) < x)
        n++;
    return n;
}

/* The header (count, summary), padded to a cache line, then a group per word. */
static size_t leaf_header_words(size_t wpl)
{
    return (1 + (wpl + 63) / 64 + 7) & ~(size_t)7;
}

static size_t leaf_content_words(size_t wpl, unsigned slack_bits)
{
    /* start, hole, slack (slack_bits words) per word */
    return leaf_header_words(wpl) + wpl * (2 + (size_t)slack_bits);
}

/* The slack field is the smallest power-of-two width that holds
 * alignment - 1; a leaf packs as many words as one page holds. */
void grain_layout_init(size_t alignment)
{
    memset(&L, 0, sizeof L);
    L.shift = log2_exact(alignment);
    L.slack_bits = 0;
    if (L.shift != 0)
        for (L.slack_bits = 1; L.slack_bits < L.shift; L.slack_bits *= 2) {
        }
    size_t page_words = (size_t)PAGE_SIZE / sizeof(uint64_t);
    size_t wpl = page_words;
    while (wpl > 1 && leaf_content_words(wpl, L.slack_bits) > page_words)
        wpl--;
    L.words_per_leaf = wpl;
    L.node_covers_word = ((size_t)PAGE_SIZE >> L.shift) >= 64;
    L.leaf_magic = UINT64_MAX / wpl + 1;
    L.summary_words = (wpl + 63) / 64;
    L.group_words = 2 + (size_t)L.slack_bits;
    L.off_summary = 1;
    L.off_groups = leaf_header_words(wpl);
}

/* ---- the directory ---- */

/* Level 0 of the fit tree has an entry per word of every leaf the directory can hold. */
/* Where the levels start: the groups of 16 entries a search compares at once
 * then each sit in one cache line. */
static size_t directory_levels_offset(size_t capacity)
{
    size_t bytes = capacity * sizeof(uint64_t *) + ((capacity + 63) / 64) * sizeof(uint64_t);
    return (bytes + 63) & ~(size_t)63;
}

static size_t directory_bytes(size_t capacity, size_t *level_lengths, unsigned *levels)
{
    size_t bytes = directory_levels_offset(capacity);
    size_t n = capacity * L.words_per_leaf;
    unsigned count = 0;
    for (;;) {
        level_lengths[count++] = n;
        bytes += ((n + 15) & ~(size_t)15) * sizeof(uint32_t); /* whole groups of 16 */
        if (n <= 1 || count == FIT_MAX_LEVELS)
            break;
        n = (n + 15) / 16;
    }
    *levels = count;
    return (bytes + PAGE_SIZE - 1) & ~((size_t)PAGE_SIZE - 1);
}

/* Fills the levels of the grown directory `next` (fresh from mmap: all zero)
 * from the current one. The levels are a 16-ary tree over level 0 whose
 * groups keep their places when the directory grows, so each old level is the
 * new one's prefix and is copied as it stands (bounds stay bounds, worst
 * fit's exact maxima stay exact); the new levels above the old root are
 * computed. The copy goes down from the root into the groups whose parent is
 * not zero (a parent bounds its children from above), so it reads and writes
 * only pages that hold a hole: on a heap of a few large blocks most of every
 * level is zero, and reading a page never written maps the zero page, which
 * the first write to it then faults out again. */
static void directory_copy_levels(struct grain_directory *next)
{
    unsigned top = D.level_count - 1;
    for (size_t j = 0; j < D.level_length[top]; j++)
        next->levels[top][j] = D.levels[top][j];
    for (unsigned lvl = top; lvl > 0; lvl--)
        for (size_t j = 0; j < D.level_length[lvl]; j++) {
            if (lvl < top && (j % 16 == 0) && D.levels[lvl + 1][j / 16] == 0) {
                j += 15; /* a zero group: its children are zero too */
                continue;
            }
            if (D.levels[lvl][j] != 0)
                memcpy(next->levels[lvl - 1] + j * 16, D.levels[lvl - 1] + j * 16, 16 * sizeof(uint32_t));
        }
    size_t extent = D.level_length[top];
    for (unsigned lvl = top + 1; lvl < next->level_count; lvl++) {
        extent = (extent + 15) / 16;
        for (size_t j = 0; j < extent; j++)
            next->levels[lvl][j] = group_max(next->levels[lvl - 1] + j * 16);
    }
}

/* Makes the directory cover every granule below `end`; false (nothing
 * changed) when mmap fails. */
bool grain_reserve_span(grain_t end)
{
    if (end > GRAIN_LIMIT)
        return false;
    size_t needed = end == 0 ? 1 : leaf_index((end - 1) >> 6) + 1;
    if (needed <= D.leaf_capacity)
        return true;
    /* Grown fourfold, as the page map (chain.c): every growth copies the
     * levels' holes into fresh pages, a page fault each, and on a heap of a
     * few large blocks those faults and the mmap and munmap were much of the
     * time of an allocation (xz-threads: 819 -> 642 ns per op, peak
     * footprint of the corpus +0.2 %). */
    size_t capacity = D.leaf_capacity ? D.leaf_capacity : 1;
    while (capacity < needed)
        capacity *= 4;
    size_t lengths[FIT_MAX_LEVELS];
    unsigned levels;
    size_t bytes = directory_bytes(capacity, lengths, &levels);
    /* the mapping is whole pages: fill them, and grow less often */
    for (;;) {
        size_t wider_lengths[FIT_MAX_LEVELS];
        unsigned wider_levels;
        if (directory_bytes(capacity * 2, wider_lengths, &wider_levels) != bytes ||
            (wider_levels == FIT_MAX_LEVELS && wider_lengths[wider_levels - 1] > 1))
            break;
        capacity *= 2;
        levels = wider_levels;
        memcpy(lengths, wider_lengths, sizeof lengths);
    }
    if (levels == FIT_MAX_LEVELS && lengths[levels - 1] > 1)
        return false;
    unsigned char *map = os_map(bytes);
    if (map == NULL)
        return false;
    struct grain_directory next = {.map = map, .map_bytes = bytes, .leaf_capacity = capacity, .level_count = levels};
    next.leaves = (uint64_t **)map;
    next.leaf_live = (uint64_t *)(map + capacity * sizeof(uint64_t *));
    uint32_t *level = (uint32_t *)(void *)(map + directory_levels_offset(capacity));
    for (unsigned i = 0; i < levels; i++) {
        next.levels[i] = level;
        next.level_length[i] = lengths[i];
        level += (lengths[i] + 15) & ~(size_t)15;
    }
    if (D.map != NULL) {
        memcpy(next.leaves, D.leaves, D.leaf_capacity * sizeof *D.leaves);
        memcpy(next.leaf_live, D.leaf_live, ((D.leaf_capacity + 63) / 64) * sizeof *D.leaf_live);
        directory_copy_levels(&next);
        mems_state.metadata_bytes -= D.map_bytes;
        state_unmap_or_keep(D.map, D.map_bytes, "the old granule directory");
    }
    D = next;
    mems_state.metadata_bytes += bytes;
    state_update_peaks();
    return true;
}

/* ---- leaves ---- */

/* Makes sure the leaf holding `g` is mapped; false (nothing changed) when
 * mmap fails. A leaf mapped here and left without starts must be handed back
 * with grain_unreserve. */
bool grain_reserve(grain_t g)
{
    size_t leaf = leaf_index(g >> 6);
    assert(leaf < D.leaf_capacity);
    if (D.leaves[leaf] != NULL)
        return true;
    uint64_t *page;
    if (mems_state.spare_leaves != NULL) {
        page = mems_state.spare_leaves;
        mems_state.spare_leaves = (uint64_t *)page[0];
        mems_state.spare_leaf_count--;
        page[0] = 0;
    } else {
        page = os_map(PAGE_SIZE);
        if (page == NULL)
            return false;
        /* Written before anything reads it: a fresh page read first is given
         * the shared zero page, and the write that follows faults again. */
        page[0] = 0;
        mems_state.metadata_bytes += PAGE_SIZE;
        state_update_peaks();
    }
    D.leaves[leaf] = page;
    mems_state.leaves_mapped++;
    return true;
}

void grain_unreserve(grain_t g)
{
    size_t leaf = leaf_index(g >> 6);
    if (leaf < D.leaf_capacity && D.leaves[leaf] != NULL && D.leaves[leaf][0] == 0)
        grain_leaf_emptied(leaf);
}

/* ---- bits ---- */

/* Marks a new segment start; its leaf must be reserved. */
void grain_set_start(grain_t g, bool hole, unsigned slack)
{
    struct grain_place p = place_of(g);
    assert(p.leaf != NULL);
    place_set_start(&p, hole, slack);
}

void grain_set_kind(grain_t g, bool hole, unsigned slack)
{
    struct grain_place p = place_of(g);
    assert(p.leaf != NULL && (p.group[GROUP_START] >> p.bit & 1));
    place_store_kind(&p, hole, slack);
}

/* Removes a segment start; the leaf goes back when it was its last. */
void grain_clear_start(grain_t g)
{
    struct grain_place p = place_of(g);
    assert(p.leaf != NULL && (p.group[GROUP_START] >> p.bit & 1));
    place_clear_start(&p);
}

/* ---- the directory's levels ---- */

void grain_levels_recompute(void)
{
    for (unsigned lvl = 1; lvl < D.level_count; lvl++)
        for (size_t j = 0; j < D.level_length[lvl]; j++)
            D.levels[lvl][j] = level_children_max(lvl, j);
}

/* ---- teardown and checks ---- */

void grain_release_all(void)
{
    for (size_t l = 0; l < D.leaf_capacity && D.map != NULL; l++)
        if (D.leaves[l] != NULL)
            state_unmap_or_keep(D.leaves[l], PAGE_SIZE, "a metadata leaf");
    while (mems_state.spare_leaves != NULL) {
        uint64_t *page = mems_state.spare_leaves;
        mems_state.spare_leaves = (uint64_t *)page[0];
        state_unmap_or_keep(page, PAGE_SIZE, "a spare metadata leaf");
    }
    if (D.map != NULL)
        state_unmap_or_keep(D.map, D.map_bytes, "the granule directory");
    if (D.map != NULL)
        mems_state.metadata_bytes -= D.map_bytes + (mems_state.leaves_mapped + mems_state.spare_leaf_count) * PAGE_SIZE;
    memset(&D, 0, sizeof D);
    mems_state.spare_leaf_count = 0;
    mems_state.leaves_mapped = 0;
}

/* For mems_check: every leaf's count, summary and live bit agree with its
 * bitmaps, holes and slack only where segments start. */
void grain_check(int *bad, char *what, size_t what_size)
{
    size_t mapped = 0;
    for (size_t l = 0; l < D.leaf_capacity; l++) {
        const uint64_t *leaf = D.leaves[l];
        bool live = D.leaf_live[l / 64] >> (l % 64) & 1;
        if (leaf == NULL) {
            if (live && (*bad)++ == 0)
                snprintf(what, what_size, "granule leaf %zu is unmapped but marked live", l);
            continue;
        }
        mapped++;
        uint64_t count = 0;
        for (size_t w = 0; w < L.words_per_leaf; w++) {
            const uint64_t *group = leaf_group(leaf, w);
            uint64_t s = group[GROUP_START], h = group[GROUP_HOLE];
            count += (uint64_t)__builtin_popcountll(s);
            bool summary = leaf[L.off_summary + w / 64] >> (w % 64) & 1;
            if (summary != (s != 0) && (*bad)++ == 0)
                snprintf(what, what_size, "granule leaf %zu word %zu: summary bit wrong", l, w);
            if ((h & ~s) != 0 && (*bad)++ == 0)
                snprintf(what, what_size, "granule leaf %zu word %zu: a hole bit where no segment starts", l, w);
            bool any_slack = false;
            for (unsigned k = 0; k < L.slack_bits; k++)
                any_slack |= group[GROUP_SLACK + k] != 0;
            for (unsigned b = 0; b < 64 && any_slack; b++) {
                struct grain_place p = {(uint64_t *)leaf, (uint64_t *)group, l, w, b};
                unsigned shift;
                uint64_t field = (*slack_word(&p, &shift) >> shift) & (((uint64_t)1 << L.slack_bits) - 1);
                bool process_start = (s >> b & 1) && !(h >> b & 1);
                if (field != 0 && (!process_start || field >= ((uint64_t)1 << L.shift)) && (*bad)++ == 0)
                    snprintf(what, what_size, "granule leaf %zu word %zu bit %u: slack %ju out of place", l, w, b,
                             (uintmax_t)field);
            }
        }
        if ((count != leaf[0] || count == 0 || !live) && (*bad)++ == 0)
            snprintf(what, what_size, "granule leaf %zu: counts %ju starts, holds %ju (live bit %d)", l,
                     (uintmax_t)leaf[0], (uintmax_t)count, (int)live);
    }
    if (mapped != mems_state.leaves_mapped && (*bad)++ == 0)
        snprintf(what, what_size, "%zu granule leaves mapped, counter says %zu", mapped, mems_state.leaves_mapped);
}
