/*
 * Arenas: one thread on N arenas places exactly as one heap does; several
 * threads allocating, writing, handing blocks to each other, freeing and
 * resizing them, with mems_check() and every live block's pattern verified
 * between phases; every block goes back to the arena that gave it.
 */
#include "mems_internal.h"
#include "unit.h"

#include <pthread.h>

#define THREADS 4
#define PHASES 6
#define OPS_PER_PHASE 3000
#define MAX_LIVE 400
#define EXCHANGE 256

/* ---- one thread: the same placements as one heap ---- */

struct recorded {
    uintptr_t v[600];
    size_t count;
    int double_free_error;
    struct mems_stats stats;
};

static uint64_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    return *state >> 33;
}

static void run_sequence(struct recorded *out, struct mems_stats *stats_of_used_arena)
{
    void *live[64] = {0};
    uint64_t seed = 42;
    out->count = 0;
    for (int i = 0; i < 600; i++) {
        size_t slot = next_random(&seed) % 64;
        if (live[slot] != NULL && next_random(&seed) % 3 == 0) {
            live[slot] = mems_realloc(live[slot], 1 + next_random(&seed) % 3000);
        } else if (live[slot] != NULL) {
            mems_free(live[slot]);
            live[slot] = NULL;
        } else {
            live[slot] = mems_malloc(1 + next_random(&seed) % (next_random(&seed) % 8 == 0 ? 20000 : 500));
        }
        out->v[out->count++] = (uintptr_t)live[slot];
    }
    void *gone = mems_malloc(100);
    mems_free(gone);
    mems_free(gone);
    out->double_free_error = mems_last_error();
    mems_clear_error();
    uintptr_t first = out->v[0] / MEMS_ARENA_SPAN;
    if (stats_of_used_arena != NULL)
        mems_arena_stats(first, stats_of_used_arena);
    mems_stats(&out->stats);
}

static void test_one_thread_places_as_one_heap(void)
{
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++) {
        struct mems_config config;
        mems_default_config(&config);
        config.policy = (enum mems_policy)policy;
        config.alignment = 16;
        static struct recorded one, four;
        CHECK_EQ(mems_init_with(&config), 0);
        CHECK_EQ(mems_arena_count(), 1);
        run_sequence(&one, NULL);
        CHECK_INVARIANTS();
        config.arenas = 4;
        CHECK_EQ(mems_init_with(&config), 0);
        CHECK_EQ(mems_arena_count(), 4);
        struct mems_stats used;
        run_sequence(&four, &used);
        CHECK_INVARIANTS();
        uintptr_t arena = four.v[0] / MEMS_ARENA_SPAN;
        CHECK(arena < 4);
        int same = 1;
        for (size_t i = 0; i < one.count; i++)
            same &= four.v[i] == (one.v[i] == 0 ? 0 : one.v[i] + arena * MEMS_ARENA_SPAN);
        CHECK(same);
        CHECK_EQ(four.double_free_error, one.double_free_error);
        CHECK_EQ(used.pages, one.stats.pages);
        CHECK_EQ(used.hole_bytes, one.stats.hole_bytes);
        CHECK_EQ(used.segment_count, one.stats.segment_count);
        CHECK_EQ(used.requested_bytes, one.stats.requested_bytes);
        CHECK_EQ(four.stats.live_bytes, one.stats.live_bytes); /* the other arenas hold nothing */
        mems_finish();
    }
}

/* ---- several threads ---- */

struct block {
    uintptr_t v;
    size_t size;
    uint32_t stamp;
};

static struct {
    pthread_mutex_t lock;
    struct block slots[EXCHANGE];
    size_t count;
} exchange = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct worker {
    pthread_t thread;
    unsigned id;
    uint64_t seed;
    struct block live[MAX_LIVE];
    size_t live_count;
    unsigned long bad_pattern, failed_calls, foreign_frees;
};

static pthread_barrier_t phase_start, phase_end;
static unsigned arena_total;

static void fill(const struct block *b)
{
    unsigned char *p = mems_get((void *)b->v);
    for (size_t i = 0; i < b->size; i++)
        p[i] = (unsigned char)(b->stamp * 31 + i);
}

static int intact(const struct block *b, size_t bytes)
{
    const unsigned char *p = mems_get((void *)b->v);
    if (p == NULL)
        return 0;
    for (size_t i = 0; i < bytes && i < b->size; i++)
        if (p[i] != (unsigned char)(b->stamp * 31 + i))
            return 0;
    return 1;
}

static void drop(struct worker *w, size_t i)
{
    w->live[i] = w->live[--w->live_count];
}

