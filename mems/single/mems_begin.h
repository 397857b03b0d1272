/* MeMS in one file: declarations and implementation. Include it in exactly one
 * translation unit; -DPAGE_SIZE=N picks the page size. */
#ifndef MEMS_SINGLE_FILE_H
#define MEMS_SINGLE_FILE_H
/* one copy of the core, the static heap's: no arenas (arena.c) */
#define MEMS_ONE_CORE_COPY
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
