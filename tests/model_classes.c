/*
 * The reference model of the class-rounding members (buddy, double-buddy,
 * simple-seg, simple-seg-3), in the terms ARCHITECTURE.md gives them, on the
 * model's flat array of segments; every step a linear pass, free lists as
 * plain arrays whose last element is the head. Written for clarity, not speed.
 */
#include "model.h"

#include "mems.h"

#include <stdlib.h>
#include <string.h>

struct model_classes {
    uintptr_t *list[2][64]; /* free blocks of class (family, order): LIFO, the head last */
    size_t len[2][64], cap[2][64];
    uintptr_t uncarved[2][64]; /* simple segregated storage: the node end not yet carved (0: none) */
};

struct model_class {
    int family; /* 0: 2^order granules, 1: 3 * 2^order */
    int order;
    size_t bytes;
};

static bool has_triple(const struct model *m)
{
    return m->policy == MEMS_DOUBLE_BUDDY || m->policy == MEMS_SIMPLE_SEG_3;
}

static bool is_buddy(const struct model *m)
{
    return m->policy == MEMS_BUDDY || m->policy == MEMS_DOUBLE_BUDDY;
}

static struct model_class class_make(const struct model *m, int family, int order)
{
    return (struct model_class){family, order, m->alignment * (family ? 3u : 1u) * ((size_t)1 << order)};
}

/* The smallest class of the member that holds `bytes`. */
static struct model_class class_for(const struct model *m, size_t bytes)
{
    struct model_class best = {-1, 0, 0};
    for (int order = 0; order < 48; order++)
        for (int family = 0; family <= (has_triple(m) ? 1 : 0); family++) {
            struct model_class c = class_make(m, family, order);
            if (c.bytes >= bytes && (best.family < 0 || c.bytes < best.bytes))
                best = c;
        }
    return best;
}

/* The class of a block of `bytes`, which is one. */
static struct model_class class_of_block(const struct model *m, size_t bytes)
{
    struct model_class c = class_for(m, bytes);
    if (c.bytes != bytes)
        abort();
    return c;
}

static struct model_classes *state(struct model *m)
{
    if (m->classes == NULL && (m->classes = calloc(1, sizeof *m->classes)) == NULL)
        abort();
    return m->classes;
}

void model_classes_destroy(struct model *m)
{
    if (m->classes == NULL)
        return;
    for (int f = 0; f < 2; f++)
        for (int o = 0; o < 64; o++)
            free(m->classes->list[f][o]);
    free(m->classes);
    m->classes = NULL;
}

static void push(struct model *m, struct model_class c, uintptr_t v)
{
    struct model_classes *s = state(m);
    if (s->len[c.family][c.order] == s->cap[c.family][c.order]) {
        s->cap[c.family][c.order] = s->cap[c.family][c.order] ? 2 * s->cap[c.family][c.order] : 16;
        s->list[c.family][c.order] = realloc(s->list[c.family][c.order], s->cap[c.family][c.order] * sizeof(uintptr_t));
        if (s->list[c.family][c.order] == NULL)
            abort();
    }
    s->list[c.family][c.order][s->len[c.family][c.order]++] = v;
}

/* Takes v off its list wherever it is, the others keeping their order; false when it is not there. */
static bool take(struct model *m, struct model_class c, uintptr_t v)
{
    struct model_classes *s = state(m);
    uintptr_t *list = s->list[c.family][c.order];
    size_t n = s->len[c.family][c.order];
    for (size_t i = 0; i < n; i++)
        if (list[i] == v) {
            memmove(&list[i], &list[i + 1], (n - i - 1) * sizeof *list);
            s->len[c.family][c.order]--;
            return true;
        }
    return false;
}

static long segment_starting(const struct model *m, uintptr_t v)
{
    for (size_t i = 0; i < m->nsegs; i++)
        if (m->segs[i].v == v)
            return (long)i;
    return -1;
}

static long segment_holding(const struct model *m, uintptr_t v)
{
    for (size_t i = 0; i < m->nsegs; i++)
        if (v >= m->segs[i].v && v - m->segs[i].v < m->segs[i].size)
            return (long)i;
    return -1;
}

