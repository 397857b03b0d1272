/* The allocator families the harness drives (bump's is backend_bump.c), and
 * finding allocators. */
#include "backend.h"
#include "cli.h"

#include "mems.h"

#include <dlfcn.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- MeMS, in process ---- */

static struct mems_config mems_backend_config;
/* Placement alone (backend_mems_placement_ops): no block's real address is
 * looked up and no byte of one is written, so a replay of a large trace costs
 * MeMS's bookkeeping and nothing more. */
static bool mems_untouched;

static void *real_address(void *v)
{
    return mems_untouched ? NULL : mems_get(v);
}

uint64_t backend_mems_asked(uint64_t bytes, uint64_t alignment, size_t mems_alignment)
{
    if (alignment > mems_alignment)
        return bytes + alignment - 1;
    return bytes != 0 ? bytes : 1;
}

static int mems_start(void)
{
    return mems_init_with(&mems_backend_config) == 0 ? 0 : -1;
}

static void mems_stop(void)
{
    mems_finish();
}

/* MeMS gives NULL for 0 bytes by design; a program's malloc(0) wants a unique
 * block, so the harness asks for 1 byte. */
static int mems_alloc(size_t size, struct block *out)
{
    void *v = mems_malloc((size_t)backend_mems_asked(size, 0, mems_backend_config.alignment));
    if (v == NULL)
        return -1;
    out->handle = (uintptr_t)v;
    out->real = real_address(v);
    return 0;
}

static int mems_zalloc(size_t count, size_t size, struct block *out)
{
    if (mems_untouched) { /* calloc places its block where malloc of the product would */
        if (size != 0 && count > SIZE_MAX / size)
            return -1;
        return mems_alloc(count * size, out);
    }
    void *v = count == 0 || size == 0 ? mems_calloc(1, 1) : mems_calloc(count, size);
    if (v == NULL)
        return -1;
    out->handle = (uintptr_t)v;
    out->real = mems_get(v);
    return 0;
}

/* MeMS aligns segment sizes, not addresses beyond its configured alignment:
 * a larger alignment is served as a program would, by over-allocating and
 * keeping the virtual address of the whole block for the free. */
static int mems_aligned(size_t alignment, size_t size, struct block *out)
{
    void *v = mems_malloc((size_t)backend_mems_asked(size, alignment, mems_backend_config.alignment));
    if (v == NULL)
        return -1;
    out->handle = (uintptr_t)v;
    out->real = real_address(v);
    if (alignment <= mems_backend_config.alignment || out->real == NULL)
        return 0;
    uintptr_t real = (uintptr_t)out->real;
    out->real = (void *)((real + alignment - 1) & ~(uintptr_t)(alignment - 1));
    return 0;
}

static int mems_resize(struct block *b, size_t old_size, size_t size)
{
    unsigned char *base = b->handle != 0 ? real_address((void *)b->handle) : NULL;
    if (base != NULL && (void *)base != b->real) {
        /* an over-allocated aligned block: its data sits past the segment's
         * start, where mems_realloc would not look; slide it down first */
        memmove(base, b->real, old_size < size ? old_size : size);
        b->real = base;
    }
    void *v = mems_realloc((void *)b->handle, size);
    if (v == NULL)
        return size == 0 ? 0 : -1;
    b->handle = (uintptr_t)v;
    b->real = real_address(v);
    return 0;
}

static void mems_release(struct block *b)
{
    mems_free((void *)b->handle);
}

static void mems_measure(struct footprint *out, int full)
{
    struct mems_stats s;
    mems_stats(&s); /* walks for the largest hole: only call when sampling */
    (void)full;
    *out = (struct footprint){
        .bytes = s.mapped_bytes + s.metadata_bytes,
        .given = s.requested_bytes,
        .rounding = s.live_bytes - s.requested_bytes,
        .holes = s.hole_bytes,
        .metadata = s.metadata_bytes,
        .hole_count = s.hole_count,
        .largest_hole = s.largest_hole,
        .searches = s.searches,
        .holes_examined = s.holes_examined,
        .mmaps = s.mmap_calls,
        .munmaps = s.munmap_calls,
        .peak_bytes = s.peak_footprint_bytes,
    };
}