static void step(struct worker *w, uint32_t stamp)
{
    unsigned choice = (unsigned)(next_random(&w->seed) % 10);
    if (choice < 4 && w->live_count < MAX_LIVE) {
        struct block b = {0, 1 + next_random(&w->seed) % (next_random(&w->seed) % 16 == 0 ? 30000 : 700), stamp};
        b.v = (uintptr_t)(next_random(&w->seed) % 4 == 0 ? mems_calloc(1, b.size) : mems_malloc(b.size));
        if (b.v == 0 || b.v / MEMS_ARENA_SPAN >= arena_total) {
            w->failed_calls++;
            return;
        }
        fill(&b);
        w->live[w->live_count++] = b;
    } else if (choice < 6 && w->live_count > 0) {
        size_t i = next_random(&w->seed) % w->live_count;
        w->bad_pattern += !intact(&w->live[i], w->live[i].size);
        mems_free((void *)w->live[i].v);
        w->failed_calls += mems_last_error() != MEMS_OK;
        drop(w, i);
    } else if (choice < 7 && w->live_count > 0) {
        size_t i = next_random(&w->seed) % w->live_count;
        struct block *b = &w->live[i];
        size_t size = 1 + next_random(&w->seed) % 2000;
        void *moved = mems_realloc((void *)b->v, size);
        if (moved == NULL || (uintptr_t)moved / MEMS_ARENA_SPAN != b->v / MEMS_ARENA_SPAN) {
            w->failed_calls++; /* a block stays in its arena however it is resized */
            if (moved == NULL)
                return;
        }
        b->v = (uintptr_t)moved;
        w->bad_pattern += !intact(b, size);
        b->size = size;
        b->stamp = stamp;
        fill(b);
    } else if (choice < 9 && w->live_count > 0) { /* hand a block on */
        pthread_mutex_lock(&exchange.lock);
        if (exchange.count < EXCHANGE) {
            size_t i = next_random(&w->seed) % w->live_count;
            exchange.slots[exchange.count++] = w->live[i];
            drop(w, i);
        }
        pthread_mutex_unlock(&exchange.lock);
    } else { /* take one another thread handed on, mostly to free it */
        pthread_mutex_lock(&exchange.lock);
        struct block b = {0};
        if (exchange.count > 0 && w->live_count < MAX_LIVE)
            b = exchange.slots[--exchange.count];
        pthread_mutex_unlock(&exchange.lock);
        if (b.v == 0)
            return;
        w->bad_pattern += !intact(&b, b.size);
        w->bad_pattern += mems_virtual(mems_get((void *)b.v)) != (void *)b.v;
        if (next_random(&w->seed) % 3 == 0) {
            w->live[w->live_count++] = b;
        } else {
            mems_free((void *)b.v);
            w->failed_calls += mems_last_error() != MEMS_OK;
            w->foreign_frees++;
        }
    }
}

static void *work(void *argument)
{
    struct worker *w = argument;
    for (int phase = 0; phase < PHASES; phase++) {
        pthread_barrier_wait(&phase_start);
        for (int i = 0; i < OPS_PER_PHASE; i++)
            step(w, (uint32_t)(phase * OPS_PER_PHASE + i) * 8 + w->id);
        pthread_barrier_wait(&phase_end);
    }
    pthread_barrier_wait(&phase_start); /* the last phase: every block freed by the next thread */
    struct worker *next = w - w->id + (w->id + 1) % THREADS;
    for (size_t i = 0; i < next->live_count; i++) {
        w->bad_pattern += !intact(&next->live[i], next->live[i].size);
        mems_free((void *)next->live[i].v);
        w->failed_calls += mems_last_error() != MEMS_OK;
    }
    pthread_barrier_wait(&phase_end);
    return NULL;
}

