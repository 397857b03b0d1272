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
#include "placement.h"

#include <assert.h>

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

/* The members with an index of their own; NULL for the address-ordered
 * four (inline) and for a member this build does not implement. */
const struct policy_ops *policy_ops_of(enum mems_policy policy)
{
    switch (policy) {
    case MEMS_FIRST_FIT_LIFO:
    case MEMS_FIRST_FIT_FIFO: return &policy_first_list_ops;
    case MEMS_NEXT_FIT_LIFO:
    case MEMS_NEXT_FIT_FIFO: return &policy_next_list_ops;
    case MEMS_BEST_FIT_LIFO:
    case MEMS_BEST_FIT_FIFO: return &policy_best_list_ops;
    case MEMS_TLSF: return &policy_tlsf_ops;
    case MEMS_LEA: return &policy_lea_ops;
    default: return NULL;
    }
}

int mems_policy_implemented(enum mems_policy policy)
{
    return (unsigned)policy <= MEMS_WORST_FIT || policy_ops_of(policy) != NULL || mems_policy_rounds_to_classes(policy);
}

