/*
 * MeMS internal types and the functions the files share.
 *
 * The chains of the specification are kept implicitly. MeMS virtual addresses
 * are contiguous from MEMS_VIRTUAL_BASE over every main node, so the library
 * numbers that space in granules (one granule = the configured alignment, the
 * unit every segment size is a multiple of) and keeps, per granule, a few
 * bits in side bitmaps (grain.c):
 *   start  a segment begins at this granule
 *   hole   that segment is a HOLE (meaningful where start is set)
 *   slack  segment bytes minus requested bytes of a PROCESS (< alignment)
 * A sub-chain is the run of starts inside one main node; a segment ends where
 * the next start (or its node) begins. There are no per-segment records, so
 * the metadata of a live block is a few bits, and no metadata sits in user
 * pages: an overrun of a user block cannot corrupt the chains.
 *
 * On top of the bitmaps, one index of the holes for the active policy:
 *   fit_tree.c   by address: the largest hole starting in each 64-granule word,
 *                and a max tree above (first, next and worst fit)
 *   size_bins.c  by size: segregated bins of hole records, exact for small
 *                sizes (best fit)
 * and a page map (chain.c) from a virtual page to its main node.
 */
#ifndef MEMS_INTERNAL_H
#define MEMS_INTERNAL_H

#include "mems.h"
#include "classes.h"
#include "policy_zoo.h"

#include <assert.h>
#include <stdbool.h>

#if (PAGE_SIZE) < 1024 || (PAGE_SIZE) > 65536 || ((PAGE_SIZE) & ((PAGE_SIZE) - 1)) != 0
#error "PAGE_SIZE must be a power of two from 1024 to 65536"
#endif

/* On the entry points of the two hot paths (mems_malloc, mems_free): every
 * call below them not marked noinline is inlined, across files under
 * link-time optimisation, so one allocation or free runs as one function
 * instead of four or five, each saving and restoring registers and spilling
 * the place it was handed (docs/performance.md: 5 to 12 % fewer instructions). The rare
 * paths stay out of line through their noinline marks. */
#if defined(__GNUC__)
#define MEMS_HOT_PATH __attribute__((flatten))
#else
#define MEMS_HOT_PATH
#endif

/* A granule index in MeMS virtual space: (v - MEMS_VIRTUAL_BASE) / alignment. */
typedef uint64_t grain_t;
#define GRAIN_NONE UINT64_MAX
/* Words of 64 granules are numbered in 32 bits (leaf lookup divides by a
 * constant with one multiplication), which bounds the space MeMS can number. */
#define GRAIN_LIMIT ((grain_t)1 << 38)
/* Per-word and per-leaf maxima are 32-bit and saturate here; a search treats
 * a saturated entry as "may fit" and checks the holes themselves. Kept in the
 * signed range, where SSE2 compares (it has no unsigned ones). */
#define FIT_SATURATED ((uint32_t)INT32_MAX)
#define FIT_MAX_LEVELS 12
/* First fit keeps, for each request of 1 to FIT_FLOOR_SIZES granules, a word
 * below which no hole of the tree is that large (fit_tree.c). */
#define FIT_FLOOR_SIZES 32
#define FIT_FLOOR_NONE UINT32_MAX

/* The placement policy interface: what a member's hole index does, as
 * TLSF's control functions or a malloc lab's driver table. The chains call
 * the notes once per hole that appears, goes or shrinks from its front, and
 * commit at the end of each operation; placement asks search. The
 * address-ordered four are served inline by the fit tree and the size bins
 * (index_* below, policy_search) and have no table: policy_ops_of gives NULL. */
struct policy_ops {
    bool (*build)(void);            /* the index from the bitmaps; false: mmap failed */
    void (*drop)(void);
    bool (*reserve)(size_t more);   /* room for `more` holes to appear; false: mmap failed */
    void (*hole_added)(grain_t g, uint64_t size);
    void (*hole_removed)(grain_t g, uint64_t size);
    /* (from, size) became (to, new_size), its front carved: true when done
     * in place, false to be told as a removal and an addition */
    bool (*hole_shrunk)(grain_t from, uint64_t size, grain_t to, uint64_t new_size);
    grain_t (*search)(uint64_t size); /* the hole chosen, its size in found_hole_size; GRAIN_NONE */
    void (*commit)(void);
    uint64_t (*largest)(void);
    int (*check)(char *what, size_t what_size); /* faults, the first described */
};

