/*
 * One trace under one policy and node structure, replayed on MeMS in this
 * process, each op applied by the replay's own code (replay_apply) on MeMS
 * placing blocks without touching them (backend_mems_placement_ops):
 * placement is all the study measures, and the adapters are the replay's
 * (harness/METRICS.md). MeMS's placement depends only on the order of calls,
 * so every number here is the same on every run.
 */
#include "study.h"

#include "mems.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STUDY_SAMPLES 200

struct hole_split {
    uint64_t interior, tail, empty;
    uint64_t pending;     /* holes of the current node since its last live block */
    size_t node;
    int node_has_live, started;
};

static void close_node(struct hole_split *h)
{
    if (h->node_has_live)
        h->tail += h->pending;
    else
        h->empty += h->pending;
    h->pending = 0;
    h->node_has_live = 0;
}

static int visit_segment(const struct mems_segment_info *seg, void *context)
{
    struct hole_split *h = context;
    if (h->started && seg->node_index != h->node)
        close_node(h);
    h->started = 1;
    h->node = seg->node_index;
    if (seg->is_hole) {
        h->pending += seg->size;
    } else {
        h->interior += h->pending;
        h->pending = 0;
        h->node_has_live = 1;
    }
    return 0;
}

/* The state at the peak: holes split by where they lie, and the totals. */
static void measure_peak(struct study_measure *m, uint64_t live)
{
    struct hole_split h = {0};
    mems_walk(visit_segment, &h);
    if (h.started)
        close_node(&h);
    struct mems_stats st;
    mems_stats(&st);
    m->interior = h.interior, m->tail = h.tail, m->empty = h.empty;
    m->holes = st.hole_bytes;
    m->rounding = st.live_bytes - live;
    m->metadata = st.metadata_bytes;
    m->nodes = st.main_chain_length;
    m->pages = st.pages;
}

static void describe_sizes(const struct trace *trace, struct study_measure *m)
{
    double n = 0, sum = 0, squares = 0;
    for (size_t i = 0; i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        if (op_frees(op))
            continue;
        double b = (double)op_bytes(op);
        n++, sum += b, squares += b * b;
    }
    m->mean_size = n > 0 ? sum / n : 0;
    double variance = n > 0 ? squares / n - m->mean_size * m->mean_size : 0;
    m->cv_measured = m->mean_size > 0 ? sqrt(variance > 0 ? variance : 0) / m->mean_size : 0;
}

const struct allocator_ops *study_start_mems(int policy, const struct study_config *config)
{
    struct mems_config c;
    mems_default_config(&c);
    c.policy = (enum mems_policy)policy;
    c.alignment = STUDY_ALIGNMENT;
    if (config != NULL) {
        c.min_pages = config->min_pages;
        c.release_empty_nodes = config->release_empty_nodes;
    }
    const struct allocator_ops *ops = backend_mems_placement_ops(&c);
    return ops->start() == 0 ? ops : NULL;
}

int study_replay_op(const struct allocator_ops *ops, const struct trace_op *op, struct block *blocks, uint64_t *held)
{
    if (replay_apply(ops, op, &blocks[op->id], held[op->id]) != 0)
        return -1;
    held[op->id] = replay_extent_after(op, held[op->id]);
    return 0;
}

int study_replay(const struct trace *trace, int policy, const struct study_config *config, struct study_measure *out)
{
    memset(out, 0, sizeof *out);
    out->ops = trace->num_ops;
    out->peak_live = trace->facts.peak_live_bytes;
    describe_sizes(trace, out);
    const struct allocator_ops *ops = study_start_mems(policy, config);
    if (ops == NULL)
        return -1;
    struct block *blocks = calloc(trace->num_ids + 1, sizeof *blocks);
    uint64_t *held = calloc(trace->num_ids + 1, sizeof *held);
    if (blocks == NULL || held == NULL) {
        free(blocks);
        free(held);
        ops->stop();
        return -1;
    }
    size_t every = trace->num_ops / STUDY_SAMPLES + 1;
    uint64_t live = 0;
    double sum_holes = 0, sum_live = 0;
    for (size_t i = 0; i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        live -= held[op->id];
        if (study_replay_op(ops, op, blocks, held) != 0) {
            fprintf(stderr, "mems-bench study: %s: op %zu refused by MeMS: %s\n", trace->name, i,
                    mems_last_error_message());
            out->failed = 1;
            break;
        }
        live += held[op->id];
        if (i == trace->facts.peak_live_op) {
            if (live != trace->facts.peak_live_bytes) {
                fprintf(stderr, "mems-bench study: %s: live bytes %ju at the peak, the trace says %ju\n",
                        trace->name, (uintmax_t)live, (uintmax_t)trace->facts.peak_live_bytes);
                out->failed = 1;
            }
            measure_peak(out, live);
        }
        if (i % every == 0 && live > 0) {
            struct mems_stats st;
            mems_stats(&st);
            sum_holes += (double)st.hole_bytes;
            sum_live += (double)live;
        }
    }
    struct mems_stats st;
    mems_stats(&st);
    out->peak_mapped = st.peak_mapped_bytes;
    out->holes_over_time = sum_live > 0 ? sum_holes / sum_live : 0;
    free(blocks);
    free(held);
    ops->stop();
    return out->failed ? -1 : 0;
}
