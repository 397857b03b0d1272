/*
 * libmems_record.so: preloaded into a program, it writes every allocation
 * call as the native trace format (traces/FORMAT.md) into
 * $MEMS_TRACE_DIR/PROGRAM.PID[-N].trace.
 *
 * It never uses the allocator it records: its buffer and address table come
 * from mmap, and it formats numbers itself. One mutex orders every call and
 * its event, so the trace has one consistent order across threads. Events are
 * flushed every FLUSH_EVENTS events, so a killed program loses at most that
 * many; fork, exec and exit flush first.
 *
 * This file holds the lookup of the real allocator (and the bootstrap arena
 * used during it), the interposed allocation calls and what they record; the
 * trace's buffer and file are in record_output.c, fork, exec and exit in
 * record_process.c, the address table in record_table.c.
 */
#include "record_internal.h"
#include "record_table.h"

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BOOTSTRAP_BYTES (64 * 1024)

/* ---- the real allocator ---- */

static void *(*real_malloc)(size_t);
static void (*real_free)(void *);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);
static void *(*real_pvalloc)(size_t);
int (*real_execve)(const char *, char *const[], char *const[]);
int (*real_execvpe)(const char *, char *const[], char *const[]);
void (*real__exit)(int) __attribute__((noreturn));

/* dlsym may itself call calloc: those early calls get memory from here and
 * are not recorded (they are the loader's, not the program's). */
static unsigned char bootstrap_arena[BOOTSTRAP_BYTES] __attribute__((aligned(64)));
static size_t bootstrap_used;
static int resolving;

static void *bootstrap_alloc(size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (bootstrap_used + size > sizeof bootstrap_arena)
        return NULL;
    void *p = bootstrap_arena + bootstrap_used;
    bootstrap_used += size;
    return p;
}

static bool from_bootstrap(const void *p)
{
    return (const unsigned char *)p >= bootstrap_arena && (const unsigned char *)p < bootstrap_arena + BOOTSTRAP_BYTES;
}

void resolve_real(void)
{
    if (real_malloc != NULL || resolving)
        return;
    resolving = 1;
    real_calloc = dlsym(RTLD_NEXT, "calloc");
    real_malloc = dlsym(RTLD_NEXT, "malloc");
    real_free = dlsym(RTLD_NEXT, "free");
    real_realloc = dlsym(RTLD_NEXT, "realloc");
    real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    real_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    real_memalign = dlsym(RTLD_NEXT, "memalign");
    real_valloc = dlsym(RTLD_NEXT, "valloc");
    real_pvalloc = dlsym(RTLD_NEXT, "pvalloc");
    real_execve = dlsym(RTLD_NEXT, "execve");
    real_execvpe = dlsym(RTLD_NEXT, "execvpe");
    real__exit = dlsym(RTLD_NEXT, "_exit");
    resolving = 0;
}

/* ---- state ---- */

pthread_mutex_t call_lock = PTHREAD_MUTEX_INITIALIZER;
TLS int inside; /* this thread is in the recorder: calls pass through */
bool disabled;
uint64_t unknown_frees;

/* ---- recording ---- */

static void record_new(char op, void *p, uint64_t a, uint64_t b)
{
    if (p == NULL || !trace_ready())
        return;
    int64_t id = table_add((uintptr_t)p, op == 'c' ? a * b : (op == 'm' ? b : a));
    if (id < 0) {
        disabled = true;
        return;
    }
    if (op == 'a' || op == 'R')
        put_event(op, 2, id, (int64_t)a);
    else
        put_event(op, 3, id, (int64_t)a, (int64_t)b);
}

static void record_free(void *p)
{
    if (!trace_ready())
        return;
    if (p == NULL) {
        put_event('f', 1, (int64_t)-1);
        return;
    }
    struct entry *e = table_find((uintptr_t)p);
    if (e == NULL) {
        unknown_frees++; /* allocated before recording began */
        return;
    }
    put_event('f', 1, (int64_t)table_remove(e));
}

