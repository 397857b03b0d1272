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
    /* the zoo's members with a list order or an age: a hole's place in its
     * list (ascending is list order) or its age (larger is younger); Lea's
     * role of a hole (MODEL_BINNED, MODEL_REMAINDER, MODEL_TOP) */
    uint64_t stamp;
    int role;
};

enum { MODEL_BINNED = 0, MODEL_REMAINDER, MODEL_TOP };

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
    uint64_t front, back; /* the stamps at the two ends of the free list */
    uint64_t list_cursor; /* next fit over a list: the place of the last placement's hole */
    bool cursor_pending;  /* no hole fitted: the next hole that appears is the cursor */
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
/* mems_set_policy on the model: a member with a list order or roles lists
 * the holes in address order, as MeMS builds its index. */
void model_set_policy(struct model *m, int policy);

/* model_classes.c: the class-rounding members (mems_policy_rounds_to_classes) */
uintptr_t model_classes_malloc(struct model *m, size_t size, int *error);
int model_classes_free(struct model *m, uintptr_t v);
uintptr_t model_classes_realloc(struct model *m, uintptr_t v, size_t size, int *error);
void model_classes_destroy(struct model *m);

#endif
