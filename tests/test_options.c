/* Configuration: alignment, minimum pages, releasing empty nodes; the stats
 * struct and the walker. */
#include "mems_internal.h"
#include "unit.h"

static void init_with(size_t alignment, size_t min_pages, int release)
{
    struct mems_config config;
    mems_default_config(&config);
    config.alignment = alignment;
    config.min_pages = min_pages;
    config.release_empty_nodes = release;
    CHECK_EQ(mems_init_with(&config), 0);
}

static void test_alignment(void)
{
    init_with(16, 1, 0);
    void *a = mems_malloc(1);
    void *b = mems_malloc(17);
    void *c = mems_malloc(3);
    CHECK_EQ((uintptr_t)b - (uintptr_t)a, 16);
    CHECK_EQ((uintptr_t)c - (uintptr_t)b, 32);
    CHECK_EQ((uintptr_t)mems_get(a) % 16, 0);
    CHECK_EQ((uintptr_t)mems_get(b) % 16, 0);
    CHECK_EQ((uintptr_t)mems_get(c) % 16, 0);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.live_bytes, 64);
    CHECK_EQ(s.requested_bytes, 21);
    CHECK_INVARIANTS();
    mems_finish();
}

static void test_min_pages(void)
{
    init_with(1, 4, 0);
    mems_malloc(10);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.pages, 4);
    mems_malloc(5 * PAGE_SIZE); /* bigger than the minimum: its own size */
    mems_stats(&s);
    CHECK_EQ(s.pages, 9);
    mems_finish();
}

static void test_release_empty_nodes(void)
{
    init_with(1, 1, 1);
    void *a = mems_malloc(PAGE_SIZE);
    void *b = mems_malloc(100);
    void *c = mems_malloc(PAGE_SIZE);
    long mappings = mems_test_live_mappings();
    mems_free(b);
    CHECK_EQ(mems_test_live_mappings(), mappings - 1);
    CHECK(mems_get(a) != NULL && mems_get(c) != NULL);
    CHECK(mems_get(b) == NULL);
    CHECK_INVARIANTS();
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.main_chain_length, 2);
    CHECK_EQ(s.munmap_calls, 1);
    /* a gap now lies between a's and c's nodes; new nodes go after c */
    void *d = mems_malloc(10);
    CHECK_EQ((uintptr_t)d, (uintptr_t)c + PAGE_SIZE);
    mems_free(c);
    mems_free(d);
    mems_free(a);
    mems_stats(&s);
    CHECK_EQ(s.main_chain_length, 0);
    CHECK_INVARIANTS();
    /* the address space restarts after the last node left: at the base again */
    CHECK_EQ((uintptr_t)mems_malloc(8), MEMS_VIRTUAL_BASE);
    mems_finish();
}

static void test_default_keeps_empty_nodes(void)
{
    mems_init();
    void *a = mems_malloc(100);
    mems_free(a);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.main_chain_length, 1);
    CHECK_EQ(s.hole_bytes, PAGE_SIZE);
    mems_finish();
}

static void test_stats_struct(void)
{
    mems_init();
    void *a = mems_malloc(100);
    mems_malloc(200);
    mems_malloc(PAGE_SIZE * 2);
    mems_free(a);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.pages, 3);
    CHECK_EQ(s.mapped_bytes, 3 * PAGE_SIZE);
    CHECK_EQ(s.live_bytes, 200 + 2 * PAGE_SIZE);
    CHECK_EQ(s.requested_bytes, 200 + 2 * PAGE_SIZE);
    CHECK_EQ(s.hole_bytes, PAGE_SIZE - 200);
    CHECK_EQ(s.main_chain_length, 2);
    CHECK_EQ(s.segment_count, 4);
    CHECK_EQ(s.hole_count, 2);
    CHECK_EQ(s.largest_hole, PAGE_SIZE - 300);
    CHECK(s.metadata_bytes >= PAGE_SIZE && s.metadata_bytes % PAGE_SIZE == 0);
    /* two nodes; node records, page map, granule directory, one granule leaf */
    CHECK_EQ(s.mmap_calls, 6);
    CHECK_EQ(s.searches, 3);
    CHECK_EQ(s.peak_live_bytes, 300 + 2 * PAGE_SIZE);
    CHECK_EQ(s.peak_mapped_bytes, 3 * PAGE_SIZE);
    CHECK_EQ(s.peak_footprint_bytes, 3 * PAGE_SIZE + s.metadata_bytes);
    mems_finish();
}

struct walk_log {
    size_t count;
    uintptr_t last_end;
    int in_order;
    size_t holes;
};

static int log_segment(const struct mems_segment_info *seg, void *context)
{
    struct walk_log *log = context;
    if (log->count > 0 && seg->v_start != log->last_end + 1)
        log->in_order = 0;
    if (!seg->is_hole && mems_get((void *)seg->v_start) != seg->real)
        log->in_order = 0;
    log->last_end = seg->v_end;
    log->holes += seg->is_hole;
    log->count++;
    return 0;
}

static int stop_at_third(const struct mems_segment_info *seg, void *context)
{
    (void)seg;
    return ++*(int *)context == 3 ? 77 : 0;
}

static void test_walker(void)
{
    mems_init();
    for (int i = 0; i < 10; i++)
        mems_malloc(1000);
    mems_free((void *)3000);
    struct walk_log log = {0, 0, 1, 0};
    CHECK_EQ(mems_walk(log_segment, &log), 0);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(log.count, s.segment_count);
    CHECK_EQ(log.holes, s.hole_count);
    CHECK(log.in_order);
    int seen = 0;
    CHECK_EQ(mems_walk(stop_at_third, &seen), 77);
    CHECK_EQ(seen, 3);
    mems_finish();
}

int main(void)
{
    test_alignment();
    test_min_pages();
    test_release_empty_nodes();
    test_default_keeps_empty_nodes();
    test_stats_struct();
    test_walker();
    return unit_report("test_options");
}