static void record_realloc(void *old, void *p, size_t size)
{
    if (!trace_ready())
        return;
    struct entry *e = table_find((uintptr_t)old);
    if (e == NULL) {
        unknown_frees++;
        record_new('a', p, size, 0);
        return;
    }
    if (size == 0 && p == NULL) { /* realloc(p, 0) freed it */
        put_event('r', 2, (int64_t)table_remove(e), (int64_t)0);
        return;
    }
    /* the block keeps its id at its new address */
    uint32_t id = e->id;
    if (!table_move(e, (uintptr_t)p, size)) {
        disabled = true;
        return;
    }
    put_event('r', 2, (int64_t)id, (int64_t)size);
}

#define ENTER()                                                                                                \
    do {                                                                                                       \
        resolve_real();                                                                                        \
        inside = 1;                                                                                            \
        pthread_mutex_lock(&call_lock);                                                                        \
    } while (0)
#define LEAVE()                                                                                                \
    do {                                                                                                       \
        pthread_mutex_unlock(&call_lock);                                                                      \
        inside = 0;                                                                                            \
    } while (0)

EXPORT void *malloc(size_t size)
{
    if (resolving)
        return bootstrap_alloc(size);
    resolve_real();
    if (inside)
        return real_malloc(size);
    ENTER();
    void *p = real_malloc(size);
    record_new('a', p, size, 0);
    LEAVE();
    return p;
}

EXPORT void *calloc(size_t n, size_t size)
{
    if (resolving)
        return bootstrap_alloc(n * size); /* zeroed: the arena is static */
    resolve_real();
    if (inside)
        return real_calloc(n, size);
    ENTER();
    void *p = real_calloc(n, size);
    record_new('c', p, n, size);
    LEAVE();
    return p;
}

EXPORT void free(void *p)
{
    if (from_bootstrap(p))
        return;
    resolve_real();
    if (inside || real_free == NULL) {
        if (real_free != NULL)
            real_free(p);
        return;
    }
    ENTER();
    record_free(p);
    real_free(p);
    LEAVE();
}

EXPORT void *realloc(void *old, size_t size)
{
    if (resolving)
        return bootstrap_alloc(size);
    resolve_real();
    if (from_bootstrap(old)) {
        /* move a bootstrap block into the real heap; its size is unknown, so copy what fits */
        void *p = real_malloc(size);
        if (p != NULL)
            memcpy(p, old, size < BOOTSTRAP_BYTES - (size_t)((unsigned char *)old - bootstrap_arena)
                               ? size
                               : BOOTSTRAP_BYTES - (size_t)((unsigned char *)old - bootstrap_arena));
        return p;
    }
    if (inside)
        return real_realloc(old, size);
    ENTER();
    void *p = real_realloc(old, size);
    if (old == NULL)
        record_new('R', p, size, 0);
    else if (p != NULL || size == 0)
        record_realloc(old, p, size);
    LEAVE();
    return p;
}

static void *aligned_common(size_t align, size_t size, void *p)
{
    record_new('m', p, align, size);
    return p;
}

EXPORT int posix_memalign(void **out, size_t align, size_t size)
{
    resolve_real();
    if (inside)
        return real_posix_memalign(out, align, size);
    ENTER();
    int rc = real_posix_memalign(out, align, size);
    if (rc == 0)
        aligned_common(align, size, *out);
    LEAVE();
    return rc;
}

EXPORT void *aligned_alloc(size_t align, size_t size)
{
    resolve_real();
    if (inside)
        return real_aligned_alloc(align, size);
    ENTER();
    void *p = aligned_common(align, size, real_aligned_alloc(align, size));
    LEAVE();
    return p;
}

EXPORT void *memalign(size_t align, size_t size)
{
    resolve_real();
    if (inside)
        return real_memalign(align, size);
    ENTER();
    void *p = aligned_common(align, size, real_memalign(align, size));
    LEAVE();
    return p;
}

EXPORT void *valloc(size_t size)
{
    resolve_real();
    if (inside)
        return real_valloc(size);
    ENTER();
    void *p = aligned_common((size_t)sysconf(_SC_PAGESIZE), size, real_valloc(size));
    LEAVE();
    return p;
}

EXPORT void *pvalloc(size_t size)
{
    resolve_real();
    if (inside)
        return real_pvalloc(size);
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    ENTER();
    void *p = aligned_common(page, (size + page - 1) / page * page, real_pvalloc(size));
    LEAVE();
    return p;
}
