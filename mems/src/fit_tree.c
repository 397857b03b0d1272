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
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
        if (mems_state.tail_valid && g == mems_state.tail_grain)
            continue; /* kept beside the tree */
        uint64_t size = hole_size_at(g);
        if (size > largest)
            largest = size;
    }
    return saturate(largest);
}

#if defined(__SSE2__)
/* Unsigned max of 32-bit lanes with SSE2 alone: compare with the sign bit flipped, then select. */
static inline __m128i max_epu32(__m128i a, __m128i b)
{
    const __m128i bias = _mm_set1_epi32(INT32_MIN);
    __m128i a_greater = _mm_cmpgt_epi32(_mm_xor_si128(a, bias), _mm_xor_si128(b, bias));
    return _mm_or_si128(_mm_and_si128(a_greater, a), _mm_andnot_si128(a_greater, b));
}

/* The largest of the 16 entries below entry `parent` of level `lvl` (levels
 * are padded to whole groups with zeros). */
static uint32_t level_children_max(unsigned lvl, size_t parent)
{
    const __m128i *g = (const __m128i *)(const void *)(D.levels[lvl - 1] + parent * 16);
    __m128i m = max_epu32(max_epu32(_mm_loadu_si128(g), _mm_loadu_si128(g + 1)),
                          max_epu32(_mm_loadu_si128(g + 2), _mm_loadu_si128(g + 3)));
    m = max_epu32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = max_epu32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
    return (uint32_t)_mm_cvtsi128_si32(m);
}
#else
static uint32_t level_children_max(unsigned lvl, size_t parent)
{
    const uint32_t *below = D.levels[lvl - 1] + parent * 16;
    uint32_t m = 0;
    for (size_t c = 0; c < 16; c++)
        m = below[c] > m ? below[c] : m;
    return m;
}
#endif

/* Recomputes every level above the words (after the directory grew). */
void fit_levels_recompute(void)
{
    for (unsigned lvl = 1; lvl < D.level_count; lvl++)
        for (size_t j = 0; j < D.level_length[lvl]; j++)
            D.levels[lvl][j] = level_children_max(lvl, j);
}

/* Sets a word's largest hole and carries the change up: a parent needs its 16
 * children looked at only when the child that was its largest shrank. */
static void word_set(uint64_t word, uint32_t now)
{
    size_t index = (size_t)word;
    uint32_t old = D.levels[0][index];
    if (old == now)
        return;
    D.levels[0][index] = now;
    for (unsigned lvl = 1; lvl < D.level_count; lvl++) {
        size_t parent = index / 16;
        uint32_t current = D.levels[lvl][parent], next;
        if (now >= current)
            next = now;
        else if (old == current)
            next = level_children_max(lvl, parent);
        else
            return;
        if (next == current)
            return;
        D.levels[lvl][parent] = next;
        old = current;
        now = next;
        index = parent;
    }
}

/* An operation's changes to one word, applied by fit_commit once the bitmaps
 * are final. Most need no hole measured: a word's largest only has to be
 * recomputed when its largest hole went and holes older than this operation
 * remain in it. */
static struct fit_change *change_for(uint64_t word)
{
    for (unsigned i = 0; i < mems_state.fit_dirty_count; i++)
        if (mems_state.fit_dirty[i].word == word)
            return &mems_state.fit_dirty[i];
    assert(mems_state.fit_dirty_count < sizeof mems_state.fit_dirty / sizeof mems_state.fit_dirty[0]);
    struct fit_change *c = &mems_state.fit_dirty[mems_state.fit_dirty_count++];
    *c = (struct fit_change){.word = word};
    return c;
}

/* The tail, the HOLE that ends the last node, is kept beside the tree: it is
 * above every other hole, so searches look at it last, and the common
 * allocation from the top of the heap changes no entry of the tree. */
static bool hole_is_tail(grain_t g, uint64_t size)
{
    return mems_state.last != NULL && g + size == mems_state.last->end_grain;
}

