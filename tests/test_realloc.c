/* mems_realloc's three paths and mems_calloc. */
#include "unit.h"

#include <sys/mman.h>
#include <unistd.h>

static void fill(void *v, size_t n, unsigned char seed)
{
    unsigned char *p = mems_get(v);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed + i * 7);
}

static int holds(void *v, size_t n, unsigned char seed)
{
    unsigned char *p = mems_get(v);
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(seed + i * 7))
            return 0;
    return 1;
}

static void test_shrink_in_place(void)
{
    mems_init();
    char *a = mems_malloc(400);
    char *b = mems_malloc(100);
    fill(a, 400, 3);
    CHECK(mems_realloc(a, 150) == a);
    CHECK(holds(a, 150, 3));
    /* the 250 bytes given back are a hole between a and b */
    CHECK(mems_get(a + 150) == NULL);
    CHECK(mems_malloc(250) == a + 150);
    CHECK(mems_get(b) != NULL);
    /* shrinking next to a hole widens that hole */
    char *c = mems_malloc(100);
    mems_free(mems_malloc(50));
    CHECK(mems_realloc(c, 60) == c);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.hole_bytes, PAGE_SIZE - 400 - 100 - 60);
    CHECK_INVARIANTS();
    mems_finish();
}

static void test_grow_in_place(void)
{
    mems_init();
    char *a = mems_malloc(100);
    char *b = mems_malloc(100);
    mems_malloc(100);
    fill(a, 100, 9);
    mems_free(b);
    CHECK(mems_realloc(a, 150) == a); /* takes part of b's hole */
    CHECK(holds(a, 100, 9));
    CHECK(mems_get(a + 149) != NULL);
    CHECK(mems_realloc(a, 200) == a); /* takes the rest of it exactly */
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.segment_count, 3);
    CHECK_INVARIANTS();
    mems_finish();
}

static void test_move(void)
{
    mems_init();
    char *a = mems_malloc(100);
    mems_malloc(100);
    fill(a, 100, 42);
    char *moved = mems_realloc(a, 1000);
    CHECK(moved != NULL && moved != a);
    CHECK(holds(moved, 100, 42));
    CHECK(mems_get(a) == NULL); /* the old block is free again */
    CHECK_INVARIANTS();
    /* growing across a page boundary maps a new node and keeps the data */
    fill(moved, 1000, 5);
    char *big = mems_realloc(moved, 3 * PAGE_SIZE);
    CHECK(big != NULL);
    CHECK(holds(big, 1000, 5));
    CHECK_INVARIANTS();
    mems_finish();
}

static void test_null_and_zero(void)
{
    mems_init();
    void *v = mems_realloc(NULL, 64);
    CHECK_EQ((uintptr_t)v, MEMS_VIRTUAL_BASE);
    CHECK(mems_realloc(v, 0) == NULL);
    CHECK(mems_get(v) == NULL);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.live_bytes, 0);
    mems_finish();
}

static void test_calloc_zeroes_reused_memory(void)
{
    mems_init();
    void *a = mems_malloc(256);
    memset(mems_get(a), 0xFF, 256);
    mems_free(a);
    unsigned char *z = mems_calloc(32, 8);
    CHECK(z == a);
    unsigned char *p = mems_get(z);
    int all_zero = 1;
    for (int i = 0; i < 256; i++)
        all_zero &= p[i] == 0;
    CHECK(all_zero);
    mems_finish();
}

static size_t nonzero_bytes(const unsigned char *p, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += p[i] != 0;
    return count;
}

/* A calloc'd block of fresh pages is left as the kernel gave it: not one of
 * its pages is faulted in (a memset would fault them all). */
