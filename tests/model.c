/* The reference model: see model.h. Written for clarity, not speed. */
#include "model.h"

#include "mems.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The members whose blocks are size classes: model_classes.c. */
static bool model_rounds_to_classes(const struct model *m)
{
    return m->policy >= MEMS_BUDDY && m->policy <= MEMS_SIMPLE_SEG_3;
}

static void *grow(void *array, size_t *capacity, size_t needed, size_t item)
{
    if (needed <= *capacity)
        return array;
    size_t n = *capacity ? *capacity * 2 : 16;
    while (n < needed)
        n *= 2;
    array = realloc(array, n * item);
    if (array == NULL)
        abort();
    *capacity = n;
    return array;
}

void model_init(struct model *m, size_t page_size, int policy, size_t alignment, size_t min_pages, bool release,
                size_t cap)
{
    memset(m, 0, sizeof *m);
    m->page_size = page_size;
    m->policy = policy;
    m->alignment = alignment;
    m->min_pages = min_pages;
    m->release = release;
    m->cap = cap;
    m->front = m->back = (uint64_t)1 << 63;
}

void model_destroy(struct model *m)
{
    model_classes_destroy(m);
    free(m->segs);
    free(m->nodes);
    memset(m, 0, sizeof *m);
}

static void insert_segment(struct model *m, size_t at, struct model_segment seg)
{
    m->segs = grow(m->segs, &m->seg_capacity, m->nsegs + 1, sizeof *m->segs);
    memmove(&m->segs[at + 1], &m->segs[at], (m->nsegs - at) * sizeof *m->segs);
    m->segs[at] = seg;
    m->nsegs++;
}

static void remove_segment(struct model *m, size_t at)
{
    memmove(&m->segs[at], &m->segs[at + 1], (m->nsegs - at - 1) * sizeof *m->segs);
    m->nsegs--;
}

static long find_segment(const struct model *m, uintptr_t v)
{
    for (size_t i = 0; i < m->nsegs; i++)
        if (v >= m->segs[i].v && v - m->segs[i].v < m->segs[i].size)
            return (long)i;
    return -1;
}

static size_t node_index(const struct model *m, size_t id)
{
    for (size_t i = 0; i < m->nnodes; i++)
        if (m->nodes[i].id == id)
            return i;
    abort();
}

static bool same_node_hole(const struct model *m, size_t i, size_t j)
{
    return j < m->nsegs && m->segs[j].hole && m->segs[j].node == m->segs[i].node;
}

/* ---- the zoo's members with a list order, TLSF and Lea (ARCHITECTURE.md) ---- */

static bool lifo(int policy)
{
    return policy == MEMS_FIRST_FIT_LIFO || policy == MEMS_NEXT_FIT_LIFO || policy == MEMS_BEST_FIT_LIFO;
}

static uintptr_t heap_end(const struct model *m)
{
    const struct model_node *last = &m->nodes[m->nnodes - 1];
    return last->v_start + last->pages * m->page_size;
}

/* Hole i has just appeared: a new node's, a free's (merged or not), a
 * realloc's freed tail. It takes a new place in the list: the front (LIFO)
 * or the back (FIFO); for TLSF it is the youngest; for Lea it is the top if
 * it ends at the heap's end (an older top becomes binned, the youngest),
 * else the last remainder if it swallowed the last remainder, else binned,
 * the youngest. A build (address order) takes places at the back. */
static void hole_appears(struct model *m, size_t i, bool swallowed_remainder, bool building)
{
    struct model_segment *s = &m->segs[i];
    s->role = MODEL_BINNED;
    if (m->policy == MEMS_LEA) {
        if (s->v + s->size == heap_end(m)) {
            for (size_t j = 0; j < m->nsegs; j++)
                if (j != i && m->segs[j].hole && m->segs[j].role == MODEL_TOP) {
                    m->segs[j].role = MODEL_BINNED;
                    m->segs[j].stamp = ++m->back;
                }
            s->role = MODEL_TOP;
            return;
        }
        bool remainder_exists = false;
        for (size_t j = 0; j < m->nsegs; j++)
            remainder_exists |= j != i && m->segs[j].hole && m->segs[j].role == MODEL_REMAINDER;
        if (swallowed_remainder && !remainder_exists) {
            s->role = MODEL_REMAINDER;
            return;
        }
        s->stamp = ++m->back;
        return;
    }
    s->stamp = lifo(m->policy) && !building ? m->front-- : ++m->back;
    if (m->cursor_pending) {
        m->list_cursor = s->stamp;
        m->cursor_pending = false;
    }
}

void model_set_policy(struct model *m, int policy)
{
    m->policy = policy;
    m->list_cursor = 0;
    m->cursor_pending = false;
    for (size_t i = 0; i < m->nsegs; i++)
        if (m->segs[i].hole)
            hole_appears(m, i, false, true);
}

