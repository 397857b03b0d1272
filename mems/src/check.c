/*
 * mems_check(): walks the chains and every structure beside them and
 * verifies each invariant the rest of the library relies on, so a test can
 * call it after each operation and learn the first thing that broke rather
 * than a crash much later.
 */
#include "mems_internal.h"

#include <stdarg.h>

struct check_report {
    int problems;
    char *message;
    size_t message_size;
};

__attribute__((format(printf, 2, 3))) static void report_problem(struct check_report *report, const char *format,
                                                                 ...)
{
    if (report->problems++ == 0 && report->message != NULL && report->message_size > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(report->message, report->message_size, format, args);
        va_end(args);
    }
}

struct chain_totals {
    size_t nodes, segments, holes, pages, hole_bytes, requested;
};

static void check_sub_chain(struct check_report *r, const struct main_node *node, size_t index,
                            struct chain_totals *t)
{
    size_t count = 0;
    bool prev_hole = false;
    if (!grain_is_start(node->first_grain)) {
        report_problem(r, "main node %zu: no segment starts at its first address", index);
        return;
    }
    if (node->end_grain <= node->first_grain || node_bytes(node) % PAGE_SIZE != 0)
        report_problem(r, "main node %zu: granule range is not whole pages", index);
    grain_t last_start = node->first_grain;
    for (grain_t g = node->first_grain; g < node->end_grain; count++) {
        grain_t next = grain_next_start(g, node->end_grain);
        last_start = g;
        size_t bytes = grains_to_bytes(next - g);
        bool hole = grain_is_hole(g);
        unsigned slack = grain_slack(g);
        if (hole) {
            if (prev_hole && mems_state.classes.member == 0) /* class-rounding members: holes side by side */
                report_problem(r, "main node %zu segments %zu and %zu: adjacent holes not merged", index,
                               count - 1, count);
            if (slack != 0)
                report_problem(r, "main node %zu segment %zu: a HOLE with requested bytes", index, count);
            t->holes++;
            t->hole_bytes += bytes;
        } else {
            if (slack >= bytes || slack >= mems_state.config.alignment)
                report_problem(r, "main node %zu segment %zu: slack %u does not fit size %zu", index, count, slack,
                               bytes);
            t->requested += mems_state.classes.member != 0 ? classes_requested(g) : bytes - slack;
        }
        prev_hole = hole;
        g = next;
    }
    /* calloc trusts the granules past the heap's clean mark to be zero: none
     * of them may ever have been handed out, so all lie in the last HOLE */
    grain_t clean = mems_state.heap_clean_from;
    if (mems_state.classes.member == 0 && node == mems_state.last && clean < node->end_grain &&
        (clean < node->first_grain || !(prev_hole && last_start <= clean)))
        report_problem(r, "main node %zu: granules past the heap's clean mark lie outside its last HOLE", index);
    t->segments += count;
}

static void check_indexes(struct check_report *r)
{
    int bad = 0;
    char what[160] = "";
    grain_check(&bad, what, sizeof what);
    if (bad != 0)
        report_problem(r, "%s", what);
    if (chain_check_tables() != 0)
        report_problem(r, "page map or base treap out of step with the main chain");
    /* the fit tree is checked by its members' tables; off, it must be all zero */
    int fit_faults = mems_state.fit_active ? 0 : fit_check();
    if (fit_faults != 0)
        report_problem(r, "fit tree: %d entries disagree with the holes", fit_faults);
    char own[160] = "";
    if (index_check_own(own, sizeof own) != 0)
        report_problem(r, "%s", own);
    const struct policy_ops *ops = policy_ops_of(mems_state.config.policy);
    enum mems_policy policy = mems_state.config.policy;
    bool bins_wanted = policy == MEMS_BEST_FIT;
    bool fit_wanted = policy == MEMS_FIRST_FIT || policy == MEMS_NEXT_FIT || policy == MEMS_WORST_FIT;
    if (mems_state.classes.member != 0) { /* class-rounding members: their own invariants (class_check.c) */
        char members[160] = "";
        if (classes_check(members, sizeof members) != 0)
            report_problem(r, "%s", members);
    } else if (mems_state.zoo.ops != ops || mems_state.bins.active != bins_wanted ||
               mems_state.fit_active != fit_wanted || mems_state.fit_exact != (policy == MEMS_WORST_FIT))
        report_problem(r, "the hole index does not match the policy");
}

