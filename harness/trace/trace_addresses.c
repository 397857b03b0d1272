/* Addresses (mtrace, heaptrack raw) become block ids; see trace_builder.h. */
#include "trace_builder.h"

#include <stdlib.h>

static size_t address_slot(const struct address_map *m, uint64_t address)
{
    uint64_t h = address * 0x9E3779B97F4A7C15ULL;
    return (size_t)(h >> 17) & (m->capacity - 1);
}

long address_find(const struct address_map *m, uint64_t address)
{
    if (m->capacity == 0)
        return -1;
    for (size_t i = address_slot(m, address);; i = (i + 1) & (m->capacity - 1)) {
        if (m->keys[i] == 0)
            return -1;
        if (m->keys[i] == address)
            return (long)i;
    }
}

static int address_grow(struct address_map *m)
{
    struct address_map old = *m;
    m->capacity = old.capacity ? old.capacity * 2 : 1024;
    m->keys = calloc(m->capacity, sizeof *m->keys);
    m->ids = calloc(m->capacity, sizeof *m->ids);
    if (m->keys == NULL || m->ids == NULL)
        return -1;
    m->used = 0;
    for (size_t i = 0; i < old.capacity; i++)
        if (old.keys[i] > 1) {
            size_t j = address_slot(m, old.keys[i]);
            while (m->keys[j] != 0)
                j = (j + 1) & (m->capacity - 1);
            m->keys[j] = old.keys[i];
            m->ids[j] = old.ids[i];
            m->used++;
        }
    free(old.keys);
    free(old.ids);
    return 0;
}

int address_put(struct address_map *m, uint64_t address, uint32_t id)
{
    if ((m->used + 1) * 2 > m->capacity && address_grow(m) != 0)
        return -1;
    size_t i = address_slot(m, address);
    while (m->keys[i] > 1)
        i = (i + 1) & (m->capacity - 1);
    m->keys[i] = address;
    m->ids[i] = id;
    m->used++;
    return 0;
}

uint32_t id_take(struct address_map *m)
{
    return m->nfree > 0 ? m->free_ids[--m->nfree] : m->next_id++;
}

int address_add(struct address_map *m, uint64_t address, uint32_t *id)
{
    *id = id_take(m);
    return address_put(m, address, *id);
}

uint32_t address_take(struct address_map *m, size_t slot)
{
    m->keys[slot] = 1;
    return m->ids[slot];
}

int id_recycle(struct address_map *m, uint32_t id)
{
    if (m->nfree == m->free_capacity) {
        size_t n = m->free_capacity ? m->free_capacity * 2 : 256;
        uint32_t *grown = realloc(m->free_ids, n * sizeof *grown);
        if (grown == NULL)
            return -1;
        m->free_ids = grown;
        m->free_capacity = n;
    }
    m->free_ids[m->nfree++] = id;
    return 0;
}

void address_map_free(struct address_map *m)
{
    free(m->keys);
    free(m->ids);
    free(m->free_ids);
}

