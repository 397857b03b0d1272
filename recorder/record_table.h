/* The recorder's address → id table (record_table.c). */
#ifndef MEMS_RECORD_TABLE_H
#define MEMS_RECORD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct entry {
    uintptr_t address; /* 0 empty, 1 deleted */
    uint32_t id;
    uint64_t size;
};

void *map_pages(size_t bytes);
/* Adds a live block; returns its new id, or -1 when the table cannot grow. */
int64_t table_add(uintptr_t address, uint64_t size);
struct entry *table_find(uintptr_t address);
/* Removes a live block; returns its id, which becomes free for reuse. */
uint32_t table_remove(struct entry *e);
bool table_move(struct entry *e, uintptr_t address, uint64_t size);
void table_for_each(void (*visit)(uint32_t id, uint64_t size));

#endif
