/*
 * What every generator shares, the one-thread kinds (generate.c) and the
 * multi-threaded ones (generate_threads.c) alike, kept below both so that
 * neither calls into the other for it: the seeded random stream, a size drawn
 * from the parameters' distribution, and the finishing of a built trace.
 */
#include "generate.h"

#include "trace_builder.h"

#include <math.h>
#include <stdio.h>

uint64_t gen_random(uint64_t *state)
{
    /* splitmix64 */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double gen_unit_random(uint64_t *state)
{
    return (double)(gen_random(state) >> 11) / 9007199254740992.0;
}

static double exponential_random(uint64_t *state, double mean)
{
    return -mean * log(1 - gen_unit_random(state));
}

uint64_t gen_draw_size(const struct gen_params *p, uint64_t *state)
{
    double s;
    switch (p->sizes) {
    case SIZES_EXPONENTIAL: s = p->min + exponential_random(state, p->scale); break;
    case SIZES_PARETO: s = p->min / pow(1 - gen_unit_random(state), 1 / p->alpha); break;
    case SIZES_CONSTANT: s = p->min; break;
    case SIZES_HYPEREXP: {
        double branch = gen_unit_random(state);
        s = exponential_random(state, branch < p->p ? p->scale : p->scale2);
        break;
    }
    default: s = p->min + (p->max - p->min + 1) * gen_unit_random(state); break; /* uniform */
    }
    if (s > p->max)
        s = p->max;
    if (s < 1)
        s = 1;
    return (uint64_t)s;
}

int gen_conclude(const struct gen_params *p, struct trace_builder *b, const struct trace_error *failure,
                 struct trace *out, struct trace_error *error)
{
    if (failure != NULL) {
        trace_error_set(error, "generator %s: internal error: %s", p->kind, failure->message);
        builder_abandon(b);
        return -1;
    }
    builder_finish(b);
    snprintf(b->trace->name, sizeof b->trace->name, "%s-%ju", p->kind, (uintmax_t)p->seed);
    *out = *b->trace;
    return 0;
}
