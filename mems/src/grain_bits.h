/*
 * The granule bitmaps' inline accessors (the leaves and their directory: grain.c).
 * Every operation finds its block's place in a leaf once and reads or writes
 * the start, hole and slack bits of the block and its neighbours through it;
 * these are inline because they are most of the instructions of a malloc and
 * a free. Their out-of-line half: grain_bits.c. Above the operating system
 * (a leaf whose last start goes is handed back).
 */
#ifndef MEMS_GRAIN_BITS_H
#define MEMS_GRAIN_BITS_H

#include "os.h"

/* ---- granule bitmaps: the accessors every operation uses, inline ---- */

grain_t grain_next_start_far(grain_t from, grain_t limit);
grain_t grain_prev_start(grain_t g);

/* word / words_per_leaf by one multiplication: exact for words below 2^32. */
static inline size_t leaf_index(uint64_t word)
{
    __extension__ typedef unsigned __int128 u128;
    return (size_t)(((u128)word * mems_state.layout.leaf_magic) >> 64);
}

static inline uint64_t *leaf_at(size_t leaf)
{
    return leaf < mems_state.dir.leaf_capacity ? mems_state.dir.leaves[leaf] : NULL;
}

/* Where granule g's bits are: its leaf (NULL: no start there), word in the
 * leaf, bit, and the word's group of bits in the leaf (when the leaf is mapped):
 * group[GROUP_START] its start bits, group[GROUP_HOLE] its hole bits, from
 * group[GROUP_SLACK] on its slack fields. */
struct grain_place {
    uint64_t *leaf;
    uint64_t *group;
    size_t leaf_number;
    size_t word;
    unsigned bit;
};
#define GROUP_START 0
#define GROUP_HOLE 1
#define GROUP_SLACK 2

/* The group of bits of word `word` of a mapped leaf. */
static inline uint64_t *leaf_group(const uint64_t *leaf, size_t word)
{
    return (uint64_t *)leaf + mems_state.layout.off_groups + word * mems_state.layout.group_words;
}

/* grain_bits.c: the starts in the words after and before a place's own */
grain_t grain_next_start_past(const uint64_t *leaf, size_t leaf_number, size_t word, grain_t limit);
grain_t grain_prev_start_before(const uint64_t *leaf, size_t leaf_number, size_t word);

static inline struct grain_place place_of(grain_t g)
{
    uint64_t w = g >> 6;
    size_t leaf = leaf_index(w);
    struct grain_place p = {leaf_at(leaf), NULL, leaf, (size_t)(w - (uint64_t)leaf * mems_state.layout.words_per_leaf),
                            (unsigned)(g & 63)};
    if (p.leaf != NULL)
        p.group = leaf_group(p.leaf, p.word);
    return p;
}

/* The place of granule g where a segment starts (its leaf is mapped, inside
 * the directory): no bounds or NULL test. */
static inline struct grain_place place_of_start(grain_t g)
{
    uint64_t w = g >> 6;
    size_t leaf = leaf_index(w);
    assert(leaf < mems_state.dir.leaf_capacity && mems_state.dir.leaves[leaf] != NULL);
    uint64_t *leafp = mems_state.dir.leaves[leaf];
    size_t word = (size_t)(w - (uint64_t)leaf * mems_state.layout.words_per_leaf);
    struct grain_place p = {leafp, leaf_group(leafp, word), leaf, word, (unsigned)(g & 63)};
    return p;
}

static inline bool place_is_start(const struct grain_place *p)
{
    return p->leaf != NULL && (p->group[GROUP_START] >> p->bit & 1);
}

static inline bool place_is_hole(const struct grain_place *p)
{
    return p->leaf != NULL && (p->group[GROUP_HOLE] >> p->bit & 1);
}

static inline uint64_t *slack_word(const struct grain_place *p, unsigned *shift)
{
    unsigned bit = p->bit * mems_state.layout.slack_bits;
    *shift = bit & 63;
    return &p->group[GROUP_SLACK + bit / 64];
}

static inline unsigned place_slack(const struct grain_place *p)
{
    if (p->leaf == NULL || mems_state.layout.slack_bits == 0)
        return 0;
    unsigned shift;
    const uint64_t *w = slack_word(p, &shift);
    return (unsigned)((*w >> shift) & ((1u << mems_state.layout.slack_bits) - 1));
}

static inline bool grain_is_start(grain_t g)
{
    struct grain_place p = place_of(g);
    return place_is_start(&p);
}

