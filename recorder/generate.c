/*
 * mems-trace gen: seeded, deterministic synthetic traces.
 *
 * Phase patterns after Wilson et al. 1995 (real programs ramp, peak and
 * plateau; random traces do not), each with a size distribution:
 *   ramp       live memory grows through the run: most blocks live long
 *   peak       repeated phases that build up many short-lived blocks, then drop them
 *   plateau    a ramp to a level, then steady churn at that level
 * Adversarial cases for fit policies:
 *   fragment   alternating lifetimes (small kept, large freed) leave holes too
 *              small for the next, slightly larger requests (as malloc-lab's binary traces)
 *   coalesce   free every other block, then the rest: only merged holes fit what follows
 *   realloc    several blocks grown by realloc in turn, small blocks placed in their way
 * The output goes through the trace builder, so it is a valid trace by construction.
 */
#include "mems_trace.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct generator {
    struct trace_builder builder;
    struct trace trace;
    struct trace_error error;
    uint64_t rng;
    /* sizes */
    int distribution; /* 0 uniform, 1 exponential, 2 power law */
    double min, max, mean, alpha;
    /* live blocks: ids in use and a stack of free ids */
    uint32_t *live;
    size_t nlive;
    uint32_t *spare;
    size_t nspare;
    uint32_t next_id;
    size_t capacity;
    int failed;
};

