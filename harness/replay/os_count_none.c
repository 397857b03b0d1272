/* Sanitizer builds: their runtimes own mmap and munmap, so nothing is counted. */
#include "replay_internal.h"

const char *os_count_method(int interposable)
{
    (void)interposable;
    return NULL;
}

void os_count_read(unsigned long *mmaps, unsigned long *munmaps)
{
    *mmaps = *munmaps = 0;
}
