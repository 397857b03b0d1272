/*
 * libmems_malloc.so: malloc, free, calloc, realloc, reallocarray,
 * posix_memalign, aligned_alloc, memalign, valloc, pvalloc and
 * malloc_usable_size on MeMS, with glibc's contract (16-byte alignment,
 * malloc(0) a unique pointer, realloc(p, 0) frees, errno as glibc sets it).
 * Programs get real pointers; MeMS virtual addresses stay inside.
 *
 * One mutex around the core: MeMS is single-threaded state. With
 * MEMS_ARENAS=N > 1, MeMS's arenas instead: a call takes the lock of the
 * calling thread's arena (malloc) or of the arena that owns the pointer (free,
 * realloc), and runs all its MeMS calls there. fork() takes every lock in the
 * parent (atfork), so the child never inherits one held mid-operation.
 * Nothing here calls anything that allocates while a lock is held; the
 * thread-locals (MeMS's, initial-exec) live in the static TLS block loaded
 * with the library, so none is malloc'd.
 *
 * An alignment above MeMS's own is over-allocated; the block's start then
 * lies before the pointer handed out, and a 16-byte tag just below the
 * pointer says how far (and that it is a tag): free() finds the block from it.
 */
#include "preload.h"

#include "arena.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The library is built with hidden visibility; these are what it is for. */
#define FACE __attribute__((visibility("default")))

#define TAG_MAGIC 0x6d656d73616c6e64ULL /* "memsalnd" */

