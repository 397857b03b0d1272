/*
 * Placement policies. Each is one query on the active hole index, answered
 * with exactly the choice the specification's scan of the chains in address
 * order would make; the index entries a search looks at count as holes
 * examined (the harness plots them as the search cost).
 *
 * Next fit resumes in the segment holding the cursor, the address of the last
 * placement: after merges that is the merged hole, so the cursor never needs
 * to follow segments around.
 */
#include "mems_internal.h"

#include <assert.h>
#include <string.h>

grain_t policy_next_fit(uint64_t size)
{
    grain_t from = 0;
    uintptr_t cursor = mems_state.cursor;
    if (cursor != 0 && cursor == mems_state.given_v)
        from = mems_state.given_grain; /* the block placed last is still live: it holds the cursor */
    else if (cursor != 0 && chain_node_at(cursor) != NULL)
        from = grain_prev_start(v_to_grain(cursor));
    grain_t g = fit_first(size, from);
    if (g == GRAIN_NONE && from != 0)
        g = fit_first(size, 0);
    return g;
}

static const char *const policy_names[MEMS_POLICY_COUNT] = {
    "first", "next", "best", "worst", "first-lifo", "first-fifo", "next-lifo", "next-fifo",
    "best-lifo", "best-fifo", "tlsf", "lea", "buddy", "double-buddy", "simple-seg", "simple-seg-3"};

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