static void test_calloc_leaves_fresh_pages_untouched(void)
{
    mems_init();
    size_t pages = 16, bytes = pages * PAGE_SIZE;
    void *v = mems_calloc(pages, PAGE_SIZE);
    CHECK(v != NULL);
    unsigned char *p = mems_get(v);
    long os_page = sysconf(_SC_PAGESIZE);
    uintptr_t first = (uintptr_t)p & ~(uintptr_t)(os_page - 1);
    size_t span = (uintptr_t)p + bytes - first, os_pages = (span + (size_t)os_page - 1) / (size_t)os_page;
    unsigned char resident[256] = {0};
    CHECK(os_pages <= sizeof resident);
    CHECK_EQ(mincore((void *)first, span, resident), 0);
    size_t touched = 0;
    for (size_t i = 0; i < os_pages && i < sizeof resident; i++)
        touched += resident[i] & 1;
    CHECK_EQ(touched, 0);
    CHECK_EQ(nonzero_bytes(p, bytes), 0);
    CHECK_INVARIANTS();
    mems_finish();
}

/* Every granule a block ever covered is zeroed when calloc hands it out
 * again: a block's bytes past its request, a block grown in place into the
 * heap's untouched tail, the tail after the clean mark has risen, and a node
 * that is no longer the last one. */
static void test_calloc_zeroes_what_blocks_covered(size_t alignment, enum mems_policy policy)
{
    struct mems_config config;
    mems_default_config(&config);
    config.alignment = alignment;
    config.policy = policy;
    CHECK_EQ(mems_init_with(&config), 0);
    void *a = mems_malloc(PAGE_SIZE / 40);
    memset(mems_get(a), 0xAB, mems_block_size(a));
    mems_free(a);
    unsigned char *z = mems_calloc(1, PAGE_SIZE / 12);
    CHECK(z == a);
    CHECK_EQ(nonzero_bytes(mems_get(z), PAGE_SIZE / 12), 0);
    CHECK_INVARIANTS();

    void *g = mems_realloc(z, PAGE_SIZE / 2); /* in place: the rest of the page is its node's last hole */
    CHECK(g == z);
    memset(mems_get(g), 0xCD, mems_block_size(g));
    CHECK_INVARIANTS();
    mems_free(g);
    g = mems_calloc(1, PAGE_SIZE * 5 / 8);
    CHECK(g == a);
    CHECK_EQ(nonzero_bytes(mems_get(g), PAGE_SIZE * 5 / 8), 0);
    g = mems_realloc(g, PAGE_SIZE / 2);
    memset(mems_get(g), 0xCD, mems_block_size(g));
    void *b = mems_malloc(PAGE_SIZE / 4); /* after g, in the tail */
    memset(mems_get(b), 0xEF, mems_block_size(b));
    CHECK_INVARIANTS();
    mems_free(g);
    mems_free(b);
    size_t whole = PAGE_SIZE - (PAGE_SIZE / 8);
    unsigned char *c = mems_calloc(whole, 1);
    CHECK(c == a);
    CHECK_EQ(nonzero_bytes(mems_get(c), whole), 0);
    CHECK_INVARIANTS();

    /* a second node: the first one's tail is no longer the heap's */
    void *d = mems_malloc(PAGE_SIZE);
    memset(mems_get(d), 0x11, PAGE_SIZE);
    mems_free(c);
    unsigned char *e = mems_calloc(PAGE_SIZE - 8, 1);
    CHECK(e == a);
    CHECK_EQ(nonzero_bytes(mems_get(e), PAGE_SIZE - 8), 0);
    mems_free(d);
    unsigned char *f = mems_calloc(PAGE_SIZE, 1);
    CHECK(f == d);
    CHECK_EQ(nonzero_bytes(mems_get(f), PAGE_SIZE), 0);
    CHECK_INVARIANTS();
    mems_finish();
}

int main(void)
{
    test_shrink_in_place();
    test_grow_in_place();
    test_move();
    test_null_and_zero();
    test_calloc_zeroes_reused_memory();
    test_calloc_leaves_fresh_pages_untouched();
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++) {
        /* the placements this test expects are the fit policies'; the
         * class-rounding members' calloc: test_classes.c */
        if (!mems_policy_implemented((enum mems_policy)policy) || mems_policy_rounds_to_classes((enum mems_policy)policy))
            continue;
        test_calloc_zeroes_what_blocks_covered(1, (enum mems_policy)policy);
        test_calloc_zeroes_what_blocks_covered(16, (enum mems_policy)policy);
        test_calloc_zeroes_what_blocks_covered(64, (enum mems_policy)policy);
    }
    return unit_report("test_realloc");
}
