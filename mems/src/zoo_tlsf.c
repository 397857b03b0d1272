/*
 * TLSF's good fit (Masmano, Ripoll, Crespo and Real, 2004; the structure and
 * names of Conte's tlsf.c): holes in segregated lists, a first level per
 * power of two and 2^TLSF_SLI linear subdivisions of it (exact lists below
 * 2^TLSF_SLI granules), a bitmap of non-empty first levels and one of
 * non-empty lists per first level. A request is rounded up to the start of
 * the next list (mapping_search), so that every hole of the list found fits;
 * the search takes the head of the first non-empty list from there. Lists
 * are LIFO: a hole goes in at the head whenever it is added, and a
 * placement's remainder is filed anew, as a hole added. Coalescing is
 * MeMS's, immediate.
 */
#include "placement.h"

#include <string.h>

#define Z (mems_state.zoo)
#define HOLE(i) (Z.holes[i])

static unsigned tlsf_fls(uint64_t x)
{
    assert(x != 0);
    return 63 - (unsigned)__builtin_clzll(x);
}

/* The list of a hole of `size` granules (mapping_insert). */
static void mapping_insert(uint64_t size, unsigned *fl, unsigned *sl)
{
    if (size < TLSF_SL_COUNT) {
        *fl = 0;
        *sl = (unsigned)size;
    } else {
        unsigned top = tlsf_fls(size);
        *fl = top - TLSF_SLI + 1;
        *sl = (unsigned)(size >> (top - TLSF_SLI)) ^ TLSF_SL_COUNT;
    }
    assert(*fl < TLSF_FL_COUNT && *sl < TLSF_SL_COUNT);
}

/* The first list whose every hole holds `size` (mapping_search). */
static void mapping_search(uint64_t size, unsigned *fl, unsigned *sl)
{
    if (size >= TLSF_SL_COUNT)
        size += ((uint64_t)1 << (tlsf_fls(size) - TLSF_SLI)) - 1;
    mapping_insert(size, fl, sl);
}

static unsigned list_number(unsigned fl, unsigned sl)
{
    return fl * TLSF_SL_COUNT + sl;
}

/* The head of the first non-empty list at or after (fl, sl); 0 if none. */
static uint32_t search_suitable_block(unsigned fl, unsigned sl)
{
    uint32_t sl_map = Z.sl_map[fl] & (~0u << sl);
    if (sl_map == 0) {
        uint64_t fl_map = fl + 1 < 64 ? Z.fl_map & (~(uint64_t)0 << (fl + 1)) : 0;
        if (fl_map == 0)
            return 0;
        fl = (unsigned)__builtin_ctzll(fl_map);
        sl_map = Z.sl_map[fl];
        assert(sl_map != 0);
    }
    sl = (unsigned)__builtin_ctz(sl_map);
    return Z.heads[fl][sl];
}

static void insert_free_block(uint32_t n)
{
    unsigned fl, sl;
    mapping_insert(HOLE(n).size, &fl, &sl);
    uint32_t head = Z.heads[fl][sl];
    HOLE(n).left = 0;
    HOLE(n).right = head;
    HOLE(n).role = list_number(fl, sl);
    if (head != 0)
        HOLE(head).left = n;
    Z.heads[fl][sl] = n;
    Z.fl_map |= (uint64_t)1 << fl;
    Z.sl_map[fl] |= 1u << sl;
}

static void remove_free_block(uint32_t n)
{
    unsigned fl = HOLE(n).role / TLSF_SL_COUNT, sl = HOLE(n).role % TLSF_SL_COUNT;
    uint32_t prev = HOLE(n).left, next = HOLE(n).right;
    if (next != 0)
        HOLE(next).left = prev;
    if (prev != 0) {
        HOLE(prev).right = next;
        return;
    }
    assert(Z.heads[fl][sl] == n);
    Z.heads[fl][sl] = next;
    if (next == 0) {
        Z.sl_map[fl] &= ~(1u << sl);
        if (Z.sl_map[fl] == 0)
            Z.fl_map &= ~((uint64_t)1 << fl);
    }
}

static MEMS_HOT_PATH void tlsf_hole_added(grain_t g, uint64_t size)
{
    uint32_t n = zoo_hole_appeared(g, size, ++Z.back);
    if (n != 0)
        insert_free_block(n);
}

