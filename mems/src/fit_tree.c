/*
 * Holes by address, for first, next and worst fit: a 16-ary tree over the
 * words of 64 granules. Level 0 has, per word, a bound on the largest hole
 * starting in it; every level above a bound on the 16 entries below. "The
 * lowest-addressed hole of at least n granules at or after `from`" walks up
 * from `from` and down to the first word whose bound reaches n, then looks at
 * that word's holes: a few cache lines whatever the number of holes, and
 * exactly the hole a scan of the chains would choose.
 *
 * Entries are upper bounds, not exact maxima. A hole that appears raises the
 * bounds on its path at once; a hole that goes or shrinks changes nothing.
 * A search that follows a bound too high finds out one level down (no entry
 * below reaches it, or no hole of the word fits) and lowers it to what is
 * below, so each stale bound costs one look, paid by the operation that made
 * it stale, and most never cost anything: the next free in the word raises
 * it again. Keeping maxima exact instead meant a rescan of 16 entries per
 * level whenever the largest of a group shrank, on most allocations of first
 * and next fit. Worst fit keeps them exact (fit_exact): it needs the largest
 * hole of all on every allocation, where a search for a root bound too high
 * fails and starts again.
 */
#include "fit_tree.h"

#include <assert.h>
#include <string.h>

#define D (mems_state.dir)

static uint64_t hole_size_at(grain_t g)
{
    struct main_node *node = chain_node_at(grain_to_v(g));
    assert(node != NULL);
    return segment_size(node, g);
}

/* The word's start and hole bits, read once (0 and 0 when its leaf has no start). */
static void word_bits(uint64_t word, uint64_t *starts, uint64_t *holes)
{
    const uint64_t *group = word_group(word);
    *starts = group != NULL ? group[GROUP_START] : 0;
    *holes = group != NULL ? group[GROUP_HOLE] : 0;
}

/* Of the hole starts `holes` of `word`, those the tree holds: not the tail
 * nor the hole worst fit keeps aside. */
uint64_t fit_tree_holes(uint64_t word, uint64_t holes)
{
    if (mems_state.tail_valid && mems_state.tail_grain >> 6 == word)
        holes &= ~((uint64_t)1 << (mems_state.tail_grain & 63));
    if (mems_state.aside_valid && mems_state.aside_grain >> 6 == word)
        holes &= ~((uint64_t)1 << (mems_state.aside_grain & 63));
    return holes;
}

/* The largest of the holes starting at `bits` of `word`, measured: a hole
 * followed by a start in its own word ends there (node_covers_word); the
 * word's last hole is measured through its node. */
uint32_t fit_holes_largest(uint64_t word, uint64_t bits)
{
    uint64_t starts, all, largest = 0;
    word_bits(word, &starts, &all);
    assert((bits & ~all) == 0);
    const bool in_word = mems_state.layout.node_covers_word;
    while (bits != 0) {
        unsigned bit = (unsigned)__builtin_ctzll(bits);
        grain_t g = (word << 6) + bit;
        bits &= bits - 1;
        uint64_t later = bit == 63 ? 0 : starts >> (bit + 1);
        uint64_t size = in_word && later != 0         ? 1 + (unsigned)__builtin_ctzll(later)
                        : g == mems_state.known_hole ? mems_state.known_hole_size
                                                     : hole_size_at(g);
        if (size > largest)
            largest = size;
    }
    return fit_saturate(largest);
}

/* The largest hole of the tree starting in `word` (the tail and the hole
 * set aside are not in the tree), measured. */
static uint32_t fit_word_largest(uint64_t word)
{
    return fit_holes_largest(word, fit_tree_holes(word, grain_hole_starts_in_word(word)));
}

/* Raises the bounds on the path from `word` to the root to at least `bound`. */
static void bound_raise(uint64_t word, uint32_t bound)
{
    size_t index = (size_t)word;
    for (unsigned lvl = 0; lvl < D.level_count; lvl++) {
        uint32_t *entry = &D.levels[lvl][index];
        if (*entry >= bound)
            return;
        *entry = bound;
        index /= 16;
    }
}

/* The tail, the HOLE that ends the last node, is kept beside the tree: it is
 * above every other hole, so searches look at it last, and the common
 * allocation from the top of the heap touches no entry of the tree. */
static bool hole_is_tail(grain_t g, uint64_t size)
{
    return g + size == mems_state.heap_end_grain;
}

/* ---- first fit's floors ----
 * A search for a small size starts at its floor instead of the root: most
 * land in the floor's own word and go down no level of the tree. A search
 * raises the floors of its size and above to the word it found; a hole that
 * appears lowers those of its size and below. Both walks stop at the first
 * floor already right, so each costs the floors it changes. */

