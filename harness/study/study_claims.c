/*
 * The literature's claims, each decided from the run's numbers: the deciding
 * quantities go to verdicts.csv, and the reading prints only those. A claim
 * compares paired numbers (two policies on the same trace), so the interval
 * is that of the median of the per-trace differences: a difference whose
 * interval holds 0 cannot be told from none.
 */
#include "study_claims.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLICY_FIRST 0
#define POLICY_NEXT 1
#define POLICY_BEST 2
#define POLICY_WORST 3
/* "near the ideal": the policy's own holes under this share of peak live, on every program */
#define NEAR_IDEAL_PERCENT 5.0
/* "about equal": the difference within this share of first fit's fragmentation */
#define EQUAL_MARGIN 0.10

double claim_add(struct claim *c, const char *measure, const char *name, double value)
{
    if (c->nq < CLAIM_MAX_QUANTITIES) {
        struct claim_quantity *q = &c->q[c->nq++];
        snprintf(q->measure, sizeof q->measure, "%s", measure);
        snprintf(q->name, sizeof q->name, "%s", name);
        q->value = value;
    }
    return value;
}

double claim_get(const struct claim *c, const char *measure, const char *name)
{
    for (size_t i = 0; i < c->nq; i++)
        if (strcmp(c->q[i].measure, measure) == 0 && strcmp(c->q[i].name, name) == 0)
            return c->q[i].value;
    return NAN;
}

const char *claim_sign_verdict(const struct median_ci *d, int expected_sign)
{
    if (d->n < 2 || isnan(d->median))
        return "cannot tell";
    if (expected_sign > 0 ? d->low > 0 : d->high < 0)
        return "agrees";
    if (expected_sign > 0 ? d->high < 0 : d->low > 0)
        return "disagrees";
    return "cannot tell";
}

const char *claim_equal_verdict(const struct median_ci *d, double margin)
{
    if (d->n < 2 || isnan(d->median))
        return "cannot tell";
    if (d->low >= -margin && d->high <= margin)
        return "agrees";
    if (d->low > margin || d->high < -margin)
        return "disagrees";
    return "cannot tell";
}

struct selection {
    bool sizes_sweep, programs;
    const char *family; /* NULL: any */
    double cv;          /* NaN: any */
};

static bool selected(const struct study_trace *t, const struct selection *sel)
{
    if (sel->sizes_sweep && !t->in_sizes)
        return false;
    if (sel->programs && !t->in_programs)
        return false;
    if (sel->family != NULL && strcmp(t->sizes, sel->family) != 0)
        return false;
    return isnan(sel->cv) || t->cv == sel->cv;
}

/* Per selected trace, ratio(a) - ratio(b) in percent of peak live; medians of each too. */
static size_t paired(const struct study *s, const struct selection *sel, size_t a, size_t b, enum study_ratio r,
                     struct median_ci *diff, double *median_a, double *median_b)
{
    double *d = calloc(s->ntraces + 1, sizeof *d), *va = calloc(s->ntraces + 1, sizeof *va),
           *vb = calloc(s->ntraces + 1, sizeof *vb);
    size_t n = 0;
    for (size_t t = 0; d && va && vb && t < s->ntraces; t++) {
        const struct study_run *x = study_find(s, t, a, 0), *y = study_find(s, t, b, 0);
        if (x == NULL || y == NULL || !selected(&s->traces[t], sel))
            continue;
        va[n] = 100 * study_ratio(&x->m, r);
        vb[n] = 100 * study_ratio(&y->m, r);
        d[n] = va[n] - vb[n];
        n++;
    }
    median_ci(d, n, diff);
    struct median_ci m;
    median_ci(va, n, &m);
    *median_a = m.median;
    median_ci(vb, n, &m);
    *median_b = m.median;
    free(d);
    free(va);
    free(vb);
    return n;
}

static const struct {
    enum study_ratio ratio;
    const char *name;
} measures[2] = {{RATIO_EXTERNAL, "external_frag"}, {RATIO_INTERIOR, "interior_frag"}};

