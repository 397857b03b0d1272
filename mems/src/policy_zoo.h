/*
 * The members of the policy zoo that keep their own hole index (free lists in
 * LIFO or FIFO order, TLSF, Lea): its types. Every such member keeps one
 * record per HOLE in a store MeMS maps itself, found by its granule through a
 * hash table, and orders the records its own way (zoo_*.c). The address-
 * ordered four keep theirs in the fit tree and the size bins, inline.
 *
 * Only types here (granules as uint64_t), so the generated single file can
 * place this header before mems_internal.h, which includes it.
 */
#ifndef MEMS_POLICY_ZOO_H
#define MEMS_POLICY_ZOO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One HOLE. `stamp` is its place in the free list (list orders: ascending
 * stamp is list order) or its age (TLSF, Lea: a larger stamp is younger). */
struct zoo_hole {
    uint64_t size;          /* granules */
    uint64_t grain;
    uint64_t stamp;
    uint32_t left, right;   /* treap links; TLSF: previous and next in its list */
    uint32_t chain;         /* the next record in its hash bucket */
    uint32_t role;          /* Lea: binned, last remainder or top; TLSF: its list */
};

/* TLSF: 2^5 second-level lists per power of two (tlsf.c's SL_INDEX_COUNT_LOG2),
 * exact lists below 2^5 granules; first levels up to 2^63. */
#define TLSF_SLI 5
#define TLSF_SL_COUNT (1u << TLSF_SLI)
#define TLSF_FL_COUNT (64 - TLSF_SLI + 1)

struct policy_ops;

#define ZOO_SLOT_LEVELS 10
/* First fit over a FIFO list keeps floors for requests of 1 to this many
 * granules (zoo_slots.c), as first fit over addresses does (FIT_FLOOR_SIZES). */
#define ZOO_FLOOR_SIZES 32
#define ZOO_BIN_COUNT (64 + 58 * 8) /* SIZE_BIN_COUNT */

struct zoo_index {
    const struct policy_ops *ops;   /* the active member's table (policy_ops_of); NULL: class-rounding */
    /* ops->hole_merged, or NULL: a free's test of it reads one field */
    bool (*hole_merged)(uint64_t from, uint64_t size, uint64_t to, uint64_t new_size); /* grains */
    int policy;                     /* the member (enum mems_policy), set before its index is built */
    bool stale;                     /* dropped by a free that could not grow the store */
    bool building;                  /* holes added by a build take list places in address order */
    struct zoo_hole *holes;         /* holes[0] is the null record */
    uint32_t *buckets;              /* grain hash: first record of each bucket */
    void *map;
    size_t map_bytes, capacity, in_use;
    unsigned bucket_shift;          /* 64 - log2(capacity) */
    uint32_t free_list;
    uint32_t fresh;                 /* numbers from here to the capacity never used: their pages never touched */
    uint32_t recent;                /* the record last found or made: most notes name it, no hash needed */
    /* best fit over a list, Lea: holes in the size bins of best fit
     * (size_bins.c's bins_index_of), each bin a treap by size then stamp */
    uint32_t bin_root[ZOO_BIN_COUNT];
    uint32_t bin_first[ZOO_BIN_COUNT];    /* each bin's smallest (size, stamp) */
    uint64_t bin_nonempty[(ZOO_BIN_COUNT + 63) / 64];
    uint64_t front, back;           /* the stamps of the list's two ends */
    /* first and next fit over a list: the list as slots, front to back,
     * with the 16-ary maxima of their holes' sizes above (zoo_slots.c) */
    void *slot_map;
    size_t slot_map_bytes, slot_capacity, slot_lo, slot_hi;
    uint32_t *slot_holes;           /* slot -> record (0: empty) */
    uint32_t *slot_levels[ZOO_SLOT_LEVELS]; /* [0][slot]: its hole's size, saturated; above, maxima of 16 */
    size_t slot_length[ZOO_SLOT_LEVELS];
    unsigned slot_level_count;
    /* first fit over a FIFO list: floor[s] is a slot before which every
     * hole is smaller than s granules (s = ZOO_FLOOR_SIZES: than that many);
     * floor_top the highest; all 0 (the front) for every other member */
    uint64_t floor[ZOO_FLOOR_SIZES + 1], floor_top;
    /* next fit over a list: the place of the last placement's hole */
    uint64_t cursor;
    bool cursor_from_next_add;      /* no hole fitted: the next hole added (a new node's) is it */
    /* Lea */
    uint32_t last_remainder, top, chosen;
    bool remainder_merged;          /* this operation took the last remainder out to merge it */
    /* TLSF */
    uint64_t fl_map;
    uint32_t sl_map[TLSF_FL_COUNT];
    uint32_t heads[TLSF_FL_COUNT][TLSF_SL_COUNT];
};

#endif /* MEMS_POLICY_ZOO_H */