struct main_node {
    struct main_node *prev, *next;
    struct main_node *lower, *higher; /* the treap of nodes by real base (chain.c) */
    unsigned char *base;   /* the mapping */
    uintptr_t v_start;     /* MeMS virtual address of base */
    grain_t first_grain;   /* granules [first_grain, end_grain) */
    grain_t end_grain;
};

/* Node records live in slots of chunks MeMS maps itself (meta.c). */
union meta_slot {
    struct main_node node;
    union meta_slot *next_free;
};

struct meta_chunk {
    struct meta_chunk *next;
    size_t bytes;
    size_t in_use;
};

/* Where the bits sit inside a leaf (one page of metadata covering
 * words_per_leaf words of 64 granules); fixed at init by alignment and
 * PAGE_SIZE. Each word of 64 granules has a group of group_words words: its
 * start bits, its hole bits, then its slack fields, side by side, so that an
 * operation on a block reads one cache line of metadata, seldom two. */
struct grain_layout {
    unsigned shift;         /* log2(alignment) */
    unsigned slack_bits;    /* width of a slack field: 0, 1, 2, 4, 8 or 16 */
    size_t words_per_leaf;
    uint64_t leaf_magic;    /* word / words_per_leaf == (word * leaf_magic) >> 64 */
    size_t summary_words;   /* one bit per start word that is not zero */
    /* nodes begin and end on word boundaries (PAGE_SIZE >= 64 granules): the
     * starts of one word all belong to one node, so a segment's neighbours in
     * its own word are in its node, and the next start in its word is where it
     * ends; only a neighbour in another word needs the node's bounds */
    bool node_covers_word;
    size_t group_words;     /* 2 + slack_bits */
    size_t off_summary, off_groups; /* in uint64_t units; the groups start on a cache line */
};

/* Leaf pointers, the bit per leaf saying it holds a start, and the levels of
 * the fit tree above the leaves: one mapping, grown by doubling. */
struct grain_directory {
    void *map;
    size_t map_bytes;
    size_t leaf_capacity;
    uint64_t **leaves;      /* NULL: no start in that leaf (all its bits are zero) */
    uint64_t *leaf_live;
    uint32_t *levels[FIT_MAX_LEVELS]; /* levels[0][word] = largest hole starting in the word */
    size_t level_length[FIT_MAX_LEVELS];
    unsigned level_count;
};

/* One record per HOLE while best fit is the policy (size_bins.c). */
struct hole_record {
    uint64_t size;          /* granules */
    grain_t grain;
    uint32_t left, right;   /* treap links, record numbers (0 = none) */
};

#define SIZE_BIN_EXACT 64
#define SIZE_BIN_COUNT (SIZE_BIN_EXACT + 58 * 8)
#define SIZE_BIN_WORDS ((SIZE_BIN_COUNT + 63) / 64)

struct size_bins {
    bool active;
    bool stale;             /* dropped by a free that could not grow the store */
    struct hole_record *records; /* records[0] is the null record */
    size_t record_capacity, records_in_use, map_bytes;
    /* fewer records in use than this: the store is rebuilt smaller (0: never) */
    size_t compact_below;
    uint32_t free_list;
    uint32_t root[SIZE_BIN_COUNT];
    uint32_t leftmost[SIZE_BIN_COUNT];
    uint64_t nonempty[SIZE_BIN_WORDS];
};