static void add_interval(struct claim *c, const char *m, const struct median_ci *d)
{
    claim_add(c, m, "difference_median_points", d->median);
    claim_add(c, m, "difference_low_points", d->low);
    claim_add(c, m, "difference_high_points", d->high);
    claim_add(c, m, "coverage_percent", 100 * d->coverage);
    claim_add(c, m, "traces", (double)d->n);
}

/* Shore: best against first fit on one size family of the sweep. */
static void shore(const struct study *s, struct claim *c, const char *family, double cv, int expected_sign)
{
    struct selection sel = {.sizes_sweep = true, .family = family, .cv = cv};
    for (int k = 0; k < 2; k++) {
        struct median_ci d;
        double best, first;
        paired(s, &sel, POLICY_BEST, POLICY_FIRST, measures[k].ratio, &d, &best, &first);
        const char *m = measures[k].name;
        claim_add(c, m, "best_median_percent", best);
        claim_add(c, m, "first_median_percent", first);
        add_interval(c, m, &d);
        const char *v;
        if (expected_sign == 0) {
            double margin = claim_add(c, m, "margin_points", EQUAL_MARGIN * first);
            v = claim_equal_verdict(&d, margin);
        } else {
            v = claim_sign_verdict(&d, expected_sign);
        }
        snprintf(c->verdict[k], sizeof c->verdict[k], "%s", v);
    }
}

/* The phase grid of one policy and seed: the range of the shape means and of the size-family means. */
static int phase_effects(const struct study *s, size_t policy, unsigned seed, enum study_ratio r, double *shape_range,
                         double *size_range)
{
    const char *shapes[8];
    size_t nshapes = 0;
    struct { const char *family; double cv; } fams[16];
    size_t nfams = 0;
    for (size_t t = 0; t < s->ntraces; t++) {
        const struct study_trace *tr = &s->traces[t];
        if (!tr->in_phases)
            continue;
        bool seen = false;
        for (size_t i = 0; i < nshapes; i++)
            seen |= strcmp(shapes[i], tr->shape) == 0;
        if (!seen && nshapes < 8)
            shapes[nshapes++] = tr->shape;
        seen = false;
        for (size_t i = 0; i < nfams; i++)
            seen |= strcmp(fams[i].family, tr->sizes) == 0 && fams[i].cv == tr->cv;
        if (!seen && nfams < 16)
            fams[nfams].family = tr->sizes, fams[nfams++].cv = tr->cv;
    }
    double grid[8][16];
    for (size_t h = 0; h < nshapes; h++)
        for (size_t f = 0; f < nfams; f++) {
            grid[h][f] = NAN;
            for (size_t t = 0; t < s->ntraces; t++) {
                const struct study_trace *tr = &s->traces[t];
                const struct study_run *run = study_find(s, t, policy, 0);
                if (tr->in_phases && tr->seed == seed && run && strcmp(tr->shape, shapes[h]) == 0 &&
                    strcmp(tr->sizes, fams[f].family) == 0 && tr->cv == fams[f].cv)
                    grid[h][f] = 100 * study_ratio(&run->m, r);
            }
            if (isnan(grid[h][f]))
                return -1;
        }
    if (nshapes < 2 || nfams < 2)
        return -1;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t h = 0; h < nshapes; h++) {
        double sum = 0;
        for (size_t f = 0; f < nfams; f++)
            sum += grid[h][f];
        lo = fmin(lo, sum / (double)nfams), hi = fmax(hi, sum / (double)nfams);
    }
    *shape_range = hi - lo;
    lo = INFINITY, hi = -INFINITY;
    for (size_t f = 0; f < nfams; f++) {
        double sum = 0;
        for (size_t h = 0; h < nshapes; h++)
            sum += grid[h][f];
        lo = fmin(lo, sum / (double)nshapes), hi = fmax(hi, sum / (double)nshapes);
    }
    *size_range = hi - lo;
    return 0;
}