static inline bool grain_is_hole(grain_t g)
{
    struct grain_place p = place_of(g);
    return place_is_hole(&p);
}

static inline unsigned grain_slack(grain_t g)
{
    struct grain_place p = place_of(g);
    return place_slack(&p);
}

/* The group of bits of global word `word`, or NULL when its leaf holds no start. */
static inline const uint64_t *word_group(uint64_t word)
{
    size_t leaf = leaf_index(word);
    const uint64_t *leafp = leaf_at(leaf);
    return leafp != NULL ? leaf_group(leafp, (size_t)(word - (uint64_t)leaf * mems_state.layout.words_per_leaf))
                         : NULL;
}

/* Bits of the granules in global word `word` that start a HOLE. */
static inline uint64_t grain_hole_starts_in_word(uint64_t word)
{
    const uint64_t *group = word_group(word);
    return group != NULL ? group[GROUP_HOLE] : 0;
}

/* The first start after `g` and below `limit`, else `limit`: in g's own word
 * here, further in grain_bits.c. */
static inline grain_t grain_next_start(grain_t g, grain_t limit)
{
    grain_t from = g + 1;
    if (from >= limit)
        return limit;
    struct grain_place p = place_of(from);
    if (p.leaf != NULL) {
        uint64_t bits = p.group[GROUP_START] & (~(uint64_t)0 << p.bit);
        if (bits != 0) {
            grain_t r = (from & ~(grain_t)63) + (unsigned)__builtin_ctzll(bits);
            return r < limit ? r : limit;
        }
    }
    return grain_next_start_past(p.leaf, p.leaf_number, p.word, limit);
}

/* ---- one granule's place reused: an operation finds its block's place once
 * and reaches the neighbours that share its word without another lookup ---- */

/* The place of `to`, given the place `p` of `from`. */
static inline struct grain_place place_near(const struct grain_place *p, grain_t from, grain_t to)
{
    if ((to >> 6) == (from >> 6)) {
        struct grain_place q = *p;
        q.bit = (unsigned)(to & 63);
        return q;
    }
    return place_of(to);
}

/* The first start after granule `g` (at place `p`) and below `limit`, else
 * `limit`. Past g's word the search goes on from the place when
 * `reuse_place` (a free's neighbour, whose leaf number and word are at hand
 * anyway); elsewhere keeping them for the call costs more than looking the
 * leaf up again. */
static inline grain_t place_next_start(const struct grain_place *p, grain_t g, grain_t limit, bool reuse_place)
{
    if (p->bit != 63 && p->leaf != NULL) {
        uint64_t bits = p->group[GROUP_START] & (~(uint64_t)0 << (p->bit + 1));
        if (bits != 0) {
            grain_t r = (g & ~(grain_t)63) + (unsigned)__builtin_ctzll(bits);
            return r < limit ? r : limit;
        }
    }
    grain_t from = (g | 63) + 1;
    if (reuse_place)
        return from < limit ? grain_next_start_past(p->leaf, p->leaf_number, p->word, limit) : limit;
    return from < limit ? grain_next_start_far(from, limit) : limit;
}

/* The first start after granule `g` (at place `p`) in g's own word, else GRAIN_NONE. */
static inline grain_t place_next_start_in_word(const struct grain_place *p, grain_t g)
{
    uint64_t bits = p->bit == 63 || p->leaf == NULL
                        ? 0
                        : p->group[GROUP_START] & (~(uint64_t)0 << (p->bit + 1));
    return bits != 0 ? (g & ~(grain_t)63) + (unsigned)__builtin_ctzll(bits) : GRAIN_NONE;
}

/* The last start before granule `g` (at place `p`) in g's own word, else GRAIN_NONE. */
static inline grain_t place_prev_start_in_word(const struct grain_place *p, grain_t g)
{
    uint64_t bits = p->bit == 0 || p->leaf == NULL
                        ? 0
                        : p->group[GROUP_START] & (((uint64_t)1 << p->bit) - 1);
    return bits != 0 ? (g & ~(grain_t)63) + 63 - (unsigned)__builtin_clzll(bits) : GRAIN_NONE;
}

/* The last start before granule `g` (at place `p`); `g` must not be the
 * first granule of its node. */
static inline grain_t place_prev_start(const struct grain_place *p, grain_t g)
{
    if (p->bit != 0 && p->leaf != NULL) {
        uint64_t bits = p->group[GROUP_START] & (((uint64_t)1 << p->bit) - 1);
        if (bits != 0)
            return (g & ~(grain_t)63) + 63 - (unsigned)__builtin_clzll(bits);
    }
    return grain_prev_start_before(p->leaf, p->leaf_number, p->word);
}

