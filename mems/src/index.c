/*
 * The hole index: every HOLE is in two treaps, so each policy finds its hole
 * in O(log holes) instead of walking the chains, with exactly the choice the
 * specification's scan would make.
 *   by address  keyed by MeMS virtual address; each subtree knows its largest
 *               hole, so "lowest address that fits (from here)" is one descent
 *               (first fit, next fit)
 *   by size     keyed by (size, address): "smallest that fits, lowest address
 *               first" and "largest, lowest address first" (best, worst fit)
 * And the node table: the main nodes in address order in one array, so an
 * address finds its node by binary search.
 *
 * Every structure here lives in pages MeMS maps itself: treap links sit in the
 * segments' metadata slots; the node table is mapped by os_map.
 */
#include "mems_internal.h"

#include <assert.h>
#include <string.h>

/* ---- priorities: deterministic, so runs repeat exactly ---- */

static uint32_t next_priority(void)
{
    uint32_t x = mems_state.priority_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    mems_state.priority_state = x;
    return x;
}

static uintptr_t hole_v(const struct segment *s)
{
    return s->node->v_start + s->offset;
}

/* ---- by address, with the largest size below each node ---- */

static size_t subtree_max(const struct segment *t)
{
    return t != NULL ? t->subtree_max : 0;
}

static void address_update(struct segment *t)
{
    size_t m = t->size;
    if (subtree_max(t->addr_left) > m)
        m = subtree_max(t->addr_left);
    if (subtree_max(t->addr_right) > m)
        m = subtree_max(t->addr_right);
    t->subtree_max = m;
}

/* l gets the holes below `key`, r the rest. */
static void address_split(struct segment *t, uintptr_t key, struct segment **l, struct segment **r)
{
    if (t == NULL) {
        *l = *r = NULL;
    } else if (hole_v(t) < key) {
        address_split(t->addr_right, key, &t->addr_right, r);
        address_update(t);
        *l = t;
    } else {
        address_split(t->addr_left, key, l, &t->addr_left);
        address_update(t);
        *r = t;
    }
}

static struct segment *address_merge(struct segment *a, struct segment *b)
{
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    if (a->priority > b->priority) {
        a->addr_right = address_merge(a->addr_right, b);
        address_update(a);
        return a;
    }
    b->addr_left = address_merge(a, b->addr_left);
    address_update(b);
    return b;
}

/* The lowest-addressed hole of at least `size` bytes at or after `from`. */
static struct segment *address_first_fit(struct segment *t, size_t size, uintptr_t from)
{
    while (t != NULL && t->subtree_max >= size) {
        mems_state.holes_examined++;
        if (hole_v(t) < from) {
            t = t->addr_right;
            continue;
        }
        struct segment *left = address_first_fit(t->addr_left, size, from);
        if (left != NULL)
            return left;
        if (t->size >= size)
            return t;
        t = t->addr_right;
    }
    return NULL;
}

/* ---- by (size, address) ---- */

static bool size_less(const struct segment *a, size_t size, uintptr_t v)
{
    return a->size < size || (a->size == size && hole_v(a) < v);
}

static void size_split(struct segment *t, size_t size, uintptr_t v, struct segment **l, struct segment **r)
{
    if (t == NULL) {
        *l = *r = NULL;
    } else if (size_less(t, size, v)) {
        size_split(t->size_right, size, v, &t->size_right, r);
        *l = t;
    } else {
        size_split(t->size_left, size, v, l, &t->size_left);
        *r = t;
    }
}

static struct segment *size_merge(struct segment *a, struct segment *b)
{
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    if (a->priority > b->priority) {
        a->size_right = size_merge(a->size_right, b);
        return a;
    }
    b->size_left = size_merge(a, b->size_left);
    return b;
}

/* The first hole in (size, address) order not below (size, v). */
static struct segment *size_lower_bound(size_t size, uintptr_t v)
{
    struct segment *t = mems_state.by_size, *found = NULL;
    while (t != NULL) {
        mems_state.holes_examined++;
        if (size_less(t, size, v)) {
            t = t->size_right;
        } else {
            found = t;
            t = t->size_left;
        }
    }
    return found;
}

/* ---- keeping the index in step with the chains ---- */

