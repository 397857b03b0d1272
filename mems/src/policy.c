/*
 * Placement policies. Each one is a single search function over the chains, so
 * a faster index can replace a scan without touching chain.c. Every hole a
 * search looks at is counted: the harness plots this as the search cost.
 */
#include "mems_internal.h"

#include <assert.h>
#include <string.h>

struct hole_choice {
    struct main_node *node;
    struct segment *seg;
};

static bool hole_fits(const struct segment *seg, size_t size)
{
    return seg->type == SEGMENT_HOLE && seg->size >= size;
}

static struct hole_choice search_first_fit(size_t size)
{
    for (struct main_node *node = mems_state.first; node != NULL; node = node->next)
        for (struct segment *seg = node->first; seg != NULL; seg = seg->next) {
            if (seg->type != SEGMENT_HOLE)
                continue;
            mems_state.holes_examined++;
            if (seg->size >= size)
                return (struct hole_choice){node, seg};
        }
    return (struct hole_choice){NULL, NULL};
}

/* Walks every segment once, starting at the cursor and wrapping at the end. */
static struct hole_choice search_next_fit(size_t size)
{
    struct main_node *start_node = mems_state.cursor_node;
    struct segment *start_seg = mems_state.cursor_segment;
    if (start_node == NULL) {
        start_node = mems_state.first;
        start_seg = start_node != NULL ? start_node->first : NULL;
    }
    if (start_seg == NULL)
        return (struct hole_choice){NULL, NULL};

    struct main_node *node = start_node;
    struct segment *seg = start_seg;
    do {
        if (seg->type == SEGMENT_HOLE) {
            mems_state.holes_examined++;
            if (seg->size >= size)
                return (struct hole_choice){node, seg};
        }
        seg = seg->next;
        if (seg == NULL) {
            node = node->next != NULL ? node->next : mems_state.first;
            seg = node->first;
        }
    } while (seg != start_seg);
    return (struct hole_choice){NULL, NULL};
}

/* Best fit wants the smallest fitting hole, worst fit the largest; both keep
 * the first (lowest-addressed) one among equals. */
static struct hole_choice search_extreme_fit(size_t size, bool want_largest)
{
    struct hole_choice best = {NULL, NULL};
    for (struct main_node *node = mems_state.first; node != NULL; node = node->next)
        for (struct segment *seg = node->first; seg != NULL; seg = seg->next) {
            if (seg->type != SEGMENT_HOLE)
                continue;
            mems_state.holes_examined++;
            if (!hole_fits(seg, size))
                continue;
            bool better = best.seg == NULL || (want_largest ? seg->size > best.seg->size : seg->size < best.seg->size);
            if (better) {
                best = (struct hole_choice){node, seg};
                if (!want_largest && seg->size == size)
                    return best; /* nothing can fit tighter */
            }
        }
    return best;
}

struct segment *policy_search(size_t size, struct main_node **node_out)
{
    struct hole_choice choice;
    mems_state.searches++;
    switch (mems_state.config.policy) {
    case MEMS_NEXT_FIT: choice = search_next_fit(size); break;
    case MEMS_BEST_FIT: choice = search_extreme_fit(size, false); break;
    case MEMS_WORST_FIT: choice = search_extreme_fit(size, true); break;
    case MEMS_FIRST_FIT:
    default: choice = search_first_fit(size); break;
    }
    assert(choice.seg == NULL || hole_fits(choice.seg, size));
    *node_out = choice.node;
    return choice.seg;
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
