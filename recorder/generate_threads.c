/*
 * The multi-threaded kinds of `mems-trace gen --threads N`, the workloads of
 * `mems-bench threads`, after the shapes of mimalloc-bench's thread tests:
 *   private   each thread churns blocks of its own: a ramp to its share of the
 *             live blocks, then rounds of freeing a random one and allocating
 *             anew in its place; no block ever crosses threads, which is what
 *             per-thread caches and arenas are built for
 *   prodcons  as xmalloc-test: the first half of the threads (rounded up)
 *             allocate blocks in batches and hand each full batch to a
 *             consumer, which frees it; every free is another thread's block
 *             (on one thread, the thread frees its own batches)
 *   larson    as larson's server: each thread frees a random slot of its array
 *             of blocks and allocates a new block there; after each epoch the
 *             arrays move on to the next thread, whose frees are then of blocks
 *             another thread allocated
 * The ops come out in one recorded order, as if the threads ran interleaved
 * (a random thread runs a random short burst at a time), so every free comes
 * after the allocation it frees and a threaded replay can follow the order.
 * Ids belong to an owner (a slot of an array, a place in a producer's ring),
 * so an id goes from thread to thread only with its block.
 */
#include "generate.h"

#include "trace_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BURST_MAX 32         /* ops a thread runs before another may */
#define EPOCHS 10            /* larson: how often the arrays move on */
#define BATCH 64             /* prodcons: blocks handed over at once */
#define IN_FLIGHT (8 * BATCH) /* prodcons: a producer's blocks not yet freed: its queue's bound */

enum workload { WORK_PRIVATE, WORK_PRODCONS, WORK_LARSON };

static const char *const workload_names[] = {"private", "prodcons", "larson"};

struct worker {
    size_t filled;  /* private, larson: slots allocated in the ramp */
    size_t round;   /* rounds done in this epoch */
    size_t drained; /* slots freed at the end */
    size_t made;    /* prodcons, as producer: blocks allocated */
    size_t freed;   /* of those, freed by the consumer */
    unsigned next_producer; /* as consumer: the queue it takes the next batch from */
};

struct thread_gen {
    struct trace_builder builder;
    struct trace trace;
    struct trace_error error;
    const struct gen_params *params;
    uint64_t rng;
    enum workload workload;
    unsigned threads;
    struct worker *w;
    size_t slots, rounds;         /* private, larson: each array's blocks, rounds per epoch */
    unsigned epoch, arrived;      /* larson's epochs end when every thread has arrived */
    unsigned producers, consumers;
    size_t quota;                 /* prodcons: blocks per producer, whole batches */
    int failed;
};

const char *gen_threaded_kind_name(size_t i)
{
    return i < sizeof workload_names / sizeof *workload_names ? workload_names[i] : NULL;
}

bool gen_is_threaded_kind(const char *kind)
{
    for (size_t i = 0; i < sizeof workload_names / sizeof *workload_names; i++)
        if (strcmp(kind, workload_names[i]) == 0)
            return true;
    return false;
}

static void emit_malloc(struct thread_gen *g, uint32_t id, unsigned thread)
{
    if (builder_malloc(&g->builder, id, gen_draw_size(g->params, &g->rng), (uint16_t)thread) != 0)
        g->failed = 1;
}

static void emit_free(struct thread_gen *g, uint32_t id, unsigned thread)
{
    if (builder_free(&g->builder, id, (uint16_t)thread) != 0)
        g->failed = 1;
}

/* The array thread t holds in `epoch`: its own in private; in larson, the
 * one the previous thread held the epoch before. */
static uint32_t slot_id(const struct thread_gen *g, unsigned t, unsigned epoch, size_t slot)
{
    unsigned array = g->workload == WORK_LARSON ? (t + g->threads - epoch % g->threads) % g->threads : t;
    return (uint32_t)(array * g->slots + slot);
}

/* Every thread has done its rounds: the arrays move on together, as larson's
 * threads hand theirs to the threads that replace them. */
static void arrive(struct thread_gen *g)
{
    if (++g->arrived < g->threads)
        return;
    g->arrived = 0;
    g->epoch++;
    for (unsigned t = 0; t < g->threads; t++)
        g->w[t].round = 0;
}

/* One step of thread t in private or larson; false when it must wait (at the
 * end of an epoch) or has nothing left. */
static bool step_slots(struct thread_gen *g, unsigned t)
{
    struct worker *w = &g->w[t];
    if (w->filled < g->slots) {
        emit_malloc(g, slot_id(g, t, 0, w->filled++), t);
        return true;
    }
    if (g->epoch < EPOCHS) {
        if (w->round == g->rounds)
            return false;
        uint32_t id = slot_id(g, t, g->epoch, (size_t)(gen_random(&g->rng) % g->slots));
        emit_free(g, id, t);
        emit_malloc(g, id, t);
        if (++w->round == g->rounds)
            arrive(g);
        return true;
    }
    if (w->drained == g->slots)
        return false;
    emit_free(g, slot_id(g, t, EPOCHS, w->drained++), t);
    return true;
}

