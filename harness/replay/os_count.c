/*
 * Counts the mmap and munmap calls made during a replay, two ways:
 *   perf     the kernel's syscall tracepoints, through perf_event_open: every
 *            call of the process, glibc's internal ones included (needs
 *            tracefs and the permission to open tracepoint counters);
 *   interposed  otherwise: the executable exports mmap and munmap, so a
 *            preloaded allocator (jemalloc, mimalloc, tcmalloc) that calls them
 *            through its PLT is counted here; glibc's own malloc calls an
 *            internal mmap that this cannot see.
 * Not built with sanitizers, whose runtimes define these symbols themselves.
 */
#include "replay_internal.h"

#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static unsigned long mmap_count, munmap_count;

void *mmap(void *address, size_t length, int protection, int flags, int fd, off_t offset)
{
    __atomic_add_fetch(&mmap_count, 1, __ATOMIC_RELAXED);
    return (void *)syscall(SYS_mmap, address, length, protection, flags, fd, offset);
}

void *mmap64(void *address, size_t length, int protection, int flags, int fd, off_t offset)
{
    return mmap(address, length, protection, flags, fd, offset);
}

int munmap(void *address, size_t length)
{
    __atomic_add_fetch(&munmap_count, 1, __ATOMIC_RELAXED);
    return (int)syscall(SYS_munmap, address, length);
}

static int perf_fds[2] = {-2, -2}; /* -2: not tried yet, -1: unavailable */

static long tracepoint_id(const char *event)
{
    static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
    for (size_t i = 0; i < 2; i++) {
        char path[160];
        snprintf(path, sizeof path, "%s/events/syscalls/%s/id", roots[i], event);
        FILE *f = fopen(path, "r");
        long id = -1;
        if (f != NULL) {
            if (fscanf(f, "%ld", &id) != 1)
                id = -1;
            fclose(f);
        }
        if (id >= 0)
            return id;
    }
    return -1;
}

static int open_tracepoint_counter(const char *event)
{
    long id = tracepoint_id(event);
    if (id < 0)
        return -1;
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.size = sizeof attr;
    attr.config = (unsigned long long)id;
    attr.inherit = 1; /* threads the allocator starts, too */
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Opens the counters once, before the replay: it reads files and so may map. */
static bool perf_ready(void)
{
    if (perf_fds[0] == -2 && getenv("MEMS_BENCH_NO_PERF") != NULL)
        perf_fds[0] = perf_fds[1] = -1; /* for tests of the other method */
    if (perf_fds[0] == -2) {
        perf_fds[0] = open_tracepoint_counter("sys_enter_mmap");
        perf_fds[1] = perf_fds[0] >= 0 ? open_tracepoint_counter("sys_enter_munmap") : -1;
        if (perf_fds[1] < 0 && perf_fds[0] >= 0) {
            close(perf_fds[0]);
            perf_fds[0] = -1;
        }
    }
    return perf_fds[0] >= 0;
}

const char *os_count_method(int interposable)
{
    if (perf_ready())
        return "perf";
    return interposable ? "interposed" : NULL;
}

void os_count_read(unsigned long *mmaps, unsigned long *munmaps)
{
    if (perf_ready()) {
        unsigned long long values[2] = {0, 0};
        for (int i = 0; i < 2; i++)
            if (read(perf_fds[i], &values[i], sizeof values[i]) != (ssize_t)sizeof values[i])
                values[i] = 0;
        *mmaps = (unsigned long)values[0];
        *munmaps = (unsigned long)values[1];
        return;
    }
    *mmaps = __atomic_load_n(&mmap_count, __ATOMIC_RELAXED);
    *munmaps = __atomic_load_n(&munmap_count, __ATOMIC_RELAXED);
}