struct heap_state {
    bool initialized;
    /* The state a thread's calls reach when MeMS runs arenas and the thread
     * is in none of them: every public entry point hands the call to arena.c
     * (one test of a field the call reads anyway) */
    bool routes_to_arenas;
    /* in an arena: its number + 1, written into the real-page map for each
     * node it maps (0: MeMS runs one heap) */
    unsigned char arena_tag;
    struct mems_config config;
    struct main_node *first, *last;
    grain_t heap_end_grain;       /* the last node's end_grain (0: no node): read on every
                                   * new hole, so kept here rather than read off the record */
    /* Granules [heap_clean_from, heap_end_grain) were never part of a PROCESS
     * segment since the last node was mapped, so they still read as zero:
     * calloc leaves them alone (as glibc does with the top of its heap, fresh
     * from the kernel) instead of taking a page fault per untouched page to
     * write zeros over zeros. They lie inside the last node's last segment, a
     * HOLE; the mark rises when a block reaches into it, and is dropped (set
     * to heap_end_grain) when the last node goes. Kept for the heap's tail
     * alone, where fresh memory is, so a placement elsewhere reads nothing. */
    grain_t heap_clean_from;
    size_t node_count;
    size_t segment_count;
    size_t hole_count;
    size_t pages;
    size_t hole_bytes;
    size_t requested_bytes;
    /* next fit resumes at the segment holding this address (0: the start) */
    uintptr_t cursor;
    /* the block the last allocation returned (0: none, or freed since) and
     * its real address: mems_get of it, what a caller does next with a new
     * block (the spec's programs, the malloc face, a replay), needs no lookup */
    uintptr_t given_v;
    grain_t given_grain;
    unsigned char *given_real;
    /* set by a placement that reached the heap's clean granules: the first of
     * them in its block, from where to the block's end it reads as zero
     * (GRAIN_NONE, as mems_calloc sets it before placing: none) */
    grain_t placed_clean;
    /* granule bitmaps and the fit tree (grain.c, fit_tree.c) */
    struct grain_layout layout;
    struct grain_directory dir;
    uint64_t *spare_leaves;       /* emptied leaves kept for reuse, linked through word 0 */
    size_t spare_leaf_count;
    size_t leaves_mapped;         /* in the directory */
    bool fit_active;
    bool tail_valid;              /* the HOLE ending the last node, kept beside the fit tree */
    grain_t tail_grain;
    uint64_t tail_size;
    bool fit_exact;               /* worst fit: tree entries are exact maxima, not bounds */
    bool aside_valid;             /* worst fit: a hole kept out of the tree (fit_worst.c) */
    grain_t aside_grain;
    uint64_t aside_size;
    bool fit_floored;             /* first fit: the floors below are kept */
    struct fit_change {
        uint64_t word;
        uint32_t added_largest; /* largest hole added to the word by this operation */
        uint64_t added_starts;  /* where in the word they start (bit = granule) */
        bool largest_went;      /* a hole as large as the word's largest left it */
    } fit_dirty[6];
    unsigned fit_dirty_count;
    /* first fit: fit_floor[s] <= the word of the lowest hole of the tree of
     * at least s granules (FIT_FLOOR_NONE: there is none); non-decreasing in s */
    uint32_t fit_floor[FIT_FLOOR_SIZES + 1];
    /* the size of the hole the last search chose, when the search measured
     * it whole (0: it did not), so placing needs no search for its end */
    uint64_t found_hole_size;
    /* the hole the last placement or free left, and its size (GRAIN_NONE:
     * gone since): the next search or free most often meets it, and a hole
     * that runs past its word is otherwise measured by a search for its end */
    grain_t known_hole;
    uint64_t known_hole_size;
    struct size_bins bins;
    /* the treap of nodes by real base (chain.c) */
    struct main_node *by_base_root;
    struct classes_state classes; /* the class-rounding members (classes.h) */
    /* the index of a member of the zoo that keeps its own (zoo_*.c) */
    struct zoo_index zoo;
    /* virtual page -> main node (chain.c) */
    struct main_node **page_map;
    size_t page_map_bytes, page_map_capacity;
    /* mappings whose munmap failed, retried by mems_finish */
    struct { void *address; size_t bytes; } unreleased[8];
    size_t unreleased_count;
    /* node records */
    struct meta_chunk *chunks;
    union meta_slot *free_slots;
    size_t slots_in_use;
    size_t metadata_bytes;
    /* counters */
    uint64_t mmap_calls, munmap_calls, searches, holes_examined;
    size_t peak_mapped_bytes, peak_live_bytes, peak_requested_bytes, peak_footprint_bytes;
};

/* MeMS's thread-locals are in the static TLS block, so that a preloaded
 * malloc's first call allocates none: initial-exec, or local-exec in the
 * static libraries, linked into executables only, where reading one is one
 * instruction instead of two (the current heap, read by every call). */
#ifdef MEMS_TLS_LOCAL_EXEC
#define MEMS_THREAD_LOCAL __thread __attribute__((tls_model("local-exec")))
#else
#define MEMS_THREAD_LOCAL __thread __attribute__((tls_model("initial-exec")))
#endif

