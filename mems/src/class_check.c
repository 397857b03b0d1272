/*
 * mems_check's part for the class-rounding members: every segment has a
 * record of its class and kind, and each member's shape holds. Buddy
 * systems: every node is a class of one family, every segment a class of it
 * at an offset from the node's base that is a multiple of its size, and no
 * free block has a free buddy of its size (they would have merged). Simple
 * segregated storage: every segment of a node has the node's class but the
 * node's uncarved end, a whole number of that class, last in its node and
 * its class's only one. The records, lists and running totals agree.
 */
#include "mems_internal.h"

#include <stdarg.h>
#include <stdio.h>

#define S mems_state.classes

struct class_problems {
    int count;
    char *what;
    size_t what_size;
};

__attribute__((format(printf, 2, 3))) static void problem(struct class_problems *p, const char *format, ...)
{
    if (p->count++ == 0 && p->what_size > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(p->what, p->what_size, format, args);
        va_end(args);
    }
}

static bool is_class_of_family(uint64_t size, uint8_t family)
{
    uint64_t units = size / (family ? 3 : 1);
    return units * (family ? 3 : 1) == size && units != 0 && (units & (units - 1)) == 0;
}

static void check_buddy_segment(struct class_problems *p, const struct main_node *node, const struct class_record *rec,
                                uint64_t size)
{
    uint64_t node_size = node->end_grain - node->first_grain;
    if (!is_class_of_family(node_size, rec->family))
        problem(p, "node at %ju: %ju granules, not a class of family %u", (uintmax_t)node->v_start,
                (uintmax_t)node_size, rec->family);
    if ((rec->grain - node->first_grain) % size != 0)
        problem(p, "block at %ju: its offset is not a multiple of its size", (uintmax_t)grain_to_v(rec->grain));
    if (rec->kind != CLASS_FREE || size == node_size)
        return;
    grain_t buddy = ((rec->grain - node->first_grain) / size & 1) ? rec->grain - size : rec->grain + size;
    const struct class_record *b = &S.records[store_find(buddy)];
    if (b->kind == CLASS_FREE && b->order == rec->order)
        problem(p, "free buddies at %ju and %ju not merged", (uintmax_t)grain_to_v(rec->grain),
                (uintmax_t)grain_to_v(buddy));
}

static void check_node(struct class_problems *p, const struct main_node *node, size_t *free_blocks,
                       uint64_t *rounding)
{
    const struct class_record *first = NULL;
    for (grain_t g = node->first_grain; g < node->end_grain;) {
        grain_t next = grain_next_start(g, node->end_grain);
        uint32_t r = store_find(g);
        if (r == 0) {
            problem(p, "segment at %ju has no class record", (uintmax_t)grain_to_v(g));
            return;
        }
        const struct class_record *rec = &S.records[r];
        if (first == NULL)
            first = rec;
        uint64_t size = next - g, class_size = class_grains((struct class_id){rec->family, rec->order});
        if ((rec->kind == CLASS_LIVE) == grain_is_hole(g) || grain_slack(g) != 0)
            problem(p, "segment at %ju: its record's kind disagrees with its bits", (uintmax_t)grain_to_v(g));
        if (rec->kind == CLASS_UNCARVED) {
            if (size != rec->value || size % class_size != 0 || next != node->end_grain ||
                S.uncarved[rec->family][rec->order] != r)
                problem(p, "uncarved run at %ju: not its node's end in whole blocks", (uintmax_t)grain_to_v(g));
        } else if (size != class_size) {
            problem(p, "segment at %ju: %ju granules, its class is %ju", (uintmax_t)grain_to_v(g), (uintmax_t)size,
                    (uintmax_t)class_size);
        }
        if (rec->kind == CLASS_FREE)
            (*free_blocks)++;
        if (rec->kind == CLASS_LIVE && next > mems_state.heap_clean_from)
            problem(p, "block at %ju reaches past the heap's clean mark", (uintmax_t)grain_to_v(g));
        if (rec->kind == CLASS_LIVE) {
            size_t align = mems_state.config.alignment;
            *rounding += grains_to_bytes(size) - ((rec->value + align - 1) & ~(align - 1));
            if (rec->value == 0 || rec->value > grains_to_bytes(size))
                problem(p, "block at %ju: %ju bytes requested in %ju", (uintmax_t)grain_to_v(g),
                        (uintmax_t)rec->value, (uintmax_t)grains_to_bytes(size));
        }
        if (S.member == CLASS_BUDDY || S.member == CLASS_DOUBLE_BUDDY)
            check_buddy_segment(p, node, rec, size);
        else if (rec->family != first->family || rec->order != first->order)
            problem(p, "segment at %ju: a class other than its node's", (uintmax_t)grain_to_v(g));
        if ((S.member == CLASS_BUDDY || S.member == CLASS_SIMPLE_SEG) && rec->family != 0)
            problem(p, "segment at %ju: a class of 3 * 2^n in a member without them", (uintmax_t)grain_to_v(g));
        g = next;
    }
}

int classes_check(char *what, size_t what_size)
{
    struct class_problems p = {0, what, what_size};
    size_t free_blocks = 0;
    uint64_t rounding = 0;
    for (const struct main_node *node = mems_state.first; node != NULL; node = node->next)
        check_node(&p, node, &free_blocks, &rounding);
    if (rounding != S.rounding_bytes)
        problem(&p, "class rounding %ju bytes, counter says %ju", (uintmax_t)rounding, (uintmax_t)S.rounding_bytes);
    int store_faults = store_check(mems_state.segment_count, free_blocks);
    if (store_faults != 0)
        problem(&p, "class records and free lists: %d faults", store_faults);
    if (mems_state.fit_active || mems_state.bins.active)
        problem(&p, "a hole index is kept for a class-rounding member");
    return p.count;
}