static MEMS_HOT_PATH void tlsf_hole_removed(grain_t g, uint64_t size)
{
    uint32_t n = zoo_hole_at(g, size);
    if (n == 0)
        return;
    remove_free_block(n);
    zoo_record_give(n);
}

/* A remainder is a new free block, at the head of its list, and so is the
 * hole a free's merge makes (hole_shrunk and hole_merged): filed anew in
 * its record, as a removal and an addition would (the record given back
 * would be the one taken), without the hash's walks. */
static MEMS_HOT_PATH bool tlsf_hole_refiled(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    uint32_t n = zoo_hole_at(from, size);
    if (n == 0)
        return true;
    remove_free_block(n);
    zoo_record_reshaped(n, to, new_size);
    HOLE(n).stamp = ++Z.back;
    insert_free_block(n);
    return true;
}

static MEMS_HOT_PATH grain_t tlsf_search(uint64_t size)
{
    if (!zoo_store_ready())
        return GRAIN_NONE;
    unsigned fl, sl;
    mapping_search(size, &fl, &sl);
    mems_state.holes_examined++;
    uint32_t n = fl < TLSF_FL_COUNT ? search_suitable_block(fl, sl) : 0;
    if (n == 0)
        return GRAIN_NONE;
    assert(HOLE(n).size >= size);
    mems_state.found_hole_size = HOLE(n).size;
    Z.recent = n;
    return HOLE(n).grain;
}

static bool tlsf_build(void)
{
    memset(Z.heads, 0, sizeof Z.heads);
    memset(Z.sl_map, 0, sizeof Z.sl_map);
    Z.fl_map = 0;
    return zoo_store_build();
}

static void tlsf_drop(void)
{
    zoo_store_release();
}

/* The largest hole: the largest of the highest non-empty list (stats only). */
static uint64_t tlsf_largest(void)
{
    if (Z.stale || Z.fl_map == 0)
        return 0;
    unsigned fl = tlsf_fls(Z.fl_map), sl = tlsf_fls(Z.sl_map[fl]);
    uint64_t largest = 0;
    for (uint32_t n = Z.heads[fl][sl]; n != 0; n = HOLE(n).right)
        if (HOLE(n).size > largest)
            largest = HOLE(n).size;
    return largest;
}

static int tlsf_check(char *what, size_t what_size)
{
    if (Z.stale)
        return 0;
    int bad = 0;
    size_t linked = 0;
    for (unsigned fl = 0; fl < TLSF_FL_COUNT; fl++) {
        bad += ((Z.fl_map >> fl & 1) != 0) != (Z.sl_map[fl] != 0);
        for (unsigned sl = 0; sl < TLSF_SL_COUNT; sl++) {
            uint32_t n = Z.heads[fl][sl], prev = 0;
            bad += ((Z.sl_map[fl] >> sl & 1) != 0) != (n != 0);
            uint64_t younger = UINT64_MAX;
            for (; n != 0 && linked <= Z.in_use; prev = n, n = HOLE(n).right) {
                unsigned f, s;
                mapping_insert(HOLE(n).size, &f, &s);
                bad += f != fl || s != sl || HOLE(n).left != prev || HOLE(n).role != list_number(fl, sl);
                bad += HOLE(n).stamp >= younger; /* LIFO: youngest at the head */
                younger = HOLE(n).stamp;
                linked++;
            }
        }
    }
    int store = zoo_store_check();
    bad += linked != Z.in_use;
    if (bad + store != 0)
        snprintf(what, what_size, "TLSF: %d list faults, %d record faults, %zu of %zu records linked", bad, store,
                 linked, Z.in_use);
    return bad + store;
}

const struct policy_ops policy_tlsf_ops = {
    .build = tlsf_build,
    .drop = tlsf_drop,
    .reserve = zoo_reserve,
    .hole_added = tlsf_hole_added,
    .hole_removed = tlsf_hole_removed,
    .hole_shrunk = tlsf_hole_refiled,
    .hole_merged = tlsf_hole_refiled,
    .search = tlsf_search,
    .commit = NULL, /* coalescing is immediate: nothing left for the end */
    .largest = tlsf_largest,
    .check = tlsf_check,
};
