/* Every bad call: a NULL or no-op result, a readable error, and the state
 * exactly as it was (the stats text, the counters and mems_check()). */
#include "mems_internal.h"
#include "unit.h"

#include <unistd.h>

struct snapshot {
    char *text;
    struct mems_stats stats;
};

static struct snapshot take_snapshot(void)
{
    struct snapshot s = {stats_text(), {0}};
    mems_stats(&s.stats);
    return s;
}

/* The state must not have moved; only the search counters may (a failed
 * allocation still searched). */
static void check_unchanged(struct snapshot before, int line)
{
    struct snapshot after = take_snapshot();
    int same_text = strcmp(before.text, after.text) == 0;
    unit_result(same_text, __FILE__, line, "stats text unchanged", "");
    unit_result(before.stats.live_bytes == after.stats.live_bytes &&
                    before.stats.requested_bytes == after.stats.requested_bytes &&
                    before.stats.segment_count == after.stats.segment_count &&
                    before.stats.mapped_bytes == after.stats.mapped_bytes,
                __FILE__, line, "stats unchanged", "");
    CHECK_INVARIANTS();
    free(before.text);
    free(after.text);
}

static void expect_error(int code, int line)
{
    char detail[160];
    snprintf(detail, sizeof detail, "got %d (%s), wanted %d", mems_last_error(), mems_last_error_message(), code);
    unit_result(mems_last_error() == code, __FILE__, line, "last error", detail);
    unit_result(strlen(mems_last_error_message()) > 10, __FILE__, line, "error message is a sentence", "");
    mems_clear_error();
}

#define EXPECT_ERROR(code) expect_error(code, __LINE__)
#define UNCHANGED(snap) check_unchanged(snap, __LINE__)

static void test_bad_frees(void)
{
    mems_init();
    char *a = mems_malloc(100);
    char *b = mems_malloc(200);
    mems_malloc(300);
    mems_free(b);
    int on_stack = 0;

    struct snapshot s = take_snapshot();
    mems_free((void *)999);
    EXPECT_ERROR(MEMS_E_UNKNOWN_ADDRESS);
    mems_free((void *)(uintptr_t)(MEMS_VIRTUAL_BASE + 10 * PAGE_SIZE));
    EXPECT_ERROR(MEMS_E_UNKNOWN_ADDRESS);
    mems_free(&on_stack);
    EXPECT_ERROR(MEMS_E_UNKNOWN_ADDRESS);
    mems_free(a + 1);
    EXPECT_ERROR(MEMS_E_INTERIOR_FREE);
    CHECK(strstr(mems_last_error_message(), "") != NULL);
    mems_free(a + 99);
    EXPECT_ERROR(MEMS_E_INTERIOR_FREE);
    mems_free(b);
    EXPECT_ERROR(MEMS_E_DOUBLE_FREE);
    mems_free(b + 5);
    EXPECT_ERROR(MEMS_E_DOUBLE_FREE);
    mems_free(NULL);
    CHECK_EQ(mems_last_error(), MEMS_OK);
    UNCHANGED(s);

    /* the message says which address and why */
    mems_free(a + 1);
    CHECK(strstr(mems_last_error_message(), "1001") != NULL);
    CHECK(strstr(mems_last_error_message(), "P[1000:1099]") != NULL);
    mems_clear_error();
    mems_finish();
}

static void test_bad_gets(void)
{
    mems_init();
    char *a = mems_malloc(100);
    int on_stack = 0;
    struct snapshot s = take_snapshot();
    CHECK(mems_get(a + 100) == NULL); /* the hole after it */
    EXPECT_ERROR(MEMS_E_GET_HOLE);
    CHECK(mems_get((void *)999) == NULL);
    EXPECT_ERROR(MEMS_E_UNKNOWN_ADDRESS);
    CHECK(mems_get(NULL) == NULL);
    EXPECT_ERROR(MEMS_E_UNKNOWN_ADDRESS);
    CHECK(mems_get(&on_stack) == NULL);
    EXPECT_ERROR(MEMS_E_UNKNOWN_ADDRESS);
    CHECK(mems_get((void *)(uintptr_t)(MEMS_VIRTUAL_BASE + PAGE_SIZE)) == NULL);
    EXPECT_ERROR(MEMS_E_UNKNOWN_ADDRESS);
    UNCHANGED(s);
    mems_finish();
}

/* mems_get of the block just allocated comes from a memo: it must forget
 * the block once freed, moved by realloc, or the heap is started again. */
static void test_gets_after_frees(void)
{
    mems_init();
    char *a = mems_malloc(100);
    CHECK(mems_get(a) != NULL);
    mems_free(a);
    CHECK(mems_get(a) == NULL);
    EXPECT_ERROR(MEMS_E_GET_HOLE);

    char *b = mems_malloc(100), *c = mems_malloc(100);
    unsigned char *real_b = mems_get(b);
    CHECK(real_b != NULL && mems_get(c) == real_b + 100);
    char *moved = mems_realloc(c, 2 * PAGE_SIZE); /* no room after c: it moves */
    CHECK(moved != NULL && moved != c);
    CHECK(mems_get(c) == NULL);
    EXPECT_ERROR(MEMS_E_GET_HOLE);
    CHECK(mems_get(moved) != NULL);
    mems_free(moved);
    CHECK(mems_get(moved) == NULL);
    EXPECT_ERROR(MEMS_E_GET_HOLE);
    CHECK(mems_get(b) == real_b);
    mems_finish();

    mems_init();
    char *d = mems_malloc(100);
    CHECK(mems_get(d) != NULL);
    mems_finish();
    mems_init(); /* a new heap: nothing is allocated at d */
    CHECK(mems_get(d) == NULL);
    EXPECT_ERROR(MEMS_E_UNKNOWN_ADDRESS);
    mems_finish();
}

