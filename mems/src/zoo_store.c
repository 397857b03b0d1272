/*
 * The record store of the zoo's own hole indexes: one record per HOLE in a
 * mapping MeMS makes itself, a hash table from the granule where a hole ends
 * to its record (the notes of the chains name a hole by granule and size; a
 * hole carved from its front keeps its end, so its record stays where the
 * hash put it), and the
 * treap best fit over a list and Lea keep their records in, by size then
 * stamp. First and next fit over a list keep slots instead
 * (zoo_slots.c).
 *
 * Records keep their numbers while the store grows, so links are numbers.
 * The store grows by doubling, never shrinks while the index lives (it is
 * given back with the index, or when the heap empties).
 */
#include "placement.h"

#include <string.h>

#define Z (mems_state.zoo)
#define HOLE(i) (Z.holes[i])

/* Deterministic priorities, stored nowhere: a hash of the record's number. */
static inline uint32_t zoo_priority(uint32_t record)
{
    uint32_t x = record * 0x9E3779B1u;
    x ^= x >> 15;
    return x * 0x85EBCA77u;
}

static inline uint32_t zoo_bucket(grain_t end)
{
    return (uint32_t)((end * 0x9E3779B97F4A7C15ull) >> Z.bucket_shift);
}

static inline grain_t zoo_end(uint32_t n)
{
    return HOLE(n).grain + HOLE(n).size;
}

/* ---- the store and its hash ---- */

static void zoo_hash_insert(uint32_t n)
{
    uint32_t b = zoo_bucket(zoo_end(n));
    HOLE(n).chain = Z.buckets[b];
    Z.buckets[b] = n;
}

static void zoo_hash_remove(uint32_t n)
{
    uint32_t *link = &Z.buckets[zoo_bucket(zoo_end(n))];
    while (*link != n) {
        assert(*link != 0);
        link = &HOLE(*link).chain;
    }
    *link = HOLE(n).chain;
}

/* The record of the hole that ends at `end`. */
uint32_t zoo_record_find(grain_t end)
{
    uint32_t n = Z.buckets[zoo_bucket(end)];
    while (n != 0 && zoo_end(n) != end)
        n = HOLE(n).chain;
    return n;
}

/* A new store of `capacity` records (a power of two), the records kept by
 * number and rehashed; false (nothing changed) when mmap fails. Only the
 * numbers ever used are copied, and the free list keeps them; the numbers
 * past them are handed out in order once it is empty (zoo_record_fresh), so
 * a page of the new mapping is touched when a record in it is first used,
 * not by the growth. */
static bool zoo_store_resize(size_t capacity)
{
    size_t bucket_bytes = capacity * sizeof(uint32_t);
    size_t bytes = capacity * sizeof(struct zoo_hole) + bucket_bytes;
    bytes = (bytes + PAGE_SIZE - 1) & ~((size_t)PAGE_SIZE - 1);
    void *map = os_map(bytes);
    if (map == NULL)
        return false;
    struct zoo_hole *holes = map;
    uint32_t *buckets = (uint32_t *)(holes + capacity);
    uint32_t used = Z.fresh ? Z.fresh : 1; /* record 0 is the null record */
    assert(used <= capacity);
    if (Z.map != NULL) {
        memcpy(holes, Z.holes, used * sizeof *holes);
        mems_state.metadata_bytes -= Z.map_bytes;
        state_unmap_or_keep(Z.map, Z.map_bytes, "the old zoo hole records");
    }
    Z.map = map;
    Z.map_bytes = bytes;
    Z.holes = holes;
    Z.buckets = buckets;
    Z.bucket_shift = 64 - (unsigned)__builtin_ctzll(capacity);
    mems_state.metadata_bytes += bytes;
    /* the rehash lands in every page of the buckets: written whole first, a
     * page fault each, where reading a fresh page would map the zero page and
     * the store after it fault again */
    if (Z.in_use > 0)
        memset(buckets, 0, bucket_bytes);
    for (uint32_t i = 1; i < used; i++)
        if (HOLE(i).size != 0)
            zoo_hash_insert(i);
    Z.fresh = used;
    Z.capacity = capacity;
    state_update_peaks();
    return true;
}

/* The store grown to hold `needed` records; false when mmap fails. Out of
 * line, as every growth path of the zoo: the hot paths are flattened
 * (MEMS_HOT_PATH), and a rare path inline would cost them registers. */
