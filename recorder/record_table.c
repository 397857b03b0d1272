/*
 * The recorder's address → id table: open addressing in pages of its own
 * (never the allocator being recorded), ids of freed blocks reused so traces
 * keep small id spaces. Called with the recorder's lock held.
 */
#include "record_table.h"

#include <string.h>
#include <sys/mman.h>

static struct entry *table;
static size_t table_capacity, table_used, table_live;
static uint32_t *free_ids;
static size_t free_ids_count, free_ids_capacity;
static uint32_t next_id;

void *map_pages(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static size_t slot_of(uintptr_t address, size_t capacity)
{
    return (size_t)((address * 0x9E3779B97F4A7C15ULL) >> 20) & (capacity - 1);
}

static bool table_grow(void)
{
    size_t capacity = table_capacity ? table_capacity * 2 : 1 << 16;
    struct entry *grown = map_pages(capacity * sizeof *grown);
    if (grown == NULL)
        return false;
    for (size_t i = 0; i < table_capacity; i++)
        if (table[i].address > 1) {
            size_t j = slot_of(table[i].address, capacity);
            while (grown[j].address != 0)
                j = (j + 1) & (capacity - 1);
            grown[j] = table[i];
        }
    if (table != NULL)
        munmap(table, table_capacity * sizeof *table);
    table = grown;
    table_capacity = capacity;
    table_used = table_live;
    return true;
}

struct entry *table_find(uintptr_t address)
{
    if (table == NULL)
        return NULL;
    for (size_t i = slot_of(address, table_capacity);; i = (i + 1) & (table_capacity - 1)) {
        if (table[i].address == 0)
            return NULL;
        if (table[i].address == address)
            return &table[i];
    }
}

static bool id_give_back(uint32_t id)
{
    if (free_ids_count == free_ids_capacity) {
        size_t capacity = free_ids_capacity ? free_ids_capacity * 2 : 1 << 14;
        uint32_t *grown = map_pages(capacity * sizeof *grown);
        if (grown == NULL)
            return false;
        if (free_ids != NULL) {
            memcpy(grown, free_ids, free_ids_count * sizeof *grown);
            munmap(free_ids, free_ids_capacity * sizeof *free_ids);
        }
        free_ids = grown;
        free_ids_capacity = capacity;
    }
    free_ids[free_ids_count++] = id;
    return true;
}

/* Adds a live block; returns its id, or -1 when the table cannot grow. */
int64_t table_add(uintptr_t address, uint64_t size)
{
    if ((table_used + 1) * 4 > table_capacity * 3 && !table_grow())
        return -1;
    size_t i = slot_of(address, table_capacity);
    while (table[i].address > 1)
        i = (i + 1) & (table_capacity - 1);
    if (table[i].address == 0)
        table_used++;
    uint32_t id = free_ids_count > 0 ? free_ids[--free_ids_count] : next_id++;
    table[i] = (struct entry){address, id, size};
    table_live++;
    return id;
}

uint32_t table_remove(struct entry *e)
{
    uint32_t id = e->id;
    e->address = 1;
    table_live--;
    id_give_back(id);
    return id;
}


/* Moves live entry `e` to `address`, keeping its id; false if the table cannot grow. */
bool table_move(struct entry *e, uintptr_t address, uint64_t size)
{
    uint32_t id = e->id;
    e->address = 1;
    table_live--;
    if ((table_used + 1) * 4 > table_capacity * 3 && !table_grow())
        return false;
    size_t i = slot_of(address, table_capacity);
    while (table[i].address > 1)
        i = (i + 1) & (table_capacity - 1);
    if (table[i].address == 0)
        table_used++;
    table[i] = (struct entry){address, id, size};
    table_live++;
    return true;
}

void table_for_each(void (*visit)(uint32_t id, uint64_t size))
{
    for (size_t i = 0; i < table_capacity; i++)
        if (table[i].address > 1)
            visit(table[i].id, table[i].size);
}
