/*
 * The study's measures, each a share of the peak live bytes (harness/METRICS.md):
 * external fragmentation (every hole at the peak), its part between live
 * blocks (the policy's) and its part the node structure makes (ends of
 * nodes, nodes without a live block), rounding, metadata, the footprint's
 * excess and the holes averaged over time.
 */
#include "study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const study_ratio_names[RATIO_COUNT] = {
    "external_frag", "interior_frag", "structure_frag", "rounding", "metadata", "footprint_excess", "frag_over_time",
};

double study_ratio(const struct study_measure *m, enum study_ratio r)
{
    if (m->peak_live == 0)
        return NAN;
    double live = (double)m->peak_live;
    switch (r) {
    case RATIO_EXTERNAL: return (double)m->holes / live;
    case RATIO_INTERIOR: return (double)m->interior / live;
    case RATIO_STRUCTURE: return (double)(m->tail + m->empty) / live;
    case RATIO_ROUNDING: return (double)m->rounding / live;
    case RATIO_METADATA: return (double)m->metadata / live;
    case RATIO_FOOTPRINT: return ((double)m->peak_mapped - live) / live;
    case RATIO_OVER_TIME: return m->holes_over_time;
    default: return NAN;
    }
}

const struct study_run *study_find(const struct study *s, size_t trace, size_t policy, size_t config)
{
    if (trace >= s->ntraces || policy >= STUDY_POLICIES || config >= s->nconfigs)
        return NULL;
    const struct study_run *r = &s->runs[(trace * STUDY_POLICIES + policy) * s->nconfigs + config];
    return r->m.ops > 0 && !r->m.failed ? r : NULL;
}

bool study_in_group(const struct study *s, size_t trace, const struct study_group *g)
{
    const struct study_trace *t = &s->traces[trace];
    switch (g->kind) {
    case GROUP_CELL:
        return !t->path[0] && strcmp(t->shape, g->shape) == 0 && strcmp(t->sizes, g->sizes) == 0 && t->cv == g->cv;
    case GROUP_PROGRAM: return t->in_programs && strcmp(t->name, g->sizes) == 0;
    case GROUP_PROGRAMS: return t->in_programs;
    case GROUP_PHASES: return t->in_phases;
    case GROUP_STRUCTURE: return t->in_phases || t->in_programs;
    }
    return false;
}

size_t study_cell(const struct study *s, const struct study_group *g, size_t policy, size_t config,
                  enum study_ratio r, struct study_cell *out)
{
    double *values = calloc(s->ntraces + 1, sizeof *values), *cvs = calloc(s->ntraces + 1, sizeof *cvs);
    double *shifted = calloc(s->ntraces + 1, sizeof *shifted);
    size_t n = 0;
    for (size_t t = 0; values && cvs && shifted && t < s->ntraces; t++) {
        const struct study_run *run = study_find(s, t, policy, config);
        if (run == NULL || !study_in_group(s, t, g))
            continue;
        values[n] = study_ratio(&run->m, r);
        shifted[n] = 1 + values[n];
        cvs[n++] = run->m.cv_measured;
    }
    out->geomean = n ? geometric_mean(shifted, n) - 1 : NAN;
    median_ci(values, n, &out->ci);
    struct median_ci cv;
    median_ci(cvs, n, &cv);
    out->cv_measured = cv.median;
    free(values);
    free(cvs);
    free(shifted);
    return n;
}

size_t study_groups(const struct study *s, struct study_group *out, size_t max)
{
    size_t n = 0;
    for (size_t t = 0; t < s->ntraces && n < max; t++) {
        const struct study_trace *tr = &s->traces[t];
        struct study_group g = {.kind = tr->path[0] ? GROUP_PROGRAM : GROUP_CELL, .cv = tr->cv};
        snprintf(g.shape, sizeof g.shape, "%s", tr->shape);
        snprintf(g.sizes, sizeof g.sizes, "%s", tr->sizes);
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = out[i].kind == g.kind && strcmp(out[i].shape, g.shape) == 0 &&
                   strcmp(out[i].sizes, g.sizes) == 0 && (g.kind == GROUP_PROGRAM || out[i].cv == g.cv);
        if (!seen)
            out[n++] = g;
    }
    static const struct {
        enum study_group_kind kind;
        const char *name;
    } pooled[] = {{GROUP_PROGRAMS, "programs"}, {GROUP_PHASES, "phases"}, {GROUP_STRUCTURE, "phases+programs"}};
    for (size_t i = 0; i < 3 && n < max; i++) {
        struct study_group g = {.kind = pooled[i].kind, .cv = NAN};
        snprintf(g.shape, sizeof g.shape, "all");
        snprintf(g.sizes, sizeof g.sizes, "%s", pooled[i].name);
        out[n++] = g;
    }
    return n;
}
