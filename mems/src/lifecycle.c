/*
 * The life of a heap: configuration, initialisation, a change of policy and
 * teardown. Every public entry point calls state_ensure_initialized(), so
 * calls made before mems_init() behave as if it had been called with the
 * defaults.
 */
#include "lifecycle.h"

#include <string.h>

void mems_default_config(struct mems_config *config)
{
    config->policy = MEMS_FIRST_FIT;
    config->alignment = 1;
    config->min_pages = 1;
    config->release_empty_nodes = 0;
    config->max_mapped_bytes = 0;
    config->print_errors = 0;
    config->arenas = 1;
}

const char *state_config_problem(const struct mems_config *config)
{
    if ((unsigned)config->policy >= MEMS_POLICY_COUNT)
        return "unknown placement policy";
    if (!mems_policy_implemented(config->policy))
        return "placement policy not implemented in this build";
    if (config->alignment == 0 || (config->alignment & (config->alignment - 1)) != 0 ||
        config->alignment > (size_t)PAGE_SIZE)
        return "alignment must be a power of two from 1 to PAGE_SIZE";
    if (config->min_pages == 0 || config->min_pages > SIZE_MAX / PAGE_SIZE)
        return "min_pages must be at least 1 and fit in bytes";
    if (config->arenas > MEMS_MAX_ARENAS)
        return "arenas must be from 1 to MEMS_MAX_ARENAS";
    return NULL;
}

void state_reset(const struct mems_config *config)
{
    memset(&mems_state, 0, sizeof mems_state);
    mems_state.known_hole = GRAIN_NONE;
    mems_state.config = *config;
    mems_state.node_events = &index_node_events;
    grain_layout_init(config->alignment);
    index_select(config->policy); /* maps nothing while there are no holes */
    mems_state.initialized = true;
}

void state_initialize_defaults(void)
{
    struct mems_config defaults;
    mems_default_config(&defaults);
    state_reset(&defaults);
}

void mems_finish(void)
{
    if (arena_routes()) {
        mems_state.routes->to_finish();
        return;
    }
    if (!mems_state.initialized)
        return;
    chain_release_all();
    index_release();
    grain_release_all();
    meta_release_all();
    /* a second chance for mappings whose munmap failed earlier */
    for (size_t i = 0; i < mems_state.unreleased_count; i++)
        if (os_unmap(mems_state.unreleased[i].address, mems_state.unreleased[i].bytes) != 0)
            state_record_error(MEMS_E_OS, "munmap of %zu bytes of MeMS metadata failed again",
                               mems_state.unreleased[i].bytes);
    mems_state.unreleased_count = 0;
    mems_state.metadata_bytes = 0;
    mems_state.initialized = false;
}

int mems_set_policy(enum mems_policy policy)
{
    if (arena_routes())
        return mems_state.routes->to_set_policy(policy);
    state_ensure_initialized();
    if ((unsigned)policy >= MEMS_POLICY_COUNT || !mems_policy_implemented(policy)) {
        state_record_error(MEMS_E_BAD_CONFIG, "mems_set_policy(%d): %s placement policy", (int)policy,
                           (unsigned)policy >= MEMS_POLICY_COUNT ? "unknown" : "unimplemented");
        return MEMS_E_BAD_CONFIG;
    }
    /* a class-rounding member's segments are classes: it starts from an empty heap */
    if (mems_state.node_count != 0 && policy != mems_state.config.policy &&
        (mems_policy_rounds_to_classes(policy) || mems_state.classes.member != 0)) {
        state_record_error(MEMS_E_BAD_CONFIG, "mems_set_policy(%s): a class-rounding member starts from an empty heap",
                           mems_policy_name(policy));
        return MEMS_E_BAD_CONFIG;
    }
    if (!index_select(policy)) {
        state_record_error(MEMS_E_NO_MEMORY, "mems_set_policy(%s): mmap for the hole index failed",
                           mems_policy_name(policy));
        return MEMS_E_NO_MEMORY;
    }
    mems_state.config.policy = policy;
    return 0;
}
