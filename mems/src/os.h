/*
 * The operating system: os.c is the only file that talks to the kernel.
 * Above the heap's state (its counters and error record).
 */
#ifndef MEMS_OS_H
#define MEMS_OS_H

#include "state.h"

void *os_map(size_t bytes);
int os_unmap(void *address, size_t bytes);
/* The same, counted in no heap's statistics: for the arenas' shared real-page map, whose leaves two arenas may
 * map at once under their own locks. */
void *os_map_shared(size_t bytes);
int os_unmap_shared(void *address, size_t bytes);
/* Test hooks: make the k-th mmap / munmap from now fail (0 disarms); count live mappings. */
void mems_test_fail_mmap(long k);
void mems_test_fail_munmap(long k);
long mems_test_live_mappings(void);
/* Unmaps a mapping MeMS owns; one whose munmap fails is kept for mems_finish to retry. */
void state_unmap_or_keep(void *address, size_t bytes, const char *what);

#endif /* MEMS_OS_H */