static unsigned consumer_of(const struct thread_gen *g, unsigned producer)
{
    return g->consumers > 0 ? g->producers + producer % g->consumers : producer;
}

/* Frees the next block of a full batch handed to consumer t: the batch it is
 * on, else the next producer's that has one. A batch is freed newest block
 * first: in a threaded replay the consumer then waits once, for the batch's
 * last allocation, and not block by block behind a producer it would
 * otherwise catch up with at every free (xmalloc-test's consumers take a
 * whole batch too). */
static bool consume(struct thread_gen *g, unsigned t)
{
    for (unsigned k = 0; k < g->producers; k++) {
        unsigned p = (g->w[t].next_producer + k) % g->producers;
        struct worker *from = &g->w[p];
        if (consumer_of(g, p) != t || from->made / BATCH * BATCH == from->freed)
            continue;
        size_t newest_unfreed = from->freed / BATCH * BATCH + BATCH - 1 - from->freed % BATCH;
        emit_free(g, (uint32_t)(p * IN_FLIGHT + newest_unfreed % IN_FLIGHT), t);
        from->freed++;
        /* a batch is freed whole before the next queue's */
        g->w[t].next_producer = from->freed % BATCH == 0 ? p + 1 : p;
        return true;
    }
    return false;
}

/* Allocates the producer's next block, unless its quota is done or its queue
 * is full. Its ids come round again after IN_FLIGHT blocks: a threaded replay
 * then holds the producer until the consumer has freed the block the id last
 * named, as xmalloc-test's producers wait for an empty batch, so the live
 * blocks stay bounded however fast either thread runs. A batch being freed
 * counts as full until its last block goes, since its oldest block, whose id
 * comes round first, is freed last. */
static bool produce(struct thread_gen *g, unsigned p)
{
    struct worker *w = &g->w[p];
    if (w->made == g->quota || w->made - w->freed / BATCH * BATCH == IN_FLIGHT)
        return false;
    emit_malloc(g, (uint32_t)(p * IN_FLIGHT + w->made % IN_FLIGHT), p);
    w->made++;
    return true;
}

static bool step_prodcons(struct thread_gen *g, unsigned t)
{
    bool consumer = g->consumers == 0 || t >= g->producers;
    if (consumer && consume(g, t))
        return true;
    return t < g->producers && produce(g, t);
}

static bool step(struct thread_gen *g, unsigned t)
{
    return g->workload == WORK_PRODCONS ? step_prodcons(g, t) : step_slots(g, t);
}

static bool finished(const struct thread_gen *g)
{
    if (g->workload == WORK_PRODCONS) {
        for (unsigned p = 0; p < g->producers; p++)
            if (g->w[p].freed < g->quota)
                return false;
        return true;
    }
    for (unsigned t = 0; t < g->threads; t++)
        if (g->w[t].drained < g->slots)
            return false;
    return true;
}

/* Shares `ops` between the threads: private and larson keep a tenth of the
 * ops' blocks live in all, whatever the threads, so footprints compare across
 * thread counts; prodcons allocates half the ops. */
static void plan(struct thread_gen *g, size_t ops)
{
    size_t per_thread = ops / g->threads;
    g->slots = ops / 10 / g->threads > 0 ? ops / 10 / g->threads : 1;
    size_t churn = per_thread > 2 * g->slots ? per_thread - 2 * g->slots : 0;
    g->rounds = churn / (2 * EPOCHS) > 0 ? churn / (2 * EPOCHS) : 1;
    g->producers = (g->threads + 1) / 2;
    g->consumers = g->threads - g->producers;
    size_t per_producer = ops / 2 / g->producers;
    g->quota = (per_producer + BATCH - 1) / BATCH * BATCH;
}

int generate_threaded_trace(const struct gen_params *p, struct trace *out, struct trace_error *error)
{
    struct thread_gen *g = calloc(1, sizeof *g);
    struct worker *workers = calloc(p->threads, sizeof *workers);
    if (g == NULL || workers == NULL) {
        free(g);
        free(workers);
        trace_error_set(error, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < sizeof workload_names / sizeof *workload_names; i++)
        if (strcmp(p->kind, workload_names[i]) == 0)
            g->workload = (enum workload)i;
    g->params = p;
    g->rng = p->seed;
    g->threads = p->threads;
    g->w = workers;
    plan(g, p->ops);
    builder_start(&g->builder, &g->trace, &g->error, "gen", (size_t)1 << 28);
    while (!g->failed && !finished(g)) {
        unsigned t = (unsigned)(gen_random(&g->rng) % g->threads);
        size_t burst = 1 + (size_t)(gen_random(&g->rng) % BURST_MAX);
        while (burst-- > 0 && step(g, t))
            ;
    }
    free(workers);
    int rc = gen_conclude(p, &g->builder, g->failed ? &g->error : NULL, out, error);
    free(g);
    return rc;
}
