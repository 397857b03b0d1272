/*
 * Holes by size, for best fit: one record per hole in segregated bins, as in
 * dlmalloc and TLSF. Sizes up to SIZE_BIN_EXACT granules have a bin each;
 * above, each power of two is cut into eight bins. A bitmap says which bins
 * hold holes. Each bin is a treap ordered by (size, address) whose leftmost
 * record is cached, so best fit is: the first record not below (n, 0) in n's
 * own bin, else the leftmost of the next bin that holds any; the smallest
 * hole that fits, the lowest address among equals, as the scan would choose.
 *
 * Records live in one mapping that doubles as needed and halves (rebuilt)
 * when three quarters stand empty.
 */
#include "placement.h"

#include <assert.h>
#include <string.h>

#define B (mems_state.bins)
#define RECORD(i) (B.records[i])

/* A record's treap priority is a hash of its number: deterministic, so runs
 * repeat exactly, and stored nowhere. */
static inline uint32_t priority_of(uint32_t record)
{
    uint32_t x = record * 0x9E3779B1u;
    x ^= x >> 16;
    return x * 0x85EBCA77u;
}

/* The bin of a hole of `size` granules (the zoo's sized indexes use the same). */
uint32_t bins_index_of(uint64_t size)
{
    assert(size > 0);
    if (size <= SIZE_BIN_EXACT)
        return size == 0 ? 0 : (uint32_t)(size - 1);
    unsigned fl = 63 - (unsigned)__builtin_clzll(size);
    unsigned sl = (unsigned)(size >> (fl - 3)) & 7;
    uint32_t bin = SIZE_BIN_EXACT + (fl - 6) * 8 + sl;
    return bin < SIZE_BIN_COUNT ? bin : SIZE_BIN_COUNT - 1; /* fl >= 6 here: always below */
}

/* One 128-bit compare: two instructions and no branch, where the test of
 * size then address took two branches (and the exact bins, where sizes are
 * all equal, always took both). */
static bool key_less(uint64_t size_a, grain_t grain_a, uint64_t size_b, grain_t grain_b)
{
    unsigned __int128 a = (unsigned __int128)size_a << 64 | grain_a, b = (unsigned __int128)size_b << 64 | grain_b;
    return a < b;
}

/* ---- the record store ---- */

static bool records_resize(size_t capacity)
{
    size_t bytes = (capacity * sizeof(struct hole_record) + PAGE_SIZE - 1) & ~((size_t)PAGE_SIZE - 1);
    struct hole_record *map = os_map(bytes);
    if (map == NULL)
        return false;
    capacity = bytes / sizeof(struct hole_record);
    /* records keep their numbers: the treaps link by number */
    size_t keep = B.record_capacity < capacity ? B.record_capacity : capacity;
    if (B.records != NULL) {
        memcpy(map, B.records, keep * sizeof *map);
        mems_state.metadata_bytes -= B.map_bytes;
        state_unmap_or_keep(B.records, B.map_bytes, "the old hole records");
    }
    B.records = map;
    B.map_bytes = bytes;
    mems_state.metadata_bytes += bytes;
    /* rebuild the free list over every unused number below capacity */
    B.free_list = 0;
    for (size_t i = capacity; i-- > 1;)
        if (i >= keep || RECORD(i).size == 0) {
            RECORD(i).size = 0;
            RECORD(i).left = B.free_list;
            B.free_list = (uint32_t)i;
        }
    B.record_capacity = capacity;
    /* a store three quarters empty is rebuilt smaller, once it is past a few pages */
    B.compact_below = capacity > 4 * (PAGE_SIZE / sizeof(struct hole_record)) ? (capacity + 3) / 4 : 0;
    state_update_peaks();
    return true;
}

/* Room for `more` records to be added; false (nothing changed) when mmap fails. */
bool bins_reserve(size_t more)
{
    if (!B.active || B.stale)
        return true;
    size_t needed = B.records_in_use + 1 + more;
    if (needed <= B.record_capacity)
        return true;
    size_t capacity = B.record_capacity ? B.record_capacity * 2 : PAGE_SIZE / sizeof(struct hole_record);
    while (capacity < needed)
        capacity *= 2;
    if (capacity > UINT32_MAX)
        return false;
    return records_resize(capacity);
}

static uint32_t record_take(uint64_t size, grain_t g)
{
    uint32_t i = B.free_list;
    assert(i != 0);
    B.free_list = RECORD(i).left;
    RECORD(i) = (struct hole_record){.size = size, .grain = g};
    B.records_in_use++;
    return i;
}

static void record_give(uint32_t i)
{
    RECORD(i).size = 0;
    RECORD(i).left = B.free_list;
    B.free_list = i;
    B.records_in_use--;
}

/* ---- one bin's treap ---- */

/* Puts record n into the treap at *link: down while the records there come
 * first by priority, then n takes the place and the rest is split around its key. */
