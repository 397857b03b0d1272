/*
 * The members' tables (struct policy_ops): every hole-index member has one and
 * it is the active one; the address-ordered four's, which the hot path calls
 * inline instead, answer as the inline calls do and keep their index through
 * their own notes; a switch whose mmap fails leaves the old policy its index.
 */
#include "mems_internal.h"
#include "unit.h"

static const enum mems_policy four[] = {MEMS_FIRST_FIT, MEMS_NEXT_FIT, MEMS_BEST_FIT, MEMS_WORST_FIT};

static void start(enum mems_policy policy)
{
    struct mems_config config;
    mems_default_config(&config);
    config.policy = policy;
    CHECK_EQ(mems_init_with(&config), 0);
}

/* Holes of many sizes over a few nodes. */
static void make_holes(void)
{
    void *v[90];
    for (int i = 0; i < 90; i++)
        v[i] = mems_malloc((size_t)(i % 7 + 1) * (PAGE_SIZE / 5) + (size_t)i * 24);
    for (int i = 0; i < 90; i += 3)
        mems_free(v[i]);
    for (int i = 1; i < 90; i += 5)
        mems_free(v[i]);
    struct mems_stats s;
    mems_stats(&s);
    CHECK(s.hole_count > 20);
}

/* Every HOLE of the heap, read off the bitmaps: the largest, and each passed to `visit`. */
static uint64_t walk_holes(void (*visit)(const struct policy_ops *ops, grain_t g, uint64_t size),
                           const struct policy_ops *ops)
{
    uint64_t largest = 0;
    for (struct main_node *node = mems_state.first; node != NULL; node = node->next)
        for (grain_t g = node->first_grain; g < node->end_grain;) {
            grain_t next = grain_next_start(g, node->end_grain);
            if (grain_is_hole(g)) {
                largest = next - g > largest ? next - g : largest;
                if (visit != NULL)
                    visit(ops, g, next - g);
            }
            g = next;
        }
    return largest;
}

#define PROBES 24

/* The holes the active policy chooses for sizes up to past the largest, inline (policy_search). */
static void probe_inline(grain_t out[PROBES], uint64_t largest)
{
    for (int i = 0; i < PROBES; i++)
        out[i] = policy_search(1 + largest * (uint64_t)i / (PROBES - 2));
}

static void probe_table(grain_t out[PROBES], uint64_t largest, const struct policy_ops *ops)
{
    for (int i = 0; i < PROBES; i++)
        out[i] = ops->search(1 + largest * (uint64_t)i / (PROBES - 2));
}

static void test_every_hole_index_member_has_its_table(void)
{
    for (int p = 0; p < MEMS_POLICY_COUNT; p++) {
        if (!unit_policy_built(p))
            continue;
        start((enum mems_policy)p);
        const struct policy_ops *ops = policy_ops_of((enum mems_policy)p);
        CHECK_EQ(ops == NULL, mems_policy_rounds_to_classes((enum mems_policy)p) != 0);
        CHECK(mems_state.zoo.ops == ops);
        mems_finish();
    }
}

static void renote(const struct policy_ops *ops, grain_t g, uint64_t size)
{
    CHECK(ops->reserve(1));
    ops->hole_removed(g, size);
    ops->hole_added(g, size);
    ops->commit();
}

static void test_the_fours_tables_answer_as_the_inline_calls(void)
{
    for (size_t k = 0; k < sizeof four / sizeof four[0]; k++) {
        start(four[k]);
        make_holes();
        const struct policy_ops *ops = policy_ops_of(four[k]);
        uint64_t largest = walk_holes(NULL, ops);
        CHECK_EQ(ops->largest(), largest);
        grain_t inline_choice[PROBES], table_choice[PROBES];
        probe_inline(inline_choice, largest);
        probe_table(table_choice, largest, ops);
        CHECK(memcmp(inline_choice, table_choice, sizeof table_choice) == 0);
        CHECK(table_choice[PROBES - 1] == GRAIN_NONE && table_choice[0] != GRAIN_NONE);
        /* every hole told again through the table's notes: the index still agrees with the bitmaps */
        walk_holes(renote, ops);
        char what[160] = "";
        CHECK_EQ(ops->check(what, sizeof what), 0);
        CHECK_INVARIANTS();
        probe_table(table_choice, largest, ops);
        CHECK(memcmp(inline_choice, table_choice, sizeof table_choice) == 0);
        mems_finish();
    }
}

/* A switch whose mmap fails: the old policy, its table and index, the same choices. */
static void test_a_failed_switch_keeps_the_old_index(void)
{
    static const enum mems_policy pairs[][2] = {
        {MEMS_FIRST_FIT, MEMS_BEST_FIT},      {MEMS_WORST_FIT, MEMS_TLSF},     {MEMS_NEXT_FIT, MEMS_BEST_FIT_FIFO},
        {MEMS_BEST_FIT, MEMS_FIRST_FIT_LIFO}, {MEMS_TLSF, MEMS_LEA},           {MEMS_LEA, MEMS_BEST_FIT},
        {MEMS_FIRST_FIT_FIFO, MEMS_NEXT_FIT_LIFO},
    };
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        enum mems_policy from = pairs[k][0], to = pairs[k][1];
        if (!unit_policy_built(from) || !unit_policy_built(to))
            continue;
        start(from);
        make_holes();
        uint64_t largest = walk_holes(NULL, NULL);
        bool address_ordered = policy_ops_of(from)->address_ordered;
        grain_t before[PROBES], after[PROBES];
        if (address_ordered) /* a zoo member's rebuilt index lists its holes in address order */
            probe_inline(before, largest);
        mems_test_fail_mmap(1);
        CHECK_EQ(mems_set_policy(to), MEMS_E_NO_MEMORY);
        mems_test_fail_mmap(0);
        mems_clear_error();
        CHECK_EQ(mems_state.config.policy, from);
        CHECK(mems_state.zoo.ops == policy_ops_of(from));
        CHECK_INVARIANTS();
        if (address_ordered) {
            CHECK_EQ(policy_ops_of(from)->largest(), largest);
            probe_inline(after, largest);
            CHECK(memcmp(before, after, sizeof after) == 0);
        }
        CHECK(mems_malloc(PAGE_SIZE / 3) != NULL);
        CHECK_INVARIANTS();
        CHECK_EQ(mems_set_policy(to), 0); /* and with memory, the switch is made */
        CHECK(mems_state.zoo.ops == policy_ops_of(to));
        CHECK_INVARIANTS();
        mems_finish();
    }
}

int main(void)
{
    test_every_hole_index_member_has_its_table();
    test_the_fours_tables_answer_as_the_inline_calls();
    test_a_failed_switch_keeps_the_old_index();
    return unit_report("test_policy_tables");
}