static __attribute__((noinline)) bool zoo_store_grow(size_t needed)
{
    size_t capacity = Z.capacity != 0 ? Z.capacity * 2 : 64; /* a power of two: the hash takes top bits */
    while (capacity < needed)
        capacity *= 2;
    return capacity <= UINT32_MAX && zoo_store_resize(capacity);
}

/* Room for `more` records beyond those in use; false when mmap fails. */
bool zoo_store_reserve(size_t more)
{
    size_t needed = Z.in_use + 1 + more;
    return needed <= Z.capacity || zoo_store_grow(needed);
}

/* A number never used, the store grown when there is none; 0 when it cannot
 * grow. Out of line: the store grows a few dozen times in a run, and inline
 * its doubling would cost every take the registers it needs. */
static __attribute__((noinline)) uint32_t zoo_record_fresh(void)
{
    /* the free list is empty: every number below the fresh ones is in use */
    if ((Z.fresh == 0 || Z.fresh >= Z.capacity) && !zoo_store_reserve(1))
        return 0;
    assert(Z.fresh < Z.capacity);
    return Z.fresh++;
}

/* A record for hole (g, size), hashed; 0 when the store is full and
 * cannot grow (the caller drops the index: zoo_store_drop). */
uint32_t zoo_record_take(grain_t g, uint64_t size, uint64_t stamp)
{
    uint32_t n = Z.free_list;
    if (__builtin_expect(n == 0, 0)) {
        n = zoo_record_fresh();
        if (n == 0)
            return 0;
    } else {
        Z.free_list = HOLE(n).left;
    }
    HOLE(n) = (struct zoo_hole){.size = size, .grain = g, .stamp = stamp};
    zoo_hash_insert(n);
    Z.in_use++;
    Z.recent = n;
    return n;
}

void zoo_record_give(uint32_t n)
{
    if (Z.recent == n)
        Z.recent = 0;
    zoo_hash_remove(n);
    HOLE(n).size = 0;
    HOLE(n).left = Z.free_list;
    Z.free_list = n;
    Z.in_use--;
}

/* A new record for a hole that appeared, in a live index: 0 (the index
 * dropped, to be rebuilt before the next search) when the index is stale or
 * the store cannot grow. A free must not fail, so it cannot fail here. */
uint32_t zoo_hole_appeared(grain_t g, uint64_t size, uint64_t stamp)
{
    if (Z.stale)
        return 0;
    uint32_t n = zoo_record_take(g, size, stamp);
    if (n == 0)
        zoo_store_drop();
    return n;
}

/* The record of hole (g, size) in a live index; 0 when the index is stale. */
uint32_t zoo_hole_at(grain_t g, uint64_t size)
{
    if (Z.stale)
        return 0;
    /* a placement carves the hole its search found, a free merges with the
     * remainder the last placement left: the recent record, mostly */
    uint32_t n = Z.recent;
    if (n == 0 || HOLE(n).grain != g)
        n = zoo_record_find(g + size);
    assert(n != 0 && HOLE(n).size == size);
    return n;
}

/* Before a search or a reservation: a dropped index is rebuilt. */
bool zoo_store_ready(void)
{
    return !Z.stale || zoo_store_build();
}

/* policy_ops.reserve of every member with its own index. */
MEMS_HOT_PATH bool zoo_reserve(size_t more)
{
    return zoo_store_ready() && zoo_store_reserve(more);
}

/* A record's hole carved from its front: its end, the hash's key, stays. */
void zoo_record_move(uint32_t n, grain_t to, uint64_t new_size)
{
    assert(to + new_size == zoo_end(n));
    HOLE(n).grain = to;
    HOLE(n).size = new_size;
}

/* A record's hole is (to, new_size) now, carved or merged: the hash moves
 * it when its end moved (a free's merge with the block after it). */
void zoo_record_reshaped(uint32_t n, grain_t to, uint64_t new_size)
{
    bool end_moved = to + new_size != zoo_end(n);
    if (end_moved)
        zoo_hash_remove(n);
    HOLE(n).grain = to;
    HOLE(n).size = new_size;
    if (end_moved)
        zoo_hash_insert(n);
    Z.recent = n;
}

