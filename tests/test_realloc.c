/* mems_realloc's three paths and mems_calloc. */
#include "unit.h"

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

int main(void)
{
    test_shrink_in_place();
    test_grow_in_place();
    test_move();
    test_null_and_zero();
    test_calloc_zeroes_reused_memory();
    return unit_report("test_realloc");
}
