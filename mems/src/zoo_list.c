/*
 * First, next and best fit over a free list kept in LIFO or FIFO order,
 * after Wilson, Johnstone, Neely and Boles (IWMM 1995). Every hole has one
 * place in the list, a stamp (ascending stamp is list order):
 *   - a hole a free makes, merged or not, a realloc's freed tail and a new
 *     node's hole take a new place: at the front (LIFO, a stamp below every
 *     other) or at the back (FIFO, above every other);
 *   - a hole carved from its front (a placement's remainder, a realloc
 *     growing into it) keeps its place;
 *   - an index built on a running heap (mems_set_policy) lists the holes in
 *     address order.
 * First fit takes the first hole in list order that fits; next fit the first
 * that fits at or after the place of the hole the last placement was carved
 * from, wrapping to the front; best fit the smallest that fits, ties by list
 * order. First and next fit search the list laid out as slots with the
 * 16-ary maxima of their sizes above (zoo_slots.c: a climb and a descent);
 * best fit a treap by size then stamp.
 */
#include "placement.h"

#include <stdio.h>

#define Z (mems_state.zoo)
#define HOLE(i) (Z.holes[i])

static bool list_by_size(void)
{
    int p = Z.policy;
    return p == MEMS_BEST_FIT_LIFO || p == MEMS_BEST_FIT_FIFO;
}

/* The stamp of a new place: the front or the back; a build goes in address order. */
static uint64_t list_place_new(bool lifo)
{
    return lifo && !Z.building ? Z.front-- : ++Z.back;
}

/* First and next fit keep the list as slots, best fit by size: each its own
 * notes, with no test of the member on every note. A new place is at the
 * front (LIFO) or the back (FIFO, and a build), each member's table its own. */
/* Record n, of a hole a free made, at its new place; the index dropped
 * when the slots cannot grow. */
static inline __attribute__((always_inline)) void list_place_record(uint32_t n, bool front)
{
    if (!zoo_slots_add(n, front && !Z.building)) {
        zoo_record_give(n);
        zoo_store_drop();
        return;
    }
    if (Z.cursor_from_next_add) {
        Z.cursor = HOLE(n).stamp;
        Z.cursor_from_next_add = false;
    }
}

static inline __attribute__((always_inline)) void list_hole_placed(grain_t g, uint64_t size, bool front)
{
    uint32_t n = zoo_hole_appeared(g, size, 0);
    if (n != 0)
        list_place_record(n, front);
}

static MEMS_HOT_PATH void lifo_hole_added(grain_t g, uint64_t size)
{
    list_hole_placed(g, size, true);
}

static MEMS_HOT_PATH void fifo_hole_added(grain_t g, uint64_t size)
{
    list_hole_placed(g, size, false);
}

/* A free's merge: the merged hole takes a new place as any hole a free
 * makes, in the record of the hole it holds (the one a removal and an
 * addition would give back and take again). */
static inline __attribute__((always_inline)) bool list_hole_replaced(grain_t from, uint64_t size, grain_t to,
                                                                     uint64_t new_size, bool front)
{
    uint32_t n = zoo_hole_at(from, size);
    if (n == 0)
        return true; /* a stale index: rebuilt before the next search */
    zoo_slots_remove(n);
    zoo_record_reshaped(n, to, new_size);
    list_place_record(n, front);
    return true;
}

static MEMS_HOT_PATH bool lifo_hole_merged(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    return list_hole_replaced(from, size, to, new_size, true);
}

static MEMS_HOT_PATH bool fifo_hole_merged(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    return list_hole_replaced(from, size, to, new_size, false);
}

static MEMS_HOT_PATH void list_hole_removed(grain_t g, uint64_t size)
{
    uint32_t n = zoo_hole_at(g, size);
    if (n == 0)
        return;
    zoo_slots_remove(n);
    zoo_record_give(n);
}

static MEMS_HOT_PATH void best_hole_added(grain_t g, uint64_t size)
{
    uint32_t n = zoo_hole_appeared(g, size, Z.stale ? 0 : list_place_new(Z.policy == MEMS_BEST_FIT_LIFO));
    if (n != 0)
        zoo_sized_insert(n);
}

