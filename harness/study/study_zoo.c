/*
 * The zoo's replays: every member the library implements, on every trace of
 * the study's plan, under the default structure (min_pages 1, empty nodes
 * kept) at alignment 16. The footprint is followed op by op, so #3 and #4 are
 * exact, not sampled; the programs are replayed again, untouched by any
 * measuring, for their time per op. zoo.csv holds the placements' numbers
 * (the same on every run with the same seeds), zoo_time.csv the times.
 */
#include "study_zoo.h"

#include "mems.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t round_to_alignment(uint64_t bytes)
{
    return (bytes + STUDY_ALIGNMENT - 1) & ~(uint64_t)(STUDY_ALIGNMENT - 1);
}

/* The bytes MeMS is asked to hold for op's block after it (0 when it frees). */
static uint64_t asked_after(const struct trace_op *op)
{
    switch (op->kind) {
    case OP_MALLOC:
    case OP_CALLOC: return backend_mems_asked(op_bytes(op), 0, STUDY_ALIGNMENT);
    case OP_ALIGNED: return backend_mems_asked(op_bytes(op), op->extra, STUDY_ALIGNMENT);
    case OP_REALLOC:
        if (op->flags & OP_FLAG_NULL)
            return backend_mems_asked(op->size, 0, STUDY_ALIGNMENT);
        return op->size;
    default: return 0;
    }
}

struct footprint_peak {
    uint64_t bytes, live_then;
};

/* The largest footprint so far; among equals the one with the most live (as frag_jw3). */
static void note_footprint(struct footprint_peak *p, uint64_t footprint, uint64_t live)
{
    if (footprint > p->bytes || (footprint == p->bytes && live > p->live_then))
        p->bytes = footprint, p->live_then = live;
}

static double excess(uint64_t footprint, uint64_t live)
{
    return live > 0 ? ((double)footprint - (double)live) / (double)live : NAN;
}

