/*
 * The granule bitmaps' out-of-line half (their inline accessors:
 * grain_bits.h): the searches for the next and the previous start beyond a
 * place's own word, through the leaves' summaries and the directory's bit per
 * leaf that holds a start, and a leaf handed back when its last start goes.
 * Above the operating system; grain.c (the layout, the directory, the
 * reservation of leaves) is above these.
 */
#include "grain_bits.h"

#include <assert.h>

#define L (mems_state.layout)
#define D (mems_state.dir)

/* An emptied leaf is all zeros again; some are kept for the next
 * reservations (four, or an eighth of the leaves in use) so a hole that opens
 * and closes across leaves does not map and unmap them every time: a munmap
 * costs tens of microseconds. */
void grain_leaf_emptied(size_t leaf)
{
    uint64_t *page = D.leaves[leaf];
    assert(page != NULL && page[0] == 0);
    D.leaves[leaf] = NULL;
    D.leaf_live[leaf / 64] &= ~((uint64_t)1 << (leaf % 64));
    mems_state.leaves_mapped--;
    if (mems_state.spare_leaf_count < 4 || mems_state.spare_leaf_count < mems_state.leaves_mapped / 8) {
        page[0] = (uint64_t)(uintptr_t)mems_state.spare_leaves;
        mems_state.spare_leaves = page;
        mems_state.spare_leaf_count++;
        return;
    }
    mems_state.metadata_bytes -= PAGE_SIZE;
    state_unmap_or_keep(page, PAGE_SIZE, "an empty metadata leaf");
}

/* ---- searching the starts ---- */

/* The first start word at or after `from` in a leaf, by its summary. */
static size_t leaf_next_word(const uint64_t *leaf, size_t from)
{
    for (size_t s = from / 64; s < L.summary_words; s++) {
        uint64_t bits = leaf[L.off_summary + s];
        if (s == from / 64)
            bits &= ~(uint64_t)0 << (from % 64);
        if (bits != 0)
            return s * 64 + (size_t)__builtin_ctzll(bits);
    }
    return SIZE_MAX;
}

static size_t leaf_prev_word(const uint64_t *leaf, size_t from)
{
    for (size_t s = from / 64 + 1; s-- > 0;) {
        uint64_t bits = leaf[L.off_summary + s];
        if (s == from / 64 && from % 64 != 63)
            bits &= ((uint64_t)1 << (from % 64 + 1)) - 1;
        if (bits != 0)
            return s * 64 + 63 - (size_t)__builtin_clzll(bits);
    }
    return SIZE_MAX;
}

static grain_t grain_of(size_t leaf, size_t word, unsigned bit)
{
    return (((grain_t)leaf * L.words_per_leaf + word) << 6) + bit;
}

/* The first start in the leaves after `leaf`, below `limit`, else `limit`. */
static grain_t next_start_after_leaf(size_t leaf, grain_t limit)
{
    size_t last_leaf = leaf_index((limit - 1) >> 6);
    for (size_t l = leaf + 1; l <= last_leaf && l < D.leaf_capacity;) {
        uint64_t bits = D.leaf_live[l / 64] & (~(uint64_t)0 << (l % 64));
        if (bits == 0) {
            l = (l / 64 + 1) * 64;
            continue;
        }
        l = (l / 64) * 64 + (size_t)__builtin_ctzll(bits);
        if (l > last_leaf)
            break;
        const uint64_t *leafp = D.leaves[l];
        size_t w = leaf_next_word(leafp, 0);
        assert(w != SIZE_MAX);
        grain_t r = grain_of(l, w, (unsigned)__builtin_ctzll(leaf_group(leafp, w)[GROUP_START]));
        return r < limit ? r : limit;
    }
    return limit;
}

/* The last start in the leaves before `leaf`, else GRAIN_NONE. */
static grain_t prev_start_before_leaf(size_t leaf)
{
    for (size_t l = leaf; l-- > 0;) {
        uint64_t bits = D.leaf_live[l / 64];
        if (l % 64 != 63)
            bits &= ((uint64_t)1 << (l % 64 + 1)) - 1;
        if (bits == 0) {
            l = (l / 64) * 64; /* the loop's decrement moves to the previous word */
            continue;
        }
        l = (l / 64) * 64 + 63 - (size_t)__builtin_clzll(bits);
        const uint64_t *leafp = D.leaves[l];
        size_t w = leaf_prev_word(leafp, L.words_per_leaf - 1);
        assert(w != SIZE_MAX);
        return grain_of(l, w, 63 - (unsigned)__builtin_clzll(leaf_group(leafp, w)[GROUP_START]));
    }
    return GRAIN_NONE;
}

/* The slow part of grain_next_start (grain_bits.h): from `from`'s word on. */
grain_t grain_next_start_far(grain_t from, grain_t limit)
{
    struct grain_place p = place_of(from);
    if (p.leaf != NULL) {
        uint64_t bits = p.group[GROUP_START] & (~(uint64_t)0 << p.bit);
        if (bits != 0) {
            grain_t r = grain_of(p.leaf_number, p.word, (unsigned)__builtin_ctzll(bits));
            return r < limit ? r : limit;
        }
    }
    return grain_next_start_past(p.leaf, p.leaf_number, p.word, limit);
}

/* The first start in the words after `word` of a leaf (NULL: none mapped),
 * below `limit`, else `limit`: what a free or a placement asks when a hole
 * runs past its own word, from the place it already holds (its leaf's
 * summary bits first). The place comes in registers, not through memory. */
grain_t grain_next_start_past(const uint64_t *leaf, size_t leaf_number, size_t word, grain_t limit)
{
    if (leaf != NULL && word + 1 < L.words_per_leaf) {
        size_t w = leaf_next_word(leaf, word + 1);
        if (w != SIZE_MAX) {
            grain_t r = grain_of(leaf_number, w, (unsigned)__builtin_ctzll(leaf_group(leaf, w)[GROUP_START]));
            return r < limit ? r : limit;
        }
    }
    return next_start_after_leaf(leaf_number, limit);
}

/* The last start in the words before `word` of a leaf, else GRAIN_NONE. */
grain_t grain_prev_start_before(const uint64_t *leaf, size_t leaf_number, size_t word)
{
    if (leaf != NULL && word > 0) {
        size_t w = leaf_prev_word(leaf, word - 1);
        if (w != SIZE_MAX)
            return grain_of(leaf_number, w, 63 - (unsigned)__builtin_clzll(leaf_group(leaf, w)[GROUP_START]));
    }
    return prev_start_before_leaf(leaf_number);
}

/* The last start at or before `g`; there is always one (every main node
 * starts with a segment) when `g` lies in a node. */
grain_t grain_prev_start(grain_t g)
{
    struct grain_place p = place_of(g);
    if (p.leaf != NULL) {
        uint64_t bits = p.group[GROUP_START];
        if (p.bit != 63)
            bits &= ((uint64_t)1 << (p.bit + 1)) - 1;
        if (bits != 0)
            return grain_of(p.leaf_number, p.word, 63 - (unsigned)__builtin_clzll(bits));
    }
    return grain_prev_start_before(p.leaf, p.leaf_number, p.word);
}
