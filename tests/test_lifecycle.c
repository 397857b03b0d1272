/* mems_finish() gives every mapping back, metadata included: the kernel's own
 * list of this process's mappings (/proc/self/maps) is the witness. */
#include "mems_internal.h"
#include "unit.h"

struct range {
    uintptr_t start, end;
};

static int remember_node(const struct mems_segment_info *seg, void *context)
{
    struct range *ranges = context;
    struct range *r = &ranges[seg->node_index];
    uintptr_t real = (uintptr_t)seg->real;
    if (r->end == 0 || real < r->start)
        r->start = real;
    if (real + seg->size > r->end)
        r->end = real + seg->size;
    return 0;
}

/* Does any mapping in /proc/self/maps overlap [start, end)? */
static int kernel_maps(uintptr_t start, uintptr_t end)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    if (maps == NULL)
        return -1;
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, maps) != NULL) {
        uintptr_t lo, hi;
        if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &lo, &hi) == 2 && lo < end && start < hi)
            found = 1;
    }
    fclose(maps);
    return found;
}

static void test_finish_unmaps_everything(void)
{
    mems_init();
    for (int i = 0; i < 50; i++)
        mems_malloc((size_t)(i % 7 + 1) * 700);
    struct mems_stats s;
    mems_stats(&s);
    struct range *ranges = calloc(s.main_chain_length, sizeof *ranges);
    mems_walk(remember_node, ranges);
    size_t nodes = s.main_chain_length;
    uintptr_t meta_start = (uintptr_t)mems_state.chunks;
    size_t meta_bytes = mems_state.chunks->bytes;
    for (size_t i = 0; i < nodes; i++)
        CHECK_EQ(kernel_maps(ranges[i].start, ranges[i].end), 1);
    CHECK_EQ(kernel_maps(meta_start, meta_start + meta_bytes), 1);
    CHECK(mems_test_live_mappings() > 0);

    mems_finish();
    CHECK_EQ(mems_test_live_mappings(), 0);
    for (size_t i = 0; i < nodes; i++)
        CHECK_EQ(kernel_maps(ranges[i].start, ranges[i].end), 0);
    CHECK_EQ(kernel_maps(meta_start, meta_start + meta_bytes), 0);
    free(ranges);
}

static void test_many_cycles_leave_nothing(void)
{
    for (int cycle = 0; cycle < 200; cycle++) {
        mems_init();
        void *a = mems_malloc((size_t)cycle * 97 + 1);
        CHECK_EQ((uintptr_t)a, MEMS_VIRTUAL_BASE);
        mems_free(mems_malloc(3 * PAGE_SIZE));
        mems_finish();
    }
    CHECK_EQ(mems_test_live_mappings(), 0);
    /* finishing twice, or before any init, is harmless */
    mems_finish();
    mems_finish();
    CHECK_EQ(mems_test_live_mappings(), 0);
}

static void test_calls_after_finish(void)
{
    mems_init();
    void *old = mems_malloc(100);
    mems_finish();
    CHECK(mems_get(old) == NULL);
    mems_free(old);
    CHECK_EQ(mems_last_error(), MEMS_E_UNKNOWN_ADDRESS);
    CHECK_EQ((uintptr_t)mems_malloc(5), MEMS_VIRTUAL_BASE);
    CHECK_INVARIANTS();
    mems_finish();
    CHECK_EQ(mems_test_live_mappings(), 0);
}

int main(void)
{
    test_finish_unmaps_everything();
    test_many_cycles_leave_nothing();
    test_calls_after_finish();
    return unit_report("test_lifecycle");
}