static void treap_insert(uint32_t *link, uint32_t n)
{
    const uint64_t size = RECORD(n).size;
    const grain_t g = RECORD(n).grain;
    const uint32_t priority = priority_of(n);
    while (*link != 0 && priority <= priority_of(*link)) {
        struct hole_record *t = &RECORD(*link);
        link = key_less(size, g, t->size, t->grain) ? &t->left : &t->right;
    }
    uint32_t t = *link;
    uint32_t *l = &RECORD(n).left, *r = &RECORD(n).right;
    while (t != 0) {
        if (key_less(RECORD(t).size, RECORD(t).grain, size, g)) {
            *l = t;
            l = &RECORD(t).right;
            t = RECORD(t).right;
        } else {
            *r = t;
            r = &RECORD(t).left;
            t = RECORD(t).left;
        }
    }
    *l = *r = 0;
    *link = n;
}

static uint32_t treap_join(uint32_t a, uint32_t b)
{
    uint32_t root = 0, *link = &root;
    for (;;) {
        if (a == 0 || b == 0) {
            *link = a != 0 ? a : b;
            return root;
        }
        if (priority_of(a) > priority_of(b)) {
            *link = a;
            link = &RECORD(a).right;
            a = RECORD(a).right;
        } else {
            *link = b;
            link = &RECORD(b).left;
            b = RECORD(b).left;
        }
    }
}

/* Removes the record with this key from the treap at *link; returns it. */
static uint32_t treap_remove(uint32_t *link, uint64_t size, grain_t g)
{
    while (*link != 0) {
        struct hole_record *t = &RECORD(*link);
        if (t->size == size && t->grain == g) {
            uint32_t found = *link;
            *link = treap_join(t->left, t->right);
            return found;
        }
        link = key_less(size, g, t->size, t->grain) ? &t->left : &t->right;
    }
    return 0;
}

static uint32_t treap_leftmost(uint32_t t)
{
    while (t != 0 && RECORD(t).left != 0)
        t = RECORD(t).left;
    return t;
}

/* ---- keeping the bins ---- */

/* Frees must not fail, yet a free can open a hole where there was none; when
 * the store is full and cannot grow, the bins are dropped and rebuilt by the
 * next allocation (index_prepare), which can fail cleanly. */
static void bins_drop(void)
{
    if (B.records != NULL) {
        mems_state.metadata_bytes -= B.map_bytes;
        state_unmap_or_keep(B.records, B.map_bytes, "the hole records");
    }
    memset(&B, 0, sizeof B);
    B.active = true;
    B.stale = true;
}

/* Record n into a bin that holds others already; most adds find their bin
 * empty (three in four on python-json) and need none of this. */
static void bin_insert(uint32_t bin, uint32_t n)
{
    treap_insert(&B.root[bin], n);
    uint32_t first = B.leftmost[bin];
    if (key_less(RECORD(n).size, RECORD(n).grain, RECORD(first).size, RECORD(first).grain))
        B.leftmost[bin] = n;
}

void bins_add(grain_t g, uint64_t size)
{
    if (!B.active || B.stale)
        return;
    if (B.free_list == 0 && !records_resize(B.record_capacity ? B.record_capacity * 2 : 128)) {
        bins_drop();
        return;
    }
    uint32_t n = record_take(size, g);
    uint32_t bin = bins_index_of(size);
    if (B.root[bin] != 0) {
        bin_insert(bin, n);
        return;
    }
    B.root[bin] = B.leftmost[bin] = n;
    B.nonempty[bin / 64] |= (uint64_t)1 << (bin % 64);
}

/* Hole (from, size), the first of its bin, becomes (to, new_size), smaller:
 * when that stays in the bin its record is rekeyed where it is (a smaller key
 * than the first's is still first), with no removal and no insert; false
 * when it cannot be, and nothing changed. What a placement that carves the
 * front of the lowest large hole (the heap's end, often) does. */
bool bins_shrink_first(grain_t from, uint64_t size, grain_t to, uint64_t new_size)
{
    assert(new_size > 0 && new_size < size);
    if (size <= SIZE_BIN_EXACT || !B.active || B.stale)
        return false;
    uint32_t bin = bins_index_of(size), n = B.leftmost[bin];
    if (bin != bins_index_of(new_size) || RECORD(n).grain != from || RECORD(n).size != size)
        return false;
    RECORD(n).size = new_size;
    RECORD(n).grain = to;
    return true;
}

void bins_remove(grain_t g, uint64_t size)
{
    if (!B.active || B.stale)
        return;
    uint32_t bin = bins_index_of(size);
    uint32_t n = B.leftmost[bin];
    if (n != 0 && RECORD(n).grain == g && RECORD(n).size == size) {
        /* the bin's first, as best fit takes it: down the left spine, no
         * keys compared; what followed it is first now */
        uint32_t *link = &B.root[bin], parent = 0;
        while (*link != n) {
            parent = *link;
            link = &RECORD(parent).left;
        }
        *link = RECORD(n).right;
        B.leftmost[bin] = RECORD(n).right != 0 ? treap_leftmost(RECORD(n).right) : parent;
    } else {
        n = treap_remove(&B.root[bin], size, g);
        assert(n != 0 && n != B.leftmost[bin]);
    }
    if (B.root[bin] == 0)
        B.nonempty[bin / 64] &= ~((uint64_t)1 << (bin % 64));
    record_give(n);
}

