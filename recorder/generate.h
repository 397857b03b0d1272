/*
 * Seeded, deterministic synthetic traces (the generators of `mems-trace gen`,
 * also used in process by `mems-bench study`): a shape of lifetimes and a
 * distribution of request sizes.
 */
#ifndef MEMS_TRACE_GENERATE_H
#define MEMS_TRACE_GENERATE_H

#include "trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gen_sizes {
    SIZES_UNIFORM,     /* min .. max */
    SIZES_EXPONENTIAL, /* min + an exponential of mean `scale` */
    SIZES_PARETO,      /* min / U^(1/alpha): "powerlaw" */
    SIZES_CONSTANT,    /* always `min` */
    SIZES_HYPEREXP,    /* two exponentials, means scale and scale2, the first with probability p */
    SIZES_COUNT
};

#define GEN_MAX_THREADS 256

struct gen_params {
    char kind[32];       /* ramp, peak, plateau, fragment, coalesce, realloc; threaded: private, prodcons, larson */
    uint64_t seed;
    size_t ops;
    enum gen_sizes sizes;
    double min, max;     /* every size is clipped to [1, max] */
    double scale, alpha; /* exponential mean; Pareto shape */
    double scale2, p;    /* hyperexponential's second mean and the first branch's probability */
    unsigned threads;    /* the threads the ops are spread over: 1 for every kind but the threaded ones */
};

/* The defaults of `mems-trace gen`: uniform sizes 8..4096, 100 000 ops, one thread. */
void gen_default_params(struct gen_params *p);
/* Sets the size distribution `name` (constant, uniform, exponential,
 * hyperexponential, pareto) to have this mean and coefficient of variation
 * (standard deviation / mean), before clipping to max. Returns 0, or -1 with
 * the reason in `why` (a CV the family cannot have: constant needs 0, uniform
 * at most 1/sqrt(3), exponential (0, 1], hyperexponential at least 1). */
int gen_sizes_by_cv(struct gen_params *p, const char *name, double mean, double cv, char *why, size_t why_size);
/* Parses a distribution name ("powerlaw" is Pareto); -1 when unknown. */
int gen_sizes_from_name(const char *name);
const char *gen_sizes_name(enum gen_sizes sizes);
/* Every kind generate_trace knows, the single-threaded ones first; NULL past the last. */
const char *gen_kind_name(size_t i);
/* Writes the generated trace into *out (a loaded trace: trace_free it).
 * Returns 0, or -1 with *error set (an unknown kind, bad parameters). */
int generate_trace(const struct gen_params *p, struct trace *out, struct trace_error *error);

/* What the threaded kinds (generate_threads.c) share with the others: the
 * seeded random stream (splitmix64) and a size drawn from p's distribution. */
uint64_t gen_random(uint64_t *state);
double gen_unit_random(uint64_t *state);
uint64_t gen_draw_size(const struct gen_params *p, uint64_t *state);
struct trace_builder;
/* The end of every generator: the trace finished into *out and named
 * KIND-SEED, or, after a `failure` of the builder, abandoned with *error set. */
int gen_conclude(const struct gen_params *p, struct trace_builder *b, const struct trace_error *failure,
                 struct trace *out, struct trace_error *error);
/* generate_threads.c: is `kind` one of the multi-threaded workloads, and
 * generate_trace for them (p already checked). */
bool gen_is_threaded_kind(const char *kind);
const char *gen_threaded_kind_name(size_t i); /* NULL past the last */
int generate_threaded_trace(const struct gen_params *p, struct trace *out, struct trace_error *error);

#endif
