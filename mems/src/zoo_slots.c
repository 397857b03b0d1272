/*
 * First and next fit over a free list: the list laid out as slots, front to
 * back (a hole's stamp is its slot), and above them 16-ary bounds on the
 * holes' sizes, as the fit tree keeps over addresses, saturated to 32 bits
 * in groups of 16 that one SSE2 compare each reads (grain.h): a hole that
 * shrinks or goes leaves the bounds above it high, and a search that finds
 * nothing below a bound lowers it. A new place at the front or the back is
 * the slot before the first or after the last in use; "the first hole in
 * list order of at least n, from slot s" is one descent from the top when s
 * is the front, else a climb from s and one descent; FIFO first fit looks
 * first at its size's floor (below). When the front or the back reaches the
 * end of the array, the holes are laid out again, in order, in an array four
 * times their number (the same array, in place, while it is at most twice
 * that), with most of the room on the growing side: their stamps change,
 * their order does not.
 */
#include "placement.h"

#include <string.h>

#define Z (mems_state.zoo)
#define HOLE(i) (Z.holes[i])
#define FANOUT 16

static void slots_unmap(void)
{
    if (Z.slot_map != NULL) {
        mems_state.metadata_bytes -= Z.slot_map_bytes;
        state_unmap_or_keep(Z.slot_map, Z.slot_map_bytes, "the free list's slots");
    }
    Z.slot_map = NULL;
    Z.slot_map_bytes = Z.slot_capacity = Z.slot_lo = Z.slot_hi = 0;
    Z.slot_level_count = 0;
}

void zoo_slots_release(void)
{
    slots_unmap();
}

/* Raises the maxima above `slot` to at least `size`. */
static void slots_raise(size_t slot, uint64_t size)
{
    uint32_t key = fit_saturate(size);
    for (unsigned level = 0; level < Z.slot_level_count; level++, slot /= FANOUT) {
        if (level > 0 && Z.slot_levels[level][slot] >= key)
            return;
        Z.slot_levels[level][slot] = key;
    }
}

/* The array's layout for `capacity` slots: its levels' lengths, their
 * entries (each level padded with zeros to whole groups) and its bytes;
 * false when it would need more levels than there are. */
static bool slots_geometry(size_t capacity, size_t lengths[ZOO_SLOT_LEVELS], unsigned *levels, size_t *words,
                           size_t *bytes)
{
    *levels = 0;
    *words = 0;
    for (size_t length = capacity;; length = (length + FANOUT - 1) / FANOUT) {
        if (*levels == ZOO_SLOT_LEVELS)
            return false;
        lengths[(*levels)++] = length;
        *words += (length + FANOUT - 1) / FANOUT * FANOUT;
        if (length == 1)
            break;
    }
    *bytes = ((capacity + *words) * sizeof(uint32_t) + PAGE_SIZE - 1) & ~((size_t)PAGE_SIZE - 1);
    return true;
}

/* Packs the live holes, in order, at the front of the used range; returns
 * how many there are and sets *cursor_rank to the rank of the first at or
 * after next fit's place (how many come before it), or to their number. */
static size_t slots_pack(size_t *cursor_rank)
{
    size_t live = 0;
    *cursor_rank = SIZE_MAX;
    for (size_t s = Z.slot_lo; s < Z.slot_hi; s++) {
        uint32_t n = Z.slot_holes[s];
        if (n == 0)
            continue;
        if (*cursor_rank == SIZE_MAX && Z.cursor != 0 && s >= Z.cursor)
            *cursor_rank = live;
        Z.slot_holes[Z.slot_lo + live++] = n; /* never past s: packing toward the front */
    }
    if (*cursor_rank == SIZE_MAX)
        *cursor_rank = live;
    return live;
}

/* The live holes laid out again in order from slot `lo` of an array of
 * `capacity` slots, the cursor moved to the slot of the first hole at or
 * after it; false (nothing changed) when mmap fails. An array of the same
 * capacity is kept and laid out in place: a list of few holes that keeps
 * growing at one end comes back here every few hundred adds, and a new
 * mapping each time cost a system call, a munmap and fresh pages to fault. */
