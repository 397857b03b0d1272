/*
 * Binary and double buddy systems on the granule bitmaps. A node is one
 * buddy tree: 2^j pages (3 * 2^j in double buddy's second family), itself a
 * class. An allocation takes the head of the smallest non-empty free list of
 * its class or above (one bit search over the orders) and splits it in halves
 * down to its class, each upper half a new HOLE pushed on its list; a free
 * merges the block with its buddy while the buddy is a free block of the same
 * class, and pushes the result.
 */
#include "placement.h"

#define S mems_state.classes

/* A node of a family is a class of it: its order. */
static uint8_t root_order(const struct main_node *node, uint8_t family)
{
    uint64_t units = (node->end_grain - node->first_grain) / (family ? 3 : 1);
    return (uint8_t)__builtin_ctzll(units);
}

/* The upper halves' leaves, mapped before any bit changes; false (those
 * mapped here given back) when mmap fails. */
static bool reserve_halves(grain_t g, uint8_t family, uint8_t from, uint8_t to)
{
    /* the halves start between g and the first, largest half: all in g's
     * own leaf (mapped: g starts a block) when that half's start is */
    if (from == to ||
        leaf_index(g >> 6) == leaf_index((g + class_grains((struct class_id){family, (uint8_t)(from - 1)})) >> 6))
        return true;
    for (uint8_t o = from; o > to; o--)
        if (!grain_reserve(g + class_grains((struct class_id){family, (uint8_t)(o - 1)}))) {
            for (uint8_t back = from; back > o; back--)
                grain_unreserve(g + class_grains((struct class_id){family, (uint8_t)(back - 1)}));
            return false;
        }
    return true;
}

uint32_t buddy_take(struct class_id c, struct grain_place *place)
{
    if (!store_reserve(CLASS_ORDERS + 1))
        return classes_no_memory();
    uint64_t above = S.nonempty[c.family] & (~(uint64_t)0 << c.order);
    struct main_node *fresh = NULL;
    uint32_t r;
    if (above != 0) {
        r = S.head[c.family][__builtin_ctzll(above)];
        mems_state.holes_examined++;
    } else {
        fresh = classes_new_node(c);
        if (fresh == NULL)
            return 0;
        r = store_add(fresh->first_grain, (struct class_id){c.family, root_order(fresh, c.family)}, CLASS_FREE, 0);
    }
    grain_t g = S.records[r].grain;
    uint8_t from = S.records[r].order;
    if (!reserve_halves(g, c.family, from, c.order)) {
        if (fresh != NULL) {
            store_delete(r);
            chain_remove_node(fresh);
        }
        return classes_no_memory();
    }
    if (fresh == NULL)
        list_remove(r);
    *place = place_of_start(g);
    for (uint8_t o = from; o > c.order; o--) {
        struct class_id half = {c.family, (uint8_t)(o - 1)};
        grain_t upper = g + class_grains(half);
        struct grain_place at = place_near(place, g, upper); /* reserved above */
        place_set_start(&at, true, 0);
        list_push(store_add(upper, half, CLASS_FREE, 0));
        mems_state.segment_count++;
        mems_state.hole_count++;
    }
    S.records[r].order = c.order;
    return r;
}

/* Record r, just made a HOLE at `place`, merged with its free buddies and
 * pushed; with release_empty_nodes a node that became one whole HOLE is
 * unmapped. */
void buddy_release(uint32_t r, const struct grain_place *place)
{
    grain_t g = S.records[r].grain;
    struct grain_place at = *place;
    struct main_node *node = chain_node_at(grain_to_v(g));
    uint64_t node_size = node->end_grain - node->first_grain;
    uint8_t family = S.records[r].family, order = S.records[r].order;
    uint64_t size = class_grains((struct class_id){family, order});
    while (size < node_size) {
        /* which half of its parent: the block's offset in units of its size,
         * by a shift and a division by the constant 3, not a divide */
        uint64_t index = (g - node->first_grain) >> order;
        index = family ? index / 3 : index;
        grain_t buddy = (index & 1) ? g - size : g + size;
        /* the bits first, most often in the block's own word: a buddy that
         * is not a HOLE's start needs no record looked up */
        struct grain_place buddy_at = place_near(&at, g, buddy);
        if (buddy_at.leaf == NULL ||
            !((buddy_at.group[GROUP_START] & buddy_at.group[GROUP_HOLE]) >> buddy_at.bit & 1))
            break;
        uint32_t b = store_find(buddy);
        if (S.records[b].kind != CLASS_FREE || S.records[b].order != order)
            break;
        list_remove(b);
        /* the lower block's record lives on; the upper's start and record go */
        uint32_t upper = b;
        struct grain_place upper_at = buddy_at;
        if (buddy < g) {
            upper = r;
            upper_at = at;
            r = b;
            g = buddy;
            at = buddy_at;
        }
        place_remove_start(&upper_at, true);
        store_delete(upper);
        mems_state.segment_count--;
        mems_state.hole_count--;
        order++;
        size *= 2;
    }
    S.records[r].order = order;
    if (size == node_size && mems_state.config.release_empty_nodes) {
        struct class_id whole = {family, order};
        store_delete(r);
        if (chain_remove_node(node)) {
            if (mems_state.node_count == 0)
                store_release();
            return;
        }
        r = store_add(g, whole, CLASS_FREE, 0); /* the record just given back */
    }
    list_push(r);
}
