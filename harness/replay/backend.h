/*
 * Allocators behind one small table of function pointers. MeMS runs in
 * process; every malloc-ABI allocator (glibc, jemalloc, mimalloc, tcmalloc,
 * NAME=/path.so) is the process's own malloc, preloaded into the replay child;
 * bump (backend_bump.c), in process too, does no work at all, so a replay with
 * it measures the replay's own cost, the floor under every other allocator.
 */
#ifndef MEMS_BENCH_BACKEND_H
#define MEMS_BENCH_BACKEND_H

#include "mems.h"

#include <stddef.h>
#include <stdint.h>

/* A block as the replay sees it: where to write, and what to hand back. */
struct block {
    void *real;
    uintptr_t handle; /* MeMS: the virtual address; malloc: the pointer */
};

struct footprint {
    uint64_t bytes;         /* what the allocator holds: MeMS mapped + metadata; malloc: 0 (RSS is used) */
    uint64_t given, rounding, holes, metadata; /* MeMS's split of bytes */
    uint64_t hole_count, largest_hole;
    uint64_t searches, holes_examined, mmaps, munmaps;
    uint64_t peak_bytes;    /* MeMS's exact peak of bytes */
    uint64_t reported;      /* the allocator's own figure, where it gives one */
    uint64_t reported_resident;
};

struct allocator_ops {
    int (*start)(void);
    void (*stop)(void);
    /* each returns 0, or -1 when the allocator returned NULL */
    int (*alloc)(size_t size, struct block *out);
    int (*zalloc)(size_t count, size_t size, struct block *out);
    int (*aligned)(size_t alignment, size_t size, struct block *out);
    int (*resize)(struct block *b, size_t old_size, size_t size); /* old_size: what the program asked for */
    void (*release)(struct block *b);
    void (*measure)(struct footprint *out, int full); /* full: include the costly parts (largest hole) */
    size_t guaranteed_alignment;
    int counts_mmap; /* its mmap calls can be counted by interposition */
    const char *reported_kind; /* what `reported` means, or "" */
};

enum backend_kind { BACKEND_MEMS, BACKEND_MALLOC, BACKEND_BUMP };

struct backend {
    char name[64];
    enum backend_kind kind;
    int mems_policy;
    int mems_arenas;   /* mems-POLICY@N: N arenas (0: one heap, one lock) */
    char preload[512]; /* "" for the system malloc and for bump */
};

/* "mems-NAME" for MeMS's policy (the library's name of it), or NULL past the last. */
const char *backend_mems_name(int policy);
/* The policies the commands run by default, the address-ordered fits (first, next, best, worst): the library's
 * first four; every member of the zoo is there for --alloc mems-NAME. */
#define BACKEND_DEFAULT_MEMS_POLICIES ((int)MEMS_WORST_FIT + 1)
/* `before`, mems-NAME of each of those policies (the library's names), then `after`, comma-separated into out
 * (`before` and `after` may be ""); returns out. */
const char *backend_default_list(char *out, size_t size, const char *before, const char *after);

/* Fills *b for a name: mems-POLICY (any of the library's policies; mems-POLICY@N with N arenas, 2 to
 * MEMS_MAX_ARENAS), glibc, jemalloc, mimalloc, tcmalloc, bump, or NAME=/path/to/lib.so. Returns 0, or -1
 * with a reason. */
int backend_resolve(const char *spec, struct backend *b, char *why, size_t why_size);
/* The allocators a list of "all" means after the MeMS policies run by default: every installed one but bump. */
#define BACKEND_ALL_REAL "glibc,jemalloc,mimalloc,tcmalloc"
/* The comma-separated `list` the user gave with `flag`, each name resolved
 * into out[0 .. *count): an unknown, uninstalled or repeated one is refused
 * ("COMMAND: FLAG: why" on stderr, -1), except that "all" means the default MeMS policies and BACKEND_ALL_REAL
 * and leaves out, with a note, those not installed. */
int backend_resolve_list(const char *command, const char *flag, const char *list, struct backend *out, size_t max,
                         size_t *count);
/* The ops for this process (the child): MeMS with a policy, bump, or the
 * malloc ABI. `mem_limit` (bytes, 0 for none) becomes MeMS's own cap on
 * mapped bytes, and the size of bump's region. */
const struct allocator_ops *backend_ops(const struct backend *b, size_t mems_alignment, uint64_t mem_limit);
/* MeMS started with *config and placing blocks without touching them: no real address is looked up, no byte
 * written (calloc is placed as malloc of its product, where MeMS puts it), for a replay that measures placement
 * alone. The adapters are backend_ops' (harness/METRICS.md). */
struct mems_config;
const struct allocator_ops *backend_mems_placement_ops(const struct mems_config *config);
/* What the adapters ask MeMS for when a program asks for `bytes` at `alignment` (0: malloc's), MeMS aligning
 * segments to `mems_alignment`: 1 byte for 0, an alignment above MeMS's over-allocated by alignment - 1. */
uint64_t backend_mems_asked(uint64_t bytes, uint64_t alignment, size_t mems_alignment);
/* backend_bump.c: bump's ops, its region `mem_limit` bytes (0: 1 TiB), or
 * less where the kernel refuses that much */
const struct allocator_ops *bump_ops(uint64_t mem_limit);
/* backend_locked.c: `ops` with one mutex around every call, for an allocator
 * that is not thread-safe in a replay with threads (one table per process) */
const struct allocator_ops *backend_locked(const struct allocator_ops *ops);

#endif
