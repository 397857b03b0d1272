/*
 * The records of the class-rounding members' segments and their free lists.
 * A record per segment, in one mapping with the table that finds it by first
 * granule (open addressing, linear probing, at most half full, removal by
 * backward shift so no tombstones build up); both grow by doubling into a new
 * mapping. A class's free list is doubly linked through the records, so a
 * buddy can leave it from the middle in O(1); blocks are pushed and popped
 * at its head (LIFO). And what the members share beside their records: a
 * new node for a class, a member taking over the heap, its largest hole.
 */
#include "placement.h"

#include <string.h>

#define S mems_state.classes
#define HASH_MULTIPLIER 0x9E3779B97F4A7C15ULL

/* The product's top bits (Fibonacci hashing). Its middle bits, taken
 * before, put the blocks of a buddy tree, whose first granules are runs of
 * multiples of their size, into runs of neighbouring slots: under buddy,
 * python-json probed 11.2 slots per lookup and 9.5 per insertion (now 1.2),
 * make-plan 4.2 and 4.5 (now 1.6 and 1.7); gawk-words, 1.0 before, now 1.6. */
static uint64_t slot_of(uint64_t grain)
{
    return (grain * HASH_MULTIPLIER) >> S.slot_shift;
}

static void table_insert(uint32_t r)
{
    uint64_t i = slot_of(S.records[r].grain);
    while (S.slots[i] != 0)
        i = (i + 1) & S.slot_mask;
    S.slots[i] = r;
}

/* The store grown to hold `more` new records beyond those in use (the
 * test that it must: store_reserve); false (nothing changed) when mmap fails.
 * Only what was ever used is copied, and the numbers past it are handed out
 * in order when the free list is empty rather than threaded on it here: a
 * page of the new mapping is touched when a record in it is first used, not
 * by the growth (buddy on make-plan: 3,000 page faults of the timed pass
 * were the store's growths). */
