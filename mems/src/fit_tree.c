/*
 * Holes by address, for first, next and worst fit: a 16-ary tree of maxima
 * over the words of 64 granules. Level 0 has, per word, the largest hole
 * starting in it; every level above the largest of 16 below. "The
 * lowest-addressed hole of at least n granules at or after `from`" walks up
 * from `from` and down to the first word whose largest fits, then looks at
 * that word's holes: a few cache lines whatever the number of holes, and
 * exactly the hole a scan of the chains would choose.
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

/* The largest of the (up to) 16 entries below entry `parent` of level `lvl`. */
static uint32_t level_children_max(unsigned lvl, size_t parent)
{
    size_t first = parent * 16;
    size_t last = first + 16 < D.level_length[lvl - 1] ? first + 16 : D.level_length[lvl - 1];
    const uint32_t *below = D.levels[lvl - 1];
    uint32_t m = 0;
    for (size_t c = first; c < last; c++)
        m = below[c] > m ? below[c] : m;
    return m;
}

/* Recomputes every level above the words (after the directory grew). */
void fit_levels_recompute(void)
{
    for (unsigned lvl = 1; lvl < D.level_count; lvl++)
        for (size_t j = 0; j < D.level_length[lvl]; j++)
            D.levels[lvl][j] = level_children_max(lvl, j);
}

static void word_refresh(uint64_t word)
{
    uint32_t now = word_largest_hole(word);
    size_t index = (size_t)word;
    if (D.levels[0][index] == now)
        return;
    D.levels[0][index] = now;
    for (unsigned lvl = 1; lvl < D.level_count; lvl++) {
        size_t parent = index / 16;
        uint32_t m = level_children_max(lvl, parent);
        if (D.levels[lvl][parent] == m)
            return;
        D.levels[lvl][parent] = m;
        index = parent;
    }
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

/* ---- searching ---- */

/* The first word at or after `word` whose largest hole reaches `key`. */
static uint64_t word_next(uint64_t word, uint32_t key)
{
    size_t index = (size_t)word;
    unsigned lvl = 0;
    for (;;) {
        size_t length = D.level_length[lvl];
        if (index >= length)
            return UINT64_MAX;
        size_t end = (index | 15) + 1 < length ? (index | 15) + 1 : length;
        const uint32_t *level = D.levels[lvl];
        while (index < end && level[index] < key)
            index++;
        if (index < end)
            break;
        if (lvl + 1 == D.level_count)
            return UINT64_MAX;
        index = (end - 1) / 16 + 1; /* the group after this one, a level up */
        lvl++;
    }
    while (lvl > 0) {
        lvl--;
        index *= 16;
        const uint32_t *level = D.levels[lvl];
        while (level[index] < key)
            index++;
    }
    return index;
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
    if (word >= D.level_length[0])
        return GRAIN_NONE;
    if (D.levels[0][word] >= key) {
        grain_t g = word_first_fit(word, from, size);
        if (g != GRAIN_NONE)
            return g;
    }
    for (;;) {
        word = word_next(word + 1, key);
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
    for (size_t w = 0; w < D.level_length[0] && D.level_count > 0; w++)
        D.levels[0][w] = word_largest_hole(w);
    fit_levels_recompute();
    mems_state.fit_dirty_count = 0;
}

void fit_clear(void)
{
    for (unsigned lvl = 0; lvl < D.level_count; lvl++)
        memset(D.levels[lvl], 0, D.level_length[lvl] * sizeof(uint32_t));
    mems_state.fit_dirty_count = 0;
}

/* For mems_check: the number of entries that disagree with the holes. */
int fit_check(void)
{
    int bad = 0;
    for (size_t w = 0; w < D.level_length[0] && D.level_count > 0; w++)
        bad += D.levels[0][w] != (mems_state.fit_active ? word_largest_hole(w) : 0);
    for (unsigned lvl = 1; lvl < D.level_count; lvl++)
        for (size_t j = 0; j < D.level_length[lvl]; j++)
            bad += D.levels[lvl][j] != level_children_max(lvl, j);
    return bad;
}
