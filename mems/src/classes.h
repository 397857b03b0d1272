/*
 * The class-rounding members: binary buddy, double buddy, simple segregated
 * storage with classes 2^N and with classes 2^N and 3*2^N (ARCHITECTURE.md,
 * "The class-rounding members"). Their segments are the same granule bitmaps
 * as every policy's (so the chains, mems_walk, mems_print_stats and
 * mems_stats read them unchanged), but each segment has a size class, holes
 * beside each other are not merged unless they are buddies, and the free
 * blocks are kept on per-class LIFO lists instead of a hole index.
 *
 * Per segment one record (class, requested bytes or list links) in memory
 * MeMS maps itself, found from its first granule through an open-addressing
 * table: the request of a live block does not fit the slack bits, which hold
 * less than one alignment.
 *
 * Included by mems_internal.h before struct mems_state, which embeds the
 * state below; the functions are declared at the end of mems_internal.h.
 */
#ifndef MEMS_CLASSES_H
#define MEMS_CLASSES_H

#include <stdbool.h>
#include <stdint.h>

/* A class is (family, order): 2^order granules in family 0, 3 * 2^order in family 1. */
#define CLASS_FAMILIES 2
#define CLASS_ORDERS 64

struct class_id {
    uint8_t family, order;
};

static inline uint64_t class_grains(struct class_id c)
{
    return (uint64_t)(c.family ? 3 : 1) << c.order;
}

enum class_member { CLASS_BUDDY = 1, CLASS_DOUBLE_BUDDY, CLASS_SIMPLE_SEG, CLASS_SIMPLE_SEG_3 };

struct class_record {
    uint64_t grain;     /* the segment's first granule */
    uint64_t value;     /* live: bytes requested; a node's uncarved end: its size in granules */
    uint32_t next, prev; /* on its class's free list (record numbers, 0 = none) */
    uint8_t family, order;
    uint8_t kind;       /* enum class_record_kind */
};

enum class_record_kind { CLASS_LIVE = 1, CLASS_FREE, CLASS_UNCARVED };

/* The class-rounding members' interface (declared in placement.h): take, a
 * free block of class c off the member's lists (its record and the place of
 * its first granule's bits; 0 with the error recorded), and release, a freed
 * block at that place back on them. The place is looked up once per
 * operation; a buddy or a split's half in the same word of bits is reached
 * from it. Buddy and double buddy split and merge (buddy_take,
 * buddy_release: buddy.c), simple segregated storage carves and never merges
 * (seg_take, seg_release: simple_seg.c). Their segments are no holes of a
 * hole index, so struct policy_ops does not fit them: the chains, the notes
 * and the largest hole are the per-class lists'. class_blocks.c calls the
 * pair of the member's family directly, not through a table, so that both
 * are inlined into its flattened hot paths. */

struct classes_state {
    uint8_t member;     /* enum class_member; 0: the policy does not round to classes */
    struct class_record *records; /* records[0] is the null record */
    uint32_t *slots;    /* grain -> record number, linear probing */
    void *map;          /* records and slots, one mapping */
    uint64_t map_bytes;
    uint32_t record_capacity, records_in_use, free_record;
    uint32_t record_fresh; /* numbers from here to the capacity never used: their pages never touched */
    uint64_t slot_mask;
    uint8_t slot_shift; /* 64 - log2 of the slots: the hash takes the product's top bits */
    uint32_t head[CLASS_FAMILIES][CLASS_ORDERS];     /* free lists, LIFO */
    uint64_t nonempty[CLASS_FAMILIES];               /* bit per order whose list is not empty */
    uint32_t uncarved[CLASS_FAMILIES][CLASS_ORDERS]; /* simple segregated storage: the node end still to carve */
    uint64_t rounding_bytes; /* live blocks: class bytes minus requests rounded to the alignment */
};

#endif /* MEMS_CLASSES_H */