static void phases_matter(const struct study *s, struct claim *c)
{
    unsigned max_seed = 0;
    for (size_t t = 0; t < s->ntraces; t++)
        if (s->traces[t].in_phases && s->traces[t].seed > max_seed)
            max_seed = s->traces[t].seed;
    for (int k = 0; k < 2; k++) {
        size_t cap = (size_t)max_seed * STUDY_POLICIES + 1, n = 0;
        double *d = calloc(cap, sizeof *d), *shape = calloc(cap, sizeof *shape), *size = calloc(cap, sizeof *size);
        for (size_t p = 0; d && shape && size && p < STUDY_POLICIES; p++)
            for (unsigned seed = 1; seed <= max_seed; seed++)
                if (phase_effects(s, p, seed, measures[k].ratio, &shape[n], &size[n]) == 0) {
                    d[n] = shape[n] - size[n];
                    n++;
                }
        struct median_ci diff, a, b;
        median_ci(d, n, &diff);
        median_ci(shape, n, &a);
        median_ci(size, n, &b);
        const char *m = measures[k].name;
        claim_add(c, m, "shape_range_median_points", a.median);
        claim_add(c, m, "size_range_median_points", b.median);
        add_interval(c, m, &diff);
        snprintf(c->verdict[k], sizeof c->verdict[k], "%s", claim_sign_verdict(&diff, 1));
        free(d);
        free(shape);
        free(size);
    }
}

/* Best and first fit's own holes (interior) under NEAR_IDEAL_PERCENT on the programs. */
static void near_ideal(const struct study *s, struct claim *c)
{
    struct selection sel = {.programs = true, .cv = NAN};
    for (int k = 0; k < 2; k++) {
        const char *m = measures[k].name;
        int above = 0, within = 0;
        static const size_t policies[] = {POLICY_BEST, POLICY_FIRST};
        for (size_t i = 0; i < 2; i++) {
            double *v = calloc(s->ntraces + 1, sizeof *v);
            size_t n = 0;
            for (size_t t = 0; v && t < s->ntraces; t++) {
                const struct study_run *run = study_find(s, t, policies[i], 0);
                if (run && selected(&s->traces[t], &sel))
                    v[n++] = 100 * study_ratio(&run->m, measures[k].ratio);
            }
            struct median_ci ci;
            median_ci(v, n, &ci);
            free(v);
            char name[48];
            snprintf(name, sizeof name, "%s_median_percent", study_policy_name(policies[i]));
            claim_add(c, m, name, ci.median);
            snprintf(name, sizeof name, "%s_high_percent", study_policy_name(policies[i]));
            claim_add(c, m, name, ci.high);
            snprintf(name, sizeof name, "%s_low_percent", study_policy_name(policies[i]));
            claim_add(c, m, name, ci.low);
            if (i == 0) {
                claim_add(c, m, "programs", (double)ci.n);
                claim_add(c, m, "coverage_percent", 100 * ci.coverage);
            }
            above += ci.n > 0 && ci.low > NEAR_IDEAL_PERCENT;
            within += ci.n > 1 && ci.high <= NEAR_IDEAL_PERCENT;
        }
        claim_add(c, m, "threshold_percent", NEAR_IDEAL_PERCENT);
        snprintf(c->verdict[k], sizeof c->verdict[k], "%s",
                 above ? "disagrees" : within == 2 ? "agrees" : "cannot tell");
    }
}

/* Next and worst fit both worse than both best and first fit, program by program. */
static void next_worst_worse(const struct study *s, struct claim *c)
{
    struct selection sel = {.programs = true, .cv = NAN};
    for (int k = 0; k < 2; k++) {
        double *d = calloc(s->ntraces + 1, sizeof *d);
        size_t n = 0;
        for (size_t t = 0; d && t < s->ntraces; t++) {
            if (!selected(&s->traces[t], &sel))
                continue;
            double f[STUDY_POLICIES];
            bool all = true;
            for (size_t p = 0; p < STUDY_POLICIES; p++) {
                const struct study_run *run = study_find(s, t, p, 0);
                all &= run != NULL;
                f[p] = run ? 100 * study_ratio(&run->m, measures[k].ratio) : NAN;
            }
            if (all)
                d[n++] = fmin(f[POLICY_NEXT], f[POLICY_WORST]) - fmax(f[POLICY_BEST], f[POLICY_FIRST]);
        }
        struct median_ci diff;
        median_ci(d, n, &diff);
        free(d);
        const char *m = measures[k].name;
        add_interval(c, m, &diff);
        for (size_t p = 0; p < STUDY_POLICIES; p++) {
            struct study_group g = {.kind = GROUP_PROGRAMS};
            struct study_cell cell;
            study_cell(s, &g, p, 0, measures[k].ratio, &cell);
            char name[48];
            snprintf(name, sizeof name, "%s_geomean_percent", study_policy_name(p));
            claim_add(c, m, name, 100 * cell.geomean);
        }
        snprintf(c->verdict[k], sizeof c->verdict[k], "%s", claim_sign_verdict(&diff, 1));
    }
}

