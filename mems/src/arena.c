/*
 * Arenas: N independent heaps under one policy, each with its own lock.
 *
 * With one arena MeMS is the static heap and nothing here runs but
 * mems_init_with, which chooses one heap or N. With N > 1 the static heap
 * only routes: its table of routes (struct heap_routes) sends every public
 * call here, which binds the thread to an arena at its first call (round
 * robin), takes the lock of the arena the call belongs to, points the
 * thread-local `mems_current` at that arena's heap and runs the call in the
 * arenas' copy of the core (arena_heap_NAME, cmake/arena_heap.cmake), which
 * works on the heap `mems_current` names. A call on a block goes to the block's arena whatever thread
 * makes it: arena k's addresses are its heap's plus k * MEMS_ARENA_SPAN, and
 * the real pages of its nodes are marked k + 1 in the real-page map below, so
 * a real pointer (the malloc face's free) finds its arena in two loads.
 *
 * A thread holds one arena lock at a time; the calls that visit every arena
 * (check, statistics, policy, fork) take them one after another in order.
 */
#include "mems_internal.h"
#include "arena.h"

#include <pthread.h>
#include <string.h>

/* The routed calls: never taken while MeMS runs one heap. */
#define ARENA_ROUTED __attribute__((cold))

struct arena {
    pthread_mutex_t lock;
    struct heap_state heap;
} __attribute__((aligned(64)));

static struct arena arenas[MEMS_MAX_ARENAS];
static size_t arena_count; /* 0 while MeMS runs one heap */
static unsigned next_arena;
/* each start binds threads afresh: the thread's arena + 1 and the start it was bound in */
static unsigned arena_generation;
static MEMS_THREAD_LOCAL unsigned thread_arena;
static MEMS_THREAD_LOCAL unsigned thread_generation;

/* ---- the real-page map: a 4 KiB page of user memory -> its arena + 1 ----
 * Two levels over 47 bits of address: a top of pointers mapped once, leaves
 * of one byte per page mapped when a node first lands in their 512 MiB.
 * Written under the owning arena's lock when a node is mapped or unmapped,
 * read without a lock: a valid pointer's entry was written before the pointer
 * was handed out, and a leaf once published stays until MeMS finishes. */
#define REAL_PAGE_SHIFT 12
#define REAL_ADDRESS_BITS 47
#define LEAF_BITS 17
#define TOP_ENTRIES ((size_t)1 << (REAL_ADDRESS_BITS - REAL_PAGE_SHIFT - LEAF_BITS))
#define LEAF_BYTES ((size_t)1 << LEAF_BITS)

static unsigned char **real_top;