/* Sets the kind (and a PROCESS's slack) of the segment starting at `p`.
 * The layout is read into locals first: stores through the leaf's uint64_t
 * words could otherwise alias it and make the compiler read it again. */
static inline void place_store_kind(const struct grain_place *p, bool hole, unsigned slack)
{
    const unsigned slack_bits = mems_state.layout.slack_bits;
    uint64_t bit = (uint64_t)1 << p->bit;
    uint64_t *hole_word = &p->group[GROUP_HOLE];
    *hole_word = hole ? *hole_word | bit : *hole_word & ~bit;
    if (slack_bits == 0)
        return;
    unsigned field = p->bit * slack_bits, shift = field & 63;
    uint64_t *w = &p->group[GROUP_SLACK + field / 64];
    uint64_t mask = (((uint64_t)1 << slack_bits) - 1) << shift;
    *w = (*w & ~mask) | ((uint64_t)(hole ? 0 : slack) << shift);
}

/* Turns the HOLE start at `p` into a PROCESS start with `slack`: a HOLE's
 * slack field is zero, so the slack is or-ed in, no mask cleared. */
static inline void place_make_process(const struct grain_place *p, unsigned slack)
{
    assert(place_is_start(p) && place_is_hole(p) && place_slack(p) == 0);
    const unsigned slack_bits = mems_state.layout.slack_bits;
    p->group[GROUP_HOLE] &= ~((uint64_t)1 << p->bit);
    if (slack_bits == 0)
        return;
    unsigned field = p->bit * slack_bits;
    p->group[GROUP_SLACK + field / 64] |= (uint64_t)slack << (field & 63);
}

void grain_leaf_emptied(size_t leaf);

/* Reads and clears the slack of the PROCESS segment starting at `p`, with
 * one computation of where its field is. */
static inline unsigned place_take_slack(const struct grain_place *p)
{
    const unsigned slack_bits = mems_state.layout.slack_bits;
    if (slack_bits == 0)
        return 0;
    unsigned field = p->bit * slack_bits, shift = field & 63;
    uint64_t *w = &p->group[GROUP_SLACK + field / 64];
    uint64_t mask = (((uint64_t)1 << slack_bits) - 1) << shift;
    uint64_t bits = *w;
    *w = bits & ~mask;
    return (unsigned)((bits & mask) >> shift);
}

/* Marks a new segment start at `p`, whose leaf is mapped. A granule that
 * starts no segment has no slack (mems_check verifies it), so a new HOLE
 * needs only its hole bit. */
static inline void place_set_start(const struct grain_place *p, bool hole, unsigned slack)
{
    uint64_t *word = &p->group[GROUP_START];
    assert(!(*word >> p->bit & 1) && place_slack(p) == 0);
    if (*word == 0)
        p->leaf[mems_state.layout.off_summary + p->word / 64] |= (uint64_t)1 << (p->word % 64);
    *word |= (uint64_t)1 << p->bit;
    if (p->leaf[0]++ == 0)
        mems_state.dir.leaf_live[p->leaf_number / 64] |= (uint64_t)1 << (p->leaf_number % 64);
    if (hole)
        p->group[GROUP_HOLE] |= (uint64_t)1 << p->bit;
    else
        place_store_kind(p, false, slack);
}

/* Removes the segment start at `p`, a HOLE's (`hole`) or a PROCESS's whose
 * slack is already clear: no slack field is written. Its leaf goes back
 * when it was its last start. */
static inline void place_remove_start(const struct grain_place *p, bool hole)
{
    assert(place_slack(p) == 0 && (p->group[GROUP_HOLE] >> p->bit & 1) == hole);
    if (hole)
        p->group[GROUP_HOLE] &= ~((uint64_t)1 << p->bit);
    uint64_t *word = &p->group[GROUP_START];
    *word &= ~((uint64_t)1 << p->bit);
    if (*word == 0)
        p->leaf[mems_state.layout.off_summary + p->word / 64] &= ~((uint64_t)1 << (p->word % 64));
    if (--p->leaf[0] == 0)
        grain_leaf_emptied(p->leaf_number);
}

/* Removes the segment start at `p`, whatever its kind and slack. */
static inline void place_clear_start(const struct grain_place *p)
{
    place_store_kind(p, false, 0);
    place_remove_start(p, false);
}

#endif /* MEMS_GRAIN_BITS_H */
