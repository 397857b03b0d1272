/*
 * A segregated fit in the manner of Doug Lea's malloc 2.6 (dlmalloc 2.6.6,
 * malloc.c: mALLOc and fREe). Holes are binned, or the last remainder (the
 * designated victim), or the top (the hole ending at the heap's end):
 *   1. a binned hole of exactly the request's size, the oldest of them;
 *   2. the last remainder, if it holds the request (the rest stays the last
 *      remainder); if it does not, it is binned now;
 *   3. the smallest binned hole that holds the request, the oldest among
 *      equals (dlmalloc's exact small bins and size-sorted large bins,
 *      scanned smallest first from the request's bin, choose this one); the
 *      rest of it becomes the last remainder;
 *   4. the top, if it holds the request (the rest stays the top);
 *   5. a new node, whose hole becomes the top (the old top is binned).
 * A hole a free (or a realloc's freed tail) makes is the top if it ends at
 * the heap's end, else the last remainder if it swallowed the last
 * remainder, else binned, the youngest. A hole carved from its front by a
 * realloc keeps its role and age.
 * The bins are best fit's (exact below 64 granules, eight per power of two
 * above), each a treap by (size, age): steps 1 and 3 are a descent in the
 * request's bin, else the first of the next bin holding any, the same
 * choice as dlmalloc's bin scans.
 */
#include "placement.h"

#include <stdio.h>

#define Z (mems_state.zoo)
#define HOLE(i) (Z.holes[i])

enum { LEA_BINNED = 0, LEA_REMAINDER, LEA_TOP };

static void lea_bin(uint32_t n)
{
    HOLE(n).role = LEA_BINNED;
    HOLE(n).stamp = ++Z.back;
    zoo_sized_insert(n);
}

/* A hole a free makes, in record n: the top, the last remainder or binned. */
static inline __attribute__((always_inline)) void lea_file(uint32_t n, grain_t g, uint64_t size)
{
    if (g + size == mems_state.heap_end_grain) {
        if (Z.top != 0)
            lea_bin(Z.top); /* a new node: the old top is an ordinary hole now */
        Z.top = n;
        HOLE(n).role = LEA_TOP;
    } else if (Z.remainder_merged && Z.last_remainder == 0) {
        Z.last_remainder = n;
        HOLE(n).role = LEA_REMAINDER;
    } else {
        lea_bin(n);
    }
    Z.remainder_merged = false;
}

static MEMS_HOT_PATH void lea_hole_added(grain_t g, uint64_t size)
{
    uint32_t n = zoo_hole_appeared(g, size, ++Z.back);
    if (n != 0)
        lea_file(n, g, size);
}

/* Record n out of its role; a last remainder merged away is remembered. */
static inline __attribute__((always_inline)) void lea_unfile(uint32_t n)
{
    if (n == Z.last_remainder) {
        Z.last_remainder = 0;
        Z.remainder_merged = true;
    } else if (n == Z.top) {
        Z.top = 0;
    } else {
        zoo_sized_remove(n);
    }
}

static MEMS_HOT_PATH void lea_hole_removed(grain_t g, uint64_t size)
{
    uint32_t n = zoo_hole_at(g, size);
    if (n == 0)
        return;
    lea_unfile(n);
    zoo_record_give(n);
}

/* A free's merge: the hole merged out of its role and the merged one filed
 * as a new hole, in the record a removal and an addition would give back
 * and take again. */
static MEMS_HOT_PATH bool lea_hole_merged(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    uint32_t n = zoo_hole_at(from, size);
    if (n == 0)
        return true;
    lea_unfile(n);
    zoo_record_reshaped(n, to, new_size);
    HOLE(n).stamp = ++Z.back;
    lea_file(n, to, new_size);
    return true;
}

static MEMS_HOT_PATH bool lea_hole_shrunk(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    uint32_t n = zoo_hole_at(from, size);
    if (n == 0)
        return true;
    if (n == Z.last_remainder || n == Z.top) {
        zoo_record_move(n, to, new_size);
        return true;
    }
    if (n != Z.chosen) {
        zoo_sized_shrink(n, to, new_size); /* a realloc growing into it: role and age kept */
        return true;
    }
    zoo_sized_remove(n);
    zoo_record_move(n, to, new_size);
    assert(Z.last_remainder == 0);
    Z.last_remainder = n;
    HOLE(n).role = LEA_REMAINDER;
    return true;
}

static grain_t lea_take(uint32_t n)
{
    mems_state.found_hole_size = HOLE(n).size;
    Z.recent = n;
    return HOLE(n).grain;
}

static MEMS_HOT_PATH grain_t lea_search(uint64_t size)
{
    Z.chosen = 0;
    if (!zoo_store_ready())
        return GRAIN_NONE;
    uint32_t best = zoo_sized_best_fit(size);
    if (best != 0 && HOLE(best).size == size)
        return lea_take(best);
    uint32_t rest = Z.last_remainder;
    if (rest != 0) {
        mems_state.holes_examined++;
        if (HOLE(rest).size >= size)
            return lea_take(rest);
        Z.last_remainder = 0;
        lea_bin(rest); /* smaller than the request: best stays the best fit */
    }
    if (best != 0) {
        Z.chosen = best;
        return lea_take(best);
    }
    if (Z.top != 0) {
        mems_state.holes_examined++;
        if (HOLE(Z.top).size >= size)
            return lea_take(Z.top);
    }
    return GRAIN_NONE;
}

static MEMS_HOT_PATH void lea_commit(void)
{
    Z.chosen = 0;
    Z.remainder_merged = false;
}

static bool lea_build(void)
{
    return zoo_store_build();
}

static uint64_t lea_largest(void)
{
    if (Z.stale)
        return 0;
    uint64_t largest = zoo_sized_largest();
    if (Z.last_remainder != 0 && HOLE(Z.last_remainder).size > largest)
        largest = HOLE(Z.last_remainder).size;
    if (Z.top != 0 && HOLE(Z.top).size > largest)
        largest = HOLE(Z.top).size;
    return largest;
}

static int lea_check(char *what, size_t what_size)
{
    if (Z.stale)
        return 0;
    size_t count;
    int bad = zoo_sized_check(&count);
    count += (Z.last_remainder != 0) + (Z.top != 0);
    bad += Z.last_remainder != 0 && (Z.last_remainder == Z.top || HOLE(Z.last_remainder).role != LEA_REMAINDER);
    bad += Z.top != 0 && (HOLE(Z.top).role != LEA_TOP ||
                          HOLE(Z.top).grain + HOLE(Z.top).size != mems_state.heap_end_grain);
    int store = zoo_store_check();
    if (bad + store != 0 || count != Z.in_use)
        snprintf(what, what_size, "Lea: %d bin faults, %d record faults, %zu of %zu records placed", bad, store, count,
                 Z.in_use);
    return bad + store + (count != Z.in_use);
}

const struct policy_ops policy_lea_ops = {
    .build = lea_build,
    .drop = zoo_store_release,
    .reserve = zoo_reserve,
    .hole_added = lea_hole_added,
    .hole_removed = lea_hole_removed,
    .hole_shrunk = lea_hole_shrunk,
    .hole_merged = lea_hole_merged,
    .search = lea_search,
    .commit = lea_commit,
    .largest = lea_largest,
    .check = lea_check,
};
