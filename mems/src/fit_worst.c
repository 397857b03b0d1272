/*
 * Worst fit on the fit tree (fit_tree.c). Worst fit asks for the largest hole
 * on every allocation, so its tree keeps exact maxima, not bounds
 * (fit_exact): a root bound too high would fail that search and start it
 * again. An operation notes, per word, the holes it removed and added, and
 * fit_commit, once the bitmaps are final, recomputes a word only when its
 * largest left and older holes remain, and a parent only when its largest
 * child shrank.
 *
 * Worst fit shrinks the largest hole of all on most allocations, and exact
 * maxima then cost a rescan of 16 entries at every level. So one hole is
 * kept aside, out of the tree, as the tail is: the largest hole that appeared
 * since the one aside was last taken. An allocation that carves it again
 * (its remainder is the next hole to appear, so it stays aside) touches no
 * entry of the tree; a larger hole that appears takes its place and sends it
 * into the tree, which only raises entries. The search compares the tree's
 * root, the hole aside and the tail, the lowest address winning among equals.
 */
#include "fit_tree.h"

#include <assert.h>

#define D (mems_state.dir)

/* Sets a word's largest hole and carries the change up, for worst fit's
 * exact maxima: a parent needs its 16 children looked at only when the child
 * that was its largest shrank. */
static void word_set_exact(uint64_t word, uint32_t now)
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

/* Under worst fit, an operation's changes to one word, applied by
 * fit_commit once the bitmaps are final. Most need no hole measured: a
 * word's largest only has to be recomputed when its largest hole went and
 * holes older than this operation remain in it. */
static struct fit_change *change_found(uint64_t word)
{
    for (unsigned i = 0; i < mems_state.fit_dirty_count; i++)
        if (mems_state.fit_dirty[i].word == word)
            return &mems_state.fit_dirty[i];
    return NULL;
}

static struct fit_change *change_made(uint64_t word)
{
    assert(mems_state.fit_dirty_count < sizeof mems_state.fit_dirty / sizeof mems_state.fit_dirty[0]);
    struct fit_change *c = &mems_state.fit_dirty[mems_state.fit_dirty_count++];
    /* field by field: a compound literal of the whole struct compiles to a
     * `rep stos`, where perf put a tenth of worst fit's mems_free samples */
    c->word = word;
    c->added_largest = 0;
    c->added_starts = 0;
    c->largest_went = false;
    return c;
}

/* A word with no change yet keeps its largest when a hole no larger
 * appears in it, or a smaller one leaves it (fit_note_removed): no change is
 * made, none applied at the commit (gawk-words: 4 % fewer instructions in
 * the timed replay). A change made later in the same operation measures
 * such a hole with the older ones, from the bitmaps. */
static void change_note_added(grain_t g, uint64_t size)
{
    uint32_t s = fit_saturate(size);
    struct fit_change *c = change_found(g >> 6);
    if (c == NULL) {
        if (s <= D.levels[0][g >> 6])
            return;
        c = change_made(g >> 6);
    }
    c->added_largest = s > c->added_largest ? s : c->added_largest;
    c->added_starts |= (uint64_t)1 << (g & 63);
}

static void aside_set(grain_t g, uint64_t size)
{
    mems_state.aside_valid = true;
    mems_state.aside_grain = g;
    mems_state.aside_size = size;
}

/* A hole that appeared, under worst fit. The tail is kept beside the tree;
 * any other hole goes aside when the place is free or it is larger than the
 * hole there, which then joins the tree. */
void worst_note_added(grain_t g, uint64_t size)
{
    assert(mems_state.fit_active && mems_state.fit_exact);
    if (g + size == mems_state.heap_end_grain) {
        grain_t old = mems_state.tail_grain;
        uint64_t old_size = mems_state.tail_size;
        bool had_tail = mems_state.tail_valid;
        mems_state.tail_valid = true;
        mems_state.tail_grain = g;
        mems_state.tail_size = size;
        if (!had_tail)
            return;
        g = old; /* a node was appended: the old tail joins the others */
        size = old_size;
    }
    if (!mems_state.aside_valid) {
        aside_set(g, size);
        return;
    }
    if (size > mems_state.aside_size) {
        change_note_added(mems_state.aside_grain, mems_state.aside_size);
        aside_set(g, size);
        return;
    }
    change_note_added(g, size);
}

/* Hole (from, size) carved from its front to (to, new_size), under worst
 * fit, in place: no change recorded, none applied at the commit. The tail
 * stays the tail and the hole aside stays aside; the only hole of the tree
 * in its word gives the word the rest's size when the rest starts there.
 * Most of worst fit's allocations but the tail's (groff-man carves the
 * largest of many holes of about the same size, spread over the heap).
 * Measuring the word's other holes here too, or leaving a word whose largest
 * was another hole as it is, cost more than the change records
 * (sqlite-queries: +1.6 %, +0.5 %). False (nothing changed) while an
 * operation has changes pending. */