/* Per policy at the default structure: the mean shares of peak live (they add up, as in the waste figure),
 * and on how many traces the policy's holes outweigh the structure's, and the reverse. */
static void structure_share(const struct study *s, struct claim *c)
{
    static const enum study_ratio parts[] = {RATIO_INTERIOR, RATIO_STRUCTURE, RATIO_ROUNDING, RATIO_METADATA};
    static const char *const names[] = {"interior_mean_percent", "structure_mean_percent", "rounding_mean_percent",
                                        "metadata_mean_percent"};
    for (size_t p = 0; p < STUDY_POLICIES; p++) {
        double sum[4] = {0};
        size_t n = 0, policy_more = 0, structure_more = 0;
        for (size_t t = 0; t < s->ntraces; t++) {
            const struct study_run *run = study_find(s, t, p, 0);
            if (run == NULL || !(s->traces[t].in_phases || s->traces[t].in_programs))
                continue;
            for (size_t i = 0; i < 4; i++)
                sum[i] += 100 * study_ratio(&run->m, parts[i]);
            policy_more += run->m.interior > run->m.tail + run->m.empty;
            structure_more += run->m.interior < run->m.tail + run->m.empty;
            n++;
        }
        const char *m = study_policy_name(p);
        for (size_t i = 0; i < 4; i++)
            claim_add(c, m, names[i], n ? sum[i] / (double)n : NAN);
        claim_add(c, m, "traces", (double)n);
        claim_add(c, m, "traces_policy_more", (double)policy_more);
        claim_add(c, m, "traces_structure_more", (double)structure_more);
        bool policy = sum[0] > sum[1] && policy_more > structure_more;
        bool structure = sum[0] < sum[1] && policy_more < structure_more;
        snprintf(c->verdict[p], sizeof c->verdict[p], "%s",
                 policy ? "mostly the policy's" : structure ? "mostly the structure's" : "mixed");
    }
}

/* The policies ordered by geometric mean of 1 + external fragmentation, per structure. */
static void ranking(const struct study *s, struct claim *c)
{
    for (size_t k = 0; k < s->nconfigs && k < CLAIM_MAX_VERDICTS; k++) {
        double g[STUDY_POLICIES];
        for (size_t p = 0; p < STUDY_POLICIES; p++) {
            struct study_group group = {.kind = GROUP_STRUCTURE};
            struct study_cell cell;
            study_cell(s, &group, p, k, RATIO_EXTERNAL, &cell);
            g[p] = 100 * cell.geomean;
            char name[48];
            snprintf(name, sizeof name, "%s_geomean_percent", study_policy_name(p));
            claim_add(c, s->configs[k].name, name, g[p]);
        }
        size_t order[STUDY_POLICIES] = {0, 1, 2, 3};
        for (size_t i = 1; i < STUDY_POLICIES; i++) /* insertion sort, ties keep the policies' order */
            for (size_t j = i; j > 0 && g[order[j]] < g[order[j - 1]]; j--) {
                size_t x = order[j];
                order[j] = order[j - 1], order[j - 1] = x;
            }
        /* policies whose percentages print alike are tied: the order claims no more than the numbers show */
        char text[sizeof c->verdict[0]] = "";
        for (size_t i = 0; i < STUDY_POLICIES; i++) {
            char here[32], before[32];
            snprintf(here, sizeof here, "%.3g", g[order[i]]);
            snprintf(before, sizeof before, "%.3g", i ? g[order[i - 1]] : NAN);
            size_t len = strlen(text);
            snprintf(text + len, sizeof text - len, "%s%s", i == 0 ? "" : strcmp(here, before) == 0 ? " = " : " < ",
                     study_policy_name(order[i]));
        }
        snprintf(c->verdict[k], sizeof c->verdict[k], "%s", text);
    }
}

