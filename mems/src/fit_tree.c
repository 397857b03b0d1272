/*
 * Holes by address, for first, next and worst fit. Each word of 64 granules
 * records the largest hole starting in it (in its leaf, grain.c); each leaf's
 * largest is in the directory's level 0, and every level above holds the
 * largest of 16 below. "The lowest-addressed hole of at least n granules at or
 * after `from`" walks up from `from` and down to the first word whose largest
 * fits, then looks at that word's holes: a handful of cache lines whatever the
 * number of holes, and exactly the hole a scan of the chains would choose.
 *
 * Updates are batched: an operation notes the words whose holes it touched
 * and fit_commit() recomputes them once the bitmaps are final.
 */
#include "mems_internal.h"

#include <assert.h>
#include <string.h>

#define D (mems_state.dir)

static inline uint32_t saturate(uint64_t size)
{
    return size >= FIT_SATURATED ? FIT_SATURATED : (uint32_t)size;
}

static uint64_t hole_size_at(grain_t g)
{
    struct main_node *node = chain_node_at(grain_to_v(g));
    assert(node != NULL);
    return segment_size(node, g);
}

static uint32_t word_largest_hole(uint64_t word)
{
    uint64_t bits = grain_hole_starts_in_word(word), largest = 0;
    while (bits != 0) {
        grain_t g = (word << 6) + (unsigned)__builtin_ctzll(bits);
        bits &= bits - 1;
        uint64_t size = hole_size_at(g);
        if (size > largest)
            largest = size;
    }
    return saturate(largest);
}

static uint32_t leaf_largest(const uint64_t *leaf)
{
    const uint32_t *max = (const uint32_t *)(leaf + mems_state.layout.off_max);
    uint32_t m = 0;
    for (size_t w = 0; w < mems_state.layout.words_per_leaf; w++)
        if (max[w] > m)
            m = max[w];
    return m;
}

/* The largest of the (up to) 16 entries below entry `parent` of level `lvl`. */
static uint32_t level_children_max(unsigned lvl, size_t parent)
{
    size_t first = parent * 16;
    size_t last = first + 16 < D.level_length[lvl - 1] ? first + 16 : D.level_length[lvl - 1];
    uint32_t m = 0;
    for (size_t c = first; c < last; c++)
        if (D.levels[lvl - 1][c] > m)
            m = D.levels[lvl - 1][c];
    return m;
}

/* Recomputes every level above the leaves (after the directory grew). */
void fit_levels_recompute(void)
{
    for (unsigned lvl = 1; lvl < D.level_count; lvl++)
        for (size_t j = 0; j < D.level_length[lvl]; j++)
            D.levels[lvl][j] = level_children_max(lvl, j);
}

/* Sets a leaf's largest hole and carries the change up the levels. */
static void level_set(size_t leaf, uint32_t value)
{
    size_t index = leaf;
    D.levels[0][index] = value;
    for (unsigned lvl = 1; lvl < D.level_count; lvl++) {
        size_t parent = index / 16;
        uint32_t m = level_children_max(lvl, parent);
        if (D.levels[lvl][parent] == m)
            return;
        D.levels[lvl][parent] = m;
        index = parent;
    }
}

static void word_refresh(uint64_t word)
{
    uint32_t *slot = grain_word_max(word);
    if (slot == NULL)
        return; /* its leaf went back empty: fit_leaf_emptied zeroed it */
    uint32_t old = *slot, now = word_largest_hole(word);
    if (old == now)
        return;
    *slot = now;
    size_t leaf = (size_t)(word / mems_state.layout.words_per_leaf);
    uint32_t leaf_max = D.levels[0][leaf];
    if (now > leaf_max)
        level_set(leaf, now);
    else if (old == leaf_max)
        level_set(leaf, leaf_largest(grain_leaf_of(word << 6)));
}

void fit_note_word(grain_t g)
{
    if (!mems_state.fit_active)
        return;
    uint64_t word = g >> 6;
    for (unsigned i = 0; i < mems_state.fit_dirty_count; i++)
        if (mems_state.fit_dirty[i] == word)
            return;
    assert(mems_state.fit_dirty_count < 4);
    mems_state.fit_dirty[mems_state.fit_dirty_count++] = word;
}

void fit_commit(void)
{
    for (unsigned i = 0; i < mems_state.fit_dirty_count; i++)
        word_refresh(mems_state.fit_dirty[i]);
    mems_state.fit_dirty_count = 0;
}

void fit_leaf_emptied(size_t leaf)
{
    level_set(leaf, 0);
}

/* ---- searching ---- */

/* The first leaf at or after `index` whose largest hole reaches `key`. */
static size_t level_next(size_t index, uint32_t key)
{
    unsigned lvl = 0;
    size_t found = SIZE_MAX;
    while (found == SIZE_MAX) {
        size_t length = D.level_length[lvl];
        if (index >= length)
            return SIZE_MAX;
        size_t end = (index | 15) + 1 < length ? (index | 15) + 1 : length;
        for (size_t i = index; i < end; i++) {
            if (D.levels[lvl][i] >= key) {
                found = i;
                break;
            }
        }
        if (found != SIZE_MAX)
            break;
        if (lvl + 1 == D.level_count)
            return SIZE_MAX;
        index = index / 16 + 1;
        lvl++;
    }
    while (lvl > 0) {
        size_t first = found * 16, length = D.level_length[lvl - 1];
        size_t c = first;
        while (c < length && c < first + 16 && D.levels[lvl - 1][c] < key)
            c++;
        assert(c < length && c < first + 16);
        found = c;
        lvl--;
    }
    return found;
}

