/* The allocator list of a sweep: see alloc_list.h. */
#include "alloc_list.h"

#include <stdio.h>
#include <string.h>

int alloc_list_add(struct alloc_list *list, const char *spec, enum alloc_missing missing)
{
    char why[512];
    if (list->count == list->capacity) {
        fprintf(stderr, "mems-bench %s: at most %zu allocators\n", list->command, list->capacity);
        return -1;
    }
    struct backend *b = &list->backend[list->count];
    if (backend_resolve(spec, b, why, sizeof why) != 0) {
        if (missing == ALLOC_MISSING_SAID)
            fprintf(stderr, "mems-bench %s: %s; left out\n", list->command, why);
        else if (missing == ALLOC_MISSING_REFUSED)
            fprintf(stderr, "mems-bench %s: --alloc: %s\n", list->command, why);
        return missing == ALLOC_MISSING_REFUSED ? -1 : 0;
    }
    /* the name goes into the figure's gnuplot command line and the CSV */
    if (b->name[0] == '\0' ||
        b->name[strspn(b->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")] != '\0') {
        fprintf(stderr, "mems-bench %s: --alloc: allocator name '%s': letters, digits, '.', '_', '@' and '-' only\n",
                list->command, b->name);
        return -1;
    }
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->backend[i].name, b->name) == 0) {
            fprintf(stderr, "mems-bench %s: --alloc names '%s' twice\n", list->command, b->name);
            return -1;
        }
    list->count++;
    return 0;
}