size_t study_claims(const struct study *s, struct claim *out, size_t max)
{
    static const struct {
        const char *id, *statement;
    } list[] = {
        {"shore-uniform", "Shore (1975): when request sizes vary little (uniform), best fit fragments less than "
                          "first fit."},
        {"shore-hyperexponential", "Shore (1975): when request sizes vary a lot (hyperexponential), first fit "
                                   "fragments less than best fit."},
        {"shore-exponential", "Shore (1975): for exponential sizes, best fit and first fit fragment about equally."},
        {"jw-phases", "Wilson et al. (1995), Johnstone & Wilson (1998): a program's phase behaviour (ramps, peaks, "
                      "plateaus) matters more to fragmentation than its size distribution."},
        {"jw-near-ideal", "Johnstone & Wilson (1998): on real programs, best fit and address-ordered first fit "
                          "come out near the ideal once implementation overheads are set aside."},
        {"jw-next-worst", "Johnstone & Wilson (1998): on real programs, next fit and worst fit do worse than best "
                          "fit and first fit."},
        {"structure-share", "How much of MeMS's waste is the policy's (holes between live blocks) and how much the "
                            "structure's (the unused ends of nodes' whole pages, nodes with no live block)?"},
        {"structure-ranking", "How does the ranking of the policies move when nodes are bigger (`min_pages`) or "
                              "empty nodes are unmapped (`release_empty_nodes`)?"},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof list / sizeof *list && n < max; i++) {
        struct claim *c = &out[n++];
        memset(c, 0, sizeof *c);
        c->id = list[i].id;
        c->statement = list[i].statement;
        switch (i) {
        case 0: shore(s, c, "uniform", NAN, -1); break;
        case 1: shore(s, c, "hyperexponential", NAN, 1); break;
        case 2: shore(s, c, "exponential", 1, 0); break;
        case 3: phases_matter(s, c); break;
        case 4: near_ideal(s, c); break;
        case 5: next_worst_worse(s, c); break;
        case 6: structure_share(s, c); break;
        default: ranking(s, c); break;
        }
    }
    return n;
}

int study_write_verdicts_csv(const struct study *s, const struct claim *claims, size_t n)
{
    FILE *f = csv_open(s->out_dir, "verdicts.csv", "claim,measure,verdict,quantity,value");
    if (f == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct claim *c = &claims[i];
        for (size_t k = 0; k < c->nq; k++) {
            const char *v = claim_verdict(s, c, c->q[k].measure);
            fprintf(f, "%s,%s,%s,%s,%.9g\n", c->id, c->q[k].measure, v, c->q[k].name, c->q[k].value);
        }
    }
    return fclose(f);
}

const char *claim_verdict(const struct study *s, const struct claim *c, const char *measure)
{
    if (strcmp(measure, "external_frag") == 0)
        return c->verdict[0];
    if (strcmp(measure, "interior_frag") == 0)
        return c->verdict[1];
    if (strcmp(measure, "jw4_policy") == 0) /* the zoo's claims (study_zoo_reading.c) */
        return c->verdict[0];
    if (strcmp(measure, "jw4_all") == 0)
        return c->verdict[1];
    for (size_t p = 0; p < STUDY_POLICIES; p++)
        if (strcmp(measure, study_policy_name(p)) == 0)
            return c->verdict[p];
    for (size_t k = 0; k < s->nconfigs && k < CLAIM_MAX_VERDICTS; k++)
        if (strcmp(measure, s->configs[k].name) == 0)
            return c->verdict[k];
    return "";
}