/* Cuts segment i in two at `bytes`; the second part a HOLE. */
static void split_segment(struct model *m, size_t i, size_t bytes)
{
    if (m->nsegs == m->seg_capacity) {
        m->seg_capacity = m->seg_capacity ? 2 * m->seg_capacity : 16;
        m->segs = realloc(m->segs, m->seg_capacity * sizeof *m->segs);
        if (m->segs == NULL)
            abort();
    }
    memmove(&m->segs[i + 2], &m->segs[i + 1], (m->nsegs - i - 1) * sizeof *m->segs);
    m->nsegs++;
    m->segs[i + 1] = (struct model_segment){.node = m->segs[i].node, .v = m->segs[i].v + bytes, .size = m->segs[i].size - bytes, .hole = true};
    m->segs[i].size = bytes;
}

static void remove_segment_at(struct model *m, size_t i)
{
    memmove(&m->segs[i], &m->segs[i + 1], (m->nsegs - i - 1) * sizeof *m->segs);
    m->nsegs--;
}

static const struct model_node *node_with_id(const struct model *m, size_t id)
{
    for (size_t n = 0; n < m->nnodes; n++)
        if (m->nodes[n].id == id)
            return &m->nodes[n];
    abort();
}

/* Buddy: the smallest node of the class's family (2^j or 3 * 2^j pages),
 * at least min_pages, holding the class. Simple segregated storage: the
 * smallest multiple, at least min_pages, of the fewest pages the class tiles. */
static size_t node_pages(const struct model *m, struct model_class c)
{
    if (is_buddy(m)) {
        size_t pages = c.family ? 3 : 1;
        while (pages < m->min_pages || pages * m->page_size < c.bytes)
            pages *= 2;
        return pages;
    }
    size_t unit = 1;
    while (unit * m->page_size % c.bytes != 0)
        unit++;
    return (m->min_pages + unit - 1) / unit * unit;
}

/* A new node at the end of the chain, one HOLE: its segment's index, or -1. */
static long add_node(struct model *m, size_t pages, int *error)
{
    size_t mapped = 0;
    for (size_t n = 0; n < m->nnodes; n++)
        mapped += m->nodes[n].pages * m->page_size;
    if (m->cap != 0 && mapped + pages * m->page_size > m->cap) {
        *error = MEMS_E_CAP_REACHED;
        return -1;
    }
    uintptr_t start = MEMS_VIRTUAL_BASE;
    if (m->nnodes > 0)
        start = m->nodes[m->nnodes - 1].v_start + m->nodes[m->nnodes - 1].pages * m->page_size;
    if (m->nnodes == m->node_capacity) {
        m->node_capacity = m->node_capacity ? 2 * m->node_capacity : 16;
        m->nodes = realloc(m->nodes, m->node_capacity * sizeof *m->nodes);
        if (m->nodes == NULL)
            abort();
    }
    m->nodes[m->nnodes++] = (struct model_node){m->next_node_id, start, pages};
    if (m->nsegs == m->seg_capacity) {
        m->seg_capacity = m->seg_capacity ? 2 * m->seg_capacity : 16;
        m->segs = realloc(m->segs, m->seg_capacity * sizeof *m->segs);
        if (m->segs == NULL)
            abort();
    }
    m->segs[m->nsegs++] = (struct model_segment){.node = m->next_node_id++, .v = start, .size = pages * m->page_size, .hole = true};
    return (long)m->nsegs - 1;
}

/* Buddy: the head of the smallest non-empty list of the class or above,
 * else a new node; split in halves down to the class, each upper half pushed. */
static long buddy_take(struct model *m, struct model_class c, int *error)
{
    struct model_classes *s = state(m);
    long i = -1;
    int order = c.order;
    for (int o = c.order; o < 64 && i < 0; o++)
        if (s->len[c.family][o] > 0) {
            i = segment_starting(m, s->list[c.family][o][--s->len[c.family][o]]);
            order = o;
        }
    if (i < 0) {
        i = add_node(m, node_pages(m, c), error);
        if (i < 0)
            return -1;
        order = 0;
        while (class_make(m, c.family, order).bytes < m->segs[i].size)
            order++;
    }
    while (order > c.order) {
        order--;
        struct model_class half = class_make(m, c.family, order);
        split_segment(m, (size_t)i, half.bytes);
        push(m, half, m->segs[i].v + half.bytes);
    }
    return i;
}

/* Simple segregated storage: the list's head, else the front of the class's
 * uncarved run, else a new node that becomes that run. */