/* The heap every internal function works on. The core is compiled twice
 * (cmake/arena_heap.cmake): as itself, on the one static heap, accessed
 * directly; and as the arenas' copy (MEMS_ARENA_HEAP, every function renamed
 * arena_heap_NAME), on the heap of the arena whose lock the thread holds,
 * through a thread-local pointer. */
extern struct heap_state mems_single_heap;
extern MEMS_THREAD_LOCAL struct heap_state *mems_current;
#ifdef MEMS_ARENA_HEAP
#define mems_state (*mems_current)
#else
#define mems_state mems_single_heap
#endif

static inline size_t node_bytes(const struct main_node *node)
{
    return (size_t)(node->end_grain - node->first_grain) << mems_state.layout.shift;
}
static inline size_t node_pages(const struct main_node *node) { return node_bytes(node) / PAGE_SIZE; }
static inline uintptr_t node_v_end(const struct main_node *node) { return node->v_start + node_bytes(node) - 1; }
static inline size_t state_live_bytes(void)
{
    return mems_state.pages * (size_t)PAGE_SIZE - mems_state.hole_bytes;
}
static inline uintptr_t grain_to_v(grain_t g) { return MEMS_VIRTUAL_BASE + ((uintptr_t)g << mems_state.layout.shift); }
static inline grain_t v_to_grain(uintptr_t v) { return (grain_t)(v - MEMS_VIRTUAL_BASE) >> mems_state.layout.shift; }
static inline size_t grains_to_bytes(uint64_t n) { return (size_t)n << mems_state.layout.shift; }

/* The node of a MeMS virtual address, through the page map (chain.c). */
static inline struct main_node *chain_node_at(uintptr_t v)
{
    if (v < MEMS_VIRTUAL_BASE)
        return NULL;
    size_t page = (v - MEMS_VIRTUAL_BASE) / PAGE_SIZE;
    return page < mems_state.page_map_capacity ? mems_state.page_map[page] : NULL;
}

/* `*node`, looked up for granule g the first time it is needed: most
 * operations stay in one word and never touch the node's record. */
static inline struct main_node *node_of(struct main_node **node, grain_t g)
{
    if (*node == NULL)
        *node = chain_node_at(grain_to_v(g));
    assert(*node != NULL && g >= (*node)->first_grain && g < (*node)->end_grain);
    return *node;
}

/* Does granule `to` share granule `from`'s word, in a layout where that
 * makes it part of the same node? */
static inline bool same_node_word(grain_t from, grain_t to)
{
    return mems_state.layout.node_covers_word && (from >> 6) == (to >> 6);
}

/* state.c */
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
            if (mems_state.routes_to_arenas) {                                                               \
                routed;                                                                                      \
            }                                                                                                \
            state_initialize_defaults();                                                                     \
        }                                                                                                    \
    } while (0)
void state_record_error(int code, const char *format, ...) __attribute__((format(printf, 2, 3)));
void state_update_peaks(void);
/* After a placement or a resize in place: only live and requested bytes have
 * moved (whatever mapped pages or metadata grew has updated its peaks already). */
static inline void state_update_live_peaks(void)
{
    size_t live = state_live_bytes();
    if (live > mems_state.peak_live_bytes)
        mems_state.peak_live_bytes = live;
    if (mems_state.requested_bytes > mems_state.peak_requested_bytes)
        mems_state.peak_requested_bytes = mems_state.requested_bytes;
}
/* Unmaps a mapping MeMS owns; one whose munmap fails is kept for mems_finish to retry. */
void state_unmap_or_keep(void *address, size_t bytes, const char *what);

/* arena.c: MeMS's arenas. A public entry point whose state routes_to_arenas
 * hands its call to the arena_* function of the same name, which runs it in the
 * block's (or the thread's) arena under that arena's lock, in the arenas'
 * copy of the core. */
static inline bool arena_routes(void)
{
    return __builtin_expect(mems_state.routes_to_arenas, 0);
}
/* Out of line and cold: the hot entry points are flattened (MEMS_HOT_PATH),
 * and the routed path, never taken with one heap, stays out of them. */
