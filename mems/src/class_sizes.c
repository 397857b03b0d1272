/*
 * The class arithmetic of the class-rounding members: which class a request
 * rounds to, and how many pages a new node of a class has. Sizes are in
 * granules (units of the alignment), so every class is a multiple of it.
 */
#include "placement.h"

enum class_member class_member_of(enum mems_policy policy)
{
    switch (policy) {
    case MEMS_BUDDY: return CLASS_BUDDY;
    case MEMS_DOUBLE_BUDDY: return CLASS_DOUBLE_BUDDY;
    case MEMS_SIMPLE_SEG: return CLASS_SIMPLE_SEG;
    case MEMS_SIMPLE_SEG_3: return CLASS_SIMPLE_SEG_3;
    default: return 0;
    }
}

static unsigned ceil_log2(uint64_t x)
{
    return x <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(x - 1);
}

/* The smallest class holding `granules`: 2^n, or 3 * 2^m when the member has
 * that family and it is smaller. False when the class would pass the
 * granules MeMS can number. */
bool class_of(uint64_t granules, struct class_id *out)
{
    if (granules > GRAIN_LIMIT)
        return false;
    struct class_id c = {0, (uint8_t)ceil_log2(granules)};
    uint8_t member = mems_state.classes.member;
    if (member == CLASS_DOUBLE_BUDDY || member == CLASS_SIMPLE_SEG_3) {
        unsigned m = ceil_log2((granules + 2) / 3);
        if ((uint64_t)3 << m < (uint64_t)1 << c.order)
            c = (struct class_id){1, (uint8_t)m};
    }
    *out = c;
    return class_grains(c) <= GRAIN_LIMIT;
}

/* Pages of a new node for class c (0: more than a size_t can count):
 * buddy systems: the smallest node of the family, 2^j or 3 * 2^j pages, at
 * least min_pages and holding the class, so the node is itself a class and
 * the root of its buddy tree; simple segregated storage: the smallest
 * multiple of the least page count the class tiles exactly, at least
 * min_pages. */
size_t class_node_pages(struct class_id c)
{
    uint64_t class_bytes = grains_to_bytes(class_grains(c));
    uint64_t min_pages = mems_state.config.min_pages;
    uint8_t member = mems_state.classes.member;
    if (member == CLASS_BUDDY || member == CLASS_DOUBLE_BUDDY) {
        uint64_t pages = c.family == 1 ? 3 : 1;
        while (pages < min_pages || pages * PAGE_SIZE < class_bytes) {
            if (pages > SIZE_MAX / PAGE_SIZE / 2)
                return 0;
            pages *= 2;
        }
        return (size_t)pages;
    }
    /* 2^n granules tile a page or are whole pages; 3 * 2^m granules tile
     * three pages or are whole pages */
    uint64_t unit = PAGE_SIZE % class_bytes == 0 ? 1 : class_bytes % PAGE_SIZE == 0 ? class_bytes / PAGE_SIZE : 3;
    uint64_t units = (min_pages + unit - 1) / unit;
    if (units > SIZE_MAX / PAGE_SIZE / unit)
        return 0;
    return (size_t)(units * unit);
}
