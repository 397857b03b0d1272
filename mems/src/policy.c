/*
 * Placement policies. Each is one search, answered by the hole index in
 * O(log holes) with the choice a scan of the chains would make; every index
 * entry a search visits counts as a hole examined (the harness plots it as the
 * search cost). Next fit's cursor is kept here.
 */
#include "mems_internal.h"

#include <assert.h>
#include <string.h>

/* The next-fit search resumes at the cursor's address and wraps to the start. */
static struct segment *search_next_fit(size_t size)
{
    uintptr_t from = 0;
    if (mems_state.cursor_segment != NULL)
        from = segment_v_start(mems_state.cursor_node, mems_state.cursor_segment);
    struct segment *seg = index_first_fit(size, from);
    if (seg == NULL && from != 0)
        seg = index_first_fit(size, 0);
    return seg;
}

/* One function per policy, each a query on the hole index (index.c): the
 * same hole a scan of the chains in address order would choose. */
struct segment *policy_search(size_t size, struct main_node **node_out)
{
    struct segment *seg;
    mems_state.searches++;
    switch (mems_state.config.policy) {
    case MEMS_NEXT_FIT: seg = search_next_fit(size); break;
    case MEMS_BEST_FIT: seg = index_best_fit(size); break;
    case MEMS_WORST_FIT: seg = index_worst_fit(size); break;
    case MEMS_FIRST_FIT:
    default: seg = index_first_fit(size, 0); break;
    }
    assert(seg == NULL || (seg->type == SEGMENT_HOLE && seg->size >= size));
    *node_out = seg != NULL ? seg->node : NULL;
    return seg;
}

void policy_note_placement(struct main_node *node, struct segment *seg)
{
    mems_state.cursor_node = node;
    mems_state.cursor_segment = seg;
}

/* Called before `seg` leaves the chains, so next fit never resumes from a
 * recycled slot: the cursor moves to `replacement`, else to what followed. */
void policy_forget_segment(struct main_node *node, struct segment *seg, struct segment *replacement)
{
    if (mems_state.cursor_segment != seg)
        return;
    if (replacement != NULL) {
        mems_state.cursor_segment = replacement;
        return;
    }
    if (seg->next != NULL) {
        mems_state.cursor_segment = seg->next;
    } else if (node->next != NULL) {
        mems_state.cursor_node = node->next;
        mems_state.cursor_segment = node->next->first;
    } else {
        mems_state.cursor_node = NULL;
        mems_state.cursor_segment = NULL;
    }
}

static const char *const policy_names[MEMS_POLICY_COUNT] = {"first", "next", "best", "worst"};

const char *mems_policy_name(enum mems_policy policy)
{
    return (unsigned)policy < MEMS_POLICY_COUNT ? policy_names[policy] : "unknown";
}

int mems_policy_from_name(const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < MEMS_POLICY_COUNT; i++)
        if (strcmp(name, policy_names[i]) == 0)
            return i;
    return -1;
}
