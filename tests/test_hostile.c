/* Hostile use of the API that the other tests do not already cover: writing
 * past the end of a block (MeMS's metadata is elsewhere, so its state stays
 * intact), and every size at the edges. */
#include "mems_internal.h"
#include "unit.h"

static void test_overrun_leaves_metadata_intact(void)
{
    mems_init();
    unsigned char *a = mems_malloc(100);
    void *b = mems_malloc(100);
    mems_free(mems_malloc(50));
    /* scribble over the rest of the node: the next block and the hole after it */
    unsigned char *real = mems_get(a);
    memset(real, 0xEE, PAGE_SIZE);
    CHECK_INVARIANTS();
    CHECK(mems_get(b) == real + 100);
    mems_free(b);
    mems_free(a);
    CHECK_INVARIANTS();
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.live_bytes, 0);
    mems_finish();
    CHECK_EQ(mems_test_live_mappings(), 0);
}

static void test_edge_sizes(void)
{
    const size_t sizes[] = {1, 2, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE - 1, 16 * PAGE_SIZE + 3};
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++) {
        if (!mems_policy_implemented((enum mems_policy)policy))
            continue;
        struct mems_config config;
        mems_default_config(&config);
        config.policy = (enum mems_policy)policy;
        mems_init_with(&config);
        void *v[sizeof sizes / sizeof *sizes];
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            v[i] = mems_malloc(sizes[i]);
            CHECK(v[i] != NULL);
            unsigned char *p = mems_get(v[i]);
            p[0] = 1;
            p[sizes[i] - 1] = 2; /* the last byte is ours */
            CHECK(mems_get((char *)v[i] + sizes[i] - 1) == p + sizes[i] - 1);
        }
        CHECK_INVARIANTS();
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
            mems_free(v[i]);
        CHECK_INVARIANTS();
        /* huge and overflowing: refused, nothing changes */
        CHECK(mems_malloc(SIZE_MAX) == NULL);
        CHECK(mems_malloc(SIZE_MAX - 1) == NULL);
        CHECK(mems_malloc((SIZE_MAX / PAGE_SIZE) * PAGE_SIZE) == NULL);
        CHECK(mems_calloc(SIZE_MAX, SIZE_MAX) == NULL);
        CHECK(mems_realloc(NULL, SIZE_MAX) == NULL);
        CHECK_INVARIANTS();
        mems_finish();
    }
    CHECK_EQ(mems_test_live_mappings(), 0);
}

int main(void)
{
    test_overrun_leaves_metadata_intact();
    test_edge_sizes();
    return unit_report("test_hostile");
}
