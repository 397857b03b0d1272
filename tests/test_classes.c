/*
 * The class-rounding members by hand: buddy systems split down to a class
 * and merge only with a buddy; double buddy keeps its two families apart;
 * simple segregated storage gives each class its own nodes and never merges;
 * requests stay exact while the rounding is counted apart; a class-rounding
 * member starts only from an empty heap.
 */
#include "unit.h"

#define MAX_SEGS 256

struct seg {
    size_t node;
    uintptr_t v;
    size_t size;
    int hole;
};

static struct seg segs[MAX_SEGS];
static size_t nsegs;

static int collect(const struct mems_segment_info *s, void *context)
{
    (void)context;
    if (nsegs < MAX_SEGS)
        segs[nsegs++] = (struct seg){s->node_index, s->v_start, s->size, s->is_hole};
    return 0;
}

static void walk(void)
{
    nsegs = 0;
    mems_walk(collect, NULL);
}

static void start(enum mems_policy policy, int release)
{
    struct mems_config config;
    mems_default_config(&config);
    config.policy = policy;
    config.alignment = 16;
    config.release_empty_nodes = release;
    CHECK_EQ(mems_init_with(&config), 0);
}

static unsigned log2_of(size_t x)
{
    unsigned n = 0;
    while (((size_t)1 << n) < x)
        n++;
    return n;
}

/* One 16-byte block in a fresh page: the page split in halves down to 16,
 * each upper half a HOLE; its free merges the chain back into the page. */
static void test_buddy_split_and_merge_chain(void)
{
    start(MEMS_BUDDY, 0);
    void *a = mems_malloc(10);
    walk();
    CHECK_EQ(nsegs, log2_of(PAGE_SIZE / 16) + 1);
    CHECK(!segs[0].hole && segs[0].size == 16);
    for (size_t i = 1; i < nsegs; i++)
        CHECK(segs[i].hole && segs[i].size == ((size_t)16 << (i - 1)));
    CHECK_INVARIANTS();
    mems_free(a);
    walk();
    CHECK_EQ(nsegs, 1);
    CHECK(segs[0].hole && segs[0].size == PAGE_SIZE);
    CHECK_INVARIANTS();
    mems_finish();
}

/* Neighbours that are not buddies stay apart; a block merges with its buddy only. */
static void test_buddy_merges_only_buddies(void)
{
    start(MEMS_BUDDY, 0);
    uintptr_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uintptr_t)mems_malloc(16);
    CHECK_EQ(b[1], b[0] + 16);
    CHECK_EQ(b[3], b[0] + 48);
    mems_free((void *)b[1]);
    mems_free((void *)b[2]); /* b[1]'s buddy is b[0], b[2]'s is b[3]: two holes side by side */
    walk();
    CHECK(!segs[0].hole && segs[1].hole && segs[2].hole && !segs[3].hole);
    CHECK(segs[1].size == 16 && segs[2].size == 16);
    CHECK_INVARIANTS();
    mems_free((void *)b[0]); /* merges with b[1] into 32, not with b[2] */
    walk();
    CHECK(segs[0].hole && segs[0].size == 32 && segs[1].hole && segs[1].size == 16 && !segs[2].hole);
    CHECK_INVARIANTS();
    mems_free((void *)b[3]); /* b[3] + b[2], then with the 32, then up the chain: one page */
    walk();
    CHECK_EQ(nsegs, 1);
    CHECK_INVARIANTS();
    mems_finish();
}

/* Freed blocks come back last in, first out; one hole examined per search from a list. */
static void test_buddy_lifo(void)
{
    start(MEMS_BUDDY, 0);
    void *keep = mems_malloc(16);
    void *x = mems_malloc(100), *y = mems_malloc(100), *z = mems_malloc(100);
    (void)keep;
    (void)z;
    mems_free(x);
    mems_free(y);
    struct mems_stats before, after;
    mems_stats(&before);
    CHECK(mems_malloc(100) == y);
    mems_stats(&after);
    CHECK_EQ(after.searches - before.searches, 1);
    CHECK_EQ(after.holes_examined - before.holes_examined, 1);
    CHECK(mems_malloc(100) == x);
    CHECK_INVARIANTS();
    mems_finish();
}