static bool slots_layout(size_t capacity, size_t lo)
{
    size_t lengths[ZOO_SLOT_LEVELS], words, bytes;
    unsigned levels;
    if (!slots_geometry(capacity, lengths, &levels, &words, &bytes))
        return false;
    bool in_place = Z.slot_map != NULL && capacity == Z.slot_capacity;
    void *map = in_place ? Z.slot_map : os_map(bytes);
    if (map == NULL)
        return false;
    uint32_t *level_base = map;
    uint32_t *holes = (uint32_t *)(level_base + words);
    size_t cursor_rank, live = slots_pack(&cursor_rank);
    /* the floors back to the front: moving them with the holes cost more
     * than it saved (gawk-words lays out its ten holes again every 58 adds) */
    memset(Z.floor, 0, sizeof Z.floor);
    Z.floor_top = 0;
    bool had_cursor = Z.cursor != 0;
    if (in_place) {
        memmove(holes + lo, holes + Z.slot_lo, live * sizeof *holes);
        memset(holes, 0, lo * sizeof *holes);
        memset(holes + lo + live, 0, (capacity - lo - live) * sizeof *holes);
        memset(level_base, 0, words * sizeof *level_base);
    } else {
        if (live != 0)
            memcpy(holes + lo, Z.slot_holes + Z.slot_lo, live * sizeof *holes);
        slots_unmap();
        Z.slot_map = map;
        Z.slot_map_bytes = bytes;
        mems_state.metadata_bytes += bytes;
    }
    for (size_t at = lo; at < lo + live; at++) {
        HOLE(holes[at]).stamp = at;
        level_base[at] = fit_saturate(HOLE(holes[at]).size);
    }
    Z.slot_holes = holes;
    Z.slot_capacity = capacity;
    Z.slot_lo = lo;
    Z.slot_hi = lo + live;
    Z.cursor = had_cursor ? lo + cursor_rank : 0;
    Z.slot_level_count = levels;
    uint32_t *base = level_base;
    for (unsigned level = 0; level < levels; level++) {
        Z.slot_levels[level] = base;
        Z.slot_length[level] = lengths[level];
        if (level > 0)
            for (size_t i = 0; i < lengths[level]; i++)
                base[i] = group_max(Z.slot_levels[level - 1] + i * FANOUT);
        base += (lengths[level] + FANOUT - 1) / FANOUT * FANOUT;
    }
    state_update_peaks();
    return true;
}

/* The slots laid out again, with room at the front or the back; false
 * (nothing changed) when mmap fails. Out of line: it runs once in hundreds
 * of adds, and inline its registers would cost every add. */
static __attribute__((noinline)) bool slots_make_room(bool front)
{
    size_t live = Z.in_use, capacity = 64;
    while (capacity < 4 * live)
        capacity *= 2;
    /* the array in use is kept up to twice that, laid out in place: a
     * count of holes going to and fro across a power of two would
     * otherwise map a new array at every other layout */
    if (Z.slot_capacity >= capacity && Z.slot_capacity <= 2 * capacity)
        capacity = Z.slot_capacity;
    /* most of the room on the side that grows: LIFO adds at the front,
     * FIFO and a build at the back */
    size_t room = capacity - live;
    return slots_layout(capacity, front ? room - room / 8 : room / 8);
}

/* Record n takes a new place at the front or the back of the list; false
 * (nothing changed) when the slots must be laid out again and cannot. */
bool zoo_slots_add(uint32_t n, bool front)
{
    /* slot 0 stays unused: a cursor of 0 means the front, before every place */
    if ((front ? Z.slot_lo <= 1 : Z.slot_hi == Z.slot_capacity) && !slots_make_room(front))
        return false;
    size_t slot = front ? --Z.slot_lo : Z.slot_hi++;
    Z.slot_holes[slot] = n;
    HOLE(n).stamp = slot;
    slots_raise(slot, HOLE(n).size);
    return true;
}

