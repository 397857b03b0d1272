/*
 * MeMS: a memory manager built on nothing but mmap and munmap.
 *
 * Memory is handed out as *MeMS virtual addresses*: integers starting at 1000,
 * contiguous across every mapping MeMS holds. mems_get() turns one into a real
 * pointer. The classic six functions come first; everything after them is an
 * extension (configuration, realloc/calloc, statistics, a walker, an integrity
 * check and error reporting).
 *
 * One arena (the default) is not thread-safe: one MeMS state per process,
 * used from one thread at a time. With config.arenas = N > 1, MeMS keeps N
 * independent heaps under one policy, each with its own lock; a thread is
 * bound to one at its first call, and any thread may free, resize or read a
 * block of any arena.
 */
#ifndef MEMS_H
#define MEMS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The unit of every mmap and munmap. A build may override it with any power
 * of two from 1024 to 65536 (-DPAGE_SIZE=8192, or CMake's MEMS_PAGE_SIZE). */
#ifndef PAGE_SIZE
#define PAGE_SIZE 4096
#endif

/* The first MeMS virtual address ever handed out. */
#define MEMS_VIRTUAL_BASE 1000

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The course template ---------------------------------------------- */

void mems_init(void);
void mems_finish(void);
void *mems_malloc(size_t size);
void mems_free(void *v_ptr);
void mems_print_stats(void);
void *mems_get(void *v_ptr);

/* ---- Configuration ------------------------------------------------------ */

enum mems_policy {
    MEMS_FIRST_FIT = 0,  /* lowest-addressed hole that fits (the default) */
    MEMS_NEXT_FIT,       /* first fit, starting after the last placement, wrapping */
    MEMS_BEST_FIT,       /* smallest hole that fits, ties to the lowest address */
    MEMS_WORST_FIT,      /* largest hole, ties to the lowest address */
    MEMS_FIRST_FIT_LIFO, /* the first hole that fits in a free list kept LIFO (ARCHITECTURE.md) */
    MEMS_FIRST_FIT_FIFO, /* ... kept FIFO */
    MEMS_NEXT_FIT_LIFO,  /* the first that fits from the last placement's place in the list, wrapping */
    MEMS_NEXT_FIT_FIFO,
    MEMS_BEST_FIT_LIFO,  /* the smallest that fits, ties by list order */
    MEMS_BEST_FIT_FIFO,
    MEMS_TLSF,           /* TLSF's good fit: segregated lists by 2^FL and 2^SLI subdivisions */
    MEMS_LEA,            /* in the manner of dlmalloc 2.6: best fit, last remainder, top */
    MEMS_BUDDY,          /* binary buddy */
    MEMS_DOUBLE_BUDDY,   /* buddies of sizes 2^N and 3 * 2^N */
    MEMS_SIMPLE_SEG,     /* simple segregated storage, classes 2^N */
    MEMS_SIMPLE_SEG_3,   /* simple segregated storage, classes 2^N and 3 * 2^N */
    MEMS_POLICY_COUNT
};

struct mems_config {
    enum mems_policy policy;
    size_t alignment;        /* segment sizes rounded to this; 1 = exact bytes (default), power of two <= PAGE_SIZE */
    size_t min_pages;        /* pages per new mapping at least (default 1) */
    int release_empty_nodes; /* unmap a main node once it is one whole HOLE (default 0: keep it) */
    size_t max_mapped_bytes; /* cap on bytes mapped for user segments; 0 = no cap */
    int print_errors;        /* also print each error as one line on stderr (default 0) */
    size_t arenas;           /* 1 = one heap, not thread-safe (default); 2..MEMS_MAX_ARENAS: that many heaps,
                              * each with its own lock, threads bound round robin */
};

/* Most arenas one MeMS may keep. Arena k's virtual addresses are those of one
 * heap plus k * MEMS_ARENA_SPAN, so any call finds a block's arena from its
 * address alone. */
#define MEMS_MAX_ARENAS 64
#define MEMS_ARENA_SPAN ((uintptr_t)1 << 46)

/* Fills *config with the defaults listed above. */
void mems_default_config(struct mems_config *config);
/* Starts afresh (finishing any earlier state) with *config; NULL means the
 * defaults. Returns 0, or MEMS_E_BAD_CONFIG leaving MeMS uninitialised. */
int mems_init_with(const struct mems_config *config);
/* Changes the placement policy of the running state (building the hole index
 * the new policy uses). Returns 0, MEMS_E_BAD_CONFIG, or MEMS_E_NO_MEMORY with
 * the policy unchanged. */
int mems_set_policy(enum mems_policy policy);
/* "first", "next", "best", "worst", "first-lifo", ... "simple-seg-3": the
 * names of enum mems_policy in its order; "unknown" out of range. */
const char *mems_policy_name(enum mems_policy policy);
/* Parses any name mems_policy_name gives; returns -1 for anything else (a
 * member this build does not implement parses, and mems_set_policy and
 * mems_init_with refuse it with MEMS_E_BAD_CONFIG). */
int mems_policy_from_name(const char *name);
/* Nonzero when this build implements the member. */
int mems_policy_implemented(enum mems_policy policy);
/* Nonzero for the members that round every block to a size class (buddy,
 * double-buddy, simple-seg, simple-seg-3): their rounding is internal
 * fragmentation (mems_stats' class_rounding_bytes). Such a member starts
 * from an empty heap: mems_set_policy to or from one returns
 * MEMS_E_BAD_CONFIG while any node is mapped. */
int mems_policy_rounds_to_classes(enum mems_policy policy);
/* The PAGE_SIZE the library was compiled with. */
size_t mems_page_size(void);

/* ---- Extensions ----------------------------------------------------------- */

/* Like realloc: NULL v_ptr allocates; size 0 frees and returns NULL. Shrinks in
 * place, grows into an adjacent hole when it can, else moves the data. On
 * failure returns NULL and leaves the old block untouched. */
void *mems_realloc(void *v_ptr, size_t size);
/* Like calloc: zeroed memory; NULL if nmemb * size overflows or is 0. */
void *mems_calloc(size_t nmemb, size_t size);

struct mems_stats {
    size_t pages;              /* pages mapped for user segments */
    size_t mapped_bytes;       /* pages * PAGE_SIZE */
    size_t hole_bytes;         /* bytes in HOLE segments ("Space unused") */
    size_t live_bytes;         /* bytes in PROCESS segments */
    size_t requested_bytes;    /* bytes asked for by the live PROCESS segments */
    size_t metadata_bytes;     /* bytes mapped for MeMS's own bookkeeping */
    size_t main_chain_length;
    size_t segment_count;      /* over every sub-chain */
    size_t hole_count;
    size_t largest_hole;
    uint64_t mmap_calls;       /* user and metadata mappings, since init */
    uint64_t munmap_calls;
    uint64_t searches;         /* hole searches run by allocations */
    uint64_t holes_examined;   /* holes looked at by those searches */
    size_t peak_mapped_bytes;
    size_t peak_live_bytes;
    size_t peak_requested_bytes;
    size_t peak_footprint_bytes; /* max over time of mapped_bytes + metadata_bytes */
    size_t class_rounding_bytes; /* class-rounding members: live bytes beyond the requests rounded to the alignment */
};
void mems_stats(struct mems_stats *out);

/* Prints the chains in the exact format of mems_print_stats() to any stream. */
void mems_print_stats_to(FILE *stream);

struct mems_segment_info {
    size_t node_index;  /* position of the main node in the main chain, from 0 */
    uintptr_t v_start;  /* first MeMS virtual address of the segment */
    uintptr_t v_end;    /* last one (inclusive) */
    size_t size;
    int is_hole;
    void *real;         /* where the segment really is */
};
/* Calls visit for every segment in address order; stops early and returns the
 * callback's value when it returns non-zero. Returns 0 after a full walk.
 * Under arenas it walks arena after arena, holding each one's lock while it
 * visits it: the visitor must not call MeMS. */
typedef int (*mems_visit_fn)(const struct mems_segment_info *segment, void *context);
int mems_walk(mems_visit_fn visit, void *context);

/* The MeMS virtual address of a real pointer into one of MeMS's user
 * mappings, or NULL when no mapping holds it (no error is recorded: callers
 * such as a malloc face use it to ask "is this pointer mine?"). */
void *mems_virtual(const void *real);
/* The size of the PROCESS segment that starts at v_ptr (its usable bytes, the
 * request rounded to the alignment), or 0 with the error recorded when no
 * block starts there. */
size_t mems_block_size(void *v_ptr);

/* The number of arenas (1 unless configured), and the statistics of arena k
 * alone (0 on success, MEMS_E_BAD_CONFIG when there is no arena k); with one
 * arena, arena 0 is the whole of MeMS. mems_stats() sums every arena (its
 * peaks are the sums of the arenas' peaks). */
size_t mems_arena_count(void);
int mems_arena_stats(size_t arena, struct mems_stats *out);

/* Verifies every invariant of the chains (of every arena). Returns 0 when all hold, else the
 * number of problems found, with the first described in message (if given). */
int mems_check(char *message, size_t message_size);

/* ---- Errors ------------------------------------------------------------------ */

enum mems_error {
    MEMS_OK = 0,
    MEMS_E_ZERO_SIZE,        /* allocation of 0 bytes: NULL by design */
    MEMS_E_OVERFLOW,         /* size too large to round to pages */
    MEMS_E_NO_MEMORY,        /* mmap failed */
    MEMS_E_CAP_REACHED,      /* max_mapped_bytes would be exceeded */
    MEMS_E_UNKNOWN_ADDRESS,  /* no main node holds this address */
    MEMS_E_INTERIOR_FREE,    /* free of an address inside a PROCESS segment */
    MEMS_E_DOUBLE_FREE,      /* free of an address inside a HOLE */
    MEMS_E_GET_HOLE,         /* mems_get of an address inside a HOLE */
    MEMS_E_BAD_CONFIG,
    MEMS_E_OS,               /* munmap failed */
    MEMS_ERROR_COUNT
};
/* The code of the most recent error (cleared only by mems_clear_error and init). */
int mems_last_error(void);
/* A readable sentence about the most recent error, naming the address or size. */
const char *mems_last_error_message(void);
const char *mems_strerror(int code);
void mems_clear_error(void);

#ifdef __cplusplus
}
#endif

#endif /* MEMS_H */
