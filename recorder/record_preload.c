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
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "record_table.h"

#define EXPORT __attribute__((visibility("default")))
#define TLS __thread __attribute__((tls_model("initial-exec")))
#define BUFFER_BYTES (256 * 1024)
#define FLUSH_EVENTS 4096
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
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);
static void (*real__exit)(int) __attribute__((noreturn));

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

static void resolve_real(void)
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

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static TLS int inside;          /* this thread is in the recorder: calls pass through */
static TLS int thread_number = -1;
static int next_thread_number;
static int trace_fd = -1;
static bool disabled;
static char *buffer;
static size_t buffered, events_since_flush;
static uint64_t unknown_frees;

/* ---- output ---- */

static void write_all(const char *data, size_t n)
{
    while (n > 0 && trace_fd >= 0) {
        ssize_t w = write(trace_fd, data, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            disabled = true;
            return;
        }
        data += w;
        n -= (size_t)w;
    }
}

static void flush_events(void)
{
    if (buffered > 0)
        write_all(buffer, buffered);
    buffered = 0;
    events_since_flush = 0;
}

static void put_text(const char *s)
{
    size_t n = strlen(s);
    if (buffered + n > BUFFER_BYTES)
        flush_events();
    memcpy(buffer + buffered, s, n);
    buffered += n;
}

static void put_number(uint64_t v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    char text[24];
    for (int i = 0; i < n; i++)
        text[i] = digits[n - 1 - i];
    text[n] = '\0';
    put_text(text);
}

/* One event line: op letter, numbers, thread. */
static void put_event(char op, int count, ...)
{
    if (buffered + 128 > BUFFER_BYTES)
        flush_events();
    char letter[2] = {op, '\0'};
    put_text(letter);
    va_list args;
    va_start(args, count);
    for (int i = 0; i < count; i++) {
        put_text(" ");
        int64_t v = va_arg(args, int64_t);
        if (v < 0)
            put_text("-");
        else
            put_number((uint64_t)v);
    }
    va_end(args);
    if (thread_number < 0)
        thread_number = next_thread_number++;
    if (thread_number > 0) {
        put_text(" @");
        put_number((uint64_t)thread_number);
    }
    put_text("\n");
    if (++events_since_flush >= FLUSH_EVENTS)
        flush_events();
}

/* Opens DIR/PROGRAM.PID.trace, or PROGRAM.PID-N.trace when an earlier image
 * of this process (before an exec) already wrote that name. */
