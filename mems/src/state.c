/*
 * The one MeMS state: initialisation, configuration, teardown and errors.
 * Every public entry point calls state_ensure_initialized(), so calls made
 * before mems_init() behave as if it had been called with the defaults.
 */
#include "mems_internal.h"

#include <stdarg.h>
#include <string.h>

/* The arenas' copy of the core (MEMS_ARENA_HEAP) shares these with the
 * static heap's: it leaves them out. */
#ifndef MEMS_ARENA_HEAP
struct heap_state mems_single_heap;
MEMS_THREAD_LOCAL struct heap_state *mems_current = &mems_single_heap;

/* Per thread, as errno: under arenas a thread's calls reach several heaps,
 * and the error it reads back must be the one its own last call recorded. */
static MEMS_THREAD_LOCAL int last_error;
static MEMS_THREAD_LOCAL char last_error_message[256];
#endif

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

static const char *config_problem(const struct mems_config *config)
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
    grain_layout_init(config->alignment);
    index_select(config->policy); /* maps nothing while there are no holes */
    mems_state.initialized = true;
}

int mems_init_with(const struct mems_config *config)
{
    struct mems_config defaults;
    mems_default_config(&defaults);
    if (config == NULL)
        config = &defaults;
    const char *problem = config_problem(config);
    if (problem != NULL) {
        /* a bad configuration must not cost the running state its data */
        state_record_error(MEMS_E_BAD_CONFIG, "mems_init_with: %s", problem);
        return MEMS_E_BAD_CONFIG;
    }
    if (mems_state.initialized || arena_routes())
        mems_finish();
    mems_clear_error();
    if (config->arenas > 1)
        return arena_start(config);
    state_reset(config);
    return 0;
}

void mems_init(void)
{
    mems_init_with(NULL);
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
        arena_finish();
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
        return arena_set_policy(policy);
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

void state_unmap_or_keep(void *address, size_t bytes, const char *what)
{
    if (os_unmap(address, bytes) == 0)
        return;
    state_record_error(MEMS_E_OS, "munmap of %s (%zu bytes) failed", what, bytes);
    mems_state.metadata_bytes += bytes; /* still mapped, still ours */
    if (mems_state.unreleased_count < sizeof mems_state.unreleased / sizeof mems_state.unreleased[0]) {
        mems_state.unreleased[mems_state.unreleased_count].address = address;
        mems_state.unreleased[mems_state.unreleased_count].bytes = bytes;
        mems_state.unreleased_count++;
    }
}

size_t mems_page_size(void)
{
    return PAGE_SIZE;
}

void state_update_peaks(void)
{
    size_t mapped = mems_state.pages * (size_t)PAGE_SIZE;
    size_t live = state_live_bytes();
    if (mapped > mems_state.peak_mapped_bytes)
        mems_state.peak_mapped_bytes = mapped;
    if (live > mems_state.peak_live_bytes)
        mems_state.peak_live_bytes = live;
    if (mapped + mems_state.metadata_bytes > mems_state.peak_footprint_bytes)
        mems_state.peak_footprint_bytes = mapped + mems_state.metadata_bytes;
    if (mems_state.requested_bytes > mems_state.peak_requested_bytes)
        mems_state.peak_requested_bytes = mems_state.requested_bytes;
}

#ifndef MEMS_ARENA_HEAP
void state_record_error(int code, const char *format, ...)
{
    last_error = code;
    va_list args;
    va_start(args, format);
    vsnprintf(last_error_message, sizeof last_error_message, format, args);
    va_end(args);
    if (mems_state.config.print_errors)
        fprintf(stderr, "mems: %s\n", last_error_message);
}

int mems_last_error(void)
{
    return last_error;
}

const char *mems_last_error_message(void)
{
    return last_error == MEMS_OK ? "no error" : last_error_message;
}

void mems_clear_error(void)
{
    last_error = MEMS_OK;
    last_error_message[0] = '\0';
}

static const char *const error_names[MEMS_ERROR_COUNT] = {
    [MEMS_OK] = "no error",
    [MEMS_E_ZERO_SIZE] = "zero-byte allocation",
    [MEMS_E_OVERFLOW] = "size overflows",
    [MEMS_E_NO_MEMORY] = "mmap failed",
    [MEMS_E_CAP_REACHED] = "mapped-bytes cap reached",
    [MEMS_E_UNKNOWN_ADDRESS] = "address not given by MeMS",
    [MEMS_E_INTERIOR_FREE] = "free of an interior address",
    [MEMS_E_DOUBLE_FREE] = "free of a free address",
    [MEMS_E_GET_HOLE] = "address lies in a hole",
    [MEMS_E_BAD_CONFIG] = "bad configuration",
    [MEMS_E_OS] = "munmap failed",
};

const char *mems_strerror(int code)
{
    return code >= 0 && code < MEMS_ERROR_COUNT ? error_names[code] : "unknown error";
}
#endif
