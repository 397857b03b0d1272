/* The four placement policies, on one heap where each picks a different hole. */
#include "unit.h"

/* With u = PAGE_SIZE/16 one page holds, by offset in units:
 *   a[0,2) b[2,3) c[3,4) d[4,7) e[7,8) f[8,9) g[9,10) h[10,15) i[15,16)
 * c is freed and taken again so next fit's cursor sits on it; then freeing
 * a, d, f, h leaves holes of 2u (lowest), 3u (first after the cursor),
 * u (smallest) and 5u (largest). */
static uintptr_t place_small_block(enum mems_policy policy, uint64_t *examined)
{
    struct mems_config config;
    mems_default_config(&config);
    config.policy = policy;
    CHECK_EQ(mems_init_with(&config), 0);
    const size_t u = PAGE_SIZE / 16;
    const size_t units[9] = {2, 1, 1, 3, 1, 1, 1, 5, 1};
    void *v[9];
    for (int i = 0; i < 9; i++)
        v[i] = mems_malloc(units[i] * u);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.main_chain_length, 1);
    CHECK_EQ(s.hole_count, 0);
    mems_free(v[2]);
    CHECK(mems_malloc(u) == v[2]);
    mems_free(v[0]);
    mems_free(v[3]);
    mems_free(v[5]);
    mems_free(v[7]);
    CHECK_INVARIANTS();
    mems_stats(&s);
    uint64_t before = s.holes_examined;
    uintptr_t placed = (uintptr_t)mems_malloc(u / 2);
    mems_stats(&s);
    *examined = s.holes_examined - before;
    CHECK_INVARIANTS();
    mems_finish();
    return placed;
}

static void test_each_policy_picks_its_hole(void)
{
    const size_t u = PAGE_SIZE / 16;
    uint64_t examined;
    /* each search compares at least one hole with the request, and with four
     * holes no more than twice as many */
    CHECK_EQ(place_small_block(MEMS_FIRST_FIT, &examined), MEMS_VIRTUAL_BASE + 0 * u);
    CHECK(examined >= 1 && examined <= 8);
    CHECK_EQ(place_small_block(MEMS_NEXT_FIT, &examined), MEMS_VIRTUAL_BASE + 4 * u);
    CHECK(examined >= 1 && examined <= 8);
    CHECK_EQ(place_small_block(MEMS_BEST_FIT, &examined), MEMS_VIRTUAL_BASE + 8 * u);
    CHECK(examined >= 1 && examined <= 8);
    CHECK_EQ(place_small_block(MEMS_WORST_FIT, &examined), MEMS_VIRTUAL_BASE + 10 * u);
    CHECK(examined >= 1 && examined <= 8);
}

static void test_ties_go_to_the_lowest_address(void)
{
    for (int policy = MEMS_BEST_FIT; policy <= MEMS_WORST_FIT; policy++) {
        struct mems_config config;
        mems_default_config(&config);
        config.policy = policy;
        mems_init_with(&config);
        const size_t u = PAGE_SIZE / 8;
        void *v[8];
        for (int i = 0; i < 8; i++)
            v[i] = mems_malloc(u);
        mems_free(v[1]);
        mems_free(v[3]);
        mems_free(v[5]); /* three equal holes, none an exact fit */
        CHECK(mems_malloc(u / 2) == v[1]);
        mems_finish();
    }
}

static void test_next_fit_wraps_around(void)
{
    struct mems_config config;
    mems_default_config(&config);
    config.policy = MEMS_NEXT_FIT;
    mems_init_with(&config);
    const size_t u = PAGE_SIZE / 4;
    void *v[4];
    for (int i = 0; i < 4; i++)
        v[i] = mems_malloc(u);
    mems_free(v[0]);
    /* the cursor is on v[3], the last block: the search wraps to v[0]'s hole */
    CHECK(mems_malloc(u) == v[0]);
    mems_free(v[2]);
    mems_free(v[1]);
    /* cursor on v[0]: the next fit is the merged hole just after it */
    CHECK(mems_malloc(u) == v[1]);
    CHECK(mems_malloc(u) == v[2]);
    CHECK_INVARIANTS();
    mems_finish();
}

static void test_policy_names_and_switch(void)
{
    CHECK_EQ(mems_policy_from_name("first"), MEMS_FIRST_FIT);
    CHECK_EQ(mems_policy_from_name("next"), MEMS_NEXT_FIT);
    CHECK_EQ(mems_policy_from_name("best"), MEMS_BEST_FIT);
    CHECK_EQ(mems_policy_from_name("worst"), MEMS_WORST_FIT);
    CHECK_EQ(mems_policy_from_name("fastest"), -1);
    CHECK_STR(mems_policy_name(MEMS_WORST_FIT), "worst");
    mems_init();
    CHECK_EQ(mems_set_policy(MEMS_BEST_FIT), 0);
    CHECK_EQ(mems_set_policy((enum mems_policy)17), MEMS_E_BAD_CONFIG);
    mems_finish();
}

int main(void)
{
    test_each_policy_picks_its_hole();
    test_ties_go_to_the_lowest_address();
    test_next_fit_wraps_around();
    test_policy_names_and_switch();
    return unit_report("test_policies");
}