struct aligned_tag {
    uint64_t check; /* TAG_MAGIC ^ the tagged address */
    uint64_t offset; /* from the block's start to the tagged address */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int started;
static int stats_fd = -1;
static struct preload_settings settings;
static uint64_t bad_frees;
/* the arena this thread's current call holds (NULL: the one mutex, or none) */
static __thread struct arena *held __attribute__((tls_model("initial-exec")));

/* Once, before any MeMS call: the settings, and MeMS started on them. */
static void start_once(void)
{
    if (__atomic_load_n(&started, __ATOMIC_ACQUIRE))
        return;
    pthread_mutex_lock(&lock);
    if (!started) {
        preload_read_settings(&settings);
        if (mems_init_with(&settings.config) != 0) {
            preload_say("libmems_malloc: MeMS refused the settings: %s\n", mems_last_error_message());
            _exit(PRELOAD_EXIT_BAD_SETTING);
        }
        __atomic_store_n(&started, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&lock);
}

static int runs_arenas(void)
{
    return settings.config.arenas > 1;
}

/* A MeMS call from inside a lock: the static heap's, or under arenas the
 * arenas' copy of the core, on the heap of the arena the thread holds. */
#define CORE(call) (runs_arenas() ? ARENA_HEAP(call) : call)

/* For a new block: the one mutex, or the calling thread's arena. */
static void lock_core(void)
{
    start_once();
    if (runs_arenas())
        held = arena_enter_own();
    else
        pthread_mutex_lock(&lock);
}

/* For a pointer handed out: the one mutex, or the arena that owns it. */
static void lock_core_of(const void *p)
{
    start_once();
    if (runs_arenas())
        held = arena_enter_real(p);
    else
        pthread_mutex_lock(&lock);
}

static void unlock_core(void)
{
    if (runs_arenas()) {
        arena_leave(held);
        held = NULL;
    } else {
        pthread_mutex_unlock(&lock);
    }
}

/* A bad free or realloc: glibc's behaviour (a line, then abort) unless MEMS_ON_ERROR=ignore. Lock held. */
static void report_bad_pointer(const char *call, const void *p)
{
    __atomic_fetch_add(&bad_frees, 1, __ATOMIC_RELAXED); /* arenas report concurrently */
    const char *why = mems_last_error() != MEMS_OK ? mems_last_error_message() : "not an address MeMS gave";
    mems_clear_error();
    if (settings.ignore_errors)
        return;
    preload_say("libmems_malloc: %s(%p): invalid pointer: %s\n", call, p, why);
    unlock_core();
    abort();
}

/* malloc's core, lock held: a real pointer, or NULL with errno ENOMEM. */
static void *allocate_locked(size_t size)
{
    void *v = CORE(mems_malloc)(size == 0 ? 1 : size);
    if (v == NULL) {
        mems_clear_error();
        errno = ENOMEM;
        return NULL;
    }
    return CORE(mems_get)(v);
}

/* The MeMS block start of a pointer handed out, or NULL (error recorded) when it is none of ours. */
static void *block_of_locked(const void *p, size_t *shift)
{
    *shift = 0;
    void *v = CORE(mems_virtual)(p);
    if (v == NULL) {
        mems_clear_error();
        return NULL;
    }
    if (CORE(mems_block_size)(v) > 0)
        return v;
    /* not a block's start: an over-aligned pointer has its tag below it, inside the same block */
    mems_clear_error();
    uintptr_t address = (uintptr_t)p;
    if (address % 16 != 0 || CORE(mems_virtual)((const void *)(address - sizeof(struct aligned_tag))) == NULL) {
        mems_clear_error();
        CORE(mems_block_size)(v); /* records the error that names what lies at p */
        return NULL;
    }
    const struct aligned_tag *tag = (const struct aligned_tag *)(address - sizeof *tag);
    if (tag->check != (TAG_MAGIC ^ address) || tag->offset == 0 || tag->offset > address) {
        CORE(mems_block_size)(v);
        return NULL;
    }
    void *start = CORE(mems_virtual)((const void *)(address - tag->offset));
    size_t size = start != NULL ? CORE(mems_block_size)(start) : 0;
    if (size == 0 || tag->offset >= size)
        return NULL; /* the block was freed (a double free names itself here) */
    *shift = (size_t)tag->offset;
    return start;
}

/* free's core, lock held. MeMS's errors are cleared after every call of the
 * face, so a recorded one is this free's. */
static void release_locked(const char *call, void *p)
{
    void *v = CORE(mems_virtual)(p);
    if (v != NULL) {
        CORE(mems_free)(v); /* a block's start, the common case: located once */
        int error = mems_last_error();
        if (error == MEMS_OK)
            return;
        if (error != MEMS_E_INTERIOR_FREE) {
            report_bad_pointer(call, p);
            return;
        }
        mems_clear_error(); /* inside a block: an over-aligned pointer, or a bad one */
    }
    size_t shift;
    void *start = block_of_locked(p, &shift);
    if (start == NULL || shift == 0) {
        report_bad_pointer(call, p);
        return;
    }
    /* a stale tag must not make a later free of this address look valid */
    ((struct aligned_tag *)((uintptr_t)p - sizeof(struct aligned_tag)))->check = 0;
    CORE(mems_free)(start);
}

/* Lock held; alignment a power of two. */
static void *allocate_aligned_locked(size_t alignment, size_t size)
{
    if (alignment <= settings.config.alignment)
        return allocate_locked(size);
    if (size > SIZE_MAX - alignment) {
        errno = ENOMEM;
        return NULL;
    }
    unsigned char *real = allocate_locked(size + alignment);
    if (real == NULL)
        return NULL;
    uintptr_t start = (uintptr_t)real, aligned = (start + alignment - 1) & ~(uintptr_t)(alignment - 1);
    if (aligned == start)
        return real;
    /* aligned - start >= MeMS's alignment >= 16: the tag fits between them */
    struct aligned_tag *tag = (struct aligned_tag *)(aligned - sizeof *tag);
    tag->check = TAG_MAGIC ^ aligned;
    tag->offset = aligned - start;
    return (void *)aligned;
}

FACE void *malloc(size_t size)
{
    lock_core();
    void *p = allocate_locked(size);
    unlock_core();
    return p;
}

FACE void free(void *p)
{
    if (p == NULL)
        return;
    lock_core_of(p);
    release_locked("free", p);
    unlock_core();
}

FACE void *calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    size_t bytes = count * size;
    lock_core();
    /* mems_calloc leaves the heap's fresh tail untouched (it reads as zero
     * already) instead of faulting it in to write zeros */
    void *v = CORE(mems_calloc)(1, bytes == 0 ? 1 : bytes);
    void *p = NULL;
    if (v == NULL) {
        mems_clear_error();
        errno = ENOMEM;
    } else {
        p = CORE(mems_get)(v);
    }
    unlock_core();
    return p;
}

/* realloc's core, lock held: like free, a block's start is located once, by
 * mems_realloc itself; only an address MeMS calls interior takes the tag's way. */
static void *resize_locked(void *p, size_t size)
{
    void *v = CORE(mems_virtual)(p);
    if (v != NULL) {
        void *nv = CORE(mems_realloc)(v, size); /* in place when it can; copies otherwise */
        if (nv != NULL)
            return CORE(mems_get)(nv);
        int error = mems_last_error();
        if (error == MEMS_E_NO_MEMORY || error == MEMS_E_CAP_REACHED || error == MEMS_E_OVERFLOW) {
            mems_clear_error(); /* the block stays as it was */
            errno = ENOMEM;
            return NULL;
        }
        if (error != MEMS_E_INTERIOR_FREE) {
            report_bad_pointer("realloc", p);
            return NULL;
        }
        mems_clear_error();
    }
    size_t shift;
    void *start = block_of_locked(p, &shift);
    if (start == NULL || shift == 0) {
        report_bad_pointer("realloc", p);
        return NULL;
    }
    /* an over-aligned block moves to a plain one */
    size_t old = CORE(mems_block_size)(start) - shift;
    void *moved = allocate_locked(size);
    if (moved != NULL) {
        memcpy(moved, p, old < size ? old : size);
        release_locked("realloc", p);
    }
    return moved;
}

FACE void *realloc(void *p, size_t size)
{
    if (p == NULL)
        return malloc(size);
    if (size == 0) { /* glibc: frees and returns NULL */
        free(p);
        return NULL;
    }
    lock_core_of(p); /* the block stays in its arena */
    void *moved = resize_locked(p, size);
    unlock_core();
    return moved;
}

FACE void *reallocarray(void *p, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, count * size);
}