static struct allocator_ops mems_ops = {
    mems_start, mems_stop, mems_alloc, mems_zalloc, mems_aligned, mems_resize, mems_release, mems_measure, 16, 1, "",
};

/* ---- any malloc-ABI allocator: whatever malloc this process has ---- */

typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);
typedef int (*tc_property_fn)(const char *, size_t *);
typedef void (*mi_info_fn)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *);

static mallctl_fn je_mallctl;
static tc_property_fn tc_property;
static mi_info_fn mi_info;
static int is_glibc;

static int libc_start(void)
{
    return 0;
}

static void libc_stop(void)
{
}

static int libc_alloc(size_t size, struct block *out)
{
    out->real = malloc(size);
    out->handle = (uintptr_t)out->real;
    return out->real != NULL || size == 0 ? 0 : -1;
}

static int libc_zalloc(size_t count, size_t size, struct block *out)
{
    out->real = calloc(count, size);
    out->handle = (uintptr_t)out->real;
    return out->real != NULL || count == 0 || size == 0 ? 0 : -1;
}

static int libc_aligned(size_t alignment, size_t size, struct block *out)
{
    if (alignment < sizeof(void *))
        alignment = sizeof(void *);
    void *p = NULL;
    if (posix_memalign(&p, alignment, size) != 0)
        return -1;
    out->real = p;
    out->handle = (uintptr_t)p;
    return 0;
}

static int libc_resize(struct block *b, size_t old_size, size_t size)
{
    (void)old_size;
    if (size == 0) {
        /* realloc(p, 0) differs between allocators; the trace means "free" */
        free(b->real);
        b->real = NULL;
        b->handle = 0;
        return 0;
    }
    void *p = realloc(b->real, size);
    if (p == NULL)
        return -1;
    b->real = p;
    b->handle = (uintptr_t)p;
    return 0;
}

static void libc_release(struct block *b)
{
    free(b->real);
}

static void libc_measure(struct footprint *out, int full)
{
    (void)full;
    memset(out, 0, sizeof *out);
    if (je_mallctl != NULL) {
        uint64_t epoch = 1;
        size_t value, n = sizeof value, en = sizeof epoch;
        je_mallctl("epoch", &epoch, &en, &epoch, en);
        if (je_mallctl("stats.mapped", &value, &n, NULL, 0) == 0)
            out->reported = value;
        n = sizeof value;
        if (je_mallctl("stats.resident", &value, &n, NULL, 0) == 0)
            out->reported_resident = value;
    } else if (tc_property != NULL) {
        size_t heap = 0, unmapped = 0;
        tc_property("generic.heap_size", &heap);
        tc_property("tcmalloc.pageheap_unmapped_bytes", &unmapped);
        out->reported = heap - unmapped;
    } else if (mi_info != NULL) {
        size_t elapsed, user, sys, rss, peak_rss, commit, peak_commit, faults;
        mi_info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
        out->reported = commit;
    } else if (is_glibc) {
        struct mallinfo2 info = mallinfo2();
        out->reported = info.arena + info.hblkhd;
    }
}

static struct allocator_ops libc_ops = {
    libc_start, libc_stop, libc_alloc, libc_zalloc, libc_aligned, libc_resize, libc_release, libc_measure, 16, 0, "",
};