#define ARENA_ROUTED __attribute__((noinline, cold))
int arena_start(const struct mems_config *config);
void arena_finish(void);
ARENA_ROUTED void *arena_malloc(size_t size);
ARENA_ROUTED void *arena_calloc(size_t nmemb, size_t size);
ARENA_ROUTED void *arena_realloc(void *v_ptr, size_t size);
ARENA_ROUTED void arena_free(void *v_ptr);
ARENA_ROUTED void *arena_get(void *v_ptr);
ARENA_ROUTED void *arena_virtual(const void *real);
ARENA_ROUTED size_t arena_block_size(void *v_ptr);
ARENA_ROUTED void arena_stats(struct mems_stats *out);
ARENA_ROUTED void arena_print_stats_to(FILE *stream);
ARENA_ROUTED int arena_walk(mems_visit_fn visit, void *context);
ARENA_ROUTED int arena_check(char *message, size_t message_size);
ARENA_ROUTED int arena_set_policy(enum mems_policy policy);
/* chain.c tells the real-page map which arena a node's pages belong to (0: none). */
void arena_map_real(const void *base, size_t bytes, unsigned char tag);
/* The address a caller sees for a heap's virtual address v: in arena k, v + k * MEMS_ARENA_SPAN. */
static inline uintptr_t state_public_v(uintptr_t v)
{
    return mems_state.arena_tag > 1 ? v + (mems_state.arena_tag - 1) * MEMS_ARENA_SPAN : v;
}
static inline void state_note_real(const void *base, size_t bytes, unsigned char tag)
{
    if (__builtin_expect(mems_state.arena_tag != 0, 0))
        arena_map_real(base, bytes, tag);
}

/* os.c: the only file that talks to the kernel */
void *os_map(size_t bytes);
int os_unmap(void *address, size_t bytes);
/* The same, counted in no heap's statistics: for the arenas' shared real-page map, whose leaves two arenas may
 * map at once under their own locks. */
void *os_map_shared(size_t bytes);
int os_unmap_shared(void *address, size_t bytes);
/* Test hooks: make the k-th mmap / munmap from now fail (0 disarms); count live mappings. */
void mems_test_fail_mmap(long k);
void mems_test_fail_munmap(long k);
long mems_test_live_mappings(void);

/* meta.c: node records */
struct main_node *meta_node_take(void);
void meta_node_give(struct main_node *node);
void meta_release_all(void);

/* grain.c: the per-granule bitmaps */
void grain_layout_init(size_t alignment);
bool grain_reserve_span(grain_t end);
bool grain_reserve(grain_t g);
void grain_unreserve(grain_t g);
void grain_set_start(grain_t g, bool hole, unsigned slack);
void grain_set_kind(grain_t g, bool hole, unsigned slack);
void grain_clear_start(grain_t g);
grain_t grain_next_start_far(grain_t from, grain_t limit);
grain_t grain_prev_start(grain_t g);
uint64_t *grain_leaf_of(grain_t g);
void grain_release_all(void);
void grain_check(int *bad, char *what, size_t what_size);

/* fit_tree.c: holes by address */
void fit_note_removed(grain_t g, uint64_t size);
void fit_note_added(grain_t g, uint64_t size);
void worst_note_added(grain_t g, uint64_t size);
void fit_commit(void);
void fit_levels_recompute(void);
grain_t fit_first(uint64_t size, grain_t from);
grain_t fit_worst(uint64_t size);
void fit_aside_return(void);
uint64_t fit_largest(void);
void fit_rebuild(void);
void fit_floors_reset(void);
void fit_clear(void);
int fit_check(void);

/* size_bins.c: holes by size */
uint32_t bins_index_of(uint64_t size);
bool bins_reserve(size_t more);
void bins_add(grain_t g, uint64_t size);
bool bins_shrink_first(grain_t from, uint64_t size, grain_t to, uint64_t new_size);
void bins_remove(grain_t g, uint64_t size);
grain_t bins_best(uint64_t size);
uint64_t bins_largest(void);
bool bins_rebuild(void);
void bins_clear(void);
void bins_compact(void);
bool bins_prepare(void);
int bins_check(size_t *count);

/* policy.c, zoo_*.c: the members with an index of their own */
const struct policy_ops *policy_ops_of(enum mems_policy policy);
extern const struct policy_ops policy_first_list_ops, policy_next_list_ops, policy_best_list_ops, policy_tlsf_ops,
    policy_lea_ops;