/* By size at its new place in the list, in the record of the hole it holds. */
static MEMS_HOT_PATH bool best_hole_merged(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    uint32_t n = zoo_hole_at(from, size);
    if (n == 0)
        return true;
    zoo_sized_remove(n);
    zoo_record_reshaped(n, to, new_size);
    HOLE(n).stamp = list_place_new(Z.policy == MEMS_BEST_FIT_LIFO);
    zoo_sized_insert(n);
    return true;
}

static MEMS_HOT_PATH void best_hole_removed(grain_t g, uint64_t size)
{
    uint32_t n = zoo_hole_at(g, size);
    if (n == 0)
        return;
    zoo_sized_remove(n);
    zoo_record_give(n);
}

/* The remainder keeps the hole's place: among the slots only the maxima
 * above it change; by size it may move (zoo_sized_shrink). */
static MEMS_HOT_PATH bool list_hole_shrunk(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    uint32_t n = zoo_hole_at(from, size);
    if (n != 0) {
        zoo_record_move(n, to, new_size);
        zoo_slots_shrunk(n);
    }
    return true;
}

static MEMS_HOT_PATH bool best_hole_shrunk(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    uint32_t n = zoo_hole_at(from, size);
    if (n != 0)
        zoo_sized_shrink(n, to, new_size);
    return true;
}

static grain_t list_found(uint32_t n)
{
    if (n == 0)
        return GRAIN_NONE;
    mems_state.found_hole_size = HOLE(n).size;
    Z.recent = n;
    return HOLE(n).grain;
}

static MEMS_HOT_PATH grain_t list_first_search(uint64_t size)
{
    if (!zoo_store_ready())
        return GRAIN_NONE;
    return list_found(zoo_slots_first_fit(0, size));
}

/* FIFO: from the floor of its size (zoo_slots.c) */
static MEMS_HOT_PATH grain_t list_first_fifo_search(uint64_t size)
{
    if (!zoo_store_ready())
        return GRAIN_NONE;
    return list_found(zoo_slots_first_fit_floored(size));
}

static MEMS_HOT_PATH grain_t list_next_search(uint64_t size)
{
    Z.cursor_from_next_add = false;
    if (!zoo_store_ready())
        return GRAIN_NONE;
    uint32_t n = zoo_slots_first_fit(Z.cursor, size);
    if (n == 0 && Z.cursor != 0)
        n = zoo_slots_first_fit(0, size);
    if (n != 0)
        Z.cursor = HOLE(n).stamp;
    else
        Z.cursor_from_next_add = true; /* the new node's hole, added next */
    return list_found(n);
}

static MEMS_HOT_PATH grain_t list_best_search(uint64_t size)
{
    if (!zoo_store_ready())
        return GRAIN_NONE;
    return list_found(zoo_sized_best_fit(size));
}

static bool list_build(void)
{
    Z.cursor = 0;
    Z.cursor_from_next_add = false;
    return zoo_store_build();
}

static uint64_t list_largest(void)
{
    if (Z.stale)
        return 0;
    if (!list_by_size())
        return zoo_slots_largest();
    return zoo_sized_largest();
}

static int list_check(char *what, size_t what_size)
{
    if (Z.stale)
        return 0;
    size_t count;
    int bad = list_by_size() ? zoo_sized_check(&count) : zoo_slots_check(&count);
    int store = zoo_store_check();
    if (bad + store != 0 || count != Z.in_use)
        snprintf(what, what_size, "free list: %d treap faults, %d record faults, %zu of %zu records linked", bad, store,
                 count, Z.in_use);
    return bad + store + (count != Z.in_use);
}

#define LIST_OPS(added, kind, search_fn)                                                                           \
    {                                                                                                              \
        .build = list_build, .drop = zoo_store_release, .reserve = zoo_reserve, .hole_added = added##_hole_added,  \
        .hole_removed = kind##_hole_removed, .hole_shrunk = kind##_hole_shrunk, .hole_merged = added##_hole_merged,  \
        .search = search_fn, .commit = NULL, .largest = list_largest, .check = list_check,                         \
    }

const struct policy_ops policy_first_lifo_ops = LIST_OPS(lifo, list, list_first_search);
const struct policy_ops policy_first_fifo_ops = LIST_OPS(fifo, list, list_first_fifo_search);
const struct policy_ops policy_next_lifo_ops = LIST_OPS(lifo, list, list_next_search);
const struct policy_ops policy_next_fifo_ops = LIST_OPS(fifo, list, list_next_search);
const struct policy_ops policy_best_list_ops = LIST_OPS(best, best, list_best_search);