static void open_trace_file(void)
{
    const char *dir = getenv("MEMS_TRACE_DIR");
    if (dir == NULL || *dir == '\0') {
        disabled = true;
        return;
    }
    char program[64] = "program";
    int fd = open("/proc/self/comm", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, program, sizeof program - 1);
        close(fd);
        if (n > 0) {
            program[n] = '\0';
            program[strcspn(program, "\n/ ")] = '\0';
        }
    }
    char path[4096];
    char pid[24];
    size_t at = 0;
    uint64_t v = (uint64_t)getpid();
    do {
        pid[at++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (int generation = 0; generation < 1000; generation++) {
        size_t n = 0;
        path[0] = '\0';
        strncat(path, dir, sizeof path - 200);
        strcat(path, "/");
        strcat(path, program);
        strcat(path, ".");
        n = strlen(path);
        for (size_t i = 0; i < at; i++)
            path[n + i] = pid[at - 1 - i];
        path[n + at] = '\0';
        if (generation > 0) {
            strcat(path, "-");
            char g[8] = {(char)('0' + generation / 100 % 10), (char)('0' + generation / 10 % 10),
                         (char)('0' + generation % 10), '\0'};
            strcat(path, g[0] == '0' ? (g[1] == '0' ? g + 2 : g + 1) : g);
        }
        strcat(path, ".trace");
        trace_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (trace_fd >= 0 || errno != EEXIST)
            break;
    }
    if (trace_fd < 0)
        disabled = true;
}

static void start_trace(const char *note)
{
    open_trace_file();
    if (disabled)
        return;
    put_text("mems-trace 1\n# recorded by libmems_record.so");
    if (note != NULL)
        put_text(note);
    put_text("\n");
}

/* Called with the lock held. Returns false when recording is off. */
static bool ready(void)
{
    if (disabled)
        return false;
    if (buffer == NULL) {
        buffer = map_pages(BUFFER_BYTES);
        if (buffer == NULL) {
            disabled = true;
            return false;
        }
        start_trace(NULL);
    }
    return !disabled;
}

/* ---- recording ---- */

static void record_new(char op, void *p, uint64_t a, uint64_t b)
{
    if (p == NULL || !ready())
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
    if (!ready())
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
    if (!ready())
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
        pthread_mutex_lock(&lock);                                                                             \
    } while (0)
#define LEAVE()                                                                                                \
    do {                                                                                                       \
        pthread_mutex_unlock(&lock);                                                                           \
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

/* ---- process events ---- */

static void flush_locked(void)
{
    if (buffer != NULL && !disabled)
        flush_events();
}

static void before_fork(void)
{
    inside = 1;
    pthread_mutex_lock(&lock);
    flush_locked(); /* the child must not write the parent's buffered events again */
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&lock);
    inside = 0;
}

static void put_inherited(uint32_t id, uint64_t size)
{
    if (!disabled)
        put_event('a', 2, (int64_t)id, (int64_t)size);
}

/* The child starts its own trace, opening with the blocks it inherited. */
static void after_fork_child(void)
{
    if (trace_fd >= 0)
        close(trace_fd);
    trace_fd = -1;
    buffered = 0;
    events_since_flush = 0;
    if (buffer != NULL && !disabled) {
        start_trace("\n# forked: the first allocations are the blocks inherited from the parent");
        table_for_each(put_inherited);
    }
    pthread_mutex_unlock(&lock);
    inside = 0;
}

static void flush_now(void)
{
    int was_inside = inside;
    inside = 1;
    pthread_mutex_lock(&lock);
    flush_locked();
    pthread_mutex_unlock(&lock);
    inside = was_inside;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
    resolve_real();
    flush_now();
    return real_execve(path, argv, envp);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
    resolve_real();
    flush_now();
    return real_execvpe(file, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
    return execve(path, argv, environ);
}

EXPORT int execvp(const char *file, char *const argv[])
{
    return execvpe(file, argv, environ);
}

/* glibc's execl family calls its internal execve directly: gather the
 * arguments here and go through the interposed one. */
#define MAX_EXEC_ARGS 4096

static int collect_args(const char *first, va_list args, char **argv)
{
    int n = 0;
    argv[n++] = (char *)first;
    while (n < MAX_EXEC_ARGS - 1 && (argv[n] = va_arg(args, char *)) != NULL)
        n++;
    argv[n] = NULL;
    return n;
}

EXPORT int execl(const char *path, const char *arg, ...)
{
    char *argv[MAX_EXEC_ARGS];
    va_list args;
    va_start(args, arg);
    collect_args(arg, args, argv);
    va_end(args);
    return execve(path, argv, environ);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
    char *argv[MAX_EXEC_ARGS];
    va_list args;
    va_start(args, arg);
    collect_args(arg, args, argv);
    va_end(args);
    return execvpe(file, argv, environ);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
    char *argv[MAX_EXEC_ARGS];
    va_list args;
    va_start(args, arg);
    collect_args(arg, args, argv);
    char *const *envp = va_arg(args, char *const *);
    va_end(args);
    return execve(path, argv, envp);
}

EXPORT void _exit(int status)
{
    resolve_real();
    flush_now();
    real__exit(status);
}

__attribute__((constructor)) static void recorder_start(void)
{
    resolve_real();
    pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

__attribute__((destructor)) static void recorder_stop(void)
{
    inside = 1;
    pthread_mutex_lock(&lock);
    if (buffer != NULL && !disabled) {
        if (unknown_frees > 0) {
            put_text("# frees and reallocs of blocks allocated before recording began, skipped: ");
            put_number(unknown_frees);
            put_text("\n");
        }
        flush_events();
    }
    pthread_mutex_unlock(&lock);
    inside = 0;
}
