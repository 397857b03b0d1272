/*
 * mmap and munmap failing at every call of a scenario: for each k the k-th
 * call fails, the operation that made it returns NULL (or its error), the
 * chains stay consistent, no mapping leaks, and the operations after it work.
 */
#include "mems_internal.h"
#include "unit.h"

/* A scenario that maps user nodes and metadata, frees, reallocates and
 * releases nodes. Returns how many operations failed. */
static int scenario(void)
{
    int failures = 0;
    void *v[40];
    for (int i = 0; i < 40; i++) {
        v[i] = mems_malloc((size_t)(i % 5 + 1) * (PAGE_SIZE / 3));
        failures += v[i] == NULL;
        CHECK_INVARIANTS();
    }
    for (int i = 0; i < 40; i += 3) {
        mems_free(v[i]);
        v[i] = NULL;
        CHECK_INVARIANTS();
    }
    for (int i = 1; i < 40; i += 3) {
        if (v[i] == NULL)
            continue;
        void *r = mems_realloc(v[i], 3 * PAGE_SIZE);
        failures += r == NULL;
        if (r != NULL)
            v[i] = r;
        CHECK_INVARIANTS();
    }
    for (int i = 0; i < 40; i++)
        mems_free(v[i]);
    CHECK_INVARIANTS();
    return failures;
}

static void sweep(int release, int fail_munmap)
{
    struct mems_config config;
    mems_default_config(&config);
    config.release_empty_nodes = release;
    /* count the calls of a clean run */
    mems_init_with(&config);
    scenario();
    struct mems_stats clean;
    mems_stats(&clean);
    mems_finish();
    long calls = (long)(fail_munmap ? clean.munmap_calls : clean.mmap_calls);
    CHECK(calls > 1);

    for (long k = 1; k <= calls; k++) {
        mems_init_with(&config);
        if (fail_munmap)
            mems_test_fail_munmap(k);
        else
            mems_test_fail_mmap(k);
        int failures = scenario();
        if (!fail_munmap)
            unit_result(failures == 1, __FILE__, __LINE__, "exactly the failing call's operation failed", "");
        mems_test_fail_mmap(0);
        mems_test_fail_munmap(0);
        /* and MeMS still works afterwards */
        void *after = mems_malloc(PAGE_SIZE + 1);
        CHECK(after != NULL && mems_get(after) != NULL);
        CHECK_INVARIANTS();
        mems_clear_error();
        mems_finish();
        if (mems_test_live_mappings() != 0) {
            fprintf(stderr, "  k=%ld leaves %ld mappings\n", k, mems_test_live_mappings());
            CHECK_EQ(mems_test_live_mappings(), 0);
        }
    }
}

int main(void)
{
    sweep(0, 0);
    sweep(1, 0);
    sweep(1, 1);
    return unit_report("test_fault_injection");
}