static void test_threads(enum mems_policy policy, unsigned arenas)
{
    struct mems_config config;
    mems_default_config(&config);
    config.policy = policy;
    config.alignment = 16;
    config.arenas = arenas;
    config.release_empty_nodes = policy == MEMS_BEST_FIT;
    CHECK_EQ(mems_init_with(&config), 0);
    arena_total = arenas;
    exchange.count = 0;
    static struct worker workers[THREADS];
    pthread_barrier_init(&phase_start, NULL, THREADS + 1);
    pthread_barrier_init(&phase_end, NULL, THREADS + 1);
    for (unsigned t = 0; t < THREADS; t++) {
        workers[t] = (struct worker){.id = t, .seed = 1000 + t * 7 + policy};
        pthread_create(&workers[t].thread, NULL, work, &workers[t]);
    }
    for (int phase = 0; phase <= PHASES; phase++) {
        pthread_barrier_wait(&phase_start);
        pthread_barrier_wait(&phase_end);
        CHECK_INVARIANTS();
        if (phase == PHASES)
            break;
        /* between phases the main thread reads every block, whichever arena holds it */
        unsigned long broken = 0, live = 0;
        for (unsigned t = 0; t < THREADS; t++)
            for (size_t i = 0; i < workers[t].live_count; i++, live++)
                broken += !intact(&workers[t].live[i], workers[t].live[i].size);
        for (size_t i = 0; i < exchange.count; i++, live++)
            broken += !intact(&exchange.slots[i], exchange.slots[i].size);
        CHECK_EQ(broken, 0);
        struct mems_stats total;
        mems_stats(&total);
        CHECK_EQ(total.segment_count - total.hole_count, live);
    }
    unsigned long bad = 0, failed = 0, foreign = 0;
    for (unsigned t = 0; t < THREADS; t++) {
        pthread_join(workers[t].thread, NULL);
        bad += workers[t].bad_pattern;
        failed += workers[t].failed_calls;
        foreign += workers[t].foreign_frees;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(failed, 0);
    CHECK(foreign > 100);
    /* the exchange's leftovers, freed by the main thread */
    for (size_t i = 0; i < exchange.count; i++)
        mems_free((void *)exchange.slots[i].v);
    CHECK_INVARIANTS();
    /* every block went back to the arena that gave it: each is empty, and each was used */
    for (size_t k = 0; k < arenas; k++) {
        struct mems_stats s;
        CHECK_EQ(mems_arena_stats(k, &s), 0);
        CHECK_EQ(s.live_bytes, 0);
        CHECK_EQ(s.requested_bytes, 0);
        CHECK(s.searches > 0);
    }
    struct mems_stats s;
    CHECK_EQ(mems_arena_stats(arenas, &s), MEMS_E_BAD_CONFIG);
    mems_clear_error();
    pthread_barrier_destroy(&phase_start);
    pthread_barrier_destroy(&phase_end);
    mems_finish();
}

/* ---- the calls over every arena ---- */

/* Under arenas the visitor runs with an arena's lock held: it notes, and the calls come after. */
struct walked {
    size_t count;
    uintptr_t v[8];
    void *real[8];
};

static int count_blocks(const struct mems_segment_info *segment, void *context)
{
    struct walked *w = context;
    if (!segment->is_hole && w->count < 8) {
        w->v[w->count] = segment->v_start;
        w->real[w->count++] = segment->real;
    }
    return 0;
}

static void *allocate_one(void *argument)
{
    *(void **)argument = mems_malloc(5000);
    return NULL;
}

static void test_every_arena(void)
{
    struct mems_config config;
    mems_default_config(&config);
    config.arenas = MEMS_MAX_ARENAS + 1;
    CHECK_EQ(mems_init_with(&config), MEMS_E_BAD_CONFIG);
    config.arenas = 0; /* as 1: a configuration written before arenas existed */
    CHECK_EQ(mems_init_with(&config), 0);
    CHECK_EQ(mems_arena_count(), 1);
    config.arenas = 3;
    CHECK_EQ(mems_init_with(&config), 0);
    void *blocks[3];
    for (int t = 0; t < 3; t++) { /* three threads, bound round robin: one block per arena */
        pthread_t thread;
        pthread_create(&thread, NULL, allocate_one, &blocks[t]);
        pthread_join(thread, NULL);
    }
    unsigned seen = 0;
    for (int t = 0; t < 3; t++)
        seen |= 1u << ((uintptr_t)blocks[t] / MEMS_ARENA_SPAN);
    CHECK_EQ(seen, 7);
    struct walked walked = {0};
    CHECK_EQ(mems_walk(count_blocks, &walked), 0);
    CHECK_EQ(walked.count, 3);
    for (size_t i = 0; i < walked.count; i++) {
        CHECK_EQ(walked.v[i] / MEMS_ARENA_SPAN, i); /* arena by arena, with the addresses callers see */
        CHECK(mems_get((void *)walked.v[i]) == walked.real[i]);
    }
    char *text = stats_text();
    CHECK(strstr(text, "MeMS arena 2 of 3:\n") != NULL);
    char expected[64];
    snprintf(expected, sizeof expected, "MAIN[%ju:", (uintmax_t)(2 * MEMS_ARENA_SPAN + MEMS_VIRTUAL_BASE));
    CHECK(strstr(text, expected) != NULL);
    free(text);
    CHECK_EQ(mems_set_policy(MEMS_BEST_FIT), 0);
    void *more = mems_malloc(10);
    CHECK(more != NULL);
    mems_free(more);
    mems_free((void *)(uintptr_t)(7 * MEMS_ARENA_SPAN + 5000)); /* no such arena */
    CHECK_EQ(mems_last_error(), MEMS_E_UNKNOWN_ADDRESS);
    mems_clear_error();
    CHECK(mems_virtual(&config) == NULL);
    CHECK_INVARIANTS();
    mems_finish();
    /* and one heap again afterwards */
    void *plain = mems_malloc(10);
    CHECK_EQ((uintptr_t)plain, MEMS_VIRTUAL_BASE);
    mems_finish();
}

int main(void)
{
    test_one_thread_places_as_one_heap();
    test_every_arena();
    for (int policy = 0; policy < MEMS_POLICY_COUNT; policy++)
        test_threads((enum mems_policy)policy, 4);
    test_threads(MEMS_FIRST_FIT, 3); /* four threads on three arenas: two share one */
    test_threads(MEMS_NEXT_FIT, 2);
    return unit_report("test_arenas");
}