const struct allocator_ops *backend_ops(const struct backend *b, size_t mems_alignment, uint64_t mem_limit)
{
    if (b->kind == BACKEND_MEMS) {
        mems_default_config(&mems_backend_config);
        mems_backend_config.policy = (enum mems_policy)b->mems_policy;
        mems_backend_config.alignment = mems_alignment;
        mems_backend_config.max_mapped_bytes = (size_t)mem_limit;
        mems_backend_config.arenas = b->mems_arenas > 1 ? (size_t)b->mems_arenas : 1;
        mems_ops.guaranteed_alignment = mems_alignment;
        mems_untouched = false;
        return &mems_ops;
    }
    if (b->kind == BACKEND_BUMP)
        return bump_ops(mem_limit);
    /* the allocator's own statistics, found in whichever library is preloaded */
    je_mallctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
    tc_property = je_mallctl ? NULL : (tc_property_fn)dlsym(RTLD_DEFAULT, "MallocExtension_GetNumericProperty");
    mi_info = je_mallctl || tc_property ? NULL : (mi_info_fn)dlsym(RTLD_DEFAULT, "mi_process_info");
    is_glibc = b->preload[0] == '\0';
    libc_ops.counts_mmap = !is_glibc; /* glibc's malloc calls an internal mmap */
    libc_ops.reported_kind = je_mallctl    ? "jemalloc stats.mapped"
                           : tc_property ? "tcmalloc heap_size - unmapped"
                           : mi_info     ? "mimalloc current commit"
                           : is_glibc    ? "glibc mallinfo2 arena+hblkhd"
                                         : "";
    return &libc_ops;
}

const struct allocator_ops *backend_mems_placement_ops(const struct mems_config *config)
{
    mems_backend_config = *config;
    mems_ops.guaranteed_alignment = config->alignment;
    mems_untouched = true;
    return &mems_ops;
}

/* ---- finding allocators ---- */

static const char *const library_dirs[] = {
    "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib",
};

static const struct {
    const char *name;
    const char *files[3];
} known_libraries[] = {
    {"jemalloc", {"libjemalloc.so.2", "libjemalloc.so", NULL}},
    {"mimalloc", {"libmimalloc.so.2", "libmimalloc.so", NULL}},
    {"tcmalloc", {"libtcmalloc_minimal.so.4", "libtcmalloc.so.4", NULL}},
};

static int find_library(const char *const files[], char *out, size_t size)
{
    for (size_t f = 0; files[f] != NULL; f++)
        for (size_t d = 0; d < sizeof library_dirs / sizeof *library_dirs; d++) {
            snprintf(out, size, "%s/%s", library_dirs[d], files[f]);
            if (access(out, R_OK) == 0)
                return 0;
        }
    return -1;
}

const char *backend_mems_name(int policy)
{
    static char names[MEMS_POLICY_COUNT][48];
    if (policy < 0 || policy >= MEMS_POLICY_COUNT)
        return NULL;
    if (names[policy][0] == '\0')
        snprintf(names[policy], sizeof names[policy], "mems-%s", mems_policy_name((enum mems_policy)policy));
    return names[policy];
}

const char *backend_default_list(char *out, size_t size, const char *before, const char *after)
{
    int n = snprintf(out, size, "%s", before);
    for (int p = 0; p < BACKEND_DEFAULT_MEMS_POLICIES && n >= 0 && (size_t)n < size; p++)
        n += snprintf(out + n, size - (size_t)n, "%s%s", n > 0 ? "," : "", backend_mems_name(p));
    if (n >= 0 && (size_t)n < size && after[0] != '\0')
        snprintf(out + n, size - (size_t)n, ",%s", after);
    return out;
}

