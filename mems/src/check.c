/*
 * mems_check(): walks both chains and verifies every invariant the rest of the
 * library relies on, so a test can call it after each operation and learn the
 * first thing that broke rather than a crash much later.
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
    bool cursor_seen;
};

static void check_sub_chain(struct check_report *r, const struct main_node *node, size_t index,
                            struct chain_totals *t)
{
    size_t expected_offset = 0, count = 0;
    const struct segment *prev = NULL;
    if (node->first == NULL || node->last == NULL) {
        report_problem(r, "main node %zu has an empty sub-chain", index);
        return;
    }
    if (node->first->prev != NULL)
        report_problem(r, "main node %zu: first segment has a prev", index);
    for (const struct segment *seg = node->first; seg != NULL; prev = seg, seg = seg->next) {
        if (++count > node_bytes(node)) {
            report_problem(r, "main node %zu: sub-chain loops", index);
            return;
        }
        if (seg->prev != prev)
            report_problem(r, "main node %zu segment %zu: prev link broken", index, count - 1);
        if (seg->size == 0)
            report_problem(r, "main node %zu segment %zu: zero size", index, count - 1);
        if (seg->offset != expected_offset)
            report_problem(r, "main node %zu segment %zu: starts at offset %zu, expected %zu", index, count - 1,
                           seg->offset, expected_offset);
        if (seg->type != SEGMENT_HOLE && seg->type != SEGMENT_PROCESS)
            report_problem(r, "main node %zu segment %zu: bad type", index, count - 1);
        if (seg->type == SEGMENT_HOLE) {
            if (prev != NULL && prev->type == SEGMENT_HOLE)
                report_problem(r, "main node %zu segments %zu and %zu: adjacent holes not merged", index,
                               count - 2, count - 1);
            if (seg->requested != 0)
                report_problem(r, "main node %zu segment %zu: a HOLE with requested bytes", index, count - 1);
            t->holes++;
            t->hole_bytes += seg->size;
        } else {
            if (seg->requested == 0 || seg->requested > seg->size)
                report_problem(r, "main node %zu segment %zu: requested %zu does not fit size %zu", index,
                               count - 1, seg->requested, seg->size);
            if (seg->size % mems_state.config.alignment != 0)
                report_problem(r, "main node %zu segment %zu: size %zu not a multiple of the alignment", index,
                               count - 1, seg->size);
            t->requested += seg->requested;
        }
        if (seg == mems_state.cursor_segment && node == mems_state.cursor_node)
            t->cursor_seen = true;
        if (seg->node != node)
            report_problem(r, "main node %zu segment %zu: points to another node", index, count - 1);
        if (seg->indexed != (seg->type == SEGMENT_HOLE))
            report_problem(r, "main node %zu segment %zu: %s the hole index", index, count - 1,
                           seg->indexed ? "a PROCESS in" : "a HOLE missing from");
        expected_offset += seg->size;
    }
    if (node->last != prev)
        report_problem(r, "main node %zu: last pointer is not the last segment", index);
    if (expected_offset != node_bytes(node))
        report_problem(r, "main node %zu: segments cover %zu of %zu bytes", index, expected_offset,
                       node_bytes(node));
    if (count != node->segment_count)
        report_problem(r, "main node %zu: %zu segments, counter says %zu", index, count, node->segment_count);
    t->segments += count;
}

int mems_check(char *message, size_t message_size)
{
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
        if (index >= mems_state.node_table_capacity || mems_state.node_table[index] != node)
            report_problem(r, "main node %zu: not at its place in the node table", index);
        if (node->pages == 0 || node->base == NULL)
            report_problem(r, "main node %zu: no mapping", index);
        uintptr_t expected_start = prev != NULL ? node_v_end(prev) + 1 : MEMS_VIRTUAL_BASE;
        bool gaps_allowed = mems_state.config.release_empty_nodes;
        if (gaps_allowed ? node->v_start < expected_start : node->v_start != expected_start)
            report_problem(r, "main node %zu: starts at %ju, expected %ju", index, (uintmax_t)node->v_start,
                           (uintmax_t)expected_start);
        t.pages += node->pages;
        check_sub_chain(r, node, index, &t);
    }
    if (mems_state.last != prev)
        report_problem(r, "main chain: last pointer is not the last node");
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
    if (mems_state.slots_in_use != t.nodes + t.segments)
        report_problem(r, "%zu metadata slots in use for %zu nodes and %zu segments", mems_state.slots_in_use,
                       t.nodes, t.segments);
    size_t by_address, by_size, by_start;
    int index_faults = 0;
    index_count(&by_address, &by_size, &by_start, &index_faults);
    if (by_start != t.segments)
        report_problem(r, "the by-start index holds %zu segments, the chains %zu", by_start, t.segments);
    if (index_faults != 0)
        report_problem(r, "hole index: %d entries out of order or with a wrong summary", index_faults);
    if (by_address != t.holes || by_size != t.holes)
        report_problem(r, "hole index holds %zu and %zu holes, the chains %zu", by_address, by_size, t.holes);
    if (mems_state.cursor_segment != NULL && !t.cursor_seen)
        report_problem(r, "next-fit cursor points outside the chains");
    size_t cap = mems_state.config.max_mapped_bytes;
    if (cap != 0 && t.pages * (size_t)PAGE_SIZE > cap)
        report_problem(r, "%zu bytes mapped, over the cap of %zu", t.pages * (size_t)PAGE_SIZE, cap);
    return report.problems;
}