void zoo_slots_remove(uint32_t n)
{
    size_t slot = HOLE(n).stamp;
    assert(Z.slot_holes[slot] == n);
    Z.slot_holes[slot] = 0;
    Z.slot_levels[0][slot] = 0; /* the bounds above stay: still bounds */
    /* the ends close in over empty slots, so a search from the front starts
     * at the first hole (FIFO first fit takes from the front and adds at the
     * back); each slot is passed once before a hole fills it again. Not
     * past next fit's place: a new place at the front must stay before it,
     * one at the back after it; nor, at the back, past a floor, for the
     * same reason. */
    if (slot == Z.slot_lo)
        while (Z.slot_lo < Z.slot_hi && Z.slot_holes[Z.slot_lo] == 0 && (Z.cursor == 0 || Z.slot_lo < Z.cursor))
            Z.slot_lo++;
    else if (slot + 1 == Z.slot_hi)
        while (Z.slot_hi > Z.slot_lo && Z.slot_holes[Z.slot_hi - 1] == 0 && Z.slot_hi - 1 > Z.cursor &&
               Z.slot_hi > Z.floor_top)
            Z.slot_hi--;
}

/* Record n's hole shrank to its present size. */
void zoo_slots_shrunk(uint32_t n)
{
    Z.slot_levels[0][HOLE(n).stamp] = fit_saturate(HOLE(n).size);
}

/* The record in `slot`, whose entry holds `key`, if its hole holds `size`:
 * an entry at the saturation point may stand for a hole that does not. */
static uint32_t slot_fitting(size_t slot, uint64_t size, uint32_t key)
{
    uint32_t n = Z.slot_holes[slot];
    return key < FIT_SATURATED || HOLE(n).size >= size ? n : 0;
}

/* The first slot holding `size` (`key` saturated) below the entries from i
 * to the end of i's group in `level`, or 0: depth first below each entry
 * whose bound holds the key, the groups' candidates kept as masks so no call
 * is made per level. A bound with nothing below it is lowered to its
 * children's largest (a bound left high by a hole that shrank or went is
 * mended when a search meets it). */
static uint32_t slots_search_group(unsigned level, size_t i, uint64_t size, uint32_t key)
{
    unsigned mask[ZOO_SLOT_LEVELS];
    size_t group[ZOO_SLOT_LEVELS];
    const unsigned top = level;
    group[level] = i & ~(size_t)(FANOUT - 1);
    mask[level] = group_mask(Z.slot_levels[level] + group[level], key) & (~0u << (i - group[level]));
    mems_state.holes_examined++;
    for (;;) {
        if (mask[level] == 0) {
            if (level == top)
                return 0;
            level++;
            size_t parent = group[level] + (unsigned)__builtin_ctz(mask[level]);
            Z.slot_levels[level][parent] = group_max(Z.slot_levels[level - 1] + parent * FANOUT);
            mask[level] &= mask[level] - 1;
            continue;
        }
        size_t j = group[level] + (unsigned)__builtin_ctz(mask[level]);
        if (level == 0) {
            uint32_t n = slot_fitting(j, size, key);
            if (n != 0)
                return n;
            mask[0] &= mask[0] - 1;
            continue;
        }
        level--;
        group[level] = j * FANOUT;
        mask[level] = group_mask(Z.slot_levels[level] + group[level], key);
        mems_state.holes_examined++;
    }
}

/* The record of the first hole of at least `size` granules at or after slot
 * `from`, or 0: from the front, one descent from the top; from inside the
 * list (next fit's place), along the rest of from's group, then up a level
 * from the group after it, looking below each entry whose bound holds the
 * size. */
uint32_t zoo_slots_first_fit(uint64_t from, uint64_t size)
{
    unsigned top = Z.slot_level_count;
    uint32_t key = fit_saturate(size);
    if (top == 0 || from >= Z.slot_capacity || Z.slot_levels[top - 1][0] < key)
        return 0;
    /* no earlier than the first slot in use */
    size_t i = from < Z.slot_lo ? Z.slot_lo : from;
    /* most searches of a LIFO list take its first hole: that one entry
     * read before a group's compare (the same one hole examined) */
    if (key < FIT_SATURATED && Z.slot_levels[0][i] >= key) {
        mems_state.holes_examined++;
        return Z.slot_holes[i];
    }
    /* from the front, one descent from the top: a climb from the first
     * slot would compare as many groups on the way up as on the way down
     * when, as in a FIFO list, the holes at the front are the old ones that
     * fit little. The slots before the first in use are empty, their
     * bounds zero once mended. */
    if (i == Z.slot_lo && top >= 2)
        return slots_search_group(top - 2, 0, size, key);
    for (unsigned level = 0; level < top; level++) {
        uint32_t n = slots_search_group(level, i, size, key);
        if (n != 0)
            return n;
        size_t end = (i / FANOUT + 1) * FANOUT;
        if (end >= Z.slot_length[level])
            return 0; /* the level's last group: nothing follows */
        i = end / FANOUT; /* the entry after this group's, a level up */
    }
    return 0;
}