static unsigned char *leaf_for(size_t top, bool create)
{
    unsigned char *leaf = __atomic_load_n(&real_top[top], __ATOMIC_ACQUIRE);
    if (leaf != NULL || !create)
        return leaf;
    unsigned char *fresh = os_map_shared(LEAF_BYTES);
    if (fresh == NULL)
        return NULL;
    if (__atomic_compare_exchange_n(&real_top[top], &leaf, fresh, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return fresh;
    os_unmap_shared(fresh, LEAF_BYTES); /* another arena published this leaf first */
    return leaf;
}

/* Each arena's heap's map_real (state.h). */
static void arena_map_real(const void *base, size_t bytes, unsigned char tag)
{
    uintptr_t first = (uintptr_t)base >> REAL_PAGE_SHIFT, end = ((uintptr_t)base + bytes - 1) >> REAL_PAGE_SHIFT;
    for (uintptr_t page = first; page <= end && (page >> LEAF_BITS) < TOP_ENTRIES; page++) {
        unsigned char *leaf = leaf_for(page >> LEAF_BITS, tag != 0);
        if (leaf != NULL) /* no leaf: the page's free from another thread finds no arena and says so */
            __atomic_store_n(&leaf[page & (LEAF_BYTES - 1)], tag, __ATOMIC_RELAXED);
    }
}

static unsigned real_tag(const void *real)
{
    uintptr_t page = (uintptr_t)real >> REAL_PAGE_SHIFT;
    if ((page >> LEAF_BITS) >= TOP_ENTRIES)
        return 0;
    const unsigned char *leaf = leaf_for(page >> LEAF_BITS, false);
    return leaf != NULL ? __atomic_load_n(&leaf[page & (LEAF_BYTES - 1)], __ATOMIC_RELAXED) : 0;
}

/* ---- entering and leaving an arena ---- */

static struct arena *enter(struct arena *a)
{
    pthread_mutex_lock(&a->lock);
    mems_current = &a->heap;
    return a;
}

static void leave(struct arena *a)
{
    mems_current = &mems_single_heap;
    pthread_mutex_unlock(&a->lock);
}

static struct arena *own_arena(void)
{
    unsigned k = thread_arena;
    if (__builtin_expect(k == 0 || thread_generation != arena_generation, 0)) {
        k = (unsigned)(__atomic_fetch_add(&next_arena, 1, __ATOMIC_RELAXED) % arena_count) + 1;
        thread_arena = k;
        thread_generation = arena_generation;
    }
    return &arenas[k - 1];
}

/* The arena of a public address and the address inside its heap; an address
 * of no arena goes to the thread's own, whose heap then names the error. */
static struct arena *arena_of_v(uintptr_t v, uintptr_t *inner)
{
    size_t k = v / MEMS_ARENA_SPAN;
    if (k >= arena_count) {
        *inner = v;
        return own_arena();
    }
    *inner = v - k * MEMS_ARENA_SPAN;
    return &arenas[k];
}

static void *to_public(const struct arena *a, void *v)
{
    return v != NULL ? (void *)((uintptr_t)v + (size_t)(a - arenas) * MEMS_ARENA_SPAN) : NULL;
}

struct arena *arena_enter_own(void)
{
    return arena_count == 0 ? NULL : enter(own_arena());
}

struct arena *arena_enter_real(const void *real)
{
    if (arena_count == 0)
        return NULL;
    unsigned tag = real_tag(real);
    return enter(tag != 0 && tag <= arena_count ? &arenas[tag - 1] : own_arena());
}

void arena_leave(struct arena *a)
{
    if (a != NULL)
        leave(a);
}

void arena_lock_all(void)
{
    for (size_t k = 0; k < arena_count; k++)
        pthread_mutex_lock(&arenas[k].lock);
}

void arena_unlock_all(void)
{
    for (size_t k = arena_count; k > 0; k--)
        pthread_mutex_unlock(&arenas[k - 1].lock);
}

/* ---- start and finish (no thread may be inside MeMS meanwhile) ---- */

static const struct heap_routes routes;

static int arenas_start(const struct mems_config *config)
{
#ifdef MEMS_ONE_CORE_COPY
    /* the single file holds one copy of the core: the static heap's */
    (void)config;
    state_record_error(MEMS_E_BAD_CONFIG, "mems_init_with: arenas need the built library, not the single file");
    return MEMS_E_BAD_CONFIG;
#endif
    real_top = os_map(TOP_ENTRIES * sizeof *real_top);
    if (real_top == NULL) {
        state_record_error(MEMS_E_NO_MEMORY, "mems_init_with: mmap for the arenas' page map failed");
        return MEMS_E_NO_MEMORY;
    }
    struct mems_config one = *config;
    one.arenas = 1;
    for (size_t k = 0; k < config->arenas; k++) {
        pthread_mutex_init(&arenas[k].lock, NULL);
        mems_current = &arenas[k].heap;
        ARENA_HEAP(state_reset)(&one);
        arenas[k].heap.arena_tag = (unsigned char)(k + 1);
        arenas[k].heap.map_real = arena_map_real;
        arenas[k].heap.config.arenas = config->arenas;
    }
    mems_current = &mems_single_heap;
    memset(&mems_single_heap, 0, sizeof mems_single_heap);
    mems_single_heap.config = *config;
    mems_single_heap.routes = &routes;
    arena_count = config->arenas;
    next_arena = 0;
    arena_generation++;
    return 0;
}

static void arena_finish(void)
{
    for (size_t k = 0; k < arena_count; k++) {
        mems_current = &arenas[k].heap;
        ARENA_HEAP(mems_finish)();
        pthread_mutex_destroy(&arenas[k].lock);
    }
    mems_current = &mems_single_heap;
    for (size_t t = 0; t < TOP_ENTRIES; t++)
        if (real_top[t] != NULL)
            os_unmap_shared(real_top[t], LEAF_BYTES);
    os_unmap(real_top, TOP_ENTRIES * sizeof *real_top);
    real_top = NULL;
    arena_count = 0;
    mems_single_heap.routes = NULL;
    mems_single_heap.initialized = false;
}

/* ---- the public calls, routed ---- */

static ARENA_ROUTED void *arena_malloc(size_t size)
{
    struct arena *a = enter(own_arena());
    void *v = to_public(a, ARENA_HEAP(mems_malloc)(size));
    leave(a);
    return v;
}

static ARENA_ROUTED void *arena_calloc(size_t nmemb, size_t size)
{
    struct arena *a = enter(own_arena());
    void *v = to_public(a, ARENA_HEAP(mems_calloc)(nmemb, size));
    leave(a);
    return v;
}

static ARENA_ROUTED void *arena_realloc(void *v_ptr, size_t size)
{
    if (v_ptr == NULL)
        return arena_malloc(size);
    uintptr_t inner;
    struct arena *a = enter(arena_of_v((uintptr_t)v_ptr, &inner)); /* it stays in its arena */
    void *v = to_public(a, ARENA_HEAP(mems_realloc)((void *)inner, size));
    leave(a);
    return v;
}

static ARENA_ROUTED void arena_free(void *v_ptr)
{
    if (v_ptr == NULL)
        return;
    uintptr_t inner;
    struct arena *a = enter(arena_of_v((uintptr_t)v_ptr, &inner));
    ARENA_HEAP(mems_free)((void *)inner);
    leave(a);
}

static ARENA_ROUTED void *arena_get(void *v_ptr)
{
    uintptr_t inner;
    struct arena *a = enter(arena_of_v((uintptr_t)v_ptr, &inner));
    void *real = ARENA_HEAP(mems_get)((void *)inner);
    leave(a);
    return real;
}

static ARENA_ROUTED size_t arena_block_size(void *v_ptr)
{
    uintptr_t inner;
    struct arena *a = enter(arena_of_v((uintptr_t)v_ptr, &inner));
    size_t size = ARENA_HEAP(mems_block_size)((void *)inner);
    leave(a);
    return size;
}

static ARENA_ROUTED void *arena_virtual(const void *real)
{
    unsigned tag = real_tag(real);
    if (tag == 0 || tag > arena_count)
        return NULL;
    struct arena *a = enter(&arenas[tag - 1]);
    void *v = to_public(a, ARENA_HEAP(mems_virtual)(real));
    leave(a);
    return v;
}

/* ---- the calls over every arena ---- */

size_t mems_arena_count(void)
{
    return arena_count == 0 ? 1 : arena_count;
}

int mems_arena_stats(size_t k, struct mems_stats *out)
{
    if (arena_count == 0 && k == 0) {
        mems_stats(out);
        return 0;
    }
    if (k >= arena_count) {
        state_record_error(MEMS_E_BAD_CONFIG, "mems_arena_stats(%zu): there are %zu arenas", k,
                           mems_arena_count());
        return MEMS_E_BAD_CONFIG;
    }
    struct arena *a = enter(&arenas[k]);
    ARENA_HEAP(mems_stats)(out);
    leave(a);
    return 0;
}

static ARENA_ROUTED void arena_stats(struct mems_stats *out)
{
    memset(out, 0, sizeof *out);
    for (size_t k = 0; k < arena_count; k++) {
        struct mems_stats s;
        mems_arena_stats(k, &s);
        out->pages += s.pages;
        out->mapped_bytes += s.mapped_bytes;
        out->hole_bytes += s.hole_bytes;
        out->live_bytes += s.live_bytes;
        out->requested_bytes += s.requested_bytes;
        out->metadata_bytes += s.metadata_bytes;
        out->main_chain_length += s.main_chain_length;
        out->segment_count += s.segment_count;
        out->hole_count += s.hole_count;
        if (s.largest_hole > out->largest_hole)
            out->largest_hole = s.largest_hole;
        out->mmap_calls += s.mmap_calls;
        out->munmap_calls += s.munmap_calls;
        out->searches += s.searches;
        out->holes_examined += s.holes_examined;
        out->peak_mapped_bytes += s.peak_mapped_bytes;
        out->peak_live_bytes += s.peak_live_bytes;
        out->peak_requested_bytes += s.peak_requested_bytes;
        out->peak_footprint_bytes += s.peak_footprint_bytes;
    }
}

static ARENA_ROUTED void arena_print_stats_to(FILE *stream)
{
    for (size_t k = 0; k < arena_count; k++) {
        fprintf(stream, "MeMS arena %zu of %zu:\n", k, arena_count);
        struct arena *a = enter(&arenas[k]);
        ARENA_HEAP(mems_print_stats_to)(stream);
        leave(a);
    }
}

static ARENA_ROUTED int arena_walk(mems_visit_fn visit, void *context)
{
    for (size_t k = 0; k < arena_count; k++) {
        struct arena *a = enter(&arenas[k]);
        int stop = ARENA_HEAP(mems_walk)(visit, context);
        leave(a);
        if (stop != 0)
            return stop;
    }
    return 0;
}

static ARENA_ROUTED int arena_set_policy(enum mems_policy policy)
{
    for (size_t k = 0; k < arena_count; k++) {
        struct arena *a = enter(&arenas[k]);
        int rc = ARENA_HEAP(mems_set_policy)(policy);
        leave(a);
        if (rc != 0)
            return rc; /* the arenas before k run the new policy: each heap stays valid on its own */
    }
    mems_single_heap.config.policy = policy;
    return 0;
}

/* Every node of an arena's heap is marked as its own in the real-page map. */
static int check_real_map(const struct heap_state *heap)
{
    int bad = 0;
    for (const struct main_node *node = heap->first; node != NULL; node = node->next) {
        size_t bytes = (size_t)(node->end_grain - node->first_grain) << heap->layout.shift;
        for (size_t offset = 0; offset < bytes; offset += (size_t)1 << REAL_PAGE_SHIFT)
            bad += real_tag(node->base + offset) != heap->arena_tag;
    }
    return bad;
}

static ARENA_ROUTED int arena_check(char *message, size_t message_size)
{
    int problems = 0;
    if (message != NULL && message_size > 0)
        message[0] = '\0';
    for (size_t k = 0; k < arena_count; k++) {
        char own[256];
        struct arena *a = enter(&arenas[k]);
        int found = ARENA_HEAP(mems_check)(own, sizeof own);
        int unmapped = check_real_map(&a->heap);
        leave(a);
        if (found == 0 && unmapped != 0)
            snprintf(own, sizeof own, "%d pages of its nodes not marked as its own in the real-page map", unmapped);
        if (problems == 0 && found + unmapped != 0 && message != NULL && message_size > 0)
            snprintf(message, message_size, "arena %zu: %s", k, own);
        problems += found + unmapped;
    }
    return problems;
}

static const struct heap_routes routes = {
    .to_malloc = arena_malloc,
    .to_calloc = arena_calloc,
    .to_realloc = arena_realloc,
    .to_free = arena_free,
    .to_get = arena_get,
    .to_virtual = arena_virtual,
    .to_block_size = arena_block_size,
    .to_stats = arena_stats,
    .to_print_stats_to = arena_print_stats_to,
    .to_walk = arena_walk,
    .to_check = arena_check,
    .to_set_policy = arena_set_policy,
    .to_finish = arena_finish,
};

/* ---- one heap or N ---- */

int mems_init_with(const struct mems_config *config)
{
    struct mems_config defaults;
    mems_default_config(&defaults);
    if (config == NULL)
        config = &defaults;
    const char *problem = state_config_problem(config);
    if (problem != NULL) {
        /* a bad configuration must not cost the running state its data */
        state_record_error(MEMS_E_BAD_CONFIG, "mems_init_with: %s", problem);
        return MEMS_E_BAD_CONFIG;
    }
    if (mems_state.initialized || arena_routes())
        mems_finish();
    mems_clear_error();
    if (config->arenas > 1)
        return arenas_start(config);
    state_reset(config);
    return 0;
}

void mems_init(void)
{
    mems_init_with(NULL);
}
