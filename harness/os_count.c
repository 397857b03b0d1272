/*
 * Counts the mmap and munmap calls the allocator under test makes. The
 * executable exports these two symbols, so a preloaded allocator (jemalloc,
 * mimalloc, tcmalloc) that calls mmap through its PLT calls these, which
 * count and then make the system call. glibc's own malloc calls an internal
 * mmap that cannot be interposed: its counts are left out of the results.
 * Not built with sanitizers, whose runtimes define these symbols themselves.
 */
#include "replay_internal.h"

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

bool os_count_available(void)
{
    return true;
}

void os_count_read(unsigned long *mmaps, unsigned long *munmaps)
{
    *mmaps = __atomic_load_n(&mmap_count, __ATOMIC_RELAXED);
    *munmaps = __atomic_load_n(&munmap_count, __ATOMIC_RELAXED);
}
