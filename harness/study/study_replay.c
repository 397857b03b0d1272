/*
 * One trace under one policy and node structure, replayed on MeMS in this
 * process. Placement is all the study measures, so no byte of a block is
 * written (calloc is placed as malloc of its product, which is where MeMS
 * puts it too); the adapters are the replay's (harness/METRICS.md): malloc(0)
 * asks for 1 byte, an alignment above 16 is over-allocated, realloc(p, 0)
 * frees. MeMS's placement depends only on the order of calls, so every number
 * here is the same on every run.
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

uint64_t study_placed_bytes(uint64_t bytes, uint64_t alignment)
{
    if (bytes == 0)
        bytes = 1;
    if (alignment > STUDY_ALIGNMENT)
        bytes += alignment - 1;
    return bytes;
}

static void *place(uint64_t bytes, uint64_t alignment)
{
    return mems_malloc((size_t)study_placed_bytes(bytes, alignment));
}

int study_replay_op(const struct trace_op *op, void **handle, uint64_t *held)
{
    uint32_t id = op->id;
    switch (op->kind) {
    case OP_MALLOC:
    case OP_CALLOC:
    case OP_ALIGNED:
        handle[id] = place(op_bytes(op), op->kind == OP_ALIGNED ? op->extra : 0);
        held[id] = op_bytes(op);
        return handle[id] != NULL ? 0 : -1;
    case OP_REALLOC:
        if (op->flags & OP_FLAG_NULL) {
            handle[id] = place(op->size, 0);
            held[id] = op->size;
            return handle[id] != NULL ? 0 : -1;
        }
        if (op->size == 0) {
            mems_free(handle[id]);
            handle[id] = NULL, held[id] = 0;
            return 0;
        }
        handle[id] = mems_realloc(handle[id], (size_t)op->size);
        held[id] = op->size;
        return handle[id] != NULL ? 0 : -1;
    case OP_FREE:
        if (!(op->flags & OP_FLAG_NULL)) {
            mems_free(handle[id]);
            handle[id] = NULL, held[id] = 0;
        }
        return 0;
    default: return -1;
    }
}

int study_replay(const struct trace *trace, int policy, const struct study_config *config, struct study_measure *out)
{
    memset(out, 0, sizeof *out);
    out->ops = trace->num_ops;
    out->peak_live = trace->facts.peak_live_bytes;
    describe_sizes(trace, out);
    struct mems_config c;
    mems_default_config(&c);
    c.policy = (enum mems_policy)policy;
    c.alignment = STUDY_ALIGNMENT;
    c.min_pages = config->min_pages;
    c.release_empty_nodes = config->release_empty_nodes;
    if (mems_init_with(&c) != 0)
        return -1;
    void **handle = calloc(trace->num_ids + 1, sizeof *handle);
    uint64_t *held = calloc(trace->num_ids + 1, sizeof *held);
    if (handle == NULL || held == NULL) {
        free(handle);
        free(held);
        mems_finish();
        return -1;
    }
    size_t every = trace->num_ops / STUDY_SAMPLES + 1;
    uint64_t live = 0;
    double sum_holes = 0, sum_live = 0;
    for (size_t i = 0; i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        live -= held[op->id];
        if (study_replay_op(op, handle, held) != 0) {
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
    free(handle);
    free(held);
    mems_finish();
    return out->failed ? -1 : 0;
}