bool worst_shrunk_in_place(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    assert(mems_state.fit_active && mems_state.fit_exact && new_size < size);
    if (mems_state.tail_valid && from == mems_state.tail_grain) {
        mems_state.tail_grain = to;
        mems_state.tail_size = new_size;
        return true;
    }
    if (mems_state.aside_valid && from == mems_state.aside_grain) {
        mems_state.aside_grain = to;
        mems_state.aside_size = new_size;
        return true;
    }
    uint64_t word = from >> 6;
    if ((to >> 6) != word || mems_state.fit_dirty_count != 0 ||
        fit_tree_holes(word, grain_hole_starts_in_word(word)) != (uint64_t)1 << (from & 63))
        return false;
    assert(D.levels[0][word] == fit_saturate(size));
    (void)size;
    word_set_exact(word, fit_saturate(new_size));
    return true;
}

/* A hole of the tree (or the one aside) went, under worst fit; index_hole_removed
 * handles the tail, and first and next fit, whose bounds above it stay valid, if high. */
void fit_note_removed(grain_t g, uint64_t size)
{
    assert(mems_state.fit_active && mems_state.fit_exact);
    if (mems_state.aside_valid && g == mems_state.aside_grain) {
        mems_state.aside_valid = false;
        return;
    }
    /* a hole smaller than its word's largest leaves that largest as it was */
    bool was_largest = fit_saturate(size) >= D.levels[0][g >> 6];
    struct fit_change *c = change_found(g >> 6);
    if (c == NULL) {
        if (!was_largest)
            return;
        c = change_made(g >> 6);
    }
    assert(!(c->added_starts >> (g & 63) & 1)); /* an operation removes holes before it adds any */
    c->largest_went |= was_largest;
}

static void change_apply(const struct fit_change *c)
{
    uint32_t old = D.levels[0][c->word], now;
    if (!c->largest_went || c->added_largest >= old)
        /* every older hole left is at most the old largest (a free's merged
         * hole holds the neighbour that was the largest) */
        now = c->added_largest > old ? c->added_largest : old;
    else {
        /* the largest went: the holes older than this operation are measured */
        uint64_t older = grain_hole_starts_in_word(c->word) & ~c->added_starts;
        if (older != 0)
            older = fit_tree_holes(c->word, older);
        uint32_t largest = older != 0 ? fit_holes_largest(c->word, older) : 0;
        now = largest > c->added_largest ? largest : c->added_largest;
    }
    word_set_exact(c->word, now);
}

/* Ends an operation under worst fit: the words it touched get their exact largest. */
void fit_commit(void)
{
    for (unsigned i = 0; i < mems_state.fit_dirty_count; i++)
        change_apply(&mems_state.fit_dirty[i]);
    mems_state.fit_dirty_count = 0;
}

/* Leaving worst fit for first or next fit: the hole aside joins the tree. */
void fit_aside_return(void)
{
    if (!mems_state.aside_valid)
        return;
    mems_state.aside_valid = false;
    fit_note_added(mems_state.aside_grain, mems_state.aside_size);
}

/* A root that saturates: the lowest-addressed largest hole by a walk. */
static grain_t worst_by_walk(uint64_t size)
{
    grain_t where;
    uint64_t largest = fit_largest_by_walk(&where);
    if (largest == 0 || largest < size)
        return GRAIN_NONE;
    mems_state.found_hole_size = largest;
    return where;
}

/* Worst fit: the largest hole, the lowest-addressed among equals, of the
 * tree, the hole aside and the tail (above every other hole). */
grain_t fit_worst(uint64_t size)
{
    uint64_t tree = D.level_count == 0 ? 0 : D.levels[D.level_count - 1][0];
    if (tree == FIT_SATURATED)
        return worst_by_walk(size);
    uint64_t aside = mems_state.aside_valid ? mems_state.aside_size : 0;
    uint64_t tail = mems_state.tail_valid ? mems_state.tail_size : 0;
    uint64_t largest = tree > aside ? tree : aside;
    largest = tail > largest ? tail : largest;
    if (largest < size || largest == 0)
        return GRAIN_NONE;
    grain_t g = tree == largest ? fit_tree_first(largest, 0) : GRAIN_NONE;
    assert(tree != largest || g != GRAIN_NONE);
    if (aside == largest && (g == GRAIN_NONE || mems_state.aside_grain < g)) {
        mems_state.holes_examined++;
        g = mems_state.aside_grain;
    }
    if (g == GRAIN_NONE) {
        mems_state.holes_examined++;
        g = mems_state.tail_grain;
    }
    mems_state.found_hole_size = largest;
    return g;
}