static uint64_t next_random(struct generator *g)
{
    /* splitmix64 */
    uint64_t z = (g->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double unit_random(struct generator *g)
{
    return (double)(next_random(g) >> 11) / 9007199254740992.0;
}

static uint64_t draw_size(struct generator *g)
{
    double s;
    switch (g->distribution) {
    case 1: s = g->min - g->mean * log(1 - unit_random(g)); break;                      /* exponential */
    case 2: s = g->min / pow(1 - unit_random(g), 1 / g->alpha); break;                  /* Pareto */
    default: s = g->min + (g->max - g->min + 1) * unit_random(g); break;                /* uniform */
    }
    if (s > g->max)
        s = g->max;
    if (s < 1)
        s = 1;
    return (uint64_t)s;
}

static void ensure_capacity(struct generator *g)
{
    if (g->nlive + 1 < g->capacity && g->nspare + 1 < g->capacity)
        return;
    g->capacity = g->capacity ? g->capacity * 2 : 1024;
    g->live = realloc(g->live, g->capacity * sizeof *g->live);
    g->spare = realloc(g->spare, g->capacity * sizeof *g->spare);
    if (g->live == NULL || g->spare == NULL)
        abort();
}

/* Allocates a block of `size`; returns its index in the live list. */
static size_t gen_malloc(struct generator *g, uint64_t size)
{
    ensure_capacity(g);
    uint32_t id = g->nspare > 0 ? g->spare[--g->nspare] : g->next_id++;
    if (builder_malloc(&g->builder, id, size, 0) != 0)
        g->failed = 1;
    g->live[g->nlive] = id;
    return g->nlive++;
}

static void gen_free_at(struct generator *g, size_t index)
{
    uint32_t id = g->live[index];
    if (builder_free(&g->builder, id, 0) != 0)
        g->failed = 1;
    g->live[index] = g->live[--g->nlive];
    g->spare[g->nspare++] = id;
}

static void gen_free_random(struct generator *g)
{
    if (g->nlive > 0)
        gen_free_at(g, (size_t)(next_random(g) % g->nlive));
}

static void gen_free_all(struct generator *g)
{
    while (g->nlive > 0)
        gen_free_random(g);
}

static void gen_ramp(struct generator *g, size_t ops)
{
    while (g->trace.num_ops < ops * 3 / 4)
        if (unit_random(g) < 0.8 || g->nlive == 0)
            gen_malloc(g, draw_size(g));
        else
            gen_free_random(g);
    gen_free_all(g);
}

static void gen_peak(struct generator *g, size_t ops)
{
    const int phases = 5;
    size_t per_phase = ops / (size_t)phases / 2;
    for (int p = 0; p < phases; p++) {
        size_t background = g->nlive; /* a few survivors of each phase stay */
        for (size_t i = 0; i < per_phase; i++)
            gen_malloc(g, draw_size(g));
        while (g->nlive > background + per_phase / 50)
            gen_free_at(g, background + (size_t)(next_random(g) % (g->nlive - background)));
    }
    gen_free_all(g);
}

static void gen_plateau(struct generator *g, size_t ops)
{
    size_t level = ops / 10 > 0 ? ops / 10 : 1;
    while (g->nlive < level)
        gen_malloc(g, draw_size(g));
    while (g->trace.num_ops + level < ops) {
        gen_free_random(g);
        gen_malloc(g, draw_size(g));
    }
    gen_free_all(g);
}

static void gen_fragment(struct generator *g, size_t ops)
{
    uint64_t small = 16, large = 448;
    while (g->trace.num_ops < ops) {
        size_t rounds = 500;
        size_t first_large = g->nlive;
        /* small and large alternate; the large ones die young */
        size_t *larges = calloc(rounds, sizeof *larges);
        for (size_t i = 0; i < rounds; i++) {
            gen_malloc(g, small + next_random(g) % 48);
            larges[i] = gen_malloc(g, large + next_random(g) % 64);
        }
        (void)first_large;
        /* free the large ones (from the end so live indices stay valid) */
        for (size_t i = rounds; i-- > 0;)
            gen_free_at(g, larges[i]);
        free(larges);
        /* a slightly larger request fits no hole they left */
        for (size_t i = 0; i < rounds / 2; i++)
            gen_malloc(g, large + 64 + next_random(g) % 64);
        large += 64;
    }
    gen_free_all(g);
}

static void gen_coalesce(struct generator *g, size_t ops)
{
    uint64_t size = 64;
    while (g->trace.num_ops < ops) {
        size_t base = g->nlive, n = 400;
        for (size_t i = 0; i < n; i++)
            gen_malloc(g, size);
        for (size_t i = n; i-- > 0;) /* every other, from the top */
            if (i % 2 == 1)
                gen_free_at(g, base + i);
        while (g->nlive > base) /* then the rest */
            gen_free_at(g, g->nlive - 1);
        for (size_t i = 0; i < n / 4; i++)
            gen_malloc(g, size * 3 + next_random(g) % size); /* fits only where holes merged */
        while (g->nlive > base)
            gen_free_at(g, g->nlive - 1);
        size = size < 2048 ? size * 3 / 2 : 64; /* rounds of growing sizes, then again */
    }
    gen_free_all(g);
}

static void gen_realloc(struct generator *g, size_t ops)
{
    const size_t growing = 8;
    uint64_t sizes[8];
    uint32_t ids[8];
    for (size_t i = 0; i < growing; i++) {
        sizes[i] = 64 + next_random(g) % 64;
        size_t at = gen_malloc(g, sizes[i]); /* may move g->live */
        ids[i] = g->live[at];
    }
    while (g->trace.num_ops < ops) {
        size_t k = (size_t)(next_random(g) % growing);
        sizes[k] += 16 + next_random(g) % (sizes[k] / 8 + 1);
        if (builder_realloc(&g->builder, ids[k], sizes[k], 0) != 0)
            g->failed = 1;
        if (unit_random(g) < 0.5)
            gen_malloc(g, 16 + next_random(g) % 32); /* in the way of the next growth */
        if (g->nlive > growing + 200) {
            /* drop an old small block, never one of the growing ones */
            size_t i = (size_t)(next_random(g) % g->nlive);
            bool growing_block = false;
            for (size_t j = 0; j < growing; j++)
                growing_block |= g->live[i] == ids[j];
            if (!growing_block)
                gen_free_at(g, i);
        }
        if (sizes[k] > 1 << 20)
            sizes[k] = 64; /* start that block over: the next realloc shrinks it */
    }
    gen_free_all(g);
}

static const struct {
    const char *name;
    void (*run)(struct generator *, size_t);
} kinds[] = {
    {"ramp", gen_ramp},         {"peak", gen_peak},         {"plateau", gen_plateau},
    {"fragment", gen_fragment}, {"coalesce", gen_coalesce}, {"realloc", gen_realloc},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: mems-trace gen KIND --seed S [--ops N] [--sizes uniform|exponential|powerlaw]\n"
                "                     [--min B] [--max B] [--mean B] [--alpha A] -o OUT\n"
                "KIND: ramp, peak, plateau (phase patterns); fragment, coalesce, realloc (adversarial)\n");
}

int generate_main(int argc, char **argv)
{
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    const char *kind = argv[0], *out = NULL;
    struct generator g;
    memset(&g, 0, sizeof g);
    g.min = 8, g.max = 4096, g.mean = 128, g.alpha = 1.5;
    long long seed = -1, ops = 100000;
    static const struct option options[] = {
        {"seed", required_argument, NULL, 's'}, {"ops", required_argument, NULL, 'n'},
        {"sizes", required_argument, NULL, 'd'}, {"min", required_argument, NULL, 'a'},
        {"max", required_argument, NULL, 'b'},  {"mean", required_argument, NULL, 'm'},
        {"alpha", required_argument, NULL, 'p'}, {"out", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "s:n:d:a:b:m:p:o:", options, NULL)) != -1) {
        switch (c) {
        case 's': seed = atoll(optarg); break;
        case 'n': ops = atoll(optarg); break;
        case 'a': g.min = atof(optarg); break;
        case 'b': g.max = atof(optarg); break;
        case 'm': g.mean = atof(optarg); break;
        case 'p': g.alpha = atof(optarg); break;
        case 'o': out = optarg; break;
        case 'd':
            g.distribution = strcmp(optarg, "uniform") == 0       ? 0
                           : strcmp(optarg, "exponential") == 0 ? 1
                           : strcmp(optarg, "powerlaw") == 0    ? 2
                                                                : -1;
            if (g.distribution < 0) {
                fprintf(stderr, "mems-trace gen: unknown size distribution '%s'\n", optarg);
                return 2;
            }
            break;
        default: usage(stderr); return 2;
        }
    }
    if (seed < 0 || out == NULL || ops < 100 || g.min < 1 || g.max < g.min || g.alpha <= 0 || g.mean <= 0) {
        fprintf(stderr, "mems-trace gen: needs --seed S (>= 0), -o OUT, --ops >= 100, 1 <= min <= max, mean and "
                        "alpha > 0\n");
        usage(stderr);
        return 2;
    }
    void (*run)(struct generator *, size_t) = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(kind, kinds[i].name) == 0)
            run = kinds[i].run;
    if (run == NULL) {
        fprintf(stderr, "mems-trace gen: unknown kind '%s'\n", kind);
        usage(stderr);
        return 2;
    }
    g.rng = (uint64_t)seed;
    builder_start(&g.builder, &g.trace, &g.error, "gen", (size_t)1 << 28);
    run(&g, (size_t)ops);
    free(g.live);
    free(g.spare);
    if (g.failed) {
        fprintf(stderr, "mems-trace gen: internal error: %s\n", g.error.message);
        builder_abandon(&g.builder);
        return 1;
    }
    builder_finish(&g.builder);
    snprintf(g.trace.name, sizeof g.trace.name, "%s-%lld", kind, seed);
    int rc = trace_write_by_name(&g.trace, out, &g.error);
    if (rc != 0)
        fprintf(stderr, "%s\n", g.error.message);
    else
        fprintf(stderr, "mems-trace gen: %s: %zu ops, peak live %ju bytes\n", out, g.trace.num_ops,
                (uintmax_t)g.trace.facts.peak_live_bytes);
    trace_free(&g.trace);
    return rc != 0;
}
