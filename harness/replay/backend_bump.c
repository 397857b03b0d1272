/*
 * bump: an allocator that does no work, so a replay with it measures the
 * replay itself (the per-id slot array, the trace read, the call through the
 * ops table). Its time per operation is the floor under every other
 * allocator's: what is above it is the allocator's own cost.
 *
 * Blocks are cut from one reservation in address order and never reused, so
 * there is no metadata, no search and no free list, and the allocator never
 * writes to the memory it hands out: pages are only made when the replay
 * touches them, as for any allocator's fresh memory. The cursor moves by
 * compare-and-swap, so replays with threads share it without a lock.
 */
#include "backend.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define BUMP_GRAIN ((size_t)16)
#define BUMP_DEFAULT_RESERVE ((uint64_t)1 << 40)
#define BUMP_SMALLEST_RESERVE ((uint64_t)64 << 20)

#include <stdatomic.h>

static unsigned char *region_base, *region_end;
static _Atomic(unsigned char *) region_cursor;
static uint64_t region_bytes, reserve_first;

/* NORESERVE: the reservation is address space, not a promise of memory, so
 * the kernel's overcommit check lets a terabyte through. Where it or the
 * budget's RLIMIT_DATA still says no, a smaller region does: the replay then
 * sees refusals past it, as it would from any allocator at its limit. */
static int reserve_region(uint64_t first)
{
    uint64_t floor = first < BUMP_SMALLEST_RESERVE ? first : BUMP_SMALLEST_RESERVE;
    for (uint64_t size = first; size >= floor && size > 0; size /= 2) {
        void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) {
            region_base = p;
            atomic_store(&region_cursor, region_base);
            region_end = region_base + size;
            region_bytes = size;
            return 0;
        }
    }
    return -1;
}

static int bump_start(void)
{
    return reserve_region(reserve_first);
}

static void bump_stop(void)
{
    if (region_base != NULL)
        munmap(region_base, (size_t)region_bytes);
    region_base = region_end = NULL;
    atomic_store(&region_cursor, NULL);
    region_bytes = 0;
}

/* `alignment` is a power of two (the trace readers reject others). Returns
 * NULL, moving nothing, when the rest of the region is too small. */
static void *take_bytes(size_t alignment, size_t size)
{
    /* malloc(0) still wants a block of its own, unique among the live ones */
    if (size == 0)
        size = BUMP_GRAIN;
    unsigned char *cursor = atomic_load_explicit(&region_cursor, memory_order_relaxed);
    for (;;) {
        size_t left = (size_t)(region_end - cursor);
        if (size > left)
            return NULL;
        size_t rounded = (size + BUMP_GRAIN - 1) & ~(BUMP_GRAIN - 1);
        size_t skip = 0;
        if (alignment > BUMP_GRAIN)
            skip = (size_t)(-(uintptr_t)cursor & (alignment - 1));
        if (skip > left || rounded > left - skip)
            return NULL;
        if (atomic_compare_exchange_weak_explicit(&region_cursor, &cursor, cursor + skip + rounded,
                                                  memory_order_relaxed, memory_order_relaxed))
            return cursor + skip;
    }
}

static int hand_out(void *block, struct block *out)
{
    if (block == NULL)
        return -1;
    out->real = block;
    out->handle = (uintptr_t)block;
    return 0;
}

static int bump_alloc(size_t size, struct block *out)
{
    return hand_out(take_bytes(BUMP_GRAIN, size), out);
}

/* Fresh anonymous memory that is never reused reads as zero: no memset. */
static int bump_zalloc(size_t count, size_t size, struct block *out)
{
    if (count != 0 && size > SIZE_MAX / count)
        return -1;
    return hand_out(take_bytes(BUMP_GRAIN, count * size), out);
}

static int bump_aligned(size_t alignment, size_t size, struct block *out)
{
    return hand_out(take_bytes(alignment, size), out);
}

/* A new block and a copy every time: nothing records where a block ends, so
 * none can grow in place. */
static int bump_resize(struct block *b, size_t old_size, size_t size)
{
    if (size == 0) {
        b->real = NULL;
        b->handle = 0;
        return 0;
    }
    void *moved = take_bytes(BUMP_GRAIN, size);
    if (moved == NULL)
        return -1;
    size_t keep = old_size < size ? old_size : size;
    if (b->real != NULL && keep > 0)
        memcpy(moved, b->real, keep);
    return hand_out(moved, b);
}

static void bump_release(struct block *b)
{
    (void)b;
}

/* Nothing is given back, so what it holds is all it ever handed out, and
 * that is also its peak. */
static void bump_measure(struct footprint *out, int full)
{
    (void)full;
    memset(out, 0, sizeof *out);
    out->bytes = out->peak_bytes = (uint64_t)(atomic_load(&region_cursor) - region_base);
}

static struct allocator_ops bump_ops_table = {
    bump_start, bump_stop, bump_alloc, bump_zalloc, bump_aligned, bump_resize, bump_release, bump_measure, 16, 0, "",
};

const struct allocator_ops *bump_ops(uint64_t mem_limit)
{
    reserve_first = mem_limit != 0 ? mem_limit : BUMP_DEFAULT_RESERVE;
    return &bump_ops_table;
}