/* Everything given back; the member and its stamps stay. */
void zoo_store_release(void)
{
    zoo_slots_release();
    if (Z.map != NULL) {
        mems_state.metadata_bytes -= Z.map_bytes;
        state_unmap_or_keep(Z.map, Z.map_bytes, "the zoo hole records");
    }
    const struct policy_ops *ops = Z.ops;
    int policy = Z.policy;
    uint64_t front = Z.front, back = Z.back;
    memset(&Z, 0, sizeof Z);
    Z.ops = ops;
    Z.policy = policy;
    Z.front = front;
    Z.back = back;
}

/* A free that found the store full and could not grow it: the index is
 * dropped and rebuilt (in address order) before the next search. */
__attribute__((noinline)) void zoo_store_drop(void)
{
    zoo_store_release();
    Z.stale = true;
}

/* Every hole of the bitmaps through the member's hole_added, in address
 * order, each taking the next list place (the list is then address order). */
__attribute__((noinline)) bool zoo_store_build(void)
{
    const struct policy_ops *ops = Z.ops;
    zoo_store_release();
    if (mems_state.hole_count > 0 && !zoo_store_reserve(mems_state.hole_count + 1)) {
        Z.stale = true;
        return false;
    }
    if (Z.front == 0)
        Z.front = Z.back = (uint64_t)1 << 63;
    Z.building = true;
    for (struct main_node *node = mems_state.first; node != NULL; node = node->next)
        for (grain_t g = node->first_grain; g < node->end_grain;) {
            grain_t next = grain_next_start(g, node->end_grain);
            if (grain_is_hole(g))
                ops->hole_added(g, next - g);
            g = next;
        }
    Z.building = false;
    if (ops->commit != NULL)
        ops->commit();
    return true;
}

/* ---- the treap ---- */

/* By size, then stamp, as one 128-bit compare: no branch to mispredict on
 * the way down (in the exact bins every size is equal, and the test of
 * sizes alone would take both branches at every step). */
static inline bool zoo_key_less(uint64_t size_a, uint64_t stamp_a, uint64_t size_b, uint64_t stamp_b)
{
    unsigned __int128 a = (unsigned __int128)size_a << 64 | stamp_a, b = (unsigned __int128)size_b << 64 | stamp_b;
    return a < b;
}

static inline bool zoo_less(uint32_t a, uint32_t b)
{
    return zoo_key_less(HOLE(a).size, HOLE(a).stamp, HOLE(b).size, HOLE(b).stamp);
}

/* Loops, not recursion: a treap's shape is fixed by its keys and
 * priorities, so the loops build the same tree the recursive definitions
 * would, at a fraction of the calls. */
static void zoo_treap_insert(uint32_t *link, uint32_t n)
{
    const uint64_t size = HOLE(n).size, stamp = HOLE(n).stamp;
    const uint32_t priority = zoo_priority(n);
    while (*link != 0 && zoo_priority(*link) > priority) {
        struct zoo_hole *t = &HOLE(*link);
        link = zoo_key_less(size, stamp, t->size, t->stamp) ? &t->left : &t->right;
    }
    /* the subtree below splits into the records before n and after it */
    uint32_t t = *link, *before = &HOLE(n).left, *after = &HOLE(n).right;
    while (t != 0)
        if (zoo_key_less(HOLE(t).size, HOLE(t).stamp, size, stamp)) {
            *before = t;
            before = &HOLE(t).right;
            t = *before;
        } else {
            *after = t;
            after = &HOLE(t).left;
            t = *after;
        }
    *before = *after = 0;
    *link = n;
}

/* n, found at *link, replaced by its two subtrees joined. */
static void zoo_treap_unlink(uint32_t *link, uint32_t n)
{
    uint32_t a = HOLE(n).left, b = HOLE(n).right;
    while (a != 0 && b != 0)
        if (zoo_priority(a) > zoo_priority(b)) {
            *link = a;
            link = &HOLE(a).right;
            a = *link;
        } else {
            *link = b;
            link = &HOLE(b).left;
            b = *link;
        }
    *link = a != 0 ? a : b;
}

/* The link that holds n; *before is the nearest record on the way whose key
 * is below n's (0 when none). */
static uint32_t *zoo_treap_find(uint32_t *link, uint32_t n, uint32_t *before)
{
    const uint64_t size = HOLE(n).size, stamp = HOLE(n).stamp;
    *before = 0;
    while (*link != n) {
        assert(*link != 0);
        struct zoo_hole *t = &HOLE(*link);
        if (zoo_key_less(size, stamp, t->size, t->stamp)) {
            link = &t->left;
        } else {
            *before = *link;
            link = &t->right;
        }
    }
    return link;
}

