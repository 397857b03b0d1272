/*
 * thread_churn: a small multi-threaded malloc workload, for any malloc (run
 * it plain for glibc, under mems-run for MeMS, with --arenas N for arenas).
 *
 *   thread_churn private|pc|loop THREADS OPS [SEED]
 *
 * private  each thread frees and allocates in a ring of its own 1,000 blocks
 *          (16 to 512 bytes, one in 64 up to 8 KiB): no block crosses threads
 * pc       producer-consumer pairs (xmalloc-test's pattern): even threads
 *          allocate and hand each block to the next thread through a ring,
 *          which frees it; every block is freed by a thread that did not
 *          allocate it
 * loop     each thread allocates a block (64 to 120 bytes) and frees it at
 *          once: the two-thread malloc/free loop of the public benchmarks
 *
 * Every block's first and last bytes are written by the thread that
 * allocates it and checked by the one that frees it. Prints one line:
 * "MODE THREADS OPS SECONDS OPS_PER_SECOND CPU_SECONDS OPS_PER_CPU_SECOND"
 * (OPS = mallocs and frees of all threads together; CPU = user + system of
 * the process, which on a machine shared with other work says what the wall
 * time cannot); exits 1 when a block came back changed.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define RING 1000
#define HANDOFF 4096

struct worker {
    pthread_t thread;
    unsigned id;
    long ops;
    uint64_t seed;
    long broken;
    struct handoff *to, *from;
};

/* One producer, one consumer: indices only, each written by one side. */
struct handoff {
    _Atomic size_t head, tail;
    void *slots[HANDOFF];
};

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static size_t block_size(uint64_t *seed)
{
    uint64_t r = next_random(seed);
    return r % 64 == 0 ? 16 + (r >> 8) % 8192 : 16 + (r >> 8) % 497;
}

/* The size at the front, a stamp at the back: checked before the free. */
static void *make_block(uint64_t *seed)
{
    size_t size = block_size(seed);
    unsigned char *p = malloc(size);
    if (p == NULL)
        return NULL;
    memcpy(p, &size, sizeof size);
    p[size - 1] = (unsigned char)(size * 7);
    return p;
}

static long release_block(void *block)
{
    unsigned char *p = block;
    size_t size;
    memcpy(&size, p, sizeof size);
    long broken = size < 16 || size > 16 + 8192 || p[size - 1] != (unsigned char)(size * 7);
    free(p);
    return broken;
}

static void *churn_private(void *argument)
{
    struct worker *w = argument;
    void *ring[RING] = {0};
    for (long i = 0; i < w->ops / 2; i++) {
        size_t slot = (size_t)(next_random(&w->seed) % RING);
        if (ring[slot] != NULL)
            w->broken += release_block(ring[slot]);
        ring[slot] = make_block(&w->seed);
        w->broken += ring[slot] == NULL;
    }
    for (size_t slot = 0; slot < RING; slot++)
        if (ring[slot] != NULL)
            w->broken += release_block(ring[slot]);
    return NULL;
}

static void *churn_loop(void *argument)
{
    struct worker *w = argument;
    for (long i = 0; i < w->ops / 2; i++) {
        unsigned char *p = malloc(64 + (size_t)(i & 7) * 8);
        w->broken += p == NULL;
        if (p != NULL) {
            p[0] = (unsigned char)i;
            w->broken += p[0] != (unsigned char)i;
        }
        free(p);
    }
    return NULL;
}

static void *produce(void *argument)
{
    struct worker *w = argument;
    for (long i = 0; i < w->ops / 2 * 2; i++) { /* one op each: a malloc */
        void *block = make_block(&w->seed);
        w->broken += block == NULL;
        size_t head = atomic_load_explicit(&w->to->head, memory_order_relaxed);
        while (head - atomic_load_explicit(&w->to->tail, memory_order_acquire) == HANDOFF)
            sched_yield(); /* full: the consumer is behind (on few cores, let it run) */
        w->to->slots[head % HANDOFF] = block;
        atomic_store_explicit(&w->to->head, head + 1, memory_order_release);
    }
    return NULL;
}

static void *consume(void *argument)
{
    struct worker *w = argument;
    for (long i = 0; i < w->ops / 2 * 2; i++) { /* one op each: a free */
        size_t tail = atomic_load_explicit(&w->from->tail, memory_order_relaxed);
        while (atomic_load_explicit(&w->from->head, memory_order_acquire) == tail)
            sched_yield(); /* empty: the producer is behind */
        void *block = w->from->slots[tail % HANDOFF];
        atomic_store_explicit(&w->from->tail, tail + 1, memory_order_release);
        if (block != NULL)
            w->broken += release_block(block);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[1], "private") != 0 && strcmp(argv[1], "pc") != 0 && strcmp(argv[1], "loop") != 0)) {
        fprintf(stderr, "usage: thread_churn private|pc|loop THREADS OPS [SEED]\n");
        return 2;
    }
    int pc = strcmp(argv[1], "pc") == 0, loop = strcmp(argv[1], "loop") == 0;
    long threads = atol(argv[2]), ops = atol(argv[3]);
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    if (threads < 1 || threads > 256 || ops < 2 || (pc && threads % 2 != 0)) {
        fprintf(stderr, "thread_churn: THREADS from 1 to 256 (even for pc), OPS at least 2\n");
        return 2;
    }
    struct worker *workers = calloc((size_t)threads, sizeof *workers);
    struct handoff *rings = pc ? calloc((size_t)threads / 2, sizeof *rings) : NULL;
    if (workers == NULL || (pc && rings == NULL))
        return 2;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long t = 0; t < threads; t++) {
        struct worker *w = &workers[t];
        w->id = (unsigned)t;
        w->ops = ops / threads;
        w->seed = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)t + 1;
        if (pc)
            w->to = w->from = &rings[t / 2];
        pthread_create(&w->thread, NULL, loop ? churn_loop : !pc ? churn_private : t % 2 == 0 ? produce : consume, w);
    }
    long broken = 0, done = 0;
    for (long t = 0; t < threads; t++) {
        pthread_join(workers[t].thread, NULL);
        broken += workers[t].broken;
        done += workers[t].ops / 2 * 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    double cpu = (double)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                 (double)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    printf("%s %ld %ld %.3f %.0f %.3f %.0f\n", argv[1], threads, done, seconds, (double)done / seconds, cpu,
           (double)done / cpu);
    free(workers);
    free(rings);
    if (broken != 0) {
        fprintf(stderr, "thread_churn: %ld blocks came back changed or could not be allocated\n", broken);
        return 1;
    }
    return 0;
}