void fit_note_removed(grain_t g, uint64_t size)
{
    if (!mems_state.fit_active)
        return;
    if (mems_state.tail_valid && g == mems_state.tail_grain) {
        mems_state.tail_valid = false;
        return;
    }
    struct fit_change *c = change_for(g >> 6);
    if (saturate(size) >= D.levels[0][c->word])
        c->largest_went = true;
}

static void note_in_tree(grain_t g, uint64_t size)
{
    struct fit_change *c = change_for(g >> 6);
    uint32_t s = saturate(size);
    c->added_largest = s > c->added_largest ? s : c->added_largest;
    c->added++;
}

void fit_note_added(grain_t g, uint64_t size)
{
    if (!mems_state.fit_active)
        return;
    if (!hole_is_tail(g, size)) {
        note_in_tree(g, size);
        return;
    }
    if (mems_state.tail_valid) /* a node was appended: the old tail joins the tree */
        note_in_tree(mems_state.tail_grain, mems_state.tail_size);
    mems_state.tail_valid = true;
    mems_state.tail_grain = g;
    mems_state.tail_size = size;
}

static void change_apply(const struct fit_change *c)
{
    uint32_t old = D.levels[0][c->word], now;
    if (!c->largest_went)
        now = c->added_largest > old ? c->added_largest : old;
    else if ((unsigned)__builtin_popcountll(grain_hole_starts_in_word(c->word)) == c->added)
        now = c->added_largest; /* every hole left in the word is one just added */
    else
        now = word_largest_hole(c->word);
    word_set(c->word, now);
}

void fit_commit(void)
{
    for (unsigned i = 0; i < mems_state.fit_dirty_count; i++)
        change_apply(&mems_state.fit_dirty[i]);
    mems_state.fit_dirty_count = 0;
}

/* ---- searching ---- */

/* Bit i set when group[i] >= key, for the 16 entries of a group (levels are
 * padded to whole groups): a fixed-length loop the compiler turns into
 * vector compares. */
#if defined(__SSE2__)
static inline unsigned group_mask(const uint32_t *group, uint32_t key)
{
    /* unsigned >= through signed > with the sign bit flipped; key >= 1 */
    const __m128i bias = _mm_set1_epi32(INT32_MIN);
    const __m128i k = _mm_xor_si128(_mm_set1_epi32((int32_t)(key - 1)), bias);
    unsigned mask = 0;
    for (unsigned i = 0; i < 4; i++) {
        __m128i v = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(group + 4 * i)), bias);
        mask |= (unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(v, k))) << (4 * i);
    }
    return mask;
}
#else
static inline unsigned group_mask(const uint32_t *group, uint32_t key)
{
    unsigned mask = 0;
    for (unsigned i = 0; i < 16; i++)
        mask |= (unsigned)(group[i] >= key) << i;
    return mask;
}
#endif

/* From entry `index` of level `lvl`, known to reach `key`, down to the first
 * word below it that does. */
static uint64_t descend(unsigned lvl, size_t index, uint32_t key)
{
    while (lvl > 0) {
        lvl--;
        index *= 16;
        unsigned mask = group_mask(&D.levels[lvl][index], key);
        assert(mask != 0);
        index += (unsigned)__builtin_ctz(mask);
    }
    return index;
}

/* The first word at or after `word` whose largest hole reaches `key`. */
static uint64_t word_next(uint64_t word, uint32_t key)
{
    size_t index = (size_t)word;
    for (unsigned lvl = 0; lvl < D.level_count; lvl++) {
        if (index >= D.level_length[lvl])
            return UINT64_MAX;
        size_t group = index & ~(size_t)15;
        unsigned mask = group_mask(&D.levels[lvl][group], key) & (~0u << (index - group));
        if (mask != 0)
            return descend(lvl, group + (unsigned)__builtin_ctz(mask), key);
        index = group / 16 + 1; /* the group after this one, a level up */
    }
    return UINT64_MAX;
}

