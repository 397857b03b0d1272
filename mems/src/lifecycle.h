/*
 * The life of a heap (lifecycle.c): set up, initialised on a public
 * function's first call, torn down; and, while MeMS runs arenas, the routes
 * by which the static heap's public functions hand each call to them
 * (arena.c registers them). Above the segments.
 */
#ifndef MEMS_LIFECYCLE_H
#define MEMS_LIFECYCLE_H

#include "segment.h"

void state_initialize_defaults(void);
/* The current heap afresh under *config (valid), holding nothing. */
void state_reset(const struct mems_config *config);
/* Every entry point starts here: one test when MeMS is already running. */
static inline void state_ensure_initialized(void)
{
    if (__builtin_expect(!mems_state.initialized, 0))
        state_initialize_defaults();
}
/* The same for the entry points arenas route: the static heap of a MeMS that
 * runs arenas is never initialised, so the common case is still one test,
 * and `routed` (a statement that returns) runs the call in its arena. */
#define STATE_ENSURE_INITIALIZED_OR(routed)                                                                  \
    do {                                                                                                     \
        if (__builtin_expect(!mems_state.initialized, 0)) {                                                  \
            if (mems_state.routes != NULL) {                                                                 \
                routed;                                                                                      \
            }                                                                                                \
            state_initialize_defaults();                                                                     \
        }                                                                                                    \
    } while (0)

/* arena.c: MeMS's arenas, the layer above the public functions. While they
 * run, the static heap is never initialised and holds their entry points
 * (routes): a public function hands its call to the one of its name, which
 * runs it in the block's (or the thread's) arena under that arena's lock, in
 * the arenas' copy of the core. Called through the table, the routed path
 * stays out of the flattened hot entry points (MEMS_HOT_PATH). */
struct heap_routes {
    void *(*to_malloc)(size_t size);
    void *(*to_calloc)(size_t nmemb, size_t size);
    void *(*to_realloc)(void *v_ptr, size_t size);
    void (*to_free)(void *v_ptr);
    void *(*to_get)(void *v_ptr);
    void *(*to_virtual)(const void *real);
    size_t (*to_block_size)(void *v_ptr);
    void (*to_stats)(struct mems_stats *out);
    void (*to_print_stats_to)(FILE *stream);
    int (*to_walk)(mems_visit_fn visit, void *context);
    int (*to_check)(char *message, size_t message_size);
    int (*to_set_policy)(enum mems_policy policy);
    void (*to_finish)(void);
};
static inline bool arena_routes(void)
{
    return __builtin_expect(mems_state.routes != NULL, 0);
}
/* lifecycle.c: why a configuration is refused (NULL: it is valid), for mems_init_with (arena.c) */
const char *state_config_problem(const struct mems_config *config);

#endif /* MEMS_LIFECYCLE_H */
