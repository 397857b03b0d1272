/*
 * What MeMS remembers costs a few bits per granule: metadata stays a small
 * share of the live bytes for a heap of small blocks, falls when nodes go
 * back to the OS, and the best-fit records shrink with the holes. Lookups of
 * a block's start stay exact however many segments a node holds.
 */
#include "unit.h"

#include <stdint.h>

#define BLOCKS 30000
/* At 4 and 8 KiB pages a leaf and a node record are a small share of what
 * they cover; 1 KiB nodes pay their records, 64 KiB pages their tables. */
#define METADATA_SHARE_LIMIT ((PAGE_SIZE) == 4096 || (PAGE_SIZE) == 8192 ? 10 : 5)

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static size_t small_size(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return 16 + (size_t)(rng % 241); /* 16 to 256 bytes, like real programs' small objects */
}

static void *blocks[BLOCKS];

static struct mems_stats stats_now(void)
{
    struct mems_stats s;
    mems_stats(&s);
    return s;
}

/* What a hole index may map beyond the bitmaps: best fit a 24-byte record
 * per hole, in a store at most twice as large; the members with their own
 * index a 48-byte record and a 4-byte hash bucket per hole, in a store at
 * most twice as large, and first and next fit over a list up to four slots
 * per hole (a record number, a size and a share of the bounds above: 13
 * bytes), each store at least a page. */
static size_t index_bytes(int policy, size_t holes, size_t segments)
{
    /* the class-rounding members keep a 32-byte record and two 4-byte table
     * slots per segment (classes.h), in a store at most twice as large */
    if (mems_policy_rounds_to_classes((enum mems_policy)policy))
        return 2 * 40 * segments;
    if (policy == MEMS_BEST_FIT)
        return 2 * 24 * holes;
    return policy > MEMS_WORST_FIT ? (2 * (48 + 4) + 4 * 13) * holes + 2 * PAGE_SIZE : 0;
}

/* Alignment 16, small blocks: metadata at most a tenth of the live bytes (a fifth
 * at page sizes far from 4 KiB). */
static void test_small_blocks_cost_little(int policy)
{
    struct mems_config config;
    mems_default_config(&config);
    config.alignment = 16;
    config.policy = policy;
    CHECK_EQ(mems_init_with(&config), 0);
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = mems_malloc(small_size());
    struct mems_stats s = stats_now();
    CHECK(s.metadata_bytes * METADATA_SHARE_LIMIT <=
          s.live_bytes + index_bytes(policy, s.hole_count, s.segment_count) * METADATA_SHARE_LIMIT);
    /* a fragmented heap: every other block freed */
    for (int i = 0; i < BLOCKS; i += 2)
        mems_free(blocks[i]);
    s = stats_now();
    CHECK_EQ(s.hole_count >= BLOCKS / 4, 1);
    CHECK(s.metadata_bytes * METADATA_SHARE_LIMIT <=
          s.live_bytes + s.hole_bytes + index_bytes(policy, s.hole_count, s.segment_count) * METADATA_SHARE_LIMIT);
    CHECK_INVARIANTS();
    mems_finish();
}

/* With release_empty_nodes, freeing everything gives the metadata back too. */
static void test_metadata_falls_with_the_heap(int policy)
{
    struct mems_config config;
    mems_default_config(&config);
    config.alignment = 16;
    config.policy = policy;
    config.release_empty_nodes = 1;
    CHECK_EQ(mems_init_with(&config), 0);
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = mems_malloc(small_size());
    for (int i = 0; i < BLOCKS; i += 2)
        mems_free(blocks[i]);
    size_t full = stats_now().metadata_bytes;
    for (int i = 1; i < BLOCKS; i += 2)
        mems_free(blocks[i]);
    struct mems_stats s = stats_now();
    CHECK_EQ(s.pages, 0);
    /* what stays: the tables sized for the largest heap seen, a spare leaf; at 64 KiB pages those are a larger share */
    CHECK(s.metadata_bytes * ((PAGE_SIZE) >= 65536 ? 2 : 4) <= full);
    CHECK_INVARIANTS();
    mems_finish();
}

/* Opens BLOCKS / 2 holes in one node, then merges them into one; the metadata
 * mapped with the holes open and at the end. */
static void open_and_merge_holes(int policy, size_t *with_holes, size_t *merged)
{
    struct mems_config config;
    mems_default_config(&config);
    config.alignment = 16;
    config.policy = policy;
    config.min_pages = 4096; /* one node: only the bitmaps and the records can change */
    CHECK_EQ(mems_init_with(&config), 0);
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = mems_malloc(64);
    size_t before_holes = stats_now().metadata_bytes;
    for (int i = 0; i < BLOCKS; i += 2)
        mems_free(blocks[i]);
    *with_holes = stats_now().metadata_bytes;
    CHECK(policy != MEMS_BEST_FIT || *with_holes > before_holes);
    for (int i = 1; i < BLOCKS; i += 2)
        mems_free(blocks[i]);
    CHECK_EQ(stats_now().hole_count, 1);
    *merged = stats_now().metadata_bytes;
    CHECK_INVARIANTS();
    mems_finish();
}

/* Best fit keeps a record per hole: when the holes merge away, its record
 * store shrinks back to a few pages, so it ends with about the metadata first
 * fit (no records) ends with. */
static void test_hole_records_shrink(void)
{
    size_t first_with_holes, first_merged, best_with_holes, best_merged;
    open_and_merge_holes(MEMS_FIRST_FIT, &first_with_holes, &first_merged);
    open_and_merge_holes(MEMS_BEST_FIT, &best_with_holes, &best_merged);
    CHECK(best_merged < best_with_holes);
    /* the open holes' records took half a megabyte; a few pages remain */
    CHECK(best_with_holes >= first_with_holes + BLOCKS / 2 * 24);
    CHECK(best_merged <= first_merged + 4 * (size_t)PAGE_SIZE);
}

/* Every block's start is found at once, and its interior is told apart, in a
 * node holding thousands of segments. */
static void test_lookups_in_a_crowded_node(void)
{
    struct mems_config config;
    mems_default_config(&config);
    config.alignment = 16;
    config.min_pages = 1024;
    CHECK_EQ(mems_init_with(&config), 0);
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = mems_malloc(32);
    CHECK_EQ(stats_now().main_chain_length, 1);
    int good = 0;
    for (int i = 0; i < BLOCKS; i++) {
        good += mems_get(blocks[i]) != NULL && mems_block_size(blocks[i]) == 32;
        good += mems_virtual(mems_get(blocks[i])) == blocks[i];
    }
    CHECK_EQ(good, 2 * BLOCKS);
    mems_free((char *)blocks[100] + 16);
    CHECK_EQ(mems_last_error(), MEMS_E_INTERIOR_FREE);
    mems_free(blocks[100]);
    mems_free(blocks[100]);
    CHECK_EQ(mems_last_error(), MEMS_E_DOUBLE_FREE);
    CHECK_INVARIANTS();
    mems_finish();
}

int main(void)
{
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++) {
        if (!mems_policy_implemented((enum mems_policy)policy))
            continue;
        test_small_blocks_cost_little(policy);
        /* simple segregated storage never merges, so none of its nodes is ever one whole HOLE to release */
        if (policy != MEMS_SIMPLE_SEG && policy != MEMS_SIMPLE_SEG_3)
            test_metadata_falls_with_the_heap(policy);
    }
    test_hole_records_shrink();
    test_lookups_in_a_crowded_node();
    return unit_report("test_metadata");
}