/* TLSF's list of a hole of g granules: exact below 32, else the power of two
 * and one of its 32 linear subdivisions. */
static unsigned tlsf_list(uint64_t g)
{
    if (g < 32)
        return (unsigned)g;
    unsigned top = 63 - (unsigned)__builtin_clzll(g);
    return (top - 4) * 32 + (unsigned)((g >> (top - 5)) - 32);
}

/* The list a request of g granules searches from: g rounded up to the next
 * list's start, so that every hole there holds it. */
static unsigned tlsf_request_list(uint64_t g)
{
    if (g >= 32)
        g += ((uint64_t)1 << (63 - __builtin_clzll(g) - 5)) - 1;
    return tlsf_list(g);
}

/* The hole the member chooses for `size` bytes, or -1; *chosen_by_best:
 * Lea's step 3 chose it (its remainder becomes the last remainder). */
static long zoo_search(struct model *m, size_t size, bool *chosen_by_best)
{
    long found = -1;
    if (m->policy == MEMS_TLSF) {
        unsigned from = tlsf_request_list(size / m->alignment);
        for (size_t i = 0; i < m->nsegs; i++) {
            const struct model_segment *s = &m->segs[i];
            if (!s->hole || tlsf_list(s->size / m->alignment) < from)
                continue;
            unsigned list = tlsf_list(s->size / m->alignment);
            if (found < 0 || list < tlsf_list(m->segs[found].size / m->alignment) ||
                (list == tlsf_list(m->segs[found].size / m->alignment) && s->stamp > m->segs[found].stamp))
                found = (long)i;
        }
        return found;
    }
    if (m->policy == MEMS_LEA) {
        long remainder = -1, top = -1;
        for (size_t i = 0; i < m->nsegs; i++) {
            const struct model_segment *s = &m->segs[i];
            if (!s->hole)
                continue;
            if (s->role == MODEL_REMAINDER)
                remainder = (long)i;
            else if (s->role == MODEL_TOP)
                top = (long)i;
            else if (s->size >= size && (found < 0 || s->size < m->segs[found].size ||
                                         (s->size == m->segs[found].size && s->stamp < m->segs[found].stamp)))
                found = (long)i;
        }
        if (found >= 0 && m->segs[found].size == size)
            return found;
        if (remainder >= 0) {
            if (m->segs[remainder].size >= size)
                return remainder;
            m->segs[remainder].role = MODEL_BINNED;
            m->segs[remainder].stamp = ++m->back;
        }
        if (found >= 0) {
            *chosen_by_best = true;
            return found;
        }
        return top >= 0 && m->segs[top].size >= size ? top : -1;
    }
    bool best = m->policy == MEMS_BEST_FIT_LIFO || m->policy == MEMS_BEST_FIT_FIFO;
    bool next = m->policy == MEMS_NEXT_FIT_LIFO || m->policy == MEMS_NEXT_FIT_FIFO;
    for (int pass = 0; pass < 2 && found < 0; pass++) {
        for (size_t i = 0; i < m->nsegs; i++) {
            const struct model_segment *s = &m->segs[i];
            if (!s->hole || s->size < size || (next && pass == 0 && s->stamp < m->list_cursor))
                continue;
            if (found < 0 || (best && s->size < m->segs[found].size) ||
                ((!best || s->size == m->segs[found].size) && s->stamp < m->segs[found].stamp))
                found = (long)i;
        }
        if (!next)
            break;
    }
    if (next) {
        if (found >= 0)
            m->list_cursor = m->segs[found].stamp;
        else
            m->cursor_pending = true;
    }
    return found;
}

static long search(struct model *m, size_t size, bool *chosen_by_best)
{
    *chosen_by_best = false;
    if (m->policy > MEMS_WORST_FIT)
        return zoo_search(m, size, chosen_by_best);
    long chosen = -1;
    if (m->policy == MEMS_NEXT_FIT) {
        size_t start = 0;
        long at = m->cursor ? find_segment(m, m->cursor) : 0;
        if (at >= 0)
            start = (size_t)at;
        else
            for (size_t i = 0; i < m->nsegs; i++)
                if (m->segs[i].v > m->cursor) {
                    start = i;
                    break;
                }
        for (size_t k = 0; k < m->nsegs; k++) {
            size_t i = (start + k) % m->nsegs;
            if (m->segs[i].hole && m->segs[i].size >= size)
                return (long)i;
        }
        return -1;
    }
    for (size_t i = 0; i < m->nsegs; i++) {
        const struct model_segment *s = &m->segs[i];
        if (!s->hole || s->size < size)
            continue;
        if (m->policy == MEMS_FIRST_FIT)
            return (long)i;
        if (chosen < 0 || (m->policy == MEMS_BEST_FIT && s->size < m->segs[chosen].size) ||
            (m->policy == MEMS_WORST_FIT && s->size > m->segs[chosen].size))
            chosen = (long)i;
    }
    return chosen;
}