/* ---- first fit over a FIFO list: its floors ----
 * A FIFO list gains holes only at its back, and a hole before that only
 * shrinks or goes: once first fit has found the first hole of at least s
 * granules in slot f, every hole before f is smaller than s, and stays so.
 * So the search for s starts at its floor, f, and takes the hole there when
 * it still holds s (carved again), with no descent; else it descends from
 * the front as before and moves the floor to the hole it finds. Only the
 * floor of the size searched moves: raising those above it as well, as
 * first fit over addresses does, made each of gawk-words' searches raise a
 * dozen floors, for more than the floors saved. Requests of more than
 * ZOO_FLOOR_SIZES granules share the last floor, moved by none of them. The
 * back does not close in past the highest floor (zoo_slots_remove), and a
 * layout sets the floors back to the front (slots_layout). */
uint32_t zoo_slots_first_fit_floored(uint64_t size)
{
    uint64_t *floor = &Z.floor[size < ZOO_FLOOR_SIZES ? size : ZOO_FLOOR_SIZES];
    uint32_t key = fit_saturate(size);
    if (key < FIT_SATURATED && *floor < Z.slot_capacity && Z.slot_levels[0][*floor] >= key) {
        mems_state.holes_examined++;
        return Z.slot_holes[*floor];
    }
    uint32_t n = zoo_slots_first_fit(0, size);
    if (size <= ZOO_FLOOR_SIZES) {
        *floor = n != 0 ? HOLE(n).stamp : Z.slot_hi;
        Z.floor_top = *floor > Z.floor_top ? *floor : Z.floor_top;
    }
    return n;
}

/* Exact, for the stats: the bounds above the slots may stand high. */
uint64_t zoo_slots_largest(void)
{
    uint64_t m = 0;
    for (size_t s = Z.slot_lo; s < Z.slot_hi; s++) {
        uint64_t size = Z.slot_levels[0][s] == FIT_SATURATED ? HOLE(Z.slot_holes[s]).size : Z.slot_levels[0][s];
        m = size > m ? size : m;
    }
    return m;
}

/* For mems_check: each record in its slot with its size, nothing outside
 * [lo, hi), every bound at least its children's largest. */
int zoo_slots_check(size_t *count)
{
    int bad = 0;
    *count = 0;
    for (size_t s = 0; s < Z.slot_capacity; s++) {
        uint32_t n = Z.slot_holes[s];
        if (n == 0) {
            bad += Z.slot_levels[0][s] != 0;
            continue;
        }
        (*count)++;
        bad += s < Z.slot_lo || s >= Z.slot_hi || HOLE(n).stamp != s || HOLE(n).size == 0 ||
               Z.slot_levels[0][s] != fit_saturate(HOLE(n).size);
        /* no hole before the floor of its size or of a smaller one */
        for (uint64_t k = 1; k <= HOLE(n).size && k <= ZOO_FLOOR_SIZES; k++)
            bad += s < Z.floor[k];
    }
    for (unsigned level = 1; level < Z.slot_level_count; level++)
        for (size_t i = 0; i < Z.slot_length[level]; i++)
            bad += Z.slot_levels[level][i] < group_max(Z.slot_levels[level - 1] + i * FANOUT);
    for (unsigned k = 1; k <= ZOO_FLOOR_SIZES; k++)
        bad += Z.floor[k] > Z.floor_top;
    bad += Z.floor_top > Z.slot_hi;
    /* the padding past each level's end, which every group compare reads */
    for (unsigned level = 0; level < Z.slot_level_count; level++)
        for (size_t i = Z.slot_length[level]; i % FANOUT != 0; i++)
            bad += Z.slot_levels[level][i] != 0;
    return bad;
}