static long seg_take(struct model *m, struct model_class c, int *error)
{
    struct model_classes *s = state(m);
    if (s->len[c.family][c.order] > 0)
        return segment_starting(m, s->list[c.family][c.order][--s->len[c.family][c.order]]);
    long i;
    if (s->uncarved[c.family][c.order] != 0) {
        i = segment_starting(m, s->uncarved[c.family][c.order]);
    } else if ((i = add_node(m, node_pages(m, c), error)) < 0) {
        return -1;
    }
    s->uncarved[c.family][c.order] = 0;
    if (m->segs[i].size > c.bytes) {
        split_segment(m, (size_t)i, c.bytes);
        s->uncarved[c.family][c.order] = m->segs[i + 1].v;
    }
    return i;
}

uintptr_t model_classes_malloc(struct model *m, size_t size, int *error)
{
    *error = MEMS_OK;
    if (size == 0) {
        *error = MEMS_E_ZERO_SIZE;
        return 0;
    }
    size_t rounded = (size + m->alignment - 1) / m->alignment * m->alignment;
    struct model_class c = class_for(m, rounded);
    long i = is_buddy(m) ? buddy_take(m, c, error) : seg_take(m, c, error);
    if (i < 0)
        return 0;
    m->segs[i].hole = false;
    m->segs[i].requested = size;
    return m->segs[i].v;
}

/* Buddy: merged with its buddy while that is a free block of its class,
 * then pushed (or, with release, a node become one HOLE unmapped).
 * Simple segregated storage: pushed. */
static void free_segment(struct model *m, size_t i)
{
    m->segs[i].hole = true;
    m->segs[i].requested = 0;
    struct model_class c = class_of_block(m, m->segs[i].size);
    if (!is_buddy(m)) {
        push(m, c, m->segs[i].v);
        return;
    }
    const struct model_node *node = node_with_id(m, m->segs[i].node);
    size_t node_bytes = node->pages * m->page_size;
    while (m->segs[i].size < node_bytes) {
        size_t size = m->segs[i].size;
        uintptr_t offset = m->segs[i].v - node->v_start;
        bool upper = offset / size % 2 == 1;
        uintptr_t buddy = upper ? m->segs[i].v - size : m->segs[i].v + size;
        if (!take(m, c, buddy))
            break;
        if (upper)
            i--;
        m->segs[i].size += size;
        remove_segment_at(m, i + 1);
        c = class_make(m, c.family, c.order + 1);
    }
    if (m->segs[i].size == node_bytes && m->release) {
        size_t n = (size_t)(node - m->nodes);
        remove_segment_at(m, i);
        memmove(&m->nodes[n], &m->nodes[n + 1], (m->nnodes - n - 1) * sizeof *m->nodes);
        m->nnodes--;
        return;
    }
    push(m, c, m->segs[i].v);
}

static long live_block(const struct model *m, uintptr_t v, int *error)
{
    long i = segment_holding(m, v);
    if (i < 0)
        *error = MEMS_E_UNKNOWN_ADDRESS;
    else if (m->segs[i].hole)
        *error = MEMS_E_DOUBLE_FREE;
    else if (m->segs[i].v != v)
        *error = MEMS_E_INTERIOR_FREE;
    else
        return i;
    return -1;
}

int model_classes_free(struct model *m, uintptr_t v)
{
    int error = MEMS_OK;
    if (v == 0)
        return MEMS_OK;
    long i = live_block(m, v, &error);
    if (i >= 0)
        free_segment(m, (size_t)i);
    return error;
}

/* In place while the new size's class is the block's; else moved. */
uintptr_t model_classes_realloc(struct model *m, uintptr_t v, size_t size, int *error)
{
    *error = MEMS_OK;
    if (v == 0)
        return model_classes_malloc(m, size, error);
    long i = live_block(m, v, error);
    if (i < 0)
        return 0;
    if (size == 0) {
        free_segment(m, (size_t)i);
        return 0;
    }
    size_t rounded = (size + m->alignment - 1) / m->alignment * m->alignment;
    if (class_for(m, rounded).bytes == m->segs[i].size) {
        m->segs[i].requested = size;
        return v;
    }
    uintptr_t moved = model_classes_malloc(m, size, error);
    if (moved != 0)
        free_segment(m, (size_t)segment_starting(m, v));
    return moved;
}