/* Called between operations: a store three quarters empty is rebuilt
 * smaller, so metadata falls with the number of holes. */
void bins_compact(void)
{
    assert(B.active && !B.stale && B.records_in_use * 4 < B.record_capacity);
    bins_rebuild(); /* on failure the larger store simply stays */
}

static uint32_t bin_next_nonempty(uint32_t from)
{
    for (uint32_t w = from / 64; w < SIZE_BIN_WORDS; w++) {
        uint64_t bits = B.nonempty[w];
        if (w == from / 64)
            bits &= ~(uint64_t)0 << (from % 64);
        if (bits != 0)
            return w * 64 + (uint32_t)__builtin_ctzll(bits);
    }
    return UINT32_MAX;
}

grain_t bins_best(uint64_t size)
{
    uint32_t bin = bins_index_of(size);
    if (bin >= SIZE_BIN_EXACT && B.root[bin] != 0) {
        /* a range bin: the first record not below (size, 0) */
        uint32_t t = B.root[bin], found = 0;
        while (t != 0) {
            mems_state.holes_examined++;
            if (RECORD(t).size < size) {
                t = RECORD(t).right;
            } else {
                found = t;
                t = RECORD(t).left;
            }
        }
        if (found != 0) {
            mems_state.found_hole_size = RECORD(found).size;
            return RECORD(found).grain;
        }
        bin++;
    }
    uint32_t next = bin < SIZE_BIN_COUNT ? bin_next_nonempty(bin) : UINT32_MAX;
    mems_state.holes_examined++;
    if (next >= SIZE_BIN_COUNT)
        return GRAIN_NONE;
    mems_state.found_hole_size = RECORD(B.leftmost[next]).size;
    return RECORD(B.leftmost[next]).grain;
}

uint64_t bins_largest(void)
{
    if (B.stale)
        return 0; /* only between a failed growth and the next allocation */
    for (uint32_t w = SIZE_BIN_WORDS; w-- > 0;)
        if (B.nonempty[w] != 0) {
            uint32_t bin = w * 64 + 63 - (uint32_t)__builtin_clzll(B.nonempty[w]);
            uint32_t t = B.root[bin];
            while (RECORD(t).right != 0)
                t = RECORD(t).right;
            return RECORD(t).size;
        }
    return 0;
}

/* ---- switching on and off ---- */

void bins_clear(void)
{
    if (B.records != NULL) {
        mems_state.metadata_bytes -= B.map_bytes;
        state_unmap_or_keep(B.records, B.map_bytes, "the hole records");
    }
    memset(&B, 0, sizeof B);
}

/* (Re)builds the bins from the bitmaps, in a store sized for the holes there
 * are now; false (the bins as they were) when mmap fails. */
bool bins_rebuild(void)
{
    struct size_bins old = B;
    memset(&B, 0, sizeof B);
    B.active = true;
    /* room for twice the holes: half full, so neither growing nor compacting
     * again is near (compacting waits for a quarter) */
    size_t capacity = 2 * (mems_state.hole_count + 1);
    if (mems_state.hole_count > 0 && !records_resize(capacity)) {
        B = old;
        return false;
    }
    if (old.records != NULL) {
        mems_state.metadata_bytes -= old.map_bytes;
        state_unmap_or_keep(old.records, old.map_bytes, "the old hole records");
    }
    for (struct main_node *node = mems_state.first; node != NULL; node = node->next)
        for (grain_t g = node->first_grain; g < node->end_grain;) {
            grain_t next = grain_next_start(g, node->end_grain);
            if (grain_is_hole(g))
                bins_add(g, next - g);
            g = next;
        }
    return true;
}

static int treap_check(uint32_t t, uint32_t bin, const struct hole_record *lo, const struct hole_record *hi,
                       size_t *count)
{
    if (t == 0)
        return 0;
    const struct hole_record *r = &RECORD(t);
    int bad = 0;
    (*count)++;
    bad += bins_index_of(r->size) != bin;
    bad += lo != NULL && !key_less(lo->size, lo->grain, r->size, r->grain);
    bad += hi != NULL && !key_less(r->size, r->grain, hi->size, hi->grain);
    bad += !grain_is_start(r->grain) || !grain_is_hole(r->grain);
    struct main_node *node = chain_node_at(grain_to_v(r->grain));
    bad += node == NULL || segment_size(node, r->grain) != r->size;
    return bad + treap_check(r->left, bin, lo, r, count) + treap_check(r->right, bin, r, hi, count);
}

/* For mems_check: order, membership and caches; *count gets the records. */
int bins_check(size_t *count)
{
    int bad = 0;
    *count = 0;
    for (uint32_t bin = 0; bin < SIZE_BIN_COUNT; bin++) {
        bad += treap_check(B.root[bin], bin, NULL, NULL, count);
        bad += B.leftmost[bin] != treap_leftmost(B.root[bin]);
        bad += (B.root[bin] != 0) != (B.nonempty[bin / 64] >> (bin % 64) & 1);
    }
    bad += *count != B.records_in_use;
    return bad;
}
