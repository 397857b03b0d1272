/*
 * Seeded, deterministic synthetic traces (`mems-trace gen`, `mems-bench study`).
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
 * Sizes: uniform, shifted exponential, Pareto, and, for sweeps over the
 * coefficient of variation (Shore 1975), constant and a two-phase
 * hyperexponential; gen_sizes_by_cv picks any family's parameters from a mean
 * and a CV.
 * The multi-threaded kinds (private, prodcons, larson) are in generate_threads.c.
 * The output goes through the trace builder, so it is a valid trace by construction.
 */
#include "generate.h"

#include "trace_builder.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct generator {
    struct trace_builder builder;
    struct trace trace;
    struct trace_error error;
    uint64_t rng;
    struct gen_params params;
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
    return gen_random(&g->rng);
}

static double unit_random(struct generator *g)
{
    return gen_unit_random(&g->rng);
}

static uint64_t draw_size(struct generator *g)
{
    return gen_draw_size(&g->params, &g->rng);
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

const char *gen_kind_name(size_t i)
{
    size_t single = sizeof kinds / sizeof *kinds;
    return i < single ? kinds[i].name : gen_threaded_kind_name(i - single);
}

static const char *const size_names[SIZES_COUNT] = {"uniform", "exponential", "pareto", "constant",
                                                     "hyperexponential"};

const char *gen_sizes_name(enum gen_sizes sizes)
{
    return sizes < SIZES_COUNT ? size_names[sizes] : "?";
}

int gen_sizes_from_name(const char *name)
{
    if (strcmp(name, "powerlaw") == 0)
        return SIZES_PARETO;
    for (int i = 0; i < SIZES_COUNT; i++)
        if (strcmp(name, size_names[i]) == 0)
            return i;
    return -1;
}

void gen_default_params(struct gen_params *p)
{
    memset(p, 0, sizeof *p);
    snprintf(p->kind, sizeof p->kind, "plateau");
    p->ops = 100000;
    p->sizes = SIZES_UNIFORM;
    p->min = 8, p->max = 4096, p->scale = 128, p->alpha = 1.5;
    p->threads = 1;
}

int gen_sizes_by_cv(struct gen_params *p, const char *name, double mean, double cv, char *why, size_t why_size)
{
    int sizes = gen_sizes_from_name(name);
    if (sizes < 0 || !(mean >= 1) || !(cv >= 0)) {
        snprintf(why, why_size, "no size distribution '%s' with mean %g and CV %g", name, mean, cv);
        return -1;
    }
    p->sizes = (enum gen_sizes)sizes;
    switch (p->sizes) {
    case SIZES_CONSTANT:
        if (cv != 0)
            break;
        p->min = mean;
        return 0;
    case SIZES_UNIFORM: /* on [m(1 - sqrt3 c), m(1 + sqrt3 c)] */
        if (cv > 1 / sqrt(3.0))
            break;
        p->min = mean * (1 - sqrt(3.0) * cv);
        p->max = fmin(p->max, mean * (1 + sqrt(3.0) * cv));
        return 0;
    case SIZES_EXPONENTIAL: /* shifted: min + Exp(scale), CV = scale / mean */
        if (cv <= 0 || cv > 1)
            break;
        p->min = mean * (1 - cv);
        p->scale = mean * cv;
        return 0;
    case SIZES_HYPEREXP: { /* two phases with balanced means (each branch carries half the mean) */
        if (cv < 1)
            break;
        double c2 = cv * cv;
        p->p = 0.5 * (1 + sqrt((c2 - 1) / (c2 + 1)));
        p->scale = mean / (2 * p->p);
        p->scale2 = mean / (2 * (1 - p->p));
        p->min = 0;
        return 0;
    }
    case SIZES_PARETO: /* CV^2 = 1 / (alpha (alpha - 2)) */
        if (cv <= 0)
            break;
        p->alpha = 1 + sqrt(1 + 1 / (cv * cv));
        p->min = mean * (p->alpha - 1) / p->alpha;
        return 0;
    default: break;
    }
    snprintf(why, why_size, "a %s distribution cannot have a coefficient of variation of %g", name, cv);
    return -1;
}

int generate_trace(const struct gen_params *p, struct trace *out, struct trace_error *error)
{
    bool threaded = gen_is_threaded_kind(p->kind);
    void (*run)(struct generator *, size_t) = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (strcmp(p->kind, kinds[i].name) == 0)
            run = kinds[i].run;
    if (run == NULL && !threaded) {
        trace_error_set(error, "unknown generator kind '%s'", p->kind);
        return -1;
    }
    if (p->ops < 100 || !(p->min >= 0) || !(p->max >= 1) || p->max < p->min || p->sizes >= SIZES_COUNT ||
        (p->sizes == SIZES_EXPONENTIAL && !(p->scale > 0)) ||
        (p->sizes == SIZES_PARETO && !(p->alpha > 0 && p->min > 0)) ||
        (p->sizes == SIZES_HYPEREXP && !(p->scale > 0 && p->scale2 > 0 && p->p >= 0 && p->p <= 1))) {
        trace_error_set(error, "generator %s: bad parameters (ops >= 100, 0 <= min <= max, positive means and alpha)",
                        p->kind);
        return -1;
    }
    if (p->threads < 1 || p->threads > GEN_MAX_THREADS || (!threaded && p->threads != 1)) {
        if (threaded)
            trace_error_set(error, "generator %s: %u threads (1 to %d)", p->kind, p->threads, GEN_MAX_THREADS);
        else
            trace_error_set(error, "generator %s: one thread only (private, prodcons and larson take more)", p->kind);
        return -1;
    }
    if (threaded)
        return generate_threaded_trace(p, out, error);
    struct generator *g = calloc(1, sizeof *g);
    if (g == NULL) {
        trace_error_set(error, "out of memory");
        return -1;
    }
    g->params = *p;
    g->rng = p->seed;
    builder_start(&g->builder, &g->trace, &g->error, "gen", (size_t)1 << 28);
    run(g, p->ops);
    free(g->live);
    free(g->spare);
    int rc = gen_conclude(p, &g->builder, g->failed ? &g->error : NULL, out, error);
    free(g);
    return rc;
}