static int is_power_of_two(size_t n)
{
    return n != 0 && (n & (n - 1)) == 0;
}

FACE int posix_memalign(void **out, size_t alignment, size_t size)
{
    if (!is_power_of_two(alignment) || alignment % sizeof(void *) != 0)
        return EINVAL;
    int saved = errno;
    lock_core();
    void *p = allocate_aligned_locked(alignment, size);
    unlock_core();
    errno = saved; /* posix_memalign reports through its result only */
    if (p == NULL)
        return ENOMEM;
    *out = p;
    return 0;
}

FACE void *memalign(size_t alignment, size_t size)
{
    if (alignment > ((size_t)1 << (sizeof(size_t) * 8 - 2))) {
        errno = EINVAL;
        return NULL;
    }
    size_t a = 1;
    while (a < alignment) /* glibc rounds an odd alignment up to a power of two */
        a <<= 1;
    lock_core();
    void *p = allocate_aligned_locked(a, size);
    unlock_core();
    return p;
}

/* glibc (2.36, Debian 12) treats it as memalign: an alignment that is not a power of two is rounded up. */
FACE void *aligned_alloc(size_t alignment, size_t size)
{
    return memalign(alignment, size);
}

FACE void *valloc(size_t size)
{
    return memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

FACE void *pvalloc(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (size > SIZE_MAX - page) {
        errno = ENOMEM;
        return NULL;
    }
    return memalign(page, (size + page - 1) & ~(page - 1));
}

FACE size_t malloc_usable_size(void *p)
{
    if (p == NULL)
        return 0;
    lock_core_of(p);
    size_t shift, usable = 0;
    void *v = block_of_locked(p, &shift);
    if (v != NULL)
        usable = CORE(mems_block_size)(v) - shift;
    else
        mems_clear_error();
    unlock_core();
    return usable;
}

/* ---- fork, start and exit ---- */

static void before_fork(void)
{
    pthread_mutex_lock(&lock);
    arena_lock_all();
}

static void after_fork(void)
{
    arena_unlock_all();
    pthread_mutex_unlock(&lock);
}

__attribute__((constructor)) static void preload_start(void)
{
    start_once(); /* settings are checked at start, even in a program that never allocates */
    stats_fd = preload_stats_open(&settings);
    pthread_atfork(before_fork, after_fork, after_fork);
}

/* `who` is "" for the whole of MeMS, "arena K: " for one arena. */
static void print_stats(const char *who, const struct mems_stats *s, uint64_t bad)
{
    preload_stats_write(&settings, stats_fd,
            "%spolicy %s, alignment %zu: %zu nodes, %zu segments (%zu holes), "
            "%zu bytes mapped (peak %zu), live %zu (peak %zu), requested %zu (peak %zu), holes %zu, "
            "metadata %zu, peak footprint %zu, %llu mmap, %llu munmap, %llu searches, %llu holes examined, "
            "%llu bad frees\n",
            who, mems_policy_name(settings.config.policy), settings.config.alignment, s->main_chain_length,
            s->segment_count, s->hole_count, s->mapped_bytes, s->peak_mapped_bytes, s->live_bytes, s->peak_live_bytes,
            s->requested_bytes, s->peak_requested_bytes, s->hole_bytes, s->metadata_bytes, s->peak_footprint_bytes,
            (unsigned long long)s->mmap_calls, (unsigned long long)s->munmap_calls, (unsigned long long)s->searches,
            (unsigned long long)s->holes_examined, (unsigned long long)bad);
}

__attribute__((destructor)) static void preload_finish(void)
{
    if (!settings.stats_to && !settings.check_at_exit)
        return;
    struct mems_stats s, each[MEMS_MAX_ARENAS];
    char problem[256] = "";
    int faults = 0;
    start_once();
    /* with arenas MeMS takes each arena's lock itself, one at a time */
    if (!runs_arenas())
        pthread_mutex_lock(&lock);
    size_t arenas = mems_arena_count();
    for (size_t k = 0; arenas > 1 && k < arenas; k++)
        mems_arena_stats(k, &each[k]);
    mems_stats(&s);
    uint64_t bad = __atomic_load_n(&bad_frees, __ATOMIC_RELAXED);
    if (settings.check_at_exit)
        faults = mems_check(problem, sizeof problem);
    if (!runs_arenas())
        pthread_mutex_unlock(&lock);
    if (settings.stats_to != NULL) {
        for (size_t k = 0; arenas > 1 && k < arenas; k++) {
            char who[32];
            snprintf(who, sizeof who, "arena %zu: ", k);
            print_stats(who, &each[k], 0);
        }
        print_stats("", &s, bad);
    }
    if (faults != 0) {
        preload_say("libmems_malloc: MEMS_CHECK: %d problems: %s\n", faults, problem);
        abort();
    }
}