/* Double buddy: 3 * 2^n blocks come from nodes of 3 * 2^j pages, 2^n blocks
 * from nodes of 2^j pages; freeing never merges across the two. */
static void test_double_buddy_families(void)
{
    start(MEMS_DOUBLE_BUDDY, 0);
    void *t = mems_malloc(40);  /* class 48 */
    void *p = mems_malloc(60);  /* class 64 */
    void *u = mems_malloc(90);  /* class 96 */
    CHECK_EQ(mems_block_size(t), 48);
    CHECK_EQ(mems_block_size(p), 64);
    CHECK_EQ(mems_block_size(u), 96);
    walk();
    size_t triple_node = segs[0].node;
    CHECK_EQ(segs[0].v, (uintptr_t)t);
    size_t bytes[8] = {0};
    for (size_t i = 0; i < nsegs; i++)
        bytes[segs[i].node] += segs[i].size;
    CHECK_EQ(bytes[triple_node], 3 * (size_t)PAGE_SIZE);
    CHECK_EQ(bytes[1 - triple_node], PAGE_SIZE);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.main_chain_length, 2);
    CHECK_INVARIANTS();
    mems_free(t);
    mems_free(u);
    mems_free(p);
    walk();
    CHECK_EQ(nsegs, 2); /* each node merged back whole */
    CHECK_INVARIANTS();
    mems_finish();
}

/* Simple segregated storage: a node per class, freed blocks never merge. */
static void test_simple_seg_never_coalesces(void)
{
    start(MEMS_SIMPLE_SEG, 0);
    void *a = mems_malloc(16), *b = mems_malloc(16), *c = mems_malloc(16);
    void *big = mems_malloc(32);
    walk();
    CHECK(segs[0].node != segs[nsegs - 1].node); /* 16 and 32 in nodes of their own */
    mems_free(a);
    mems_free(b);
    mems_free(c);
    walk();
    CHECK(segs[0].hole && segs[1].hole && segs[2].hole && segs[0].size == 16 && segs[2].size == 16);
    CHECK(segs[3].hole && segs[3].size == PAGE_SIZE - 48); /* the node's uncarved end */
    CHECK_INVARIANTS();
    CHECK(mems_malloc(16) == c);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.largest_hole, PAGE_SIZE - 32); /* the 32-byte node's uncarved end */
    mems_free(big);
    CHECK_INVARIANTS();
    mems_finish();

    start(MEMS_SIMPLE_SEG_3, 0);
    void *t = mems_malloc(33);
    CHECK_EQ(mems_block_size(t), 48);
    mems_stats(&s);
    CHECK_EQ(s.pages, 3); /* three pages hold a whole number of 48-byte blocks */
    CHECK_INVARIANTS();
    mems_finish();
}

/* Requests exact, the class rounding apart; realloc in place inside the class. */
static void test_rounding_and_realloc(void)
{
    start(MEMS_BUDDY, 0);
    char *a = mems_malloc(33);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.requested_bytes, 33);
    CHECK_EQ(s.live_bytes, 64);
    CHECK_EQ(s.class_rounding_bytes, 64 - 48);
    memset(mems_get(a), 7, 33);
    CHECK(mems_realloc(a, 60) == a);
    mems_stats(&s);
    CHECK_EQ(s.requested_bytes, 60);
    CHECK_EQ(s.class_rounding_bytes, 0);
    char *moved = mems_realloc(a, 65);
    CHECK(moved != a && moved != NULL);
    CHECK_EQ(mems_block_size(moved), 128);
    CHECK_EQ(((unsigned char *)mems_get(moved))[32], 7);
    mems_stats(&s);
    CHECK_EQ(s.requested_bytes, 65);
    CHECK_INVARIANTS();
    mems_free(moved);
    mems_free(moved);
    CHECK_EQ(mems_last_error(), MEMS_E_DOUBLE_FREE);
    mems_finish();
}