static size_t mapped_bytes(const struct model *m)
{
    size_t total = 0;
    for (size_t i = 0; i < m->nnodes; i++)
        total += m->nodes[i].pages * m->page_size;
    return total;
}

static long append_node(struct model *m, size_t size, int *error)
{
    size_t pages = (size + m->page_size - 1) / m->page_size;
    if (pages < m->min_pages)
        pages = m->min_pages;
    size_t bytes = pages * m->page_size;
    if (m->cap != 0 && mapped_bytes(m) + bytes > m->cap) {
        *error = MEMS_E_CAP_REACHED;
        return -1;
    }
    uintptr_t start = MEMS_VIRTUAL_BASE;
    if (m->nnodes > 0) {
        const struct model_node *last = &m->nodes[m->nnodes - 1];
        start = last->v_start + last->pages * m->page_size;
    }
    m->nodes = grow(m->nodes, &m->node_capacity, m->nnodes + 1, sizeof *m->nodes);
    m->nodes[m->nnodes++] = (struct model_node){m->next_node_id, start, pages};
    insert_segment(m, m->nsegs, (struct model_segment){m->next_node_id, start, bytes, 0, true, 0, 0});
    m->next_node_id++;
    hole_appears(m, m->nsegs - 1, false, false);
    return (long)m->nsegs - 1;
}

static size_t round_size(const struct model *m, size_t size)
{
    return (size + m->alignment - 1) / m->alignment * m->alignment;
}

uintptr_t model_malloc(struct model *m, size_t size, int *error)
{
    if (model_rounds_to_classes(m))
        return model_classes_malloc(m, size, error);
    *error = MEMS_OK;
    if (size == 0) {
        *error = MEMS_E_ZERO_SIZE;
        return 0;
    }
    size_t r = round_size(m, size);
    bool chosen_by_best;
    long i = search(m, r, &chosen_by_best);
    if (i < 0)
        i = append_node(m, r, error);
    if (i < 0)
        return 0;
    struct model_segment *s = &m->segs[i];
    if (s->size > r) {
        /* the remainder keeps the hole's list place and role; TLSF files it
         * anew; Lea's best fit makes it the last remainder */
        struct model_segment rest = {s->node, s->v + r, s->size - r, 0, true, s->stamp, s->role};
        if (m->policy == MEMS_TLSF)
            rest.stamp = ++m->back;
        if (chosen_by_best)
            rest.role = MODEL_REMAINDER;
        s->size = r;
        insert_segment(m, (size_t)i + 1, rest);
        s = &m->segs[i];
    }
    s->hole = false;
    s->requested = size;
    m->cursor = s->v;
    return s->v;
}

static void free_index(struct model *m, size_t i)
{
    m->segs[i].hole = true;
    m->segs[i].requested = 0;
    bool swallowed_remainder = false;
    if (same_node_hole(m, i, i + 1)) {
        swallowed_remainder |= m->segs[i + 1].role == MODEL_REMAINDER;
        m->segs[i].size += m->segs[i + 1].size;
        remove_segment(m, i + 1);
    }
    if (i > 0 && same_node_hole(m, i, i - 1)) {
        swallowed_remainder |= m->segs[i - 1].role == MODEL_REMAINDER;
        m->segs[i - 1].size += m->segs[i].size;
        remove_segment(m, i);
        i--;
    }
    hole_appears(m, i, swallowed_remainder, false);
    size_t id = m->segs[i].node;
    bool alone = (i == 0 || m->segs[i - 1].node != id) && (i + 1 == m->nsegs || m->segs[i + 1].node != id);
    if (m->release && alone) {
        size_t n = node_index(m, id);
        uintptr_t start = m->nodes[n].v_start;
        if (m->cursor >= start && m->cursor - start < m->nodes[n].pages * m->page_size)
            m->cursor = n + 1 < m->nnodes ? m->nodes[n + 1].v_start : 0;
        remove_segment(m, i);
        memmove(&m->nodes[n], &m->nodes[n + 1], (m->nnodes - n - 1) * sizeof *m->nodes);
        m->nnodes--;
    }
}