static void floors_lower(uint32_t word, uint64_t size)
{
    uint32_t *floor = mems_state.fit_floor;
    for (size_t s = size < FIT_FLOOR_SIZES ? (size_t)size : FIT_FLOOR_SIZES; s > 0 && floor[s] > word; s--)
        floor[s] = word;
}

static void floors_raise(uint32_t word, uint64_t size)
{
    uint32_t *floor = mems_state.fit_floor;
    for (size_t s = (size_t)size; s <= FIT_FLOOR_SIZES && floor[s] < word; s++)
        floor[s] = word;
}

/* Every floor back to the start: after a rebuild, or when first fit takes
 * over a tree whose holes came and went without floors. */
void fit_floors_reset(void)
{
    memset(mems_state.fit_floor, 0, sizeof mems_state.fit_floor);
}

static inline __attribute__((always_inline)) void note_in_tree(grain_t g, uint64_t size)
{
    bound_raise(g >> 6, fit_saturate(size));
    if (mems_state.fit_floored)
        floors_lower((uint32_t)(g >> 6), size);
}

/* A hole that appeared, under first or next fit (worst fit: worst_note_added). */
void fit_note_added(grain_t g, uint64_t size)
{
    assert(mems_state.fit_active && !mems_state.fit_exact);
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

/* ---- searching ---- */

/* The size of HOLE `g` if it is below `size`, else at least `size`: the
 * search for the next start stops at `size`, so a large hole costs no more
 * than a small one. */
static uint64_t hole_size_up_to(grain_t g, uint64_t size)
{
    struct main_node *node = chain_node_at(grain_to_v(g));
    assert(node != NULL);
    grain_t limit = node->end_grain - g > size ? g + size : node->end_grain;
    return grain_next_start(g, limit) - g;
}

/* The holes in `bits` of `word` that its own start bits cannot measure:
 * the word's last segment, which may run on into the next word or be the
 * tail, or every hole when nodes need not cover whole words. Out of line, so
 * the common search keeps few values live. */
static __attribute__((noinline)) grain_t word_fit_through_nodes(uint64_t word, uint64_t bits, uint64_t size,
                                                                uint64_t largest, grain_t from)
{
    if (mems_state.fit_exact && bits != 0 && (bits & (bits - 1)) == 0 && from <= word << 6 &&
        size < FIT_SATURATED && D.levels[0][word] >= size) {
        /* worst fit: every other hole of the word fell short of a size its
         * exact largest reaches, so this one is that largest */
        grain_t g = (word << 6) + (unsigned)__builtin_ctzll(bits);
        if (!(mems_state.tail_valid && g == mems_state.tail_grain) &&
            !(mems_state.aside_valid && g == mems_state.aside_grain)) {
            mems_state.holes_examined++;
            mems_state.found_hole_size = D.levels[0][word];
            return g;
        }
    }
    while (bits != 0) {
        grain_t g = (word << 6) + (unsigned)__builtin_ctzll(bits);
        bits &= bits - 1;
        if (mems_state.tail_valid && g == mems_state.tail_grain)
            continue; /* kept beside the tree */
        mems_state.holes_examined++;
        bool known = g == mems_state.known_hole;
        uint64_t hole = known ? mems_state.known_hole_size : hole_size_up_to(g, size);
        if (hole >= size) {
            mems_state.found_hole_size = known ? hole : 0;
            return g;
        }
        largest = hole > largest ? hole : largest;
    }
    if (from <= word << 6)
        D.levels[0][word] = fit_saturate(largest);
    return GRAIN_NONE;
}

/* The lowest-addressed hole of at least `size` granules starting in `word`
 * at or after `from`. A word looked at whole without a fit gets its bound
 * lowered to its largest hole. The word's start and hole bits are read once:
 * a hole followed by a start in the same word is measured there (it cannot
 * be the tail, which runs to its node's end, a word boundary). */
static inline __attribute__((always_inline)) grain_t word_first_fit(uint64_t word, grain_t from, uint64_t size)
{
    uint64_t starts, all, largest = 0;
    word_bits(word, &starts, &all);
    uint64_t bits = all;
    if ((from >> 6) == word)
        bits &= ~(uint64_t)0 << (from & 63);
    if (mems_state.fit_exact && bits == all && (bits & (bits - 1)) == 0 && bits != 0 && size < FIT_SATURATED) {
        /* the word's only hole is its largest, which the caller saw fit */
        mems_state.holes_examined++;
        return (word << 6) + (unsigned)__builtin_ctzll(bits);
    }
    if (!mems_state.layout.node_covers_word)
        return word_fit_through_nodes(word, bits, size, 0, from);
    while (bits != 0) {
        unsigned bit = (unsigned)__builtin_ctzll(bits);
        uint64_t later = (starts >> bit) >> 1;
        if (later == 0) {
            /* The word's last segment runs at least to the word's end (nodes
             * cover whole words): a request that fits before then takes it
             * without the search for its end through the page map and the
             * next words, which the placement does once. Not the tail, kept
             * beside the tree, nor under worst fit, which hands on exact sizes. */
            grain_t g = (word << 6) + bit;
            if (64 - bit >= size && !mems_state.fit_exact && !(mems_state.tail_valid && g == mems_state.tail_grain)) {
                mems_state.holes_examined++;
                mems_state.found_hole_size = g == mems_state.known_hole ? mems_state.known_hole_size : 0;
                return g;
            }
            return word_fit_through_nodes(word, bits, size, largest, from);
        }
        bits &= bits - 1;
        mems_state.holes_examined++;
        uint64_t hole = 1 + (unsigned)__builtin_ctzll(later);
        if (hole >= size) {
            mems_state.found_hole_size = hole;
            return (word << 6) + bit;
        }
        largest = hole > largest ? hole : largest;
    }
    if (from <= word << 6)
        D.levels[0][word] = fit_saturate(largest);
    return GRAIN_NONE;
}

/* The lowest-addressed hole of at least `size` granules (`key` in the tree)
 * in the words from entry `index` of level `lvl` on: up until a bound reaches
 * the key, down through bounds that reach it, lowering those found too high.
 * Out of line: most searches end in their first word (tree_first). */
static __attribute__((noinline)) grain_t tree_climb(uint64_t size, uint32_t key, unsigned lvl, size_t index)
{
    for (;;) {
        if (index >= D.level_length[lvl])
            return GRAIN_NONE;
        size_t group = index & ~(size_t)15;
        unsigned mask = group_mask(&D.levels[lvl][group], key) & (~0u << (index - group));
        if (mask == 0) {
            if (lvl + 1 == D.level_count)
                return GRAIN_NONE;
            /* A parent whose 16 children all fell short is lowered below the
             * key, at no cost. From the middle of a group (next fit's rover)
             * the children before `index` are unknown, and rescanning them on
             * every climb cost more than the stale bound, which a descent
             * into it lowers anyway. */
            size_t parent = group / 16;
            if (index == group && !mems_state.fit_exact && D.levels[lvl + 1][parent] >= key)
                D.levels[lvl + 1][parent] = key - 1;
            index = parent + 1, lvl++;
            continue;
        }
        index = group + (unsigned)__builtin_ctz(mask);
        while (lvl > 0) {
            unsigned below = group_mask(&D.levels[lvl - 1][index * 16], key);
            if (below == 0)
                break;
            index = index * 16 + (unsigned)__builtin_ctz(below), lvl--;
        }
        if (lvl > 0) { /* a bound too high */
            D.levels[lvl][index] = level_children_max(lvl, index);
            index++;
            continue;
        }
        grain_t g = word_first_fit(index, (grain_t)index << 6, size);
        if (g != GRAIN_NONE)
            return g;
        index++;
    }
}

/* The lowest-addressed hole of the tree of at least `size` granules starting
 * at or after `from`: in from's own word when its bound reaches the size,
 * else by a climb through the tree. */
static inline __attribute__((always_inline)) grain_t tree_first(uint64_t size, grain_t from)
{
    if (D.level_count == 0 || (from >> 6) >= D.level_length[0])
        return GRAIN_NONE;
    uint32_t key = fit_saturate(size);
    size_t index = (size_t)(from >> 6);
    if (from == 0) {
        unsigned top = D.level_count - 1; /* from the root down */
        if (D.levels[top][0] < key)
            return GRAIN_NONE;
        /* the root's children are one group: start there */
        return tree_climb(size, key, top > 0 ? top - 1 : 0, 0);
    }
    if (D.levels[0][index] >= key) {
        grain_t g = word_first_fit(index, from, size);
        if (g != GRAIN_NONE)
            return g;
    }
    return tree_climb(size, key, 0, index + 1);
}

grain_t fit_tree_first(uint64_t size, grain_t from)
{
    return tree_first(size, from);
}

/* The lowest-addressed hole of at least `size` granules starting at or after `from`. */
grain_t fit_first(uint64_t size, grain_t from)
{
    grain_t g;
    if (from == 0 && size <= FIT_FLOOR_SIZES && mems_state.fit_floored) {
        uint32_t floor = mems_state.fit_floor[size];
        g = floor == FIT_FLOOR_NONE ? GRAIN_NONE : tree_first(size, (grain_t)floor << 6);
        floors_raise(g == GRAIN_NONE ? FIT_FLOOR_NONE : (uint32_t)(g >> 6), size);
    } else {
        g = tree_first(size, from);
    }
    if (g == GRAIN_NONE && mems_state.tail_valid && mems_state.tail_grain >= from && mems_state.tail_size >= size) {
        mems_state.holes_examined++;
        g = mems_state.tail_grain;
        mems_state.found_hole_size = mems_state.tail_size;
    }
    return g;
}

/* The largest hole of the heap in granules, and the lowest-addressed of that
 * size in *where, by a walk of the chains: for a root that saturates (a hole
 * of 2^31 granules or more), rare enough to walk. */
uint64_t fit_largest_by_walk(grain_t *where)
{
    uint64_t largest = 0;
    *where = GRAIN_NONE;
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next)
        for (grain_t g = node->first_grain; g < node->end_grain;) {
            grain_t next = grain_next_start(g, node->end_grain);
            if (grain_is_hole(g) && next - g > largest) {
                largest = next - g;
                *where = g;
            }
            g = next;
        }
    return largest;
}

