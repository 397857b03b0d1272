/* The 4 KB lab allocator in one file: gcc test_alloc.c alloc.c */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#undef PAGE_SIZE
#define PAGE_SIZE 4096
/* one copy of the core, the static heap's: no arenas (arena.c) */
#define MEMS_ONE_CORE_COPY
