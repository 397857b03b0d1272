/* The allocator list of a sweep (scaling, threads): each name resolved once,
 * one the figure's gnuplot command line can carry, none named twice. */
#ifndef MEMS_BENCH_ALLOC_LIST_H
#define MEMS_BENCH_ALLOC_LIST_H

#include "backend.h"

#include <stddef.h>

struct alloc_list {
    const char *command; /* "scaling", "threads": its messages begin "mems-bench COMMAND: " */
    struct backend *backend;
    size_t count, capacity;
};

/* What becomes of a name that does not resolve (an allocator not installed, a
 * spelling this build lacks): refused, left out with a word, or left out silently. */
enum alloc_missing { ALLOC_MISSING_REFUSED, ALLOC_MISSING_SAID, ALLOC_MISSING_SILENT };

/* Adds `spec`. Returns 0 (added, or left out as `missing` says), or -1 after
 * saying why on stderr. */
int alloc_list_add(struct alloc_list *list, const char *spec, enum alloc_missing missing);

#endif
