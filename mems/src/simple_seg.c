/*
 * Simple segregated storage on the granule bitmaps: every node serves one
 * class. Freed blocks go on their class's list and come back from its head
 * (LIFO); they never merge and never serve another class. A node is carved
 * on demand, front to back: its end not yet handed out is one HOLE, the
 * class's uncarved run, used only when the list is empty; a new node is
 * mapped only when the class has neither.
 */
#include "placement.h"

#define S mems_state.classes

uint32_t seg_take(struct class_id c, struct grain_place *place)
{
    if (!store_reserve(2))
        return classes_no_memory();
    uint32_t r = S.head[c.family][c.order];
    if (r != 0) {
        list_remove(r);
        mems_state.holes_examined++;
        *place = place_of_start(S.records[r].grain);
        return r;
    }
    uint32_t u = S.uncarved[c.family][c.order];
    struct main_node *fresh = NULL;
    if (u == 0) {
        fresh = classes_new_node(c);
        if (fresh == NULL)
            return 0;
        u = store_add(fresh->first_grain, c, CLASS_UNCARVED, fresh->end_grain - fresh->first_grain);
    } else {
        mems_state.holes_examined++;
    }
    grain_t g = S.records[u].grain;
    uint64_t size = class_grains(c), left = S.records[u].value - size;
    if (left == 0) {
        S.uncarved[c.family][c.order] = 0;
    } else {
        if (!grain_reserve(g + size)) {
            if (fresh != NULL) {
                store_delete(u);
                chain_remove_node(fresh);
            }
            return classes_no_memory();
        }
        grain_set_start(g + size, true, 0);
        mems_state.segment_count++;
        mems_state.hole_count++;
        S.uncarved[c.family][c.order] = store_add(g + size, c, CLASS_UNCARVED, left);
    }
    S.records[u].value = 0;
    *place = place_of_start(g);
    return u;
}

void seg_release(uint32_t r, const struct grain_place *place)
{
    (void)place;
    list_push(r);
}
