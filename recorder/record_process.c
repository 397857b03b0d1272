/*
 * The recorder's process events: fork (the child starts a trace of its own,
 * opening with the blocks it inherited), the exec family and _exit (each
 * flushes first, as no destructor runs after them), and the library's
 * constructor and destructor. Apart from record_preload.c because these are
 * the process's life, not its allocation calls.
 */
#include "record_internal.h"
#include "record_table.h"

#include <stdarg.h>
#include <unistd.h>

static void flush_locked(void)
{
    if (trace_buffer != NULL && !disabled)
        flush_events();
}

static void before_fork(void)
{
    inside = 1;
    pthread_mutex_lock(&call_lock);
    flush_locked(); /* the child must not write the parent's buffered events again */
}

static void after_fork_parent(void)
{
    pthread_mutex_unlock(&call_lock);
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
    if (trace_buffer != NULL && !disabled) {
        start_trace("\n# forked: the first allocations are the blocks inherited from the parent");
        table_for_each(put_inherited);
    }
    pthread_mutex_unlock(&call_lock);
    inside = 0;
}

static void flush_now(void)
{
    int was_inside = inside;
    inside = 1;
    pthread_mutex_lock(&call_lock);
    flush_locked();
    pthread_mutex_unlock(&call_lock);
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
    pthread_mutex_lock(&call_lock);
    if (trace_buffer != NULL && !disabled) {
        if (unknown_frees > 0) {
            put_text("# frees and reallocs of blocks allocated before recording began, skipped: ");
            put_number(unknown_frees);
            put_text("\n");
        }
        flush_events();
    }
    pthread_mutex_unlock(&call_lock);
    inside = 0;
}
