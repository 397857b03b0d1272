/*
 * A deliberately simple reference model of MeMS for the tests: one flat array
 * of segments in address order, every operation a linear pass. It predicts
 * virtual addresses, errors and the exact mems_print_stats() text, so the
 * chains can be compared with something written independently of them.
 */
#ifndef MEMS_MODEL_H
#define MEMS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct model_segment {
    size_t node;         /* id of its mapping */
    uintptr_t v;         /* first virtual address */
    size_t size;
    size_t requested;
    bool hole;
};

struct model_node {
    size_t id;
    uintptr_t v_start;
    size_t pages;
};

struct model {
    size_t page_size, alignment, min_pages, cap;
    int policy;          /* enum mems_policy */
    bool release;
    struct model_segment *segs;
    size_t nsegs, seg_capacity;
    struct model_node *nodes;
    size_t nnodes, node_capacity, next_node_id;
    uintptr_t cursor;    /* next fit resumes in the segment holding this address (0: start) */
    struct model_classes *classes; /* the class-rounding members' lists (model_classes.c) */
};

void model_init(struct model *m, size_t page_size, int policy, size_t alignment, size_t min_pages, bool release,
                size_t cap);
void model_destroy(struct model *m);
/* Each returns what MeMS should: an address, or 0 with *error set (enum mems_error). */
uintptr_t model_malloc(struct model *m, size_t size, int *error);
int model_free(struct model *m, uintptr_t v);
uintptr_t model_realloc(struct model *m, uintptr_t v, size_t size, int *error);
/* Offset of v inside its PROCESS segment's node mapping, or -1 with *error. */
long model_get(const struct model *m, uintptr_t v, int *error);
/* The exact mems_print_stats() text; the caller frees it. */
char *model_stats_text(const struct model *m);
size_t model_hole_bytes(const struct model *m);

/* model_classes.c: the class-rounding members (mems_policy_rounds_to_classes) */
uintptr_t model_classes_malloc(struct model *m, size_t size, int *error);
int model_classes_free(struct model *m, uintptr_t v);
uintptr_t model_classes_realloc(struct model *m, uintptr_t v, size_t size, int *error);
void model_classes_destroy(struct model *m);

#endif
