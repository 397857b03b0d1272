/* Sanitizer builds: their runtimes own mmap and munmap, so nothing is counted. */
#include "replay_internal.h"

bool os_count_available(void)
{
    return false;
}

void os_count_read(unsigned long *mmaps, unsigned long *munmaps)
{
    *mmaps = *munmaps = 0;
}