/* The first word at or after `word` whose largest hole reaches `key`. */
static uint64_t word_next(uint64_t word, uint32_t key)
{
    size_t wpl = mems_state.layout.words_per_leaf;
    size_t leaf = (size_t)(word / wpl);
    size_t from = (size_t)(word - (uint64_t)leaf * wpl);
    for (;;) {
        if (leaf >= D.leaf_capacity)
            return UINT64_MAX;
        const uint64_t *leafp = D.leaves[leaf];
        if (leafp != NULL && D.levels[0][leaf] >= key) {
            const uint32_t *max = (const uint32_t *)(leafp + mems_state.layout.off_max);
            for (size_t w = from; w < wpl; w++)
                if (max[w] >= key)
                    return (uint64_t)leaf * wpl + w;
        }
        leaf = level_next(leaf + 1, key);
        if (leaf == SIZE_MAX)
            return UINT64_MAX;
        from = 0;
    }
}

/* The lowest-addressed hole of at least `size` granules starting in `word` at or after `from`. */
static grain_t word_first_fit(uint64_t word, grain_t from, uint64_t size)
{
    uint64_t bits = grain_hole_starts_in_word(word);
    if ((from >> 6) == word)
        bits &= ~(uint64_t)0 << (from & 63);
    while (bits != 0) {
        grain_t g = (word << 6) + (unsigned)__builtin_ctzll(bits);
        bits &= bits - 1;
        mems_state.holes_examined++;
        if (hole_size_at(g) >= size)
            return g;
    }
    return GRAIN_NONE;
}

/* The lowest-addressed hole of at least `size` granules starting at or after `from`. */
grain_t fit_first(uint64_t size, grain_t from)
{
    uint32_t key = saturate(size);
    uint64_t word = from >> 6;
    uint32_t *max = grain_word_max(word);
    if (max != NULL && *max >= key) {
        grain_t g = word_first_fit(word, from, size);
        if (g != GRAIN_NONE)
            return g;
    }
    for (word++;; word++) {
        word = word_next(word, key);
        if (word == UINT64_MAX)
            return GRAIN_NONE;
        grain_t g = word_first_fit(word, word << 6, size);
        if (g != GRAIN_NONE)
            return g;
    }
}

static int largest_visit(const struct mems_segment_info *s, void *context)
{
    uint64_t *largest = context;
    if (s->is_hole && s->size > *largest)
        *largest = s->size;
    return 0;
}

/* In granules. */
uint64_t fit_largest(void)
{
    if (D.level_count == 0)
        return 0;
    uint32_t top = D.levels[D.level_count - 1][0];
    if (top != FIT_SATURATED)
        return top;
    uint64_t largest = 0; /* a hole of 2^32 granules or more: rare enough to walk */
    mems_walk(largest_visit, &largest);
    return largest >> mems_state.layout.shift;
}

/* ---- switching the index on and off ---- */

void fit_rebuild(void)
{
    size_t wpl = mems_state.layout.words_per_leaf;
    for (size_t l = 0; l < D.leaf_capacity; l++) {
        uint64_t *leaf = D.leaves[l];
        uint32_t m = 0;
        if (leaf != NULL) {
            uint32_t *max = (uint32_t *)(leaf + mems_state.layout.off_max);
            for (size_t w = 0; w < wpl; w++) {
                max[w] = word_largest_hole((uint64_t)l * wpl + w);
                if (max[w] > m)
                    m = max[w];
            }
        }
        D.levels[0][l] = m;
    }
    fit_levels_recompute();
    mems_state.fit_dirty_count = 0;
}

void fit_clear(void)
{
    size_t wpl = mems_state.layout.words_per_leaf;
    for (size_t l = 0; l < D.leaf_capacity; l++)
        if (D.leaves[l] != NULL)
            memset(D.leaves[l] + mems_state.layout.off_max, 0, wpl * sizeof(uint32_t));
    for (unsigned lvl = 0; lvl < D.level_count; lvl++)
        memset(D.levels[lvl], 0, D.level_length[lvl] * sizeof(uint32_t));
    mems_state.fit_dirty_count = 0;
}

/* For mems_check: the number of entries that disagree with the holes. */
int fit_check(void)
{
    int bad = 0;
    size_t wpl = mems_state.layout.words_per_leaf;
    for (size_t l = 0; l < D.leaf_capacity; l++) {
        const uint64_t *leaf = D.leaves[l];
        uint32_t m = 0;
        if (leaf != NULL) {
            const uint32_t *max = (const uint32_t *)(leaf + mems_state.layout.off_max);
            for (size_t w = 0; w < wpl; w++) {
                uint32_t want = mems_state.fit_active ? word_largest_hole((uint64_t)l * wpl + w) : 0;
                bad += max[w] != want;
                if (max[w] > m)
                    m = max[w];
            }
        }
        bad += D.levels[0][l] != m;
    }
    for (unsigned lvl = 1; lvl < D.level_count; lvl++)
        for (size_t j = 0; j < D.level_length[lvl]; j++)
            bad += D.levels[lvl][j] != level_children_max(lvl, j);
    return bad;
}