__attribute__((noinline)) bool store_grow(uint32_t more)
{
    uint64_t capacity = S.record_capacity ? S.record_capacity : 64;
    while ((uint64_t)S.records_in_use + more >= capacity)
        capacity *= 2;
    if (capacity > UINT32_MAX / 2)
        return false;
    size_t record_bytes = capacity * sizeof(struct class_record);
    size_t slot_bytes = 2 * capacity * sizeof(uint32_t);
    size_t bytes = record_bytes + slot_bytes;
    bytes = (bytes + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
    void *map = os_map(bytes);
    if (map == NULL)
        return false;
    struct class_record *records = map;
    uint32_t used = S.record_fresh ? S.record_fresh : 1; /* record 0 is the null record */
    if (S.records != NULL)
        memcpy(records, S.records, used * sizeof *records);
    if (S.map != NULL) {
        mems_state.metadata_bytes -= S.map_bytes;
        state_unmap_or_keep(S.map, S.map_bytes, "the class records");
    }
    S.map = map;
    S.map_bytes = bytes;
    S.records = records;
    S.slots = (uint32_t *)((char *)map + record_bytes);
    S.slot_mask = 2 * capacity - 1;
    S.slot_shift = (uint8_t)__builtin_clzll(S.slot_mask);
    S.record_capacity = (uint32_t)capacity;
    S.record_fresh = used;
    /* the rehash lands in every page of the slots: written whole first, a
     * page fault each, where a probe's read of a fresh page would map the
     * zero page and the store after it fault again */
    if (S.records_in_use > 0)
        memset(S.slots, 0, slot_bytes);
    for (uint32_t r = 1; r < used; r++)
        if (records[r].kind != 0)
            table_insert(r);
    mems_state.metadata_bytes += bytes;
    state_update_peaks();
    return true;
}

/* A new record for the segment at `grain`; store_reserve made room. */
uint32_t store_add(uint64_t grain, struct class_id c, uint8_t kind, uint64_t value)
{
    uint32_t r = S.free_record;
    assert(S.records_in_use + 1 < S.record_capacity);
    if (r != 0) {
        S.free_record = S.records[r].next;
    } else {
        assert(S.record_fresh < S.record_capacity);
        r = S.record_fresh++;
    }
    S.records[r] = (struct class_record){grain, value, 0, 0, c.family, c.order, kind};
    S.records_in_use++;
    table_insert(r);
    return r;
}

uint32_t store_find(uint64_t grain)
{
    if (S.slots == NULL)
        return 0;
    for (uint64_t i = slot_of(grain);; i = (i + 1) & S.slot_mask) {
        uint32_t r = S.slots[i];
        if (r == 0 || S.records[r].grain == grain)
            return r;
    }
}

void store_delete(uint32_t r)
{
    uint64_t i = slot_of(S.records[r].grain);
    while (S.slots[i] != r)
        i = (i + 1) & S.slot_mask;
    /* backward shift: pull later entries of the run into the gap when their
     * home is not between the gap and them */
    for (uint64_t j = i;;) {
        S.slots[i] = 0;
        for (;;) {
            j = (j + 1) & S.slot_mask;
            if (S.slots[j] == 0)
                goto shifted;
            uint64_t home = slot_of(S.records[S.slots[j]].grain);
            if (((j - home) & S.slot_mask) >= ((j - i) & S.slot_mask))
                break;
        }
        S.slots[i] = S.slots[j];
        i = j;
    }
shifted:
    S.records[r] = (struct class_record){0};
    S.records[r].next = S.free_record;
    S.free_record = r;
    S.records_in_use--;
}

void list_push(uint32_t r)
{
    struct class_record *rec = &S.records[r];
    uint32_t *head = &S.head[rec->family][rec->order];
    rec->kind = CLASS_FREE;
    rec->prev = 0;
    rec->next = *head;
    if (*head != 0)
        S.records[*head].prev = r;
    *head = r;
    S.nonempty[rec->family] |= (uint64_t)1 << rec->order;
}

void list_remove(uint32_t r)
{
    struct class_record *rec = &S.records[r];
    if (rec->prev != 0)
        S.records[rec->prev].next = rec->next;
    else if ((S.head[rec->family][rec->order] = rec->next) == 0)
        S.nonempty[rec->family] &= ~((uint64_t)1 << rec->order);
    if (rec->next != 0)
        S.records[rec->next].prev = rec->prev;
    rec->next = rec->prev = 0;
}

/* Every mapping of the records given back, the lists emptied. */
void store_release(void)
{
    if (S.map != NULL) {
        mems_state.metadata_bytes -= S.map_bytes;
        state_unmap_or_keep(S.map, S.map_bytes, "the class records");
    }
    uint8_t member = S.member;
    memset(&S, 0, sizeof S);
    S.member = member;
}

/* For mems_check: the table finds every record, the lists hold exactly the
 * free records of their class, linked both ways. Returns the problems. */
int store_check(size_t segments, size_t free_blocks)
{
    int bad = (size_t)S.records_in_use != segments;
    size_t on_lists = 0;
    for (unsigned f = 0; f < CLASS_FAMILIES; f++)
        for (unsigned o = 0; o < CLASS_ORDERS; o++) {
            bad += ((S.nonempty[f] >> o & 1) != 0) != (S.head[f][o] != 0);
            uint32_t prev = 0;
            for (uint32_t r = S.head[f][o]; r != 0 && on_lists <= S.records_in_use; prev = r, r = S.records[r].next) {
                const struct class_record *rec = &S.records[r];
                bad += rec->kind != CLASS_FREE || rec->family != f || rec->order != o || rec->prev != prev;
                on_lists++;
            }
        }
    bad += on_lists != free_blocks;
    for (uint64_t r = 1; r < S.record_fresh; r++)
        bad += S.records[r].kind != 0 && store_find(S.records[r].grain) != r;
    return bad;
}

__attribute__((noinline)) uint32_t classes_no_memory(void)
{
    state_record_error(MEMS_E_NO_MEMORY, "mmap for MeMS metadata failed");
    return 0;
}

/* A new node for class c (its granules all clean: chain.c sets the heap's
 * clean mark at its first). */
__attribute__((noinline)) struct main_node *classes_new_node(struct class_id c)
{
    size_t pages = class_node_pages(c);
    if (pages == 0) {
        state_record_error(MEMS_E_OVERFLOW, "a node for %ju granules cannot be expressed in bytes",
                           (uintmax_t)class_grains(c));
        return NULL;
    }
    return chain_append_node(pages);
}

/* The member takes over an empty heap: no hole index, its own lists. */
bool classes_select(enum mems_policy policy)
{
    fit_clear();
    mems_state.fit_active = mems_state.fit_exact = mems_state.fit_floored = false;
    bins_clear();
    S.member = class_member_of(policy);
    return true;
}

/* In granules: the largest free block on any list, or uncarved run. */
uint64_t classes_largest_hole(void)
{
    uint64_t largest = 0;
    for (uint8_t f = 0; f < CLASS_FAMILIES; f++) {
        if (S.nonempty[f] != 0) {
            uint64_t size = class_grains((struct class_id){f, (uint8_t)(63 - __builtin_clzll(S.nonempty[f]))});
            largest = size > largest ? size : largest;
        }
        for (unsigned o = 0; o < CLASS_ORDERS; o++)
            if (S.uncarved[f][o] != 0 && S.records[S.uncarved[f][o]].value > largest)
                largest = S.records[S.uncarved[f][o]].value;
    }
    return largest;
}
