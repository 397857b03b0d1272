/* The check pass: see replay.h. */
#include "replay_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define REPORTED_ERRORS_MAX 10

/* ---- errors, reported with the op index ---- */

static void flag_error(struct replay *r, size_t op_index, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void flag_error(struct replay *r, size_t op_index, const char *format, ...)
{
    if (r->errors++ < REPORTED_ERRORS_MAX) {
        char what[256];
        va_list args;
        va_start(args, format);
        vsnprintf(what, sizeof what, format, args);
        va_end(args);
        fprintf(stderr, "%s: op %zu: %s\n", r->trace->name, op_index, what);
    }
}

static size_t required_alignment(const struct allocator_ops *ops, const struct trace_op *op)
{
    if (op->kind == OP_ALIGNED)
        return op->extra;
    /* malloc owes alignment only as large as an object of that size can need */
    size_t a = ops->guaranteed_alignment;
    uint64_t bytes = op_bytes(op);
    while (a > 1 && a > bytes)
        a /= 2;
    return a;
}

/* The checks around one op of the check pass. With threads there is no
 * overlap index (it would be one lock over every op): a block placed over a
 * live one overwrites that one's pattern, found when it is freed, reallocated
 * or checked at the end. */
static void check_op(struct replay *r, size_t i)
{
    const struct trace_op *op = &r->trace->ops[i];
    struct slot *s = &r->slots[op->id];
    bool makes_block = op->kind != OP_FREE && !op_acts_on_block(op);
    if (op_frees_null(op)) {
        apply(r->ops, op, s);
        return;
    }
    uint64_t old_extent = s->extent;
    if (!makes_block) {
        if (!s->live) { /* the allocator refused this id's block earlier */
            r->skipped++;
            return;
        }
        uint64_t bad = pattern_check(s->b.real, op->id, s->extent, s->extent, r->bounded);
        if (bad != UINT64_MAX)
            flag_error(r, i, "%s of id %u: the block was overwritten at byte %ju of %ju", op_kind_name(op->kind),
                       op->id, (uintmax_t)bad, (uintmax_t)s->extent);
        if (!r->threaded)
            overlap_remove(r, op->id);
    }
    struct block before = s->b;
    if (apply(r->ops, op, s) != 0) {
        /* a refusal, not an error: the allocator may say no, and the replay goes on */
        r->failed++;
        if (!makes_block) { /* a refused realloc leaves the old block */
            if (!r->threaded)
                overlap_insert(r, op->id);
        } else {
            s->live = 0;
        }
        return;
    }
    if (op_frees(op)) {
        r->live_bytes -= old_extent;
        s->live = 0;
        s->extent = 0;
        return;
    }
    s->extent = op_bytes(op);
    if (makes_block) {
        s->live = 1;
        r->live_bytes += s->extent;
    } else {
        r->live_bytes += s->extent - old_extent;
        uint64_t keep = old_extent < s->extent ? old_extent : s->extent;
        uint64_t bad = pattern_check(s->b.real, op->id, old_extent, keep, r->bounded);
        if (bad != UINT64_MAX)
            flag_error(r, i, "realloc of id %u from %p to %p lost its contents at byte %ju of %ju", op->id,
                       before.real, s->b.real, (uintmax_t)bad, (uintmax_t)keep);
    }
    size_t align = required_alignment(r->ops, op);
    if (s->b.real != NULL && (uintptr_t)s->b.real % align != 0)
        flag_error(r, i, "%s of id %u returned %p, not aligned to %zu", op_kind_name(op->kind), op->id, s->b.real,
                   align);
    if (op->kind == OP_CALLOC) {
        uint64_t bad = zero_check(s->b.real, op->id, s->extent, r->bounded);
        if (bad != UINT64_MAX)
            flag_error(r, i, "calloc of id %u: byte %ju is not zero", op->id, (uintmax_t)bad);
    }
    uint32_t clash = r->threaded ? NO_SLOT : overlap_insert(r, op->id);
    if (clash != NO_SLOT)
        flag_error(r, i, "id %u at [%p, +%ju) overlaps live id %u at [%p, +%ju)", op->id, s->b.real,
                   (uintmax_t)s->extent, clash, r->slots[clash].b.real, (uintmax_t)r->slots[clash].extent);
    pattern_fill(s->b.real, op->id, s->extent, r->bounded);
}

/* ---- passes ---- */

static void sample(const struct replay *r, uint64_t index, uint64_t live_bytes, uint64_t baseline,
                   struct replay_sample *out, struct footprint *fp)
{
    r->ops->measure(fp, 1);
    uint64_t rss = rss_bytes();
    *out = (struct replay_sample){
        .op_index = index,
        .live_bytes = live_bytes,
        .footprint_bytes = fp->bytes != 0 || fp->mmaps != 0 ? fp->bytes : (rss > baseline ? rss - baseline : 0),
        .rss_bytes = rss,
        .reported_bytes = fp->reported,
        .hole_count = fp->hole_count,
        .largest_hole = fp->largest_hole,
        .holes_examined = fp->holes_examined,
        .searches = fp->searches,
    };
}

static double ratio_minus_one(double a, double b)
{
    return b > 0 ? (a - b) / b : 0;
}

/* Johnstone & Wilson's four fragmentation measures and CS:APP utilization. */
static void compute_fragmentation(struct replay_metrics *m, const struct replay_sample *samples, size_t n,
                                  uint64_t peak_live_op)
{
    double sum_live = 0, sum_footprint = 0;
    size_t at_peak_live = 0, at_peak_footprint = 0, most_live = 0;
    bool peak_sampled = false;
    for (size_t i = 0; i < n; i++) {
        sum_live += (double)samples[i].live_bytes;
        sum_footprint += (double)samples[i].footprint_bytes;
        if (samples[i].op_index == peak_live_op) {
            at_peak_live = i;
            peak_sampled = true;
        }
        if (samples[i].live_bytes > samples[most_live].live_bytes)
            most_live = i;
        /* on a plateau of the peak, the sample holding the most live memory */
        const struct replay_sample *best = &samples[at_peak_footprint];
        if (samples[i].footprint_bytes > best->footprint_bytes ||
            (samples[i].footprint_bytes == best->footprint_bytes && samples[i].live_bytes > best->live_bytes))
            at_peak_footprint = i;
    }
    /* threads reach their own peak, not the recorded order's: the sample holding the most */
    if (!peak_sampled)
        at_peak_live = most_live;
    m->frag[0] = ratio_minus_one(sum_footprint, sum_live);
    m->frag[1] = ratio_minus_one((double)samples[at_peak_live].footprint_bytes, (double)m->peak_live);
    m->frag[2] = ratio_minus_one((double)samples[at_peak_footprint].footprint_bytes,
                                 (double)samples[at_peak_footprint].live_bytes);
    m->frag[3] = ratio_minus_one((double)m->peak_footprint, (double)m->peak_live);
    m->utilization = m->peak_footprint > 0 ? (double)m->peak_live / (double)m->peak_footprint : 0;
}

static int write_timeseries(const char *path, const struct replay_sample *samples, size_t n)
{
    static struct out_file f;
    if (out_open(&f, path) != 0)
        return -1;
    out_printf(&f, "op_index,live_bytes,footprint_bytes,rss_bytes,allocator_reported_bytes,hole_count,"
                   "largest_hole_bytes,holes_examined_total,searches_total\n");
    for (size_t i = 0; i < n; i++)
        out_printf(&f, "%ju,%ju,%ju,%ju,%ju,%ju,%ju,%ju,%ju\n", (uintmax_t)samples[i].op_index,
                   (uintmax_t)samples[i].live_bytes, (uintmax_t)samples[i].footprint_bytes,
                   (uintmax_t)samples[i].rss_bytes, (uintmax_t)samples[i].reported_bytes,
                   (uintmax_t)samples[i].hole_count, (uintmax_t)samples[i].largest_hole,
                   (uintmax_t)samples[i].holes_examined, (uintmax_t)samples[i].searches);
    return out_close(&f);
}

/* the split at peak footprint: on a plateau, where most is live (as frag_jw3) */
static void note_peak_footprint(const struct footprint *fp, uint64_t live, struct footprint *peak_fp,
                                uint64_t *peak_fp_live, uint64_t *peak_reported)
{
    if (fp->bytes != 0 && (fp->bytes > peak_fp->bytes || (fp->bytes == peak_fp->bytes && live > *peak_fp_live))) {
        *peak_fp = *fp;
        *peak_fp_live = live;
    }
    if (fp->reported > *peak_reported)
        *peak_reported = fp->reported;
}

/* ---- the check pass on one thread per recorded thread ---- */

struct check_shared {
    _Atomic uint64_t live, peak_live;
    size_t every;
    uint64_t baseline;
    struct replay_sample *samples;
};

static void check_one(struct replay_worker *w, size_t i)
{
    struct replay *r = &w->r;
    struct check_shared *c = w->pass;
    /* each thread's own count wraps when it frees what others made; their sum is the live bytes */
    uint64_t before = r->live_bytes;
    check_op(r, i);
    uint64_t live = atomic_load_explicit(&c->live, memory_order_relaxed);
    if (r->live_bytes != before) {
        live = atomic_fetch_add_explicit(&c->live, r->live_bytes - before, memory_order_relaxed) +
               (r->live_bytes - before);
        uint64_t peak = atomic_load_explicit(&c->peak_live, memory_order_relaxed);
        while (live > peak &&
               !atomic_compare_exchange_weak_explicit(&c->peak_live, &peak, live, memory_order_relaxed,
                                                      memory_order_relaxed))
            ;
    }
    if (i % c->every == 0) {
        struct footprint fp;
        struct replay_sample *out = &c->samples[i / c->every];
        sample(r, i, live, c->baseline, out, &fp);
        note_peak_footprint(&fp, live, &w->peak_fp, &w->peak_fp_live, &w->peak_reported);
    }
}

/* Blocks still live at the end: with no overlap index, a block placed over
 * one never freed shows only here. */
static void check_leftovers(struct replay *r)
{
    for (uint32_t id = 0; id < r->trace->num_ids; id++) {
        const struct slot *s = &r->slots[id];
        if (!s->live)
            continue;
        uint64_t bad = pattern_check(s->b.real, id, s->extent, s->extent, r->bounded);
        if (bad != UINT64_MAX)
            flag_error(r, r->trace->num_ops, "id %u, live at the end, was overwritten at byte %ju of %ju", id,
                       (uintmax_t)bad, (uintmax_t)s->extent);
    }
}

/* Samples land at every `every`-th op, whichever thread runs it, and once
 * more after the last thread. */
static int check_threaded(struct replay *r, struct replay_sample *samples, size_t every, uint64_t baseline,
                          struct replay_metrics *m, size_t *n, struct footprint *peak_fp, uint64_t *peak_reported,
                          struct thread_totals *totals)
{
    static struct check_shared shared;
    shared = (struct check_shared){.every = every, .baseline = baseline, .samples = samples};
    struct replay_worker *workers = replay_threads_run(r, check_one, &shared, totals);
    if (workers == NULL)
        return -1;
    uint64_t peak_fp_live = 0;
    for (uint32_t k = 0; k < totals->threads; k++) {
        const struct replay_worker *w = &workers[k];
        if (w->peak_fp.bytes != 0)
            note_peak_footprint(&w->peak_fp, w->peak_fp_live, peak_fp, &peak_fp_live, peak_reported);
        if (w->peak_reported > *peak_reported)
            *peak_reported = w->peak_reported;
    }
    replay_threads_free(workers, totals->threads);
    check_leftovers(r);
    *n = (r->trace->num_ops - 1) / every + 1;
    struct footprint fp;
    uint64_t live = atomic_load(&shared.live);
    sample(r, r->trace->num_ops - 1, live, baseline, &samples[*n], &fp);
    note_peak_footprint(&fp, live, peak_fp, &peak_fp_live, peak_reported);
    (*n)++;
    m->peak_live = atomic_load(&shared.peak_live);
    return 0;
}

#define TARGET_SAMPLES 2000

int run_check(struct replay *r, const char *timeseries_path, const char *heapmap_path, FILE *out)
{
    const struct trace *t = r->trace;
    size_t every = t->num_ops / TARGET_SAMPLES + 1;
    size_t max_samples = t->num_ops / every + 3;
    struct replay_sample *samples = map_zeroed(max_samples * sizeof *samples);
    if (samples == NULL)
        return 2;
    size_t n = 0;
    struct replay_metrics m = {0};
    struct footprint fp, peak_fp = {0};
    reset_peak_rss();
    unsigned long mmaps_before, munmaps_before, mmaps_after, munmaps_after;
    const char *count_method = os_count_method(r->ops->counts_mmap);
    os_count_read(&mmaps_before, &munmaps_before);
    uint64_t baseline = rss_bytes();
    m.rss_baseline = baseline;
    uint64_t peak_reported = 0, peak_fp_live = 0;
    struct heapmap *map = heapmap_path != NULL && !r->threaded ? heapmap_start(t->num_ops) : NULL;
    struct thread_totals totals = {.threads = 1};
    uint64_t wall_before = now_ns(), cpu_before = cpu_ns_now();
    if (r->threaded) {
        if (check_threaded(r, samples, every, baseline, &m, &n, &peak_fp, &peak_reported, &totals) != 0)
            return 2;
    } else {
        for (size_t i = 0; i < t->num_ops; i++) {
            check_op(r, i);
            if (r->live_bytes > m.peak_live)
                m.peak_live = r->live_bytes;
            if (map != NULL)
                heapmap_observe(map, i);
            if (i % every == 0 || i == t->facts.peak_live_op || i + 1 == t->num_ops) {
                sample(r, i, r->live_bytes, baseline, &samples[n], &fp);
                note_peak_footprint(&fp, samples[n].live_bytes, &peak_fp, &peak_fp_live, &peak_reported);
                n++;
            }
        }
        totals.wall_ns = now_ns() - wall_before;
        totals.cpu_ns = cpu_ns_now() - cpu_before;
    }
    os_count_read(&mmaps_after, &munmaps_after);
    r->ops->measure(&fp, 1);
    m.peak_rss = peak_rss_bytes();
    m.rss_growth = m.peak_rss > baseline ? m.peak_rss - baseline : 0;
    m.peak_footprint = fp.peak_bytes != 0 ? fp.peak_bytes : m.rss_growth;
    compute_fragmentation(&m, samples, n, t->facts.peak_live_op);

    fprintf(out, "integrity_errors %ju\nfailed_allocations %ju\nskipped_ops %ju\ncheck_writes %s\n",
            (uintmax_t)r->errors, (uintmax_t)r->failed, (uintmax_t)r->skipped, r->bounded ? "bounded" : "whole");
    fprintf(out, "peak_live_bytes %ju\npeak_rss_bytes %ju\nrss_growth_bytes %ju\n", (uintmax_t)m.peak_live,
            (uintmax_t)m.peak_rss, (uintmax_t)m.rss_growth);
    /* a footprint measured by RSS counts the pages written: with bounded
     * writes it says nothing of the allocator, so it is left out */
    bool footprint_by_rss = fp.peak_bytes == 0;
    if (!(r->bounded && footprint_by_rss))
        fprintf(out, "peak_footprint_bytes %ju\nutilization %.6f\nfrag_jw1 %.6f\nfrag_jw2 %.6f\nfrag_jw3 %.6f\n"
                     "frag_jw4 %.6f\n",
                (uintmax_t)m.peak_footprint, m.utilization, m.frag[0], m.frag[1], m.frag[2], m.frag[3]);
    fprintf(out, "allocator_reported_peak_bytes %ju\nallocator_reported_kind %s\n", (uintmax_t)peak_reported,
            r->ops->reported_kind[0] ? r->ops->reported_kind : "-");
    fprintf(out, "mems_given_bytes %ju\nmems_rounding_bytes %ju\nmems_hole_bytes %ju\nmems_metadata_bytes %ju\n",
            (uintmax_t)peak_fp.given, (uintmax_t)peak_fp.rounding, (uintmax_t)peak_fp.holes,
            (uintmax_t)peak_fp.metadata);
    /* MeMS counts its own calls; the others are counted by os_count.c */
    if (fp.mmaps != 0 || fp.searches != 0)
        fprintf(out, "mmap_calls %ju\nmunmap_calls %ju\nmmap_counted_by mems\n", (uintmax_t)fp.mmaps,
                (uintmax_t)fp.munmaps);
    else if (count_method != NULL)
        fprintf(out, "mmap_calls %lu\nmunmap_calls %lu\nmmap_counted_by %s\n", mmaps_after - mmaps_before,
                munmaps_after - munmaps_before, count_method);
    fprintf(out, "searches %ju\nholes_examined %ju\nsamples %zu\n", (uintmax_t)fp.searches,
            (uintmax_t)fp.holes_examined, n);
    print_thread_totals(r, &totals, out);

    release_leftovers(r);
    int rc = 0;
    if (timeseries_path != NULL && write_timeseries(timeseries_path, samples, n) != 0) {
        fprintf(stderr, "%s: cannot write the time series\n", timeseries_path);
        rc = 2;
    }
    if (map != NULL && heapmap_finish(map, heapmap_path) != 0) {
        fprintf(stderr, "%s: cannot write the heap map\n", heapmap_path);
        rc = 2;
    }
    munmap(samples, max_samples * sizeof *samples);
    if (rc == 0 && r->errors > 0)
        rc = 1;
    return rc;
}
