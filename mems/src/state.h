/*
 * The state of one heap, the bottom of the library's layers: every layer's
 * types (the state embeds each), the heap's counters, and the error record.
 * Functions here call nothing of MeMS; every other internal header includes
 * this one (ARCHITECTURE.md, "Layers").
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
#ifndef MEMS_STATE_H
#define MEMS_STATE_H

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
 * paths stay out of line through their noinline marks. Also on the table
 * functions of the zoo's members (policy_ops), which the hot paths reach
 * through a pointer: one call each, and none below it. */
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

/* What the node layer (chain.c) tells the hole index above it, which
 * registers these when it sets a heap up (index.c): the HOLE a new node
 * brings, the HOLE a node takes away, and the heap emptied of nodes. Called
 * only where nodes are mapped and unmapped, never per block. */
struct node_events {
    bool (*reserve)(size_t more_holes); /* room for holes to appear; false: mmap failed */
    void (*hole_added)(grain_t g, uint64_t size);
    void (*hole_removed)(grain_t g, uint64_t size);
    void (*commit)(void);               /* the end of the node's operation */
    void (*emptied)(void);              /* the last node went: the index maps nothing */
};

/* The arenas' entry points (mems_internal.h). */
struct heap_routes;

struct heap_state {
    bool initialized;
    /* The state a thread's calls reach when MeMS runs arenas and the thread
     * is in none of them: the arenas' entry points (arena.c), to which every
     * public entry point hands its call (one test of a field the call reads
     * anyway); NULL: MeMS runs one heap */
    const struct heap_routes *routes;
    /* in an arena: its number + 1, written into the real-page map for each
     * node it maps (0: MeMS runs one heap) */
    unsigned char arena_tag;
    /* the hole index's side of the node layer (struct node_events) */
    const struct node_events *node_events;
    /* in an arena: tells the arenas' real-page map which arena a node's
     * pages belong to (0: none); set by arena.c beside arena_tag */
    void (*map_real)(const void *base, size_t bytes, unsigned char tag);
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

static inline size_t state_live_bytes(void)
{
    return mems_state.pages * (size_t)PAGE_SIZE - mems_state.hole_bytes;
}

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

#endif /* MEMS_STATE_H */
