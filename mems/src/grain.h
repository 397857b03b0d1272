/*
 * Granules: the layout of the bitmaps' leaves, the directory of the leaves
 * (which also holds the levels of the fit tree's max tree: filled in by the
 * fit tree, kept whole across the directory's growth here), leaves reserved
 * and given back (grain.c). Above the bits themselves (grain_bits.h).
 */
#ifndef MEMS_GRAIN_H
#define MEMS_GRAIN_H

#include "grain_bits.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline uintptr_t grain_to_v(grain_t g) { return MEMS_VIRTUAL_BASE + ((uintptr_t)g << mems_state.layout.shift); }
static inline grain_t v_to_grain(uintptr_t v) { return (grain_t)(v - MEMS_VIRTUAL_BASE) >> mems_state.layout.shift; }
static inline size_t grains_to_bytes(uint64_t n) { return (size_t)n << mems_state.layout.shift; }

void grain_layout_init(size_t alignment);
bool grain_reserve_span(grain_t end);
bool grain_reserve(grain_t g);
void grain_unreserve(grain_t g);
void grain_set_start(grain_t g, bool hole, unsigned slack);
void grain_set_kind(grain_t g, bool hole, unsigned slack);
void grain_clear_start(grain_t g);
void grain_release_all(void);
void grain_check(int *bad, char *what, size_t what_size);

/* ---- groups of 16 bounds: the directory's levels (entry j of level lvl >= 1
 * is the largest of entries 16j .. 16j+15 of level lvl - 1) and the free
 * list's slots (zoo_slots.c) keep sizes saturated at FIT_SATURATED in 32-bit
 * entries, levels padded to whole groups with zeros, so one group is four
 * SSE2 compares ---- */

#if defined(__SSE2__)
/* Max of 32-bit lanes with SSE2 alone (entries are at most FIT_SATURATED, so signed compares order them). */
static inline __m128i level_max_epi32(__m128i a, __m128i b)
{
    __m128i a_greater = _mm_cmpgt_epi32(a, b);
    return _mm_or_si128(_mm_and_si128(a_greater, a), _mm_andnot_si128(a_greater, b));
}

/* The largest of a group's 16 entries (16-byte aligned). */
static inline uint32_t group_max(const uint32_t *group)
{
    const __m128i *g = (const __m128i *)(const void *)group;
    __m128i m = level_max_epi32(level_max_epi32(_mm_load_si128(g), _mm_load_si128(g + 1)),
                              level_max_epi32(_mm_load_si128(g + 2), _mm_load_si128(g + 3)));
    m = level_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
    m = level_max_epi32(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
    return (uint32_t)_mm_cvtsi128_si32(m);
}

/* Bit i set when group[i] >= key (key >= 1), for a group's 16 entries. */
static inline unsigned group_mask(const uint32_t *group, uint32_t key)
{
    /* key >= 1 and entries <= FIT_SATURATED: signed > key - 1 */
    const __m128i k = _mm_set1_epi32((int32_t)(key - 1));
    const __m128i *g = (const __m128i *)(const void *)group;
    /* the four compares packed to bytes, then one mask */
    __m128i low = _mm_packs_epi32(_mm_cmpgt_epi32(_mm_load_si128(g), k), _mm_cmpgt_epi32(_mm_load_si128(g + 1), k));
    __m128i high = _mm_packs_epi32(_mm_cmpgt_epi32(_mm_load_si128(g + 2), k), _mm_cmpgt_epi32(_mm_load_si128(g + 3), k));
    return (unsigned)_mm_movemask_epi8(_mm_packs_epi16(low, high));
}
#else
static inline uint32_t group_max(const uint32_t *group)
{
    uint32_t m = 0;
    for (size_t c = 0; c < 16; c++)
        m = group[c] > m ? group[c] : m;
    return m;
}

static inline unsigned group_mask(const uint32_t *group, uint32_t key)
{
    unsigned mask = 0;
    for (unsigned i = 0; i < 16; i++)
        mask |= (unsigned)(group[i] >= key) << i;
    return mask;
}
#endif

static inline uint32_t fit_saturate(uint64_t size)
{
    return size >= FIT_SATURATED ? FIT_SATURATED : (uint32_t)size;
}

/* The largest of the 16 entries below entry `parent` of level `lvl`. */
static inline uint32_t level_children_max(unsigned lvl, size_t parent)
{
    return group_max(mems_state.dir.levels[lvl - 1] + parent * 16);
}

/* Every level above the words again from level 0 (the fit tree rebuilt). */
void grain_levels_recompute(void);

#endif /* MEMS_GRAIN_H */