/* The largest hole of the tree, in granules: a search for the root's bound
 * either finds a hole that large or lowers the root. */
static uint64_t tree_largest(void)
{
    if (D.level_count == 0)
        return 0;
    for (;;) {
        uint32_t root = D.levels[D.level_count - 1][0];
        if (root == 0)
            return 0;
        if (root == FIT_SATURATED) {
            grain_t where;
            return fit_largest_by_walk(&where);
        }
        if (mems_state.fit_exact)
            return root;
        uint64_t examined = mems_state.holes_examined; /* a question about the heap, not a placement */
        uint64_t found_size = mems_state.found_hole_size;
        grain_t found = tree_first(root, 0);
        mems_state.holes_examined = examined;
        mems_state.found_hole_size = found_size;
        if (found != GRAIN_NONE)
            return root;
        if (D.level_count > 1) /* no child of the root reached it: the root takes their largest */
            D.levels[D.level_count - 1][0] = level_children_max(D.level_count - 1, 0);
    }
}

/* In granules. */
uint64_t fit_largest(void)
{
    uint64_t tree = tree_largest();
    if (mems_state.aside_valid && mems_state.aside_size > tree)
        tree = mems_state.aside_size;
    return mems_state.tail_valid && mems_state.tail_size > tree ? mems_state.tail_size : tree;
}