static int measure_member(const struct trace *trace, int policy, struct zoo_measure *out)
{
    const struct allocator_ops *ops = study_start_mems(policy, NULL);
    if (ops == NULL)
        return -1;
    size_t slots = trace->num_ids + 1;
    struct block *blocks = calloc(slots, sizeof *blocks);
    uint64_t *held = calloc(slots, sizeof *held), *aligned = calloc(slots, sizeof *aligned);
    int rc = blocks && held && aligned ? 0 : -1;
    uint64_t live = 0, live_aligned = 0;
    struct footprint_peak all = {0}, own = {0};
    for (size_t i = 0; rc == 0 && i < trace->num_ops; i++) {
        const struct trace_op *op = &trace->ops[i];
        live -= held[op->id];
        live_aligned -= aligned[op->id];
        if (study_replay_op(ops, op, blocks, held) != 0) {
            fprintf(stderr, "mems-bench study: %s: op %zu refused by MeMS under %s: %s\n", trace->name, i,
                    mems_policy_name((enum mems_policy)policy), mems_last_error_message());
            rc = -1;
            break;
        }
        aligned[op->id] = round_to_alignment(asked_after(op));
        live += held[op->id];
        live_aligned += aligned[op->id];
        struct mems_stats st;
        mems_stats(&st);
        note_footprint(&all, st.mapped_bytes + st.metadata_bytes, live);
        /* the user pages less the rounding to 16 bytes: the holes, the program's bytes and,
         * for a class-rounding member, the rest of each block's class */
        note_footprint(&own, st.mapped_bytes - (live_aligned - live), live);
    }
    uint64_t peak = trace->facts.peak_live_bytes;
    out->jw3_all = excess(all.bytes, all.live_then);
    out->jw3_policy = excess(own.bytes, own.live_then);
    out->jw4_all = excess(all.bytes, peak);
    out->jw4_policy = excess(own.bytes, peak);
    out->failed = rc != 0;
    out->ran = 1;
    free(blocks);
    free(held);
    free(aligned);
    ops->stop();
    return rc;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The op loop alone, as often as ZOO_TIMED_REPEATS; the median ns per op. */
static double time_member(const struct trace *trace, int policy)
{
    double ns[ZOO_TIMED_REPEATS];
    struct block *blocks = calloc(trace->num_ids + 1, sizeof *blocks);
    uint64_t *held = calloc(trace->num_ids + 1, sizeof *held);
    int rc = blocks && held ? 0 : -1;
    for (int r = 0; rc == 0 && r < ZOO_TIMED_REPEATS; r++) {
        memset(blocks, 0, (trace->num_ids + 1) * sizeof *blocks);
        memset(held, 0, (trace->num_ids + 1) * sizeof *held);
        const struct allocator_ops *ops = study_start_mems(policy, NULL);
        if (ops == NULL) {
            rc = -1;
            break;
        }
        double start = now_seconds();
        for (size_t i = 0; rc == 0 && i < trace->num_ops; i++)
            rc = study_replay_op(ops, &trace->ops[i], blocks, held);
        ns[r] = (now_seconds() - start) * 1e9 / (double)(trace->num_ops ? trace->num_ops : 1);
        ops->stop();
    }
    free(blocks);
    free(held);
    if (rc != 0)
        return NAN;
    qsort(ns, ZOO_TIMED_REPEATS, sizeof *ns, compare_doubles);
    return ns[ZOO_TIMED_REPEATS / 2];
}

/* The members the library implements (a member it only names is left out). */
static void list_members(struct study_zoo *z)
{
    z->nmembers = 0;
    for (int p = 0; p < MEMS_POLICY_COUNT && z->nmembers < ZOO_MAX_MEMBERS; p++) {
        if (!mems_policy_implemented((enum mems_policy)p))
            continue;
        z->member[z->nmembers] = p;
        z->name[z->nmembers++] = mems_policy_name((enum mems_policy)p);
    }
}

int study_zoo_run(struct study *s, struct study_zoo *z)
{
    memset(z, 0, sizeof *z);
    list_members(z);
    z->m = calloc(s->ntraces * ZOO_MAX_MEMBERS + 1, sizeof *z->m);
    if (z->m == NULL)
        return -1;
    fprintf(stderr, "mems-bench study: the policy zoo, %zu members on %zu traces\n", z->nmembers, s->ntraces);
    bool progress = isatty(STDERR_FILENO);
    double start = now_seconds();
    int failures = 0;
    for (size_t t = 0; t < s->ntraces; t++) {
        if (progress)
            fprintf(stderr, "\r\033[K[zoo %zu/%zu] %s, %.0f s", t + 1, s->ntraces, s->traces[t].name,
                    now_seconds() - start);
        struct trace trace;
        struct trace_error error;
        if (study_load_trace(s, t, &trace, &error) != 0) {
            fprintf(stderr, "%smems-bench study: %s\n", progress ? "\n" : "", error.message);
            return -1;
        }
        for (size_t k = 0; k < z->nmembers; k++) {
            struct zoo_measure *m = &z->m[t * ZOO_MAX_MEMBERS + k];
            failures += measure_member(&trace, z->member[k], m) != 0;
            m->ns_per_op = s->traces[t].in_programs && !m->failed ? time_member(&trace, z->member[k]) : NAN;
        }
        trace_free(&trace);
    }
    if (progress)
        fprintf(stderr, "\r\033[K");
    z->seconds = now_seconds() - start;
    return failures ? -1 : 0;
}

void study_zoo_free(struct study_zoo *z)
{
    free(z->m);
    z->m = NULL;
}

const struct zoo_measure *zoo_find(const struct study *s, const struct study_zoo *z, size_t trace, size_t k)
{
    if (z->m == NULL || trace >= s->ntraces || k >= z->nmembers)
        return NULL;
    const struct zoo_measure *m = &z->m[trace * ZOO_MAX_MEMBERS + k];
    return m->ran && !m->failed ? m : NULL;
}

double zoo_value(const struct zoo_measure *m, bool jw4, enum zoo_view view)
{
    if (m == NULL)
        return NAN;
    if (jw4)
        return view == ZOO_ALL ? m->jw4_all : m->jw4_policy;
    return view == ZOO_ALL ? m->jw3_all : m->jw3_policy;
}

int zoo_member(const struct study_zoo *z, const char *name)
{
    for (size_t k = 0; k < z->nmembers; k++)
        if (strcmp(z->name[k], name) == 0)
            return (int)k;
    return -1;
}

int study_zoo_write_csv(const struct study *s, const struct study_zoo *z)
{
    FILE *f = csv_open(s->out_dir, "zoo.csv",
                       "trace,shape,sizes,cv_nominal,seed,member,rounds_to_classes,jw3_all,jw3_policy,jw4_all,jw4_policy");
    FILE *t = csv_open(s->out_dir, "zoo_time.csv", "trace,member,ns_per_op");
    if (f == NULL || t == NULL) {
        if (f)
            fclose(f);
        if (t)
            fclose(t);
        return -1;
    }
    for (size_t tr = 0; tr < s->ntraces; tr++)
        for (size_t k = 0; k < z->nmembers; k++) {
            const struct zoo_measure *m = zoo_find(s, z, tr, k);
            if (m == NULL)
                continue;
            const struct study_trace *st = &s->traces[tr];
            fprintf(f, "%s,%s,%s,", st->name, st->shape, st->sizes);
            if (st->path[0])
                fprintf(f, ",,");
            else
                fprintf(f, "%g,%u,", st->cv, st->seed);
            fprintf(f, "%s,%d,%.9g,%.9g,%.9g,%.9g\n", z->name[k],
                    mems_policy_rounds_to_classes((enum mems_policy)z->member[k]) != 0, m->jw3_all, m->jw3_policy,
                    m->jw4_all, m->jw4_policy);
            if (!isnan(m->ns_per_op))
                fprintf(t, "%s,%s,%.3f\n", st->name, z->name[k], m->ns_per_op);
        }
    int rc = fclose(f);
    return fclose(t) | rc;
}
