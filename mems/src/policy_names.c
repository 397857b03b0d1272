/*
 * The members' names, in the order of enum mems_policy: every list of
 * policies elsewhere (mems-run, the harness) comes from here. Depends on
 * nothing but mems.h, so mems-run, which does not link MeMS, compiles it too.
 */
#include "mems.h"

#include <string.h>

static const char *const policy_names[MEMS_POLICY_COUNT] = {
    "first",      "next",       "best",      "worst",     "first-lifo", "first-fifo",   "next-lifo",  "next-fifo",
    "best-lifo",  "best-fifo",  "tlsf",      "lea",       "buddy",      "double-buddy", "simple-seg", "simple-seg-3",
};

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

int mems_policy_rounds_to_classes(enum mems_policy policy)
{
    return policy == MEMS_BUDDY || policy == MEMS_DOUBLE_BUDDY || policy == MEMS_SIMPLE_SEG ||
           policy == MEMS_SIMPLE_SEG_3;
}