static long locate_block(const struct model *m, uintptr_t v, int *error)
{
    long i = find_segment(m, v);
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

int model_free(struct model *m, uintptr_t v)
{
    if (model_rounds_to_classes(m))
        return model_classes_free(m, v);
    int error = MEMS_OK;
    if (v == 0)
        return MEMS_OK;
    long i = locate_block(m, v, &error);
    if (i >= 0)
        free_index(m, (size_t)i);
    return error;
}

uintptr_t model_realloc(struct model *m, uintptr_t v, size_t size, int *error)
{
    if (model_rounds_to_classes(m))
        return model_classes_realloc(m, v, size, error);
    *error = MEMS_OK;
    if (v == 0)
        return model_malloc(m, size, error);
    long i = locate_block(m, v, error);
    if (i < 0)
        return 0;
    if (size == 0) {
        free_index(m, (size_t)i);
        return 0;
    }
    size_t r = round_size(m, size);
    struct model_segment *s = &m->segs[i];
    if (r <= s->size) {
        size_t spare = s->size - r;
        if (spare > 0 && same_node_hole(m, (size_t)i, (size_t)i + 1)) {
            m->segs[i + 1].v -= spare;
            m->segs[i + 1].size += spare;
            hole_appears(m, (size_t)i + 1, m->segs[i + 1].role == MODEL_REMAINDER, false);
        } else if (spare > 0) {
            insert_segment(m, (size_t)i + 1, (struct model_segment){s->node, s->v + r, spare, 0, true, 0, 0});
            hole_appears(m, (size_t)i + 1, false, false);
        }
        m->segs[i].size = r;
        m->segs[i].requested = size;
        return v;
    }
    if (same_node_hole(m, (size_t)i, (size_t)i + 1) && s->size + m->segs[i + 1].size >= r) {
        size_t need = r - s->size;
        if (need == m->segs[i + 1].size) {
            remove_segment(m, (size_t)i + 1);
        } else {
            /* carved from its front: keeps its place and role (TLSF files it anew) */
            m->segs[i + 1].v += need;
            m->segs[i + 1].size -= need;
            if (m->policy == MEMS_TLSF)
                m->segs[i + 1].stamp = ++m->back;
        }
        m->segs[i].size = r;
        m->segs[i].requested = size;
        return v;
    }
    uintptr_t moved = model_malloc(m, size, error);
    if (moved == 0)
        return 0;
    free_index(m, (size_t)find_segment(m, v));
    return moved;
}

long model_get(const struct model *m, uintptr_t v, int *error)
{
    *error = MEMS_OK;
    long i = find_segment(m, v);
    if (i < 0) {
        *error = MEMS_E_UNKNOWN_ADDRESS;
        return -1;
    }
    if (m->segs[i].hole) {
        *error = MEMS_E_GET_HOLE;
        return -1;
    }
    return (long)(v - m->nodes[node_index(m, m->segs[i].node)].v_start);
}

size_t model_hole_bytes(const struct model *m)
{
    size_t total = 0;
    for (size_t i = 0; i < m->nsegs; i++)
        if (m->segs[i].hole)
            total += m->segs[i].size;
    return total;
}

/* The first segment at or above address v: segments are in address order and
 * a node's are one run of them, so the stats text takes a search per node,
 * not a pass over every segment (at 20,000 blocks that pass made long random
 * runs quadratic). */
static size_t first_segment_from(const struct model *m, uintptr_t v)
{
    size_t low = 0, high = m->nsegs;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (m->segs[mid].v < v)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

char *model_stats_text(const struct model *m)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    if (out == NULL)
        abort();
    fprintf(out, "----- MeMS SYSTEM STATS -----\n");
    size_t pages = 0;
    for (size_t n = 0; n < m->nnodes; n++) {
        const struct model_node *node = &m->nodes[n];
        pages += node->pages;
        fprintf(out, "MAIN[%ju:%ju]-> ", (uintmax_t)node->v_start,
                (uintmax_t)(node->v_start + node->pages * m->page_size - 1));
        for (size_t i = first_segment_from(m, node->v_start); i < m->nsegs && m->segs[i].node == node->id; i++)
            fprintf(out, "%s[%ju:%ju] <-> ", m->segs[i].hole ? "H" : "P", (uintmax_t)m->segs[i].v,
                    (uintmax_t)(m->segs[i].v + m->segs[i].size - 1));
        fprintf(out, "NULL\n");
    }
    fprintf(out, "Pages used:\t%zu\nSpace unused:\t%zu\nMain Chain Length:\t%zu\nSub-chain Length array: [", pages,
            model_hole_bytes(m), m->nnodes);
    for (size_t n = 0; n < m->nnodes; n++) {
        size_t count = 0;
        for (size_t i = first_segment_from(m, m->nodes[n].v_start); i < m->nsegs && m->segs[i].node == m->nodes[n].id;
             i++)
            count++;
        fprintf(out, "%zu, ", count);
    }
    fprintf(out, "]\n-----------------------------\n");
    fclose(out);
    return text;
}