static void test_bad_sizes(void)
{
    mems_init();
    mems_malloc(100);
    struct snapshot s = take_snapshot();
    CHECK(mems_malloc(0) == NULL);
    EXPECT_ERROR(MEMS_E_ZERO_SIZE);
    CHECK(mems_malloc(SIZE_MAX) == NULL);
    EXPECT_ERROR(MEMS_E_OVERFLOW);
    CHECK(mems_malloc(SIZE_MAX - PAGE_SIZE + 2) == NULL);
    EXPECT_ERROR(MEMS_E_OVERFLOW);
    /* rounds to pages fine but no kernel maps that much */
    CHECK(mems_malloc(SIZE_MAX / 2) == NULL);
    EXPECT_ERROR(MEMS_E_NO_MEMORY);
    CHECK(mems_calloc(SIZE_MAX / 2, 3) == NULL);
    EXPECT_ERROR(MEMS_E_OVERFLOW);
    CHECK(mems_calloc(0, 8) == NULL);
    EXPECT_ERROR(MEMS_E_ZERO_SIZE);
    CHECK(mems_realloc((void *)1000, SIZE_MAX) == NULL);
    EXPECT_ERROR(MEMS_E_OVERFLOW);
    CHECK(mems_realloc((void *)1001, 10) == NULL);
    EXPECT_ERROR(MEMS_E_INTERIOR_FREE);
    UNCHANGED(s);
    mems_finish();
}

static void test_mmap_failure(void)
{
    mems_init();
    mems_malloc(PAGE_SIZE); /* fills its node, so the next call must map */
    struct snapshot s = take_snapshot();
    long mappings = mems_test_live_mappings();
    mems_test_fail_mmap(1);
    CHECK(mems_malloc(10) == NULL);
    EXPECT_ERROR(MEMS_E_NO_MEMORY);
    CHECK_EQ(mems_test_live_mappings(), mappings);
    UNCHANGED(s);
    /* and the next call works */
    CHECK(mems_malloc(10) != NULL);
    CHECK_INVARIANTS();
    mems_finish();
    CHECK_EQ(mems_test_live_mappings(), 0);
}

static void test_cap(void)
{
    struct mems_config config;
    mems_default_config(&config);
    config.max_mapped_bytes = 2 * PAGE_SIZE;
    mems_init_with(&config);
    CHECK(mems_malloc(PAGE_SIZE) != NULL);
    CHECK(mems_malloc(PAGE_SIZE) != NULL);
    struct snapshot s = take_snapshot();
    CHECK(mems_malloc(1) == NULL);
    EXPECT_ERROR(MEMS_E_CAP_REACHED);
    CHECK(mems_malloc(3 * PAGE_SIZE) == NULL);
    EXPECT_ERROR(MEMS_E_CAP_REACHED);
    UNCHANGED(s);
    mems_finish();
}

static void test_bad_config_keeps_state(void)
{
    mems_init();
    void *v = mems_malloc(64);
    struct snapshot s = take_snapshot();
    struct mems_config config;
    mems_default_config(&config);
    config.alignment = 12;
    CHECK_EQ(mems_init_with(&config), MEMS_E_BAD_CONFIG);
    EXPECT_ERROR(MEMS_E_BAD_CONFIG);
    config.alignment = 2 * PAGE_SIZE;
    CHECK_EQ(mems_init_with(&config), MEMS_E_BAD_CONFIG);
    config.alignment = 1;
    config.min_pages = 0;
    CHECK_EQ(mems_init_with(&config), MEMS_E_BAD_CONFIG);
    config.min_pages = 1;
    config.policy = MEMS_POLICY_COUNT;
    CHECK_EQ(mems_init_with(&config), MEMS_E_BAD_CONFIG);
    mems_clear_error();
    UNCHANGED(s);
    CHECK(mems_get(v) != NULL);
    mems_finish();
}

static void test_errors_can_print(void)
{
    struct mems_config config;
    mems_default_config(&config);
    config.print_errors = 1;
    mems_init_with(&config);
    FILE *capture = tmpfile();
    int saved = dup(STDERR_FILENO);
    fflush(stderr);
    dup2(fileno(capture), STDERR_FILENO);
    mems_free((void *)12345);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char line[256] = "";
    rewind(capture);
    CHECK(fgets(line, sizeof line, capture) != NULL);
    CHECK(strncmp(line, "mems: mems_free(12345)", 22) == 0);
    fclose(capture);
    mems_clear_error();
    mems_finish();
}

static void test_strerror(void)
{
    for (int code = 0; code < MEMS_ERROR_COUNT; code++)
        CHECK(mems_strerror(code) != NULL && strcmp(mems_strerror(code), "unknown error") != 0);
    CHECK_STR(mems_strerror(-1), "unknown error");
    mems_clear_error();
    CHECK_STR(mems_last_error_message(), "no error");
}

int main(void)
{
    test_bad_frees();
    test_bad_gets();
    test_gets_after_frees();
    test_bad_sizes();
    test_mmap_failure();
    test_cap();
    test_bad_config_keeps_state();
    test_errors_can_print();
    test_strerror();
    return unit_report("test_errors");
}
