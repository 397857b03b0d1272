/* The multi-threaded generators, read back op by op: the same seed gives the
 * same ops and another seed others; the ops are spread over exactly the
 * threads asked for; every free is of a block live at that point of the
 * recorded order (so a threaded replay may follow it); and which frees cross
 * threads is what each workload promises: none in private, every one in
 * prodcons (its producers allocate, its consumers free, each batch newest
 * block first so that a consumer waits once a batch), some in larson. */
#include "generate.h"
#include "unit.h"

#include <stdbool.h>

struct shape {
    uint64_t ops_of[GEN_MAX_THREADS];
    uint64_t frees, cross_frees, allocs_by_consumers, frees_by_producers;
    /* the waits a threaded replay can make at most for cross-thread frees:
     * a free waits only for an allocation past every one its thread already
     * waited for of the same maker (the maker's ops complete in order) */
    uint64_t cross_waits;
    bool ordered;    /* every free of a live block */
    uint64_t live_at_end;
};

/* Counts from the ops alone, with a table of its own of which thread last
 * allocated each id. */
static void examine(const struct trace *t, unsigned producers, struct shape *s)
{
    memset(s, 0, sizeof *s);
    s->ordered = true;
    int32_t *owner = malloc((t->num_ids + 1) * sizeof *owner);
    uint64_t *rank = calloc(t->num_ids + 1, sizeof *rank); /* the allocation's place among its maker's */
    static uint64_t made[GEN_MAX_THREADS], waited_for[GEN_MAX_THREADS][GEN_MAX_THREADS];
    memset(made, 0, sizeof made);
    memset(waited_for, 0, sizeof waited_for);
    for (size_t i = 0; i <= t->num_ids; i++)
        owner[i] = -1;
    for (size_t i = 0; i < t->num_ops; i++) {
        const struct trace_op *op = &t->ops[i];
        s->ops_of[op->thread]++;
        if (op->kind == OP_FREE) {
            s->frees++;
            if (op->id > t->num_ids || owner[op->id] < 0) {
                s->ordered = false;
                continue;
            }
            s->cross_frees += owner[op->id] != op->thread;
            if (owner[op->id] != op->thread && rank[op->id] > waited_for[op->thread][owner[op->id]]) {
                waited_for[op->thread][owner[op->id]] = rank[op->id];
                s->cross_waits++;
            }
            s->frees_by_producers += op->thread < producers;
            owner[op->id] = -1;
        } else {
            if (op->id > t->num_ids || owner[op->id] >= 0)
                s->ordered = false;
            else {
                owner[op->id] = op->thread;
                rank[op->id] = ++made[op->thread];
            }
            s->allocs_by_consumers += op->thread >= producers;
        }
    }
    for (size_t i = 0; i <= t->num_ids; i++)
        s->live_at_end += owner[i] >= 0;
    free(owner);
    free(rank);
}

static int generate(const char *kind, unsigned threads, uint64_t seed, struct trace *t)
{
    struct gen_params p;
    gen_default_params(&p);
    snprintf(p.kind, sizeof p.kind, "%s", kind);
    p.threads = threads;
    p.seed = seed;
    p.ops = 20000;
    p.min = 16, p.max = 512;
    struct trace_error error;
    int rc = generate_trace(&p, t, &error);
    if (rc != 0)
        fprintf(stderr, "%s on %u threads: %s\n", kind, threads, error.message);
    return rc;
}

static bool same_ops(const struct trace *a, const struct trace *b)
{
    return a->num_ops == b->num_ops && memcmp(a->ops, b->ops, a->num_ops * sizeof *a->ops) == 0;
}

static void check_kind(const char *kind, unsigned threads)
{
    struct trace a, b, c;
    if (generate(kind, threads, 7, &a) != 0 || generate(kind, threads, 7, &b) != 0 ||
        generate(kind, threads, 8, &c) != 0) {
        CHECK(!"generated");
        return;
    }
    CHECK(same_ops(&a, &b));
    CHECK(!same_ops(&a, &c));
    CHECK_EQ(a.facts.threads, threads);
    CHECK(a.num_ops >= 10000 && a.num_ops <= 40000);
    unsigned producers = strcmp(kind, "prodcons") == 0 && threads > 1 ? (threads + 1) / 2 : threads;
    struct shape s;
    examine(&a, producers, &s);
    CHECK(s.ordered);
    CHECK_EQ(s.live_at_end, 0);
    for (unsigned t = 0; t < threads; t++)
        if (s.ops_of[t] == 0)
            fprintf(stderr, "%s on %u threads: thread %u has no ops\n", kind, threads, t), CHECK(s.ops_of[t] > 0);
    CHECK(s.frees > 0);
    if (threads == 1 || strcmp(kind, "private") == 0) {
        CHECK_EQ(s.cross_frees, 0);
    } else if (strcmp(kind, "prodcons") == 0) {
        CHECK_EQ(s.cross_frees, s.frees);
        CHECK_EQ(s.allocs_by_consumers, 0);
        CHECK_EQ(s.frees_by_producers, 0);
        /* a consumer frees each batch newest block first, so it can wait once
         * a batch (64 blocks), not at every free: at most one wait in 32
         * frees leaves room for the batches split between consumers */
        if (threads > 1 && s.cross_waits * 32 > s.frees)
            fprintf(stderr, "prodcons on %u threads: %ju waits for %ju frees\n", threads, (uintmax_t)s.cross_waits,
                    (uintmax_t)s.frees);
        if (threads > 1)
            CHECK(s.cross_waits * 32 <= s.frees);
    } else {
        /* larson: the arrays moved on nine times; most rounds are of blocks made where they are freed */
        CHECK(s.cross_frees > 0);
        CHECK(s.cross_frees < s.frees);
    }
    trace_free(&a);
    trace_free(&b);
    trace_free(&c);
}

static void check_refused(const char *kind, unsigned threads)
{
    struct gen_params p;
    gen_default_params(&p);
    snprintf(p.kind, sizeof p.kind, "%s", kind);
    p.threads = threads;
    struct trace t;
    struct trace_error error;
    CHECK(generate_trace(&p, &t, &error) == -1);
    CHECK(strstr(error.message, "thread") != NULL);
}

int main(void)
{
    static const char *const kinds[] = {"private", "prodcons", "larson"};
    static const unsigned counts[] = {1, 2, 3, 4, 8, 64};
    for (size_t k = 0; k < 3; k++)
        for (size_t n = 0; n < sizeof counts / sizeof *counts; n++)
            check_kind(kinds[k], counts[n]);
    check_refused("plateau", 2);
    check_refused("private", 0);
    check_refused("larson", GEN_MAX_THREADS + 1);
    return unit_report("gen_threads");
}