void index_add_hole(struct segment *seg)
{
    assert(seg->type == SEGMENT_HOLE && !seg->indexed);
    uintptr_t v = hole_v(seg);
    seg->addr_left = seg->addr_right = seg->size_left = seg->size_right = NULL;
    seg->subtree_max = seg->size;
    struct segment *l, *r;
    address_split(mems_state.by_address, v, &l, &r);
    mems_state.by_address = address_merge(address_merge(l, seg), r);
    size_split(mems_state.by_size, seg->size, v, &l, &r);
    mems_state.by_size = size_merge(size_merge(l, seg), r);
    seg->indexed = true;
}

void index_remove_hole(struct segment *seg)
{
    assert(seg->indexed);
    uintptr_t v = hole_v(seg);
    struct segment *l, *middle, *r;
    address_split(mems_state.by_address, v, &l, &r);
    address_split(r, v + 1, &middle, &r);
    assert(middle == seg && seg->addr_left == NULL && seg->addr_right == NULL);
    mems_state.by_address = address_merge(l, r);
    size_split(mems_state.by_size, seg->size, v, &l, &r);
    size_split(r, seg->size, v + 1, &middle, &r);
    assert(middle == seg);
    mems_state.by_size = size_merge(l, r);
    seg->indexed = false;
}

/* ---- every segment by its start, for address lookups ---- */

static void start_split(struct segment *t, uintptr_t key, struct segment **l, struct segment **r)
{
    if (t == NULL) {
        *l = *r = NULL;
    } else if (hole_v(t) < key) {
        start_split(t->start_right, key, &t->start_right, r);
        *l = t;
    } else {
        start_split(t->start_left, key, l, &t->start_left);
        *r = t;
    }
}

static struct segment *start_merge(struct segment *a, struct segment *b)
{
    if (a == NULL)
        return b;
    if (b == NULL)
        return a;
    if (a->priority > b->priority) {
        a->start_right = start_merge(a->start_right, b);
        return a;
    }
    b->start_left = start_merge(a, b->start_left);
    return b;
}

/* A segment's priority is drawn once, when it enters this treap, and kept
 * while it lives: the hole treaps reuse it. Starts may move (a hole grows
 * backwards or shrinks forwards) but never past a neighbour, so the order
 * this treap keeps stays true without touching it. */
void index_add_segment(struct segment *seg)
{
    seg->priority = next_priority();
    seg->start_left = seg->start_right = NULL;
    struct segment *l, *r;
    start_split(mems_state.by_start, hole_v(seg), &l, &r);
    mems_state.by_start = start_merge(start_merge(l, seg), r);
}

void index_remove_segment(struct segment *seg)
{
    uintptr_t v = hole_v(seg);
    struct segment *l, *middle, *r;
    start_split(mems_state.by_start, v, &l, &r);
    start_split(r, v + 1, &middle, &r);
    assert(middle == seg && seg->start_left == NULL && seg->start_right == NULL);
    mems_state.by_start = start_merge(l, r);
}

/* The segment starting at or before `v` nearest to it. */
struct segment *index_segment_at(uintptr_t v)
{
    struct segment *t = mems_state.by_start, *found = NULL;
    while (t != NULL) {
        if (hole_v(t) <= v) {
            found = t;
            t = t->start_right;
        } else {
            t = t->start_left;
        }
    }
    return found;
}

/* ---- the searches, one per policy ---- */

struct segment *index_first_fit(size_t size, uintptr_t from)
{
    return address_first_fit(mems_state.by_address, size, from);
}

struct segment *index_best_fit(size_t size)
{
    return size_lower_bound(size, 0);
}

struct segment *index_worst_fit(size_t size)
{
    struct segment *t = mems_state.by_size;
    if (t == NULL)
        return NULL;
    while (t->size_right != NULL) {
        mems_state.holes_examined++;
        t = t->size_right;
    }
    mems_state.holes_examined++;
    return t->size >= size ? size_lower_bound(t->size, 0) : NULL; /* the lowest address among the largest */
}

/* ---- the node table ---- */