/* The first word whose largest hole reaches `key`: down from the top. */
static uint64_t word_first(uint32_t key)
{
    unsigned top = D.level_count - 1;
    if (D.levels[top][0] < key)
        return UINT64_MAX;
    return descend(top, 0, key);
}

/* The lowest-addressed hole of at least `size` granules starting in `word` at or after `from`. */
static grain_t word_first_fit(uint64_t word, grain_t from, uint64_t size)
{
    uint64_t all = grain_hole_starts_in_word(word), bits = all;
    if ((from >> 6) == word)
        bits &= ~(uint64_t)0 << (from & 63);
    if (bits == all && (bits & (bits - 1)) == 0 && bits != 0 && size < FIT_SATURATED) {
        /* the word's only hole is its largest, which the caller saw fit */
        mems_state.holes_examined++;
        return (word << 6) + (unsigned)__builtin_ctzll(bits);
    }
    while (bits != 0) {
        grain_t g = (word << 6) + (unsigned)__builtin_ctzll(bits);
        bits &= bits - 1;
        mems_state.holes_examined++;
        if (hole_size_at(g) >= size)
            return g;
    }
    return GRAIN_NONE;
}

/* The same among the holes of the tree. */
static grain_t tree_first(uint64_t size, grain_t from);

/* The lowest-addressed hole of at least `size` granules starting at or after `from`. */
grain_t fit_first(uint64_t size, grain_t from)
{
    grain_t g = tree_first(size, from);
    if (g == GRAIN_NONE && mems_state.tail_valid && mems_state.tail_grain >= from && mems_state.tail_size >= size) {
        mems_state.holes_examined++;
        g = mems_state.tail_grain;
    }
    return g;
}

static grain_t tree_first(uint64_t size, grain_t from)
{
    uint32_t key = saturate(size);
    uint64_t word = from >> 6;
    if (D.level_count == 0 || word >= D.level_length[0])
        return GRAIN_NONE;
    if (from == 0) {
        word = word_first(key);
        if (word == UINT64_MAX)
            return GRAIN_NONE;
    }
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
    uint64_t top = D.levels[D.level_count - 1][0];
    if (top != FIT_SATURATED)
        return mems_state.tail_valid && mems_state.tail_size > top ? mems_state.tail_size : top;
    uint64_t largest = 0; /* a hole of 2^32 granules or more: rare enough to walk */
    mems_walk(largest_visit, &largest);
    return largest >> mems_state.layout.shift;
}

/* ---- switching the index on and off ---- */

void fit_rebuild(void)
{
    mems_state.tail_valid = false;
    for (size_t w = 0; w < D.level_length[0] && D.level_count > 0; w++)
        D.levels[0][w] = word_largest_hole(w);
    fit_levels_recompute();
    mems_state.fit_dirty_count = 0;
}

void fit_clear(void)
{
    mems_state.tail_valid = false;
    for (unsigned lvl = 0; lvl < D.level_count; lvl++)
        memset(D.levels[lvl], 0, D.level_length[lvl] * sizeof(uint32_t));
    mems_state.fit_dirty_count = 0;
}

/* For mems_check: the number of entries that disagree with the holes. */
int fit_check(void)
{
    int bad = 0;
    if (mems_state.tail_valid) {
        grain_t g = mems_state.tail_grain;
        bad += !grain_is_start(g) || !grain_is_hole(g) || !hole_is_tail(g, mems_state.tail_size) ||
               hole_size_at(g) != mems_state.tail_size;
    }
    for (size_t w = 0; w < D.level_length[0] && D.level_count > 0; w++)
        bad += D.levels[0][w] != (mems_state.fit_active ? word_largest_hole(w) : 0);
    for (unsigned lvl = 1; lvl < D.level_count; lvl++)
        for (size_t j = 0; j < D.level_length[lvl]; j++)
            bad += D.levels[lvl][j] != level_children_max(lvl, j);
    return bad;
}
