/*
 * What the fit tree's two files share: fit_tree.c (the tree by address,
 * first and next fit) and fit_worst.c (worst fit's exact maxima and the hole
 * it keeps aside).
 */
#ifndef MEMS_FIT_TREE_H
#define MEMS_FIT_TREE_H

#include "mems_internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline uint32_t fit_saturate(uint64_t size)
{
    return size >= FIT_SATURATED ? FIT_SATURATED : (uint32_t)size;
}

#if defined(__SSE2__)
/* Max of 32-bit lanes with SSE2 alone (entries are at most FIT_SATURATED, so signed compares order them). */
static inline __m128i fit_max_epi32(__m128i a, __m128i b)
{
    __m128i a_greater = _mm_cmpgt_epi32(a, b);
    return _mm_or_si128(_mm_and_si128(a_greater, a), _mm_andnot_si128(a_greater, b));
}

/* The largest of the 16 entries below entry `parent` of level `lvl` (levels
 * are padded to whole groups with zeros). */
static inline uint32_t fit_children_max(unsigned lvl, size_t parent)
{
    const __m128i *g = (const __m128i *)(const void *)(mems_state.dir.levels[lvl - 1] + parent * 16);
    __m128i m = fit_max_epi32(fit_max_epi32(_mm_load_si128(g), _mm_load_si128(g + 1)),
                              fit_max_epi32(_mm_load_si128(g + 2), _mm_load_si128(g + 3)));
    m = fit_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = fit_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
    return (uint32_t)_mm_cvtsi128_si32(m);
}
#else
static inline uint32_t fit_children_max(unsigned lvl, size_t parent)
{
    const uint32_t *below = mems_state.dir.levels[lvl - 1] + parent * 16;
    uint32_t m = 0;
    for (size_t c = 0; c < 16; c++)
        m = below[c] > m ? below[c] : m;
    return m;
}
#endif

/* The largest hole of the tree starting in `word` (the tail and the hole
 * set aside are not in the tree), measured. */
uint32_t fit_word_largest(uint64_t word);
uint64_t fit_tree_holes(uint64_t word, uint64_t holes);
uint32_t fit_holes_largest(uint64_t word, uint64_t holes);
/* The lowest-addressed hole of the tree of at least `size` granules at or after `from`. */
grain_t fit_tree_first(uint64_t size, grain_t from);
/* The largest hole of the heap and the lowest-addressed of that size, by a walk of the chains. */
uint64_t fit_largest_by_walk(grain_t *where);

#endif /* MEMS_FIT_TREE_H */