static uint32_t zoo_treap_leftmost(uint32_t t)
{
    while (HOLE(t).left != 0)
        t = HOLE(t).left;
    return t;
}

static uint32_t zoo_treap_rightmost(uint32_t t)
{
    while (HOLE(t).right != 0)
        t = HOLE(t).right;
    return t;
}

/* For mems_check: order and heap. */
static int zoo_treap_check_at(uint32_t t, uint32_t lo, uint32_t hi, size_t *count)
{
    if (t == 0)
        return 0;
    const struct zoo_hole *h = &HOLE(t);
    int bad = 0;
    (*count)++;
    bad += lo != 0 && !zoo_less(lo, t);
    bad += hi != 0 && !zoo_less(t, hi);
    bad += h->left != 0 && zoo_priority(h->left) > zoo_priority(t);
    bad += h->right != 0 && zoo_priority(h->right) > zoo_priority(t);
    return bad + zoo_treap_check_at(h->left, lo, t, count) + zoo_treap_check_at(h->right, t, hi, count);
}

/* For mems_check: each record in use is a HOLE of its size, found by the
 * hash at its end, and there is one per HOLE. */
int zoo_store_check(void)
{
    int bad = 0;
    size_t used = 0;
    for (size_t i = 1; i < Z.fresh; i++) {
        const struct zoo_hole *h = &HOLE(i);
        if (h->size == 0)
            continue;
        used++;
        struct main_node *node = chain_node_at(grain_to_v(h->grain));
        bad += node == NULL || !grain_is_start(h->grain) || !grain_is_hole(h->grain) ||
               segment_size(node, h->grain) != h->size;
        bad += zoo_record_find(h->grain + h->size) != i;
    }
    bad += used != Z.in_use || used != mems_state.hole_count;
    return bad;
}

/* ---- holes by size: best fit over a list, Lea ----
 * Each bin's first record (smallest key) is kept: best fit takes it
 * whenever it holds the request, which in an exact bin it always does, so
 * most searches descend no treap; and a bin's first leaves by its left
 * spine, with no key compared. */

static inline void sized_insert_in(uint32_t bin, uint32_t n)
{
    if (Z.bin_root[bin] == 0) {
        HOLE(n).left = HOLE(n).right = 0; /* a record moving between bins keeps its old links */
        Z.bin_root[bin] = Z.bin_first[bin] = n;
        Z.bin_nonempty[bin / 64] |= (uint64_t)1 << (bin % 64);
        return;
    }
    zoo_treap_insert(&Z.bin_root[bin], n);
    if (zoo_less(n, Z.bin_first[bin]))
        Z.bin_first[bin] = n;
}

void zoo_sized_insert(uint32_t n)
{
    sized_insert_in(bins_index_of(HOLE(n).size), n);
}

/* n out of its bin's treap (n is in it); *link is where it was found. */
static void zoo_sized_unlink(uint32_t bin, uint32_t *link, uint32_t n)
{
    zoo_treap_unlink(link, n);
    if (Z.bin_root[bin] == 0)
        Z.bin_nonempty[bin / 64] &= ~((uint64_t)1 << (bin % 64));
}

static inline void sized_remove_from(uint32_t bin, uint32_t n)
{
    uint32_t *link = &Z.bin_root[bin];
    if (n == Z.bin_first[bin]) {
        /* down the left spine; what followed n is first now: the leftmost
         * of its right subtree, else its parent */
        uint32_t parent = 0;
        while (*link != n) {
            parent = *link;
            link = &HOLE(parent).left;
        }
        Z.bin_first[bin] = HOLE(n).right != 0 ? zoo_treap_leftmost(HOLE(n).right) : parent;
        *link = HOLE(n).right;
        if (Z.bin_root[bin] == 0)
            Z.bin_nonempty[bin / 64] &= ~((uint64_t)1 << (bin % 64));
        return;
    }
    uint32_t before;
    zoo_sized_unlink(bin, zoo_treap_find(link, n, &before), n);
}

void zoo_sized_remove(uint32_t n)
{
    sized_remove_from(bins_index_of(HOLE(n).size), n);
}

