/* The specification's worked example, the address rules and the lifecycle. */
#include "model.h"
#include "unit.h"

static void test_spec_example_exact(void)
{
    mems_init();
#if PAGE_SIZE == 4096
    void *v[10];
    for (int i = 0; i < 10; i++)
        v[i] = mems_malloc(1000);
    const uintptr_t expected[10] = {1000, 2000, 3000, 4000, 5096, 6096, 7096, 8096, 9192, 10192};
    for (int i = 0; i < 10; i++)
        CHECK_EQ((uintptr_t)v[i], expected[i]);
    const char *picture = "----- MeMS SYSTEM STATS -----\n"
                          "MAIN[1000:5095]-> P[1000:1999] <-> P[2000:2999] <-> P[3000:3999] <-> P[4000:4999] <-> "
                          "H[5000:5095] <-> NULL\n"
                          "MAIN[5096:9191]-> P[5096:6095] <-> P[6096:7095] <-> P[7096:8095] <-> P[8096:9095] <-> "
                          "H[9096:9191] <-> NULL\n"
                          "MAIN[9192:13287]-> P[9192:10191] <-> P[10192:11191] <-> H[11192:13287] <-> NULL\n"
                          "Pages used:\t3\n"
                          "Space unused:\t2288\n"
                          "Main Chain Length:\t3\n"
                          "Sub-chain Length array: [5, 5, 3, ]\n"
                          "-----------------------------\n";
    char *text = stats_text();
    CHECK_STR(text, picture);
    free(text);
    mems_free(v[3]);
    text = stats_text();
    CHECK(strstr(text, "P[3000:3999] <-> H[4000:5095] <-> NULL\n") != NULL);
    CHECK(strstr(text, "Space unused:\t3288\n") != NULL);
    CHECK(strstr(text, "Sub-chain Length array: [4, 5, 3, ]\n") != NULL);
    free(text);
    CHECK_EQ((uintptr_t)mems_malloc(1000), 4000);
    text = stats_text();
    CHECK_STR(text, picture);
    free(text);
    CHECK_INVARIANTS();
#endif
    mems_finish();
}

/* The same scenario for any PAGE_SIZE, against the reference model. */
static void test_spec_example_model(void)
{
    struct model m;
    model_init(&m, PAGE_SIZE, MEMS_FIRST_FIT, 1, 1, false, 0);
    mems_init();
    int error;
    void *v[10];
    for (int i = 0; i < 10; i++) {
        v[i] = mems_malloc(1000);
        CHECK_EQ((uintptr_t)v[i], model_malloc(&m, 1000, &error));
    }
    char *got = stats_text(), *want = model_stats_text(&m);
    CHECK_STR(got, want);
    free(got), free(want);
    mems_free(v[3]);
    model_free(&m, (uintptr_t)v[3]);
    got = stats_text(), want = model_stats_text(&m);
    CHECK_STR(got, want);
    free(got), free(want);
    CHECK_EQ((uintptr_t)mems_malloc(1000), model_malloc(&m, 1000, &error));
    got = stats_text(), want = model_stats_text(&m);
    CHECK_STR(got, want);
    free(got), free(want);
    CHECK_INVARIANTS();
    mems_finish();
    model_destroy(&m);
}

static void test_get_interior_addresses(void)
{
    mems_init();
    int *arr = mems_malloc(250 * sizeof(int));
    int *next = mems_malloc(16);
    int *real = mems_get(arr);
    CHECK(real != NULL);
    for (int i = 0; i < 250; i++)
        CHECK(mems_get(&arr[i]) == real + i);
    int *p = mems_get(&arr[1]);
    *p = 200;
    CHECK_EQ(real[1], 200);
    CHECK((char *)mems_get(next) == (char *)real + 250 * sizeof(int));
    /* one past the end of the last PROCESS segment is a hole */
    CHECK(mems_get((char *)next + 16) == NULL);
    CHECK_EQ(mems_last_error(), MEMS_E_GET_HOLE);
    mems_finish();
}

static void test_first_address_and_restart(void)
{
    mems_init();
    CHECK_EQ((uintptr_t)mems_malloc(10), MEMS_VIRTUAL_BASE);
    CHECK_EQ((uintptr_t)mems_malloc(10), MEMS_VIRTUAL_BASE + 10);
    mems_finish();
    mems_init();
    CHECK_EQ((uintptr_t)mems_malloc(10), MEMS_VIRTUAL_BASE);
    /* init on a running state starts afresh too */
    mems_init();
    CHECK_EQ((uintptr_t)mems_malloc(10), MEMS_VIRTUAL_BASE);
    mems_finish();
}

static void test_calls_before_init(void)
{
    /* never initialised in this process yet, or finished: every call works */
    mems_finish();
    char *text = stats_text();
    CHECK(strstr(text, "Pages used:\t0\n") != NULL);
    CHECK(strstr(text, "Sub-chain Length array: []\n") != NULL);
    free(text);
    CHECK(mems_get((void *)1000) == NULL);
    mems_free(NULL);
    void *v = mems_malloc(100);
    CHECK_EQ((uintptr_t)v, MEMS_VIRTUAL_BASE);
    CHECK(mems_get(v) != NULL);
    mems_free(v);
    CHECK_INVARIANTS();
    mems_finish();
}

static void test_nodes_are_whole_pages(void)
{
    mems_init();
    void *big = mems_malloc(PAGE_SIZE * 3 + 1);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.pages, 4);
    CHECK_EQ(s.hole_bytes, PAGE_SIZE - 1);
    CHECK_EQ((uintptr_t)mems_malloc(PAGE_SIZE), MEMS_VIRTUAL_BASE + 4 * PAGE_SIZE);
    CHECK_EQ((uintptr_t)mems_malloc(PAGE_SIZE - 1), (uintptr_t)big + 3 * PAGE_SIZE + 1);
    mems_stats(&s);
    CHECK_EQ(s.hole_bytes, 0);
    CHECK_EQ(s.main_chain_length, 2);
    CHECK_INVARIANTS();
    mems_finish();
}

int main(void)
{
    test_calls_before_init();
    test_spec_example_exact();
    test_spec_example_model();
    test_get_interior_addresses();
    test_first_address_and_restart();
    test_nodes_are_whole_pages();
    return unit_report("test_spec");
}
