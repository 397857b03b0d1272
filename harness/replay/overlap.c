/* The check pass's overlap index: a treap of the live blocks by start
 * address, its nodes inside the id table's slots (no allocation). Inserting a
 * block finds a live block it would overlap. */
#include "replay_internal.h"

static uintptr_t start_of(const struct replay *r, uint32_t i)
{
    return (uintptr_t)r->slots[i].b.real;
}

/* l gets the blocks that start below `key`, rest the others. */
static void treap_split(struct replay *r, uint32_t t, uintptr_t key, uint32_t *l, uint32_t *rest)
{
    if (t == NO_SLOT) {
        *l = *rest = NO_SLOT;
    } else if (start_of(r, t) < key) {
        treap_split(r, r->slots[t].right, key, &r->slots[t].right, rest);
        *l = t;
    } else {
        treap_split(r, r->slots[t].left, key, l, &r->slots[t].left);
        *rest = t;
    }
}

static uint32_t treap_merge(struct replay *r, uint32_t a, uint32_t b)
{
    if (a == NO_SLOT)
        return b;
    if (b == NO_SLOT)
        return a;
    if (r->slots[a].priority > r->slots[b].priority) {
        r->slots[a].right = treap_merge(r, r->slots[a].right, b);
        return a;
    }
    r->slots[b].left = treap_merge(r, a, r->slots[b].left);
    return b;
}

/* Adds block `id`; returns the id of a live block it overlaps, or NO_SLOT. */
uint32_t overlap_insert(struct replay *r, uint32_t id)
{
    struct slot *s = &r->slots[id];
    if (s->extent == 0 || s->b.real == NULL)
        return NO_SLOT; /* nothing to overlap */
    uintptr_t start = (uintptr_t)s->b.real, end = start + s->extent;
    uint32_t l, rest, clash = NO_SLOT;
    treap_split(r, r->root, start, &l, &rest);
    uint32_t before = l, after = rest;
    while (before != NO_SLOT && r->slots[before].right != NO_SLOT)
        before = r->slots[before].right;
    while (after != NO_SLOT && r->slots[after].left != NO_SLOT)
        after = r->slots[after].left;
    if (before != NO_SLOT && start_of(r, before) + r->slots[before].extent > start)
        clash = before;
    else if (after != NO_SLOT && start_of(r, after) < end)
        clash = after;
    if (clash == NO_SLOT) {
        r->rng = r->rng * 1664525u + 1013904223u;
        s->priority = r->rng;
        s->left = s->right = NO_SLOT;
        l = treap_merge(r, l, id);
        s->indexed = 1;
    }
    r->root = treap_merge(r, l, rest);
    return clash;
}

void overlap_remove(struct replay *r, uint32_t id)
{
    struct slot *s = &r->slots[id];
    if (!s->indexed)
        return;
    uintptr_t start = (uintptr_t)s->b.real;
    uint32_t l, middle, rest;
    treap_split(r, r->root, start, &l, &rest);
    treap_split(r, rest, start + 1, &middle, &rest);
    r->root = treap_merge(r, l, rest); /* middle is this block alone: starts are unique */
    s->indexed = 0;
}