/* Record n's hole carved from its front: (to, new_size), its stamp kept.
 * A smaller size with the same stamp lowers n's key; when n stays in its
 * bin and still follows the record before it, its place in the treap (fixed
 * by the order of keys and priorities) is the same, and only the record
 * changes. Else it moves: out, rekeyed, in. The end of the hole, which the
 * hash is keyed by, stays. */
void zoo_sized_shrink(uint32_t n, grain_t to, uint64_t new_size)
{
    assert(to + new_size == HOLE(n).grain + HOLE(n).size && new_size < HOLE(n).size);
    uint32_t bin = bins_index_of(HOLE(n).size), new_bin = bins_index_of(new_size);
    if (bin == new_bin) {
        if (n == Z.bin_first[bin]) {
            HOLE(n).grain = to;
            HOLE(n).size = new_size;
            return;
        }
        uint32_t before, *link = zoo_treap_find(&Z.bin_root[bin], n, &before);
        if (HOLE(n).left != 0)
            before = zoo_treap_rightmost(HOLE(n).left);
        assert(before != 0); /* n is not its bin's first */
        if (!zoo_key_less(new_size, HOLE(n).stamp, HOLE(before).size, HOLE(before).stamp)) {
            HOLE(n).grain = to;
            HOLE(n).size = new_size;
            return;
        }
        zoo_sized_unlink(bin, link, n);
    } else {
        sized_remove_from(bin, n);
    }
    zoo_record_move(n, to, new_size);
    sized_insert_in(new_bin, n);
}

static uint32_t sized_next_bin(uint32_t from)
{
    for (uint32_t w = from / 64; w < (ZOO_BIN_COUNT + 63) / 64; w++) {
        uint64_t bits = Z.bin_nonempty[w];
        if (w == from / 64)
            bits &= ~(uint64_t)0 << (from % 64);
        if (bits != 0)
            return w * 64 + (uint32_t)__builtin_ctzll(bits);
    }
    return ZOO_BIN_COUNT;
}

/* The smallest record of at least `size` granules, the lowest stamp among
 * equals: in size's own bin, else the first of the next bin holding any.
 * Holes examined: the records compared with the request. */
uint32_t zoo_sized_best_fit(uint64_t size)
{
    uint32_t bin = bins_index_of(size);
    if (Z.bin_root[bin] != 0) {
        mems_state.holes_examined++;
        uint32_t first = Z.bin_first[bin];
        if (HOLE(first).size >= size)
            return first;
        /* a range bin whose first is too small: the first record not
         * below (size, 0) */
        uint32_t t = Z.bin_root[bin], found = 0;
        while (t != 0) {
            mems_state.holes_examined++;
            if (HOLE(t).size < size) {
                t = HOLE(t).right;
            } else {
                found = t;
                t = HOLE(t).left;
            }
        }
        if (found != 0)
            return found;
    }
    if (bin + 1 >= ZOO_BIN_COUNT)
        return 0;
    uint32_t next = sized_next_bin(bin + 1);
    if (next >= ZOO_BIN_COUNT)
        return 0;
    mems_state.holes_examined++;
    return Z.bin_first[next];
}

uint64_t zoo_sized_largest(void)
{
    for (uint32_t w = (ZOO_BIN_COUNT + 63) / 64; w-- > 0;)
        if (Z.bin_nonempty[w] != 0)
            return HOLE(zoo_treap_rightmost(Z.bin_root[w * 64 + 63 - (uint32_t)__builtin_clzll(Z.bin_nonempty[w])]))
                .size;
    return 0;
}

int zoo_sized_check(size_t *count)
{
    int bad = 0;
    *count = 0;
    for (uint32_t bin = 0; bin < ZOO_BIN_COUNT; bin++) {
        size_t in_bin = 0;
        bad += zoo_treap_check_at(Z.bin_root[bin], 0, 0, &in_bin);
        bad += (Z.bin_root[bin] != 0) != ((Z.bin_nonempty[bin / 64] >> (bin % 64) & 1) != 0);
        if (Z.bin_root[bin] != 0) {
            /* the bin's smallest and largest are in it, so all between are */
            uint32_t low = zoo_treap_leftmost(Z.bin_root[bin]), high = zoo_treap_rightmost(Z.bin_root[bin]);
            bad += bins_index_of(HOLE(low).size) != bin || bins_index_of(HOLE(high).size) != bin;
            bad += Z.bin_first[bin] != low;
        }
        *count += in_bin;
    }
    return bad;
}