/* Makes room for one more node; false (nothing changed) when mmap fails. */
bool index_reserve_node(void)
{
    if (mems_state.node_count < mems_state.node_table_capacity)
        return true;
    size_t bytes = mems_state.node_table_bytes ? mems_state.node_table_bytes * 2 : (size_t)PAGE_SIZE;
    struct main_node **table = os_map(bytes);
    if (table == NULL)
        return false;
    if (mems_state.node_table != NULL) {
        memcpy(table, mems_state.node_table, mems_state.node_count * sizeof *table);
        if (os_unmap(mems_state.node_table, mems_state.node_table_bytes) != 0)
            state_record_error(MEMS_E_OS, "munmap of the old node table failed");
    }
    mems_state.metadata_bytes += bytes - mems_state.node_table_bytes;
    mems_state.node_table = table;
    mems_state.node_table_bytes = bytes;
    mems_state.node_table_capacity = bytes / sizeof *table;
    state_update_peaks();
    return true;
}

void index_append_node(struct main_node *node)
{
    assert(mems_state.node_count < mems_state.node_table_capacity);
    mems_state.node_table[mems_state.node_count] = node; /* the caller counts it */
}

void index_remove_node(struct main_node *node)
{
    size_t n = mems_state.node_count, i = 0;
    while (i < n && mems_state.node_table[i] != node)
        i++;
    assert(i < n);
    memmove(&mems_state.node_table[i], &mems_state.node_table[i + 1], (n - i - 1) * sizeof *mems_state.node_table);
}

/* The node whose range holds `v`, by binary search. */
struct main_node *index_find_node(uintptr_t v)
{
    size_t lo = 0, hi = mems_state.node_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct main_node *node = mems_state.node_table[mid];
        if (v < node->v_start)
            hi = mid;
        else if (v > node_v_end(node))
            lo = mid + 1;
        else
            return node;
    }
    return NULL;
}

void index_release(void)
{
    if (mems_state.node_table != NULL && os_unmap(mems_state.node_table, mems_state.node_table_bytes) != 0)
        state_record_error(MEMS_E_OS, "munmap of the node table failed");
    mems_state.node_table = NULL;
    mems_state.node_table_bytes = 0;
    mems_state.node_table_capacity = 0;
    mems_state.by_address = mems_state.by_size = mems_state.by_start = NULL;
}

/* ---- for mems_check ---- */

static size_t address_check(const struct segment *t, uintptr_t lo, uintptr_t hi, int *bad)
{
    if (t == NULL)
        return 0;
    uintptr_t v = hole_v(t);
    if (t->type != SEGMENT_HOLE || !t->indexed || v < lo || v > hi)
        (*bad)++;
    size_t n = 1 + address_check(t->addr_left, lo, v - 1, bad) + address_check(t->addr_right, v + 1, hi, bad);
    size_t m = t->size;
    if (subtree_max(t->addr_left) > m)
        m = subtree_max(t->addr_left);
    if (subtree_max(t->addr_right) > m)
        m = subtree_max(t->addr_right);
    if (m != t->subtree_max)
        (*bad)++;
    return n;
}

static size_t size_check(const struct segment *t, const struct segment *lo, const struct segment *hi, int *bad)
{
    if (t == NULL)
        return 0;
    if (t->type != SEGMENT_HOLE || !t->indexed || (lo != NULL && size_less(t, lo->size, hole_v(lo))) ||
        (hi != NULL && !size_less(t, hi->size, hole_v(hi))))
        (*bad)++;
    return 1 + size_check(t->size_left, lo, t, bad) + size_check(t->size_right, t, hi, bad);
}

static size_t start_check(const struct segment *t, uintptr_t lo, uintptr_t hi, int *bad)
{
    if (t == NULL)
        return 0;
    uintptr_t v = hole_v(t);
    if (v < lo || v > hi)
        (*bad)++;
    return 1 + start_check(t->start_left, lo, v - 1, bad) + start_check(t->start_right, v + 1, hi, bad);
}

/* Returns how many entries each treap holds; *bad counts order and summary faults. */
void index_count(size_t *by_address, size_t *by_size, size_t *by_start, int *bad)
{
    *by_address = address_check(mems_state.by_address, 0, UINTPTR_MAX, bad);
    *by_size = size_check(mems_state.by_size, NULL, NULL, bad);
    *by_start = start_check(mems_state.by_start, 0, UINTPTR_MAX, bad);
}