uint32_t zoo_record_find(grain_t g);
bool zoo_store_reserve(size_t more);
uint32_t zoo_record_take(grain_t g, uint64_t size, uint64_t stamp);
void zoo_record_give(uint32_t n);
void zoo_record_move(uint32_t n, grain_t to, uint64_t new_size);
uint32_t zoo_hole_appeared(grain_t g, uint64_t size, uint64_t stamp);
uint32_t zoo_hole_at(grain_t g, uint64_t size);
bool zoo_store_ready(void);
bool zoo_reserve(size_t more);
void zoo_store_release(void);
void zoo_store_drop(void);
bool zoo_store_build(void);
int zoo_store_check(void);
void zoo_sized_insert(uint32_t n);
void zoo_sized_remove(uint32_t n);
uint32_t zoo_sized_best_fit(uint64_t size);
uint64_t zoo_sized_largest(void);
int zoo_sized_check(size_t *count);
void zoo_slots_release(void);
bool zoo_slots_add(uint32_t n, bool front);
void zoo_slots_remove(uint32_t n);
void zoo_slots_shrunk(uint32_t n);
uint32_t zoo_slots_first_fit(uint64_t from, uint64_t size);
uint64_t zoo_slots_largest(void);
int zoo_slots_check(size_t *count);

/* index.c: keeps the active policy's index in step with the bitmaps. The
 * calls every operation makes are here, inline: most are one test. */
static inline bool index_reserve(size_t more_holes)
{
    const struct size_bins *b = &mems_state.bins;
    if (!b->active)
        return __builtin_expect(mems_state.zoo.ops == NULL, 1) || mems_state.zoo.ops->reserve(more_holes);
    return b->stale || b->records_in_use + 1 + more_holes <= b->record_capacity || bins_reserve(more_holes);
}

/* Before a search: an index dropped by a free is rebuilt; false when it cannot be. */
static inline bool index_prepare(void)
{
    return !mems_state.bins.active || !mems_state.bins.stale || bins_rebuild();
}

/* First and next fit: a hole carved from its front leaves the fit tree as it
 * is when the rest starts in the same word (that word's bound, an upper bound,
 * covered the larger hole, and so did every floor of its size and below), and
 * the tail stays the tail. Worst fit's entries are exact: never in place. */
static inline bool fit_shrunk_in_place(grain_t from, grain_t to, uint64_t new_size)
{
    if (mems_state.fit_exact)
        return false;
    if (mems_state.tail_valid && from == mems_state.tail_grain) {
        mems_state.tail_grain = to;
        mems_state.tail_size = new_size;
        return true;
    }
    return (from >> 6) == (to >> 6);
}

static inline void index_hole_added(grain_t g, uint64_t size)
{
    if (!mems_state.fit_active) {
        /* bins_add tests the same flag first: best fit pays nothing for the zoo */
        if (__builtin_expect(!mems_state.bins.active, 0)) {
            if (mems_state.zoo.ops != NULL) /* none under a class-rounding member */
                mems_state.zoo.ops->hole_added(g, size);
        } else
            bins_add(g, size);
    } else if (mems_state.fit_exact)
        worst_note_added(g, size);
    else
        fit_note_added(g, size);
}

static inline void index_hole_removed(grain_t g, uint64_t size)
{
    if (g == mems_state.known_hole)
        mems_state.known_hole = GRAIN_NONE;
    if (!mems_state.fit_active) {
        if (__builtin_expect(!mems_state.bins.active, 0)) {
            if (mems_state.zoo.ops != NULL)
                mems_state.zoo.ops->hole_removed(g, size);
        } else
            bins_remove(g, size);
    } else if (mems_state.tail_valid && g == mems_state.tail_grain)
        mems_state.tail_valid = false;
    else if (mems_state.fit_exact) /* first and next fit: the bounds above a hole that goes stay valid */
        fit_note_removed(g, size);
}

/* Hole (from, size) becomes (to, new_size), a smaller hole that ends where
 * it ended (a placement or a growth carving its front): true when the index
 * did that in place, and neither index_hole_removed nor index_hole_added is
 * to be called; false (nothing changed) when they are. */
static inline bool index_hole_shrunk(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    if (mems_state.fit_active                         ? !fit_shrunk_in_place(from, to, new_size)
        : __builtin_expect(!mems_state.bins.active, 0)
            ? mems_state.zoo.ops == NULL || !mems_state.zoo.ops->hole_shrunk(from, size, to, new_size)
                                                      : !bins_shrink_first(from, size, to, new_size))
        return false;
    if (from == mems_state.known_hole)
        mems_state.known_hole = GRAIN_NONE;
    return true;
}

