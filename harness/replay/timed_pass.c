/* The timed and latency passes: see replay.h. */
#include "replay_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

static inline void replay_op(struct replay *r, size_t i)
{
    const struct trace_op *op = &r->trace->ops[i];
    struct slot *s = &r->slots[op->id];
    if (op_acts_on_block(op) && !s->live) {
        r->skipped++;
        return;
    }
    note_outcome(r, op, apply(r->ops, op, s));
}

static void replay_range(struct replay *r, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        replay_op(r, i);
}

static void replay_one(struct replay_worker *w, size_t i)
{
    replay_op(&w->r, i);
}

/* Page faults of this process so far. The harness's own memory is touched
 * before the pass and the pass writes into no block, so the faults taken
 * during it are the allocator's: pages it touched for the first time. */
static long page_faults_now(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    return usage.ru_minflt + usage.ru_majflt;
}

/* The whole trace timed; with `steady_from` inside it, the ops from there on
 * also timed apart (a generated trace's steady phase after its ramp), by one
 * clock read between two loops. */
/* With threads, the time is the threads' own (their waits on each other
 * left out), summed; the steady phase is not timed apart. */
int run_timed(struct replay *r, size_t steady_from, FILE *out)
{
    const struct trace *t = r->trace;
    size_t split = steady_from > 0 && steady_from < t->num_ops && !r->threaded ? steady_from : t->num_ops;
    long faults_before = page_faults_now();
    struct thread_totals totals = {.threads = 1};
    uint64_t cpu_before = cpu_ns_now();
    uint64_t start = now_ns(), middle = start, end = start, elapsed;
    if (r->threaded) {
        struct replay_worker *workers = replay_threads_run(r, replay_one, NULL, &totals);
        if (workers == NULL)
            return 2;
        replay_threads_free(workers, totals.threads);
        elapsed = totals.op_ns;
    } else {
        replay_range(r, 0, split);
        middle = now_ns();
        replay_range(r, split, t->num_ops);
        end = now_ns();
        elapsed = totals.op_ns = totals.wall_ns = end - start;
        totals.cpu_ns = cpu_ns_now() - cpu_before;
    }
    long faults = page_faults_now() - faults_before;
    fprintf(out, "seconds %.9f\nns_per_op %.3f\npage_faults %ld\n", (double)elapsed / 1e9,
            (double)elapsed / (double)t->num_ops, faults);
    if (split < t->num_ops)
        fprintf(out, "steady_ns_per_op %.3f\n", (double)(end - middle) / (double)(t->num_ops - split));
    print_thread_totals(r, &totals, out);
    release_leftovers(r);
    return 0;
}

static void sift_down(uint32_t *a, size_t root, size_t end)
{
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= end)
            return;
        if (child + 1 < end && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        uint32_t tmp = a[root];
        a[root] = a[child];
        a[child] = tmp;
        root = child;
    }
}

/* heapsort: in place, no allocation, n log n */
static void sort_u32(uint32_t *a, size_t n)
{
    for (size_t start = n / 2; start-- > 0;)
        sift_down(a, start, n);
    for (size_t end = n; end-- > 1;) {
        uint32_t tmp = a[0];
        a[0] = a[end];
        a[end] = tmp;
        sift_down(a, 0, end);
    }
}

static uint32_t percentile(const uint32_t *sorted, size_t n, double q)
{
    /* nearest rank */
    size_t rank = (size_t)(q * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

/* The median cost of reading the clock twice, back to back. */
static double timer_overhead_ns(uint32_t *scratch, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t a = now_ns();
        scratch[i] = (uint32_t)(now_ns() - a);
    }
    sort_u32(scratch, n);
    return scratch[n / 2];
}

/* One op with a clock around it; the threads' latencies go to one array, each
 * op's own place, and are sorted after the last thread. */
static inline void time_op(struct replay *r, size_t i, uint32_t *latency)
{
    const struct trace_op *op = &r->trace->ops[i];
    struct slot *s = &r->slots[op->id];
    if (op_acts_on_block(op) && !s->live) {
        r->skipped++;
        latency[i] = UINT32_MAX; /* not measured: left out below */
        return;
    }
    uint64_t a = now_ns();
    int rc = apply(r->ops, op, s);
    uint64_t d = now_ns() - a;
    latency[i] = d >= UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)d;
    note_outcome(r, op, rc);
}

static void time_one(struct replay_worker *w, size_t i)
{
    time_op(&w->r, i, w->pass);
}

int run_latency(struct replay *r, const char *cdf_path, FILE *out)
{
    const struct trace *t = r->trace;
    uint32_t *latency = map_zeroed(t->num_ops * sizeof *latency);
    uint32_t *scratch = map_zeroed((t->num_ops + 10001) * sizeof *scratch);
    if (latency == NULL || scratch == NULL)
        return 2;
    if (r->threaded) {
        struct thread_totals totals;
        struct replay_worker *workers = replay_threads_run(r, time_one, latency, &totals);
        if (workers == NULL)
            return 2;
        replay_threads_free(workers, totals.threads);
    } else {
        for (size_t i = 0; i < t->num_ops; i++)
            time_op(r, i, latency);
    }
    release_leftovers(r);
    fprintf(out, "timer_overhead_ns %.1f\n", timer_overhead_ns(scratch, 10001));
    /* written after the measured loop */
    static struct out_file cdf_file;
    struct out_file *cdf = cdf_path != NULL && out_open(&cdf_file, cdf_path) == 0 ? &cdf_file : NULL;
    if (cdf != NULL)
        out_printf(cdf, "op_kind,quantile,ns\n");
    for (int kind = 1; kind < OP_KIND_LIMIT; kind++) {
        size_t n = 0;
        for (size_t i = 0; i < t->num_ops; i++)
            if (t->ops[i].kind == kind && latency[i] != UINT32_MAX)
                scratch[n++] = latency[i];
        if (n == 0)
            continue;
        sort_u32(scratch, n);
        fprintf(out, "latency %s %zu %u %u %u %u\n", op_kind_name(kind), n, percentile(scratch, n, 0.50),
                percentile(scratch, n, 0.99), percentile(scratch, n, 0.999), scratch[n - 1]);
        static const double tail[] = {0.995, 0.999, 0.9995, 0.9999, 1.0};
        for (int q = 1; cdf != NULL && q <= 99; q++)
            out_printf(cdf, "%s,%.4f,%u\n", op_kind_name(kind), q / 100.0, percentile(scratch, n, q / 100.0));
        for (size_t q = 0; cdf != NULL && q < sizeof tail / sizeof *tail; q++)
            out_printf(cdf, "%s,%.4f,%u\n", op_kind_name(kind), tail[q], percentile(scratch, n, tail[q]));
    }
    int rc = 0;
    if (cdf_path != NULL && (cdf == NULL || out_close(cdf) != 0)) {
        fprintf(stderr, "%s: cannot write the latency CDF\n", cdf_path);
        rc = 2;
    }
    munmap(latency, t->num_ops * sizeof *latency);
    munmap(scratch, (t->num_ops + 10001) * sizeof *scratch);
    return rc;
}