/* With release_empty_nodes a buddy node merged whole goes back, and an empty heap keeps no metadata. */
static void test_buddy_release(void)
{
    start(MEMS_BUDDY, 1);
    void *a = mems_malloc(3 * PAGE_SIZE); /* its own node of 4 pages */
    void *b = mems_malloc(100);
    struct mems_stats s;
    mems_stats(&s);
    CHECK_EQ(s.pages, 5);
    mems_free(a);
    mems_stats(&s);
    CHECK_EQ(s.pages, 1);
    CHECK_INVARIANTS();
    mems_free(b);
    mems_stats(&s);
    CHECK_EQ(s.pages, 0);
    CHECK_EQ(s.metadata_bytes, 0);
    CHECK_INVARIANTS();
    mems_finish();
}

/* calloc of a block that held data gives zeros, in every member, at every
 * alignment (a reused block is dirty; a fresh one is zero from the kernel). */
static void test_calloc_zeroes_reused_blocks(void)
{
    static const size_t alignments[] = {1, 16, 64};
    for (int policy = MEMS_BUDDY; policy <= MEMS_SIMPLE_SEG_3; policy++)
        for (size_t i = 0; i < 3; i++) {
            struct mems_config config;
            mems_default_config(&config);
            config.policy = (enum mems_policy)policy;
            config.alignment = alignments[i];
            CHECK_EQ(mems_init_with(&config), 0);
            void *a = mems_malloc(300);
            memset(mems_get(a), 0xAB, mems_block_size(a));
            mems_free(a);
            unsigned char *z = mems_calloc(1, 290);
            CHECK(z == a); /* the freed block, first on its list */
            size_t nonzero = 0;
            for (size_t k = 0; k < 290; k++)
                nonzero += ((unsigned char *)mems_get(z))[k] != 0;
            CHECK_EQ(nonzero, 0);
            CHECK_INVARIANTS();
            mems_finish();
        }
}

static void test_names_and_switching(void)
{
    static const char *const names[] = {"buddy", "double-buddy", "simple-seg", "simple-seg-3"};
    for (int i = 0; i < 4; i++) {
        int p = mems_policy_from_name(names[i]);
        CHECK_EQ(p, MEMS_BUDDY + i);
        CHECK(mems_policy_rounds_to_classes((enum mems_policy)p));
        CHECK_STR(mems_policy_name((enum mems_policy)p), names[i]);
    }
    CHECK(!mems_policy_rounds_to_classes(MEMS_FIRST_FIT) && !mems_policy_rounds_to_classes(MEMS_LEA));
    start(MEMS_FIRST_FIT, 0);
    CHECK_EQ(mems_set_policy(MEMS_BUDDY), 0); /* an empty heap */
    void *a = mems_malloc(100);
    CHECK_EQ(mems_set_policy(MEMS_FIRST_FIT), MEMS_E_BAD_CONFIG);
    CHECK_EQ(mems_set_policy(MEMS_SIMPLE_SEG), MEMS_E_BAD_CONFIG);
    CHECK_EQ(mems_set_policy(MEMS_BUDDY), 0);
    CHECK_EQ(mems_block_size(a), 128);
    CHECK_INVARIANTS();
    mems_finish();
    start(MEMS_BEST_FIT, 0);
    mems_malloc(10);
    CHECK_EQ(mems_set_policy(MEMS_DOUBLE_BUDDY), MEMS_E_BAD_CONFIG);
    CHECK_INVARIANTS();
    mems_finish();
}

int main(void)
{
    test_buddy_split_and_merge_chain();
    test_buddy_merges_only_buddies();
    test_buddy_lifo();
    test_double_buddy_families();
    test_simple_seg_never_coalesces();
    test_rounding_and_realloc();
    test_buddy_release();
    test_calloc_zeroes_reused_blocks();
    test_names_and_switching();
    return unit_report("test_classes");
}