/* Ends an operation: worst fit's tree gets exact again, the size
 * bins compact their store when three quarters of it stand empty. */
static inline void index_commit(void)
{
    if (mems_state.fit_active) {
        if (mems_state.fit_dirty_count != 0)
            fit_commit();
    } else if (__builtin_expect(!mems_state.bins.active, 0)) {
        if (mems_state.zoo.ops != NULL)
            mems_state.zoo.ops->commit();
    } else if (mems_state.bins.records_in_use < mems_state.bins.compact_below) {
        bins_compact();
    }
}

bool index_select(enum mems_policy policy);
void index_release(void);
uint64_t index_largest_hole(void);
int index_check_own(char *what, size_t what_size);

/* chain.c: main nodes and the page map */
struct main_node *chain_append_node(size_t pages);
bool chain_remove_node(struct main_node *node);
void chain_release_all(void);
void chain_release_tables(void);
struct main_node *chain_node_of_real(const void *real);
int chain_check_tables(void);

/* segment.c: segments on the bitmaps */
uint64_t segment_size(const struct main_node *node, grain_t g);
size_t node_segment_count(const struct main_node *node);
bool segment_place(struct main_node *node, grain_t hole, uint64_t hole_size, uint64_t size, size_t requested);
void segment_free(struct main_node *node, grain_t g, uint64_t size);
struct grain_place;
void segment_free_at(struct main_node *node, grain_t g, uint64_t size, const struct grain_place *place);
bool segment_shrink(struct main_node *node, grain_t g, uint64_t size, uint64_t new_size);
bool segment_grow(struct main_node *node, grain_t g, uint64_t size, uint64_t new_size);
void segment_set_requested(grain_t g, uint64_t size, size_t old_requested, size_t requested);
size_t segment_requested(grain_t g, uint64_t size);

/* policy.c: the placement policies, each one query on the active index */
grain_t policy_next_fit(uint64_t size);

/* The hole the policy chooses for `size` granules, or GRAIN_NONE; inline,
 * so that a malloc pays no call for the choice of query. */
static inline grain_t policy_search(uint64_t size)
{
    grain_t g;
    mems_state.searches++;
    mems_state.found_hole_size = 0;
    switch (mems_state.config.policy) {
    case MEMS_NEXT_FIT: g = policy_next_fit(size); break;
    case MEMS_BEST_FIT: g = bins_best(size); break;
    case MEMS_WORST_FIT: g = fit_worst(size); break;
    case MEMS_FIRST_FIT: g = fit_first(size, 0); break;
    default: g = mems_state.zoo.ops->search(size); break;
    }
    return g;
}

/* translate.c */
uintptr_t translate_real_to_virtual(const void *real);

/* alloc.c */
size_t alloc_round_size(size_t size, bool *overflow);

/* free.c */
grain_t free_locate_block(uintptr_t v, const char *caller, struct main_node **node_out, uint64_t *size_out);

/* class_sizes.c, class_store.c, buddy.c, simple_seg.c, classes.c,
 * class_check.c: the class-rounding members (classes.h) */
enum class_member class_member_of(enum mems_policy policy);
bool class_of(uint64_t granules, struct class_id *out);
size_t class_node_pages(struct class_id c);
bool store_reserve(uint32_t more);
uint32_t store_add(uint64_t grain, struct class_id c, uint8_t kind, uint64_t value);
uint32_t store_find(uint64_t grain);
void store_delete(uint32_t r);
void store_release(void);
int store_check(size_t segments, size_t free_blocks);
void list_push(uint32_t r);
void list_remove(uint32_t r);
uint32_t buddy_take(struct class_id c);
void buddy_release(uint32_t r);
uint32_t seg_take(struct class_id c);
void seg_release(uint32_t r);
uint32_t classes_no_memory(void);
struct main_node *classes_new_node(struct class_id c);
grain_t classes_place(size_t rounded, size_t requested);
void classes_free(void *v_ptr);
void *classes_realloc(void *v_ptr, size_t size);
bool classes_select(enum mems_policy policy);
uint64_t classes_largest_hole(void);
size_t classes_requested(grain_t g);
int classes_check(char *what, size_t what_size);

/* the granule bitmaps' inline accessors, which every operation uses */
#include "grain_bits.h"

#endif /* MEMS_INTERNAL_H */