/* ---- switching the index on and off ---- */

void fit_rebuild(void)
{
    mems_state.tail_valid = false;
    mems_state.aside_valid = false;
    fit_floors_reset();
    mems_state.fit_dirty_count = 0;
    for (size_t w = 0; w < D.level_length[0] && D.level_count > 0; w++)
        D.levels[0][w] = fit_word_largest(w);
    grain_levels_recompute();
}

void fit_clear(void)
{
    mems_state.tail_valid = false;
    mems_state.aside_valid = false;
    fit_floors_reset();
    for (unsigned lvl = 0; lvl < D.level_count; lvl++)
        memset(D.levels[lvl], 0, D.level_length[lvl] * sizeof(uint32_t));
}

/* For mems_check: the number of entries below what they bound, or, for worst
 * fit and while the tree is off (all zero), not equal to it. */
int fit_check(void)
{
    int bad = 0;
    if (mems_state.tail_valid) {
        grain_t g = mems_state.tail_grain;
        bad += !grain_is_start(g) || !grain_is_hole(g) || !hole_is_tail(g, mems_state.tail_size) ||
               hole_size_at(g) != mems_state.tail_size;
    }
    if (mems_state.aside_valid) {
        grain_t g = mems_state.aside_grain;
        bad += !mems_state.fit_active || !mems_state.fit_exact || !grain_is_start(g) || !grain_is_hole(g) ||
               (mems_state.tail_valid && g == mems_state.tail_grain) || hole_size_at(g) != mems_state.aside_size;
    }
    bool exact = mems_state.fit_exact || !mems_state.fit_active;
    const uint32_t *floor = mems_state.fit_floor;
    for (size_t s = 1; s < FIT_FLOOR_SIZES; s++)
        bad += floor[s] > floor[s + 1];
    for (size_t w = 0; w < D.level_length[0] && D.level_count > 0; w++) {
        uint32_t largest = mems_state.fit_active ? fit_word_largest(w) : 0;
        bad += exact ? D.levels[0][w] != largest : D.levels[0][w] < largest;
        /* a hole below its size's floor would be missed */
        bad += mems_state.fit_floored && largest > 0 && floor[largest < FIT_FLOOR_SIZES ? largest : FIT_FLOOR_SIZES] > w;
    }
    for (unsigned lvl = 1; lvl < D.level_count; lvl++)
        for (size_t j = 0; j < D.level_length[lvl]; j++) {
            uint32_t below = level_children_max(lvl, j);
            bad += exact ? D.levels[lvl][j] != below : D.levels[lvl][j] < below;
        }
    return bad;
}