int mems_check(char *message, size_t message_size)
{
    if (arena_routes())
        return mems_state.routes->to_check(message, message_size);
    struct check_report report = {0, message, message_size};
    struct check_report *r = &report;
    struct chain_totals t = {0};
    if (message != NULL && message_size > 0)
        message[0] = '\0';
    state_ensure_initialized();

    const struct main_node *prev = NULL;
    for (const struct main_node *node = mems_state.first; node != NULL; prev = node, node = node->next) {
        size_t index = t.nodes++;
        if (t.nodes > mems_state.node_count + 1) {
            report_problem(r, "main chain longer than its counter (a loop?)");
            break;
        }
        if (node->prev != prev)
            report_problem(r, "main node %zu: prev link broken", index);
        if (node->base == NULL)
            report_problem(r, "main node %zu: no mapping", index);
        uintptr_t expected_start = prev != NULL ? node_v_end(prev) + 1 : MEMS_VIRTUAL_BASE;
        bool gaps_allowed = mems_state.config.release_empty_nodes;
        if (gaps_allowed ? node->v_start < expected_start : node->v_start != expected_start)
            report_problem(r, "main node %zu: starts at %ju, expected %ju", index, (uintmax_t)node->v_start,
                           (uintmax_t)expected_start);
        t.pages += node_pages(node);
        check_sub_chain(r, node, index, &t);
    }
    if (mems_state.last != prev)
        report_problem(r, "main chain: last pointer is not the last node");
    if (mems_state.heap_end_grain != (prev != NULL ? prev->end_grain : 0))
        report_problem(r, "main chain: heap end %ju is not the last node's end", (uintmax_t)mems_state.heap_end_grain);
    if (mems_state.heap_clean_from > mems_state.heap_end_grain)
        report_problem(r, "main chain: the heap's clean mark is past its end");
    if (t.nodes != mems_state.node_count)
        report_problem(r, "main chain: %zu nodes, counter says %zu", t.nodes, mems_state.node_count);
    if (t.segments != mems_state.segment_count)
        report_problem(r, "%zu segments, counter says %zu", t.segments, mems_state.segment_count);
    if (t.holes != mems_state.hole_count)
        report_problem(r, "%zu holes, counter says %zu", t.holes, mems_state.hole_count);
    if (t.pages != mems_state.pages)
        report_problem(r, "%zu pages, counter says %zu", t.pages, mems_state.pages);
    if (t.hole_bytes != mems_state.hole_bytes)
        report_problem(r, "%zu hole bytes, counter says %zu", t.hole_bytes, mems_state.hole_bytes);
    if (t.requested != mems_state.requested_bytes)
        report_problem(r, "%zu requested bytes, counter says %zu", t.requested, mems_state.requested_bytes);
    if (mems_state.slots_in_use != t.nodes)
        report_problem(r, "%zu node records in use for %zu nodes", mems_state.slots_in_use, t.nodes);
    check_indexes(r);
    grain_t known = mems_state.known_hole;
    if (known != GRAIN_NONE) {
        const struct main_node *node = chain_node_at(grain_to_v(known));
        if (node == NULL || !grain_is_start(known) || !grain_is_hole(known) ||
            segment_size(node, known) != mems_state.known_hole_size)
            report_problem(r, "the hole last left, %ju, is not a HOLE of %ju granules", (uintmax_t)grain_to_v(known),
                           (uintmax_t)mems_state.known_hole_size);
    }
    uintptr_t given = mems_state.given_v;
    if (given != 0) {
        const struct main_node *node = chain_node_at(given);
        grain_t g = v_to_grain(given);
        if (node == NULL || g != mems_state.given_grain || !grain_is_start(g) || grain_is_hole(g) ||
            mems_state.given_real != node->base + (given - node->v_start))
            report_problem(r, "the last block given, %ju, is not a live block at its real address", (uintmax_t)given);
    }
    if (mems_state.cursor != 0 && chain_node_at(mems_state.cursor) == NULL)
        report_problem(r, "next-fit cursor points outside the chains");
    size_t cap = mems_state.config.max_mapped_bytes;
    if (cap != 0 && t.pages * (size_t)PAGE_SIZE > cap)
        report_problem(r, "%zu bytes mapped, over the cap of %zu", t.pages * (size_t)PAGE_SIZE, cap);
    return report.problems;
}
