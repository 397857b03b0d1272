/*
 * What the malloc face needs of MeMS's arenas: to run several MeMS calls under
 * one arena's lock (a malloc is mems_malloc then mems_get; a free, mems_virtual
 * then mems_free), on the heap of that arena, with its own addresses: the
 * arenas' copy of the core, called between arena_enter_* and arena_leave.
 */
#ifndef MEMS_ARENA_H
#define MEMS_ARENA_H

#include "mems.h"

struct arena;
struct heap_state;

/* The arenas' copy of the core (cmake/arena_heap.cmake) names each function
 * arena_heap_NAME; called with an arena entered, it works on that arena's
 * heap, with the heap's own addresses (no arena offset). */
#ifdef MEMS_ONE_CORE_COPY
#define ARENA_HEAP(name) name /* one copy only: arenas_start refuses, so never called */
#else
#define ARENA_HEAP(name) arena_heap_##name
#endif
void *ARENA_HEAP(mems_malloc)(size_t size);
void *ARENA_HEAP(mems_calloc)(size_t nmemb, size_t size);
void *ARENA_HEAP(mems_realloc)(void *v_ptr, size_t size);
void ARENA_HEAP(mems_free)(void *v_ptr);
void *ARENA_HEAP(mems_get)(void *v_ptr);
void *ARENA_HEAP(mems_virtual)(const void *real);
size_t ARENA_HEAP(mems_block_size)(void *v_ptr);
void ARENA_HEAP(mems_stats)(struct mems_stats *out);
void ARENA_HEAP(mems_print_stats_to)(FILE *stream);
int ARENA_HEAP(mems_walk)(mems_visit_fn visit, void *context);
int ARENA_HEAP(mems_check)(char *message, size_t message_size);
int ARENA_HEAP(mems_set_policy)(enum mems_policy policy);
void ARENA_HEAP(mems_finish)(void);
void ARENA_HEAP(state_reset)(const struct mems_config *config);

/* Lock the calling thread's arena (bound at its first call, round robin) and
 * make it the heap MeMS calls work on; NULL when MeMS runs one heap. */
struct arena *arena_enter_own(void);
/* The same for the arena whose node holds the real address `real` (the
 * thread's own when none does, whose heap then names the error). */
struct arena *arena_enter_real(const void *real);
/* Unlock an arena entered above (NULL: nothing). */
void arena_leave(struct arena *arena);
/* Every arena's lock, in order (fork). */
void arena_lock_all(void);
void arena_unlock_all(void);

#endif