int backend_resolve(const char *spec, struct backend *b, char *why, size_t why_size)
{
    memset(b, 0, sizeof *b);
    snprintf(b->name, sizeof b->name, "%s", spec);
    if (strncmp(spec, "mems-", 5) == 0) {
        char policy_name[64];
        snprintf(policy_name, sizeof policy_name, "%s", spec + 5);
        char *at = strchr(policy_name, '@');
        if (at != NULL) { /* mems-POLICY@N: N arenas */
            char *end;
            long arenas = strtol(at + 1, &end, 10);
            if (end == at + 1 || *end != '\0' || arenas < 2 || arenas > MEMS_MAX_ARENAS) {
                snprintf(why, why_size, "'%s': the arenas after @ must be a number from 2 to %d", spec, MEMS_MAX_ARENAS);
                return -1;
            }
            *at = '\0';
            b->mems_arenas = (int)arenas;
        }
        int policy = mems_policy_from_name(policy_name);
        if (policy < 0 || !mems_policy_implemented((enum mems_policy)policy)) {
            int n = snprintf(why, why_size, "%s MeMS policy '%s' (", policy < 0 ? "unknown" : "unimplemented",
                             policy_name);
            for (int i = 0; i < MEMS_POLICY_COUNT && n > 0 && (size_t)n < why_size; i++)
                if (mems_policy_implemented((enum mems_policy)i))
                    n += snprintf(why + n, why_size - (size_t)n, "%s%s", i > 0 ? ", " : "",
                                  mems_policy_name((enum mems_policy)i));
            if (n > 0 && (size_t)n < why_size)
                snprintf(why + n, why_size - (size_t)n, ")");
            return -1;
        }
        b->kind = BACKEND_MEMS;
        b->mems_policy = policy;
        return 0;
    }
    if (strcmp(spec, "bump") == 0) {
        b->kind = BACKEND_BUMP;
        return 0;
    }
    b->kind = BACKEND_MALLOC;
    if (strcmp(spec, "glibc") == 0)
        return 0;
    const char *eq = strchr(spec, '=');
    if (eq != NULL) {
        snprintf(b->name, sizeof b->name, "%.*s", (int)(eq - spec), spec);
        snprintf(b->preload, sizeof b->preload, "%s", eq + 1);
        if (access(b->preload, R_OK) != 0) {
            snprintf(why, why_size, "%s: cannot read %s", b->name, b->preload);
            return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < sizeof known_libraries / sizeof *known_libraries; i++)
        if (strcmp(spec, known_libraries[i].name) == 0) {
            if (find_library(known_libraries[i].files, b->preload, sizeof b->preload) == 0)
                return 0;
            snprintf(why, why_size, "%s is not installed (Debian: apt-get install %s)", spec,
                     strcmp(spec, "jemalloc") == 0   ? "libjemalloc2"
                     : strcmp(spec, "mimalloc") == 0 ? "libmimalloc2.0"
                                                     : "libtcmalloc-minimal4");
            return -1;
        }
    snprintf(why, why_size, "unknown allocator '%s' (mems-NAME for a MeMS policy NAME, as 'mems-bench policies' "
                            "lists them; glibc, jemalloc, mimalloc, tcmalloc, bump, or NAME=/path/to/lib.so)", spec);
    return -1;
}

int backend_resolve_list(const char *command, const char *flag, const char *list, struct backend *out, size_t max,
                         size_t *count)
{
    bool all = strcmp(list, "all") == 0;
    char every[512];
    struct cli_list names;
    *count = 0;
    if (cli_split(command, flag, all ? backend_default_list(every, sizeof every, "", BACKEND_ALL_REAL) : list,
                  &names) != 0)
        return -1;
    for (size_t i = 0; i < names.count; i++) {
        char why[512];
        struct backend *b = &out[*count];
        if (*count == max) {
            fprintf(stderr, "%s: %s: at most %zu allocators\n", command, flag, max);
            return -1;
        }
        if (backend_resolve(names.item[i], b, why, sizeof why) != 0) {
            fprintf(stderr, "%s: %s: %s%s\n", command, flag, why, all ? "; left out" : "");
            if (all)
                continue;
            return -1;
        }
        for (size_t j = 0; j < *count; j++)
            if (strcmp(out[j].name, b->name) == 0) { /* two NAME=/path with one NAME */
                fprintf(stderr, "%s: %s names '%s' twice\n", command, flag, b->name);
                return -1;
            }
        (*count)++;
    }
    if (*count == 0) {
        fprintf(stderr, "%s: %s: no allocator to run\n", command, flag);
        return -1;
    }
    return 0;
}
