/*
 * The zoo's reading: Johnstone & Wilson's table (every member x every
 * program, #4 and #3 with everything counted and with the policy's part
 * alone, the rank per program, geometric means), the members on the generated
 * traces, the literature's claims about free-list order and mechanism decided
 * from the numbers, and the figures' data. A claim compares two members
 * program by program, so its interval is that of the median of the paired
 * differences, as the study's other claims.
 */
#include "study_zoo.h"

#include "mems.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "near the ideal": #4 of the policy's part under this, in percent */
#define ZOO_NEAR_IDEAL_PERCENT 5.0
/* "close to": the difference within this many points, or a tenth of the reference's median if larger */
#define ZOO_CLOSE_POINTS 2.0
#define ZOO_CLOSE_SHARE 0.10
/* TLSF's "within a few percent" of best fit */
#define ZOO_FEW_POINTS 3.0
/* "much more": the difference above this many points */
#define ZOO_MUCH_POINTS 10.0

/* verdicts.csv's measure and the reading's words for each view; a claim's verdict[0] is the policy's part */
static const char *const view_measure[2] = {[ZOO_ALL] = "jw4_all", [ZOO_POLICY] = "jw4_policy"};
static const char *const view_words[2] = {[ZOO_ALL] = "Everything counted",
                                          [ZOO_POLICY] = "The policy's part (no metadata, no alignment rounding)"};
static const enum zoo_view views_in_order[2] = {ZOO_POLICY, ZOO_ALL};

/* Per program, 100 x (a - b) of #4 in the view; the medians of a and b too. */
static size_t paired_programs(const struct study *s, const struct study_zoo *z, int a, int b, enum zoo_view view,
                              struct median_ci *diff, struct median_ci *of_a, struct median_ci *of_b)
{
    double *d = calloc(s->ntraces + 1, sizeof *d), *va = calloc(s->ntraces + 1, sizeof *va),
           *vb = calloc(s->ntraces + 1, sizeof *vb);
    size_t n = 0;
    for (size_t t = 0; d && va && vb && a >= 0 && b >= 0 && t < s->ntraces; t++) {
        if (!s->traces[t].in_programs)
            continue;
        double x = zoo_value(zoo_find(s, z, t, (size_t)a), true, view);
        double y = zoo_value(zoo_find(s, z, t, (size_t)b), true, view);
        if (isnan(x) || isnan(y))
            continue;
        va[n] = 100 * x, vb[n] = 100 * y, d[n] = va[n] - vb[n];
        n++;
    }
    median_ci(d, n, diff);
    median_ci(va, n, of_a);
    median_ci(vb, n, of_b);
    free(d);
    free(va);
    free(vb);
    return n;
}

/* Geometric mean over the programs of 1 + #4 (or #3), minus 1, in percent. */
static double program_geomean(const struct study *s, const struct study_zoo *z, size_t k, bool jw4, enum zoo_view v)
{
    double *x = calloc(s->ntraces + 1, sizeof *x);
    size_t n = 0;
    for (size_t t = 0; x && t < s->ntraces; t++) {
        double value = s->traces[t].in_programs ? zoo_value(zoo_find(s, z, t, k), jw4, v) : NAN;
        if (!isnan(value))
            x[n++] = 1 + value;
    }
    double g = n ? 100 * (geometric_mean(x, n) - 1) : NAN;
    free(x);
    return g;
}

/* Adds a comparison of a against b to claim c under the view; returns its interval. */
static struct median_ci compare(const struct study *s, const struct study_zoo *z, struct claim *c, const char *a,
                                const char *b, enum zoo_view view)
{
    struct median_ci d, ma, mb;
    paired_programs(s, z, zoo_member(z, a), zoo_member(z, b), view, &d, &ma, &mb);
    if (zoo_member(z, a) < 0 || zoo_member(z, b) < 0)
        return d; /* a member this build lacks: no numbers, the reading says which */
    const char *m = view_measure[view];
    char name[64];
    snprintf(name, sizeof name, "%s_median_percent", a);
    claim_add(c, m, name, ma.median);
    snprintf(name, sizeof name, "%s_median_percent", b);
    claim_add(c, m, name, mb.median);
    snprintf(name, sizeof name, "%s_minus_%s_median_points", a, b);
    claim_add(c, m, name, d.median);
    snprintf(name, sizeof name, "%s_minus_%s_low_points", a, b);
    claim_add(c, m, name, d.low);
    snprintf(name, sizeof name, "%s_minus_%s_high_points", a, b);
    claim_add(c, m, name, d.high);
    if (isnan(claim_get(c, m, "programs")))
        claim_add(c, m, "programs", (double)d.n);
    return d;
}

static void set_verdict(struct claim *c, enum zoo_view view, const char *verdict)
{
    snprintf(c->verdict[view == views_in_order[0] ? 0 : 1], sizeof c->verdict[0], "%s", verdict);
}

/* Several comparisons decided together: every one agrees, or one disagrees. */
static const char *combine(const char *so_far, const char *next)
{
    if (strcmp(so_far, "disagrees") == 0 || strcmp(next, "disagrees") == 0)
        return "disagrees";
    if (strcmp(so_far, "agrees") == 0 && strcmp(next, "agrees") == 0)
        return "agrees";
    return "cannot tell";
}

static double close_margin(struct claim *c, enum zoo_view view, const char *reference_median, double floor)
{
    double ref = claim_get(c, view_measure[view], reference_median);
    double margin = isnan(ref) ? floor : fmax(floor, ZOO_CLOSE_SHARE * fabs(ref));
    if (isnan(claim_get(c, view_measure[view], "margin_points")))
        claim_add(c, view_measure[view], "margin_points", margin);
    return margin;
}

static void near_ideal(const struct study *s, const struct study_zoo *z, struct claim *c, enum zoo_view view)
{
    const char *verdict = "agrees";
    const char *m = view_measure[view];
    claim_add(c, m, "near_ideal_percent", ZOO_NEAR_IDEAL_PERCENT);
    static const char *const members[] = {"first", "best"};
    for (int i = 0; i < 2; i++) {
        struct median_ci d, of, unused;
        int k = zoo_member(z, members[i]);
        paired_programs(s, z, k, k, view, &d, &of, &unused);
        if (k < 0) {
            verdict = combine(verdict, "cannot tell");
            continue;
        }
        char name[64];
        snprintf(name, sizeof name, "%s_median_percent", members[i]);
        claim_add(c, m, name, of.median);
        snprintf(name, sizeof name, "%s_low_percent", members[i]);
        claim_add(c, m, name, of.low);
        snprintf(name, sizeof name, "%s_high_percent", members[i]);
        claim_add(c, m, name, of.high);
        if (isnan(claim_get(c, m, "programs")))
            claim_add(c, m, "programs", (double)of.n);
        const char *v = of.n < 2 || isnan(of.median)           ? "cannot tell"
                        : of.high < ZOO_NEAR_IDEAL_PERCENT    ? "agrees"
                        : of.low > ZOO_NEAR_IDEAL_PERCENT     ? "disagrees"
                                                              : "cannot tell";
        verdict = combine(verdict, v);
    }
    set_verdict(c, view, verdict);
}

static void sign_claim(const struct study *s, const struct study_zoo *z, struct claim *c, const char *a,
                       const char *b, enum zoo_view view)
{
    struct median_ci d = compare(s, z, c, a, b, view);
    set_verdict(c, view, claim_sign_verdict(&d, 1));
}

/* Each of `members` close to `reference`: all agree, or one disagrees. */
static void close_claim(const struct study *s, const struct study_zoo *z, struct claim *c, const char *const *members,
                        size_t n, const char *reference, double floor, enum zoo_view view)
{
    const char *verdict = "agrees";
    char ref[64];
    snprintf(ref, sizeof ref, "%s_median_percent", reference);
    for (size_t i = 0; i < n; i++) {
        struct median_ci d = compare(s, z, c, members[i], reference, view);
        verdict = combine(verdict, claim_equal_verdict(&d, close_margin(c, view, ref, floor)));
    }
    set_verdict(c, view, verdict);
}

static void much_more_claim(const struct study *s, const struct study_zoo *z, struct claim *c, enum zoo_view view)
{
    static const char *const members[] = {"buddy", "double-buddy", "simple-seg", "simple-seg-3"};
    const char *verdict = "agrees";
    claim_add(c, view_measure[view], "much_more_points", ZOO_MUCH_POINTS);
    for (size_t i = 0; i < 4; i++) {
        struct median_ci d = compare(s, z, c, members[i], "best", view);
        const char *v = d.n < 2 || isnan(d.median) ? "cannot tell"
                        : d.low > ZOO_MUCH_POINTS  ? "agrees"
                        : d.high < ZOO_MUCH_POINTS ? "disagrees"
                                                   : "cannot tell";
        verdict = combine(verdict, v);
    }
    set_verdict(c, view, verdict);
}

static const struct {
    const char *id, *statement;
    const char *members[5]; /* what it compares: a build without one of them cannot tell */
} zoo_claims[] = {
    {"zoo-near-ideal",
     "Johnstone & Wilson (1998): address-ordered first fit and best fit come out near the ideal on real programs.",
     {"first", "best"}},
    {"zoo-lifo-first",
     "Johnstone & Wilson (1998): first fit over a LIFO free list fragments more than address-ordered first fit.",
     {"first-lifo", "first"}},
    {"zoo-fifo-first",
     "Johnstone & Wilson (1998): first fit over a FIFO free list comes out close to address-ordered first fit.",
     {"first-fifo", "first"}},
    {"zoo-best-order", "Johnstone & Wilson (1998): for best fit the free list's order matters little.",
     {"best-lifo", "best-fifo", "best"}},
    {"zoo-next-first", "Johnstone & Wilson (1998): next fit fragments more than first fit.", {"next", "first"}},
    {"zoo-classes-waste",
     "Johnstone & Wilson (1998): the buddy systems and simple segregated storage waste much more than the best "
     "fits.",
     {"buddy", "double-buddy", "simple-seg", "simple-seg-3", "best"}},
    {"zoo-lea-best", "Johnstone & Wilson (1998): Lea's segregated fit comes out close to best fit.", {"lea", "best"}},
    {"zoo-tlsf-best", "Masmano et al. (2004): TLSF's good fit is within a few percent of best fit.",
     {"tlsf", "best"}},
};

size_t study_zoo_claims(const struct study *s, const struct study_zoo *z, struct claim *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof zoo_claims / sizeof *zoo_claims && n < max; i++) {
        struct claim *c = &out[n++];
        memset(c, 0, sizeof *c);
        c->id = zoo_claims[i].id;
        c->statement = zoo_claims[i].statement;
        for (int v = ZOO_ALL; v <= ZOO_POLICY; v++) {
            enum zoo_view view = (enum zoo_view)v;
            static const char *const lifo_best[] = {"best-lifo", "best-fifo"};
            static const char *const fifo_first[] = {"first-fifo"};
            static const char *const lea[] = {"lea"};
            static const char *const tlsf[] = {"tlsf"};
            switch (i) {
            case 0: near_ideal(s, z, c, view); break;
            case 1: sign_claim(s, z, c, "first-lifo", "first", view); break;
            case 2: close_claim(s, z, c, fifo_first, 1, "first", ZOO_CLOSE_POINTS, view); break;
            case 3: close_claim(s, z, c, lifo_best, 2, "best", ZOO_CLOSE_POINTS, view); break;
            case 4: sign_claim(s, z, c, "next", "first", view); break;
            case 5: much_more_claim(s, z, c, view); break;
            case 6: close_claim(s, z, c, lea, 1, "best", ZOO_CLOSE_POINTS, view); break;
            default: close_claim(s, z, c, tlsf, 1, "best", ZOO_FEW_POINTS, view); break;
            }
            if (isnan(claim_get(c, view_measure[view], "programs"))) /* a member missing: still a row */
                claim_add(c, view_measure[view], "programs", 0);
        }
    }
    return n;
}

/* ---- study.md's section ---- */

/* Writes every quantity of the view as "name value" pairs: the numbers a claim rests on. */
static void write_quantities(FILE *f, const struct claim *c, const char *measure)
{
    const char *sep = "";
    for (size_t i = 0; i < c->nq; i++) {
        if (strcmp(c->q[i].measure, measure) != 0)
            continue;
        fprintf(f, "%s`%s` %s", sep, c->q[i].name, study_num(c->q[i].value));
        sep = ", ";
    }
}

static void write_missing(FILE *f, const struct study_zoo *z, size_t claim)
{
    const char *sep = " Not in this build, so left undecided: ";
    for (size_t i = 0; i < 5 && zoo_claims[claim].members[i] != NULL; i++)
        if (zoo_member(z, zoo_claims[claim].members[i]) < 0) {
            fprintf(f, "%s`%s`", sep, zoo_claims[claim].members[i]);
            sep = ", ";
        }
    if (sep[0] == ',')
        fprintf(f, ".");
}

static void write_claim_paragraphs(FILE *f, const struct study_zoo *z, const struct claim *claims, size_t n)
{
    fprintf(f, "| claim | the policy's part | everything counted |\n|---|---|---|\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "| %s | %s | %s |\n", claims[i].statement, claims[i].verdict[0], claims[i].verdict[1]);
    fprintf(f, "\n");
    for (size_t i = 0; i < n; i++) {
        const struct claim *c = &claims[i];
        fprintf(f, "<!-- claim: %s -->\n**%s**\n", c->id, c->statement);
        for (int k = 0; k < 2; k++) {
            enum zoo_view v = views_in_order[k];
            fprintf(f, "%s: **%s**. ", view_words[v], c->verdict[k]);
            write_quantities(f, c, view_measure[v]);
            fprintf(f, ".%s", k == 0 ? " " : "");
        }
        write_missing(f, z, i);
        fprintf(f, "\n\n");
    }
}

/* One row per member, a column per program: #4 (or #3) of the policy's part / everything, and the rank. */
static void write_table(FILE *f, const struct study *s, const struct study_zoo *z, bool jw4)
{
    fprintf(f, "| member |");
    for (size_t t = 0; t < s->ntraces; t++)
        if (s->traces[t].in_programs)
            fprintf(f, " %s |", s->traces[t].name);
    fprintf(f, " **geometric mean** |\n|---|");
    for (size_t t = 0; t < s->ntraces; t++)
        if (s->traces[t].in_programs)
            fprintf(f, "---|");
    fprintf(f, "---|\n");
    for (size_t k = 0; k < z->nmembers; k++) {
        fprintf(f, "| `%s` |", z->name[k]);
        for (size_t t = 0; t < s->ntraces; t++) {
            if (!s->traces[t].in_programs)
                continue;
            const struct zoo_measure *m = zoo_find(s, z, t, k);
            double own = zoo_value(m, jw4, ZOO_POLICY), all = zoo_value(m, jw4, ZOO_ALL);
            int rank = 1;
            for (size_t q = 0; q < z->nmembers; q++)
                rank += zoo_value(zoo_find(s, z, t, q), jw4, ZOO_POLICY) < own;
            if (isnan(own))
                fprintf(f, " – |");
            else
                fprintf(f, " %s / %s (%d) |", study_num(100 * own), study_num(100 * all), rank);
        }
        fprintf(f, " **%s / %s** |\n", study_num(program_geomean(s, z, k, jw4, ZOO_POLICY)),
                study_num(program_geomean(s, z, k, jw4, ZOO_ALL)));
    }
    fprintf(f, "\n");
}

/* Median #4 of the policy's part per member over the generated traces of each phase shape and of the sweep. */
static void write_generated(FILE *f, const struct study *s, const struct study_zoo *z)
{
    const char *groups[8];
    size_t ngroups = 0;
    for (size_t t = 0; t < s->ntraces && ngroups < 7; t++) {
        const struct study_trace *tr = &s->traces[t];
        if (!tr->in_phases)
            continue;
        bool seen = false;
        for (size_t g = 0; g < ngroups; g++)
            seen |= strcmp(groups[g], tr->shape) == 0;
        if (!seen)
            groups[ngroups++] = tr->shape;
    }
    fprintf(f, "| member | size sweep (plateau) |");
    for (size_t g = 0; g < ngroups; g++)
        fprintf(f, " %s |", groups[g]);
    fprintf(f, "\n|---|---|");
    for (size_t g = 0; g < ngroups; g++)
        fprintf(f, "---|");
    fprintf(f, "\n");
    double *v = calloc(s->ntraces + 1, sizeof *v);
    for (size_t k = 0; v && k < z->nmembers; k++) {
        fprintf(f, "| `%s` |", z->name[k]);
        for (size_t g = 0; g <= ngroups; g++) {
            size_t n = 0;
            for (size_t t = 0; t < s->ntraces; t++) {
                const struct study_trace *tr = &s->traces[t];
                bool in = g == 0 ? tr->in_sizes : tr->in_phases && strcmp(tr->shape, groups[g - 1]) == 0;
                double x = in ? zoo_value(zoo_find(s, z, t, k), true, ZOO_POLICY) : NAN;
                if (!isnan(x))
                    v[n++] = 100 * x;
            }
            struct median_ci ci;
            median_ci(v, n, &ci);
            fprintf(f, " %s |", n ? study_num(ci.median) : "–");
        }
        fprintf(f, "\n");
    }
    free(v);
    fprintf(f, "\n");
}

static void figure(FILE *f, const struct study *s, const char *file, const char *caption)
{
    if (s->plots_ran)
        fprintf(f, "![%s](%sfigures/%s.png)\n\n*%s* ([SVG](%sfigures/%s.svg))\n\n", caption, s->link_prefix, file,
                caption, s->link_prefix, file);
}

void study_zoo_write_section(FILE *f, const struct study *s, const struct study_zoo *z, const struct claim *claims,
                             size_t nclaims)
{
    fprintf(f, "### The policy zoo (Johnstone & Wilson)\n\n");
    fprintf(f, "Every placement policy of this build (%zu members) replayed in process on the same traces at the "
               "default structure (`min1`), alignment 16, the footprint followed op by op. Johnstone & Wilson's "
               "measure #4 is (largest footprint − peak live) / peak live, #3 is (footprint − live) / live at the "
               "op of largest footprint. *Everything counted* takes the footprint as the mapped pages and MeMS's "
               "metadata; *the policy's part* leaves out the metadata and the rounding to 16 bytes, so it is the "
               "holes and, for the class-rounding members (buddy systems, simple segregated storage), the rounding "
               "to their classes: their internal fragmentation. Numbers per replay in `%szoo.csv`, times in "
               "`%szoo_time.csv`, what each verdict rests on in `%sverdicts.csv`.\n\n",
            z->nmembers, s->link_prefix, s->link_prefix, s->link_prefix);
    write_claim_paragraphs(f, z, claims, nclaims);
    fprintf(f, "#### #4 on the programs\n\nPercent of peak live: the policy's part / everything counted, and the "
               "member's rank on that program by the policy's part (1 = least):\n\n");
    figure(f, s, "study-6-zoo", "The zoo on the recorded programs: #4, geometric mean over the programs");
    write_table(f, s, z, true);
    fprintf(f, "#### #3 on the programs\n\nThe same, at the op of largest footprint:\n\n");
    write_table(f, s, z, false);
    fprintf(f, "#### The generated traces\n\nMedian #4 (the policy's part, percent of peak live) over the size "
               "sweep's traces and over each phase shape's:\n\n");
    write_generated(f, s, z);
    fprintf(f, "#### Fragmentation against time\n\nOne point per member: #4 of the policy's part and the time per "
               "op of the same replays (in process, the op loop alone, median of %d runs; geometric means over "
               "the programs):\n\n",
            ZOO_TIMED_REPEATS);
    figure(f, s, "study-7-tradeoff", "The zoo's trade-off: fragmentation against time per op");
}

/* ---- the figures' data ---- */

static double time_geomean(const struct study *s, const struct study_zoo *z, size_t k)
{
    double *x = calloc(s->ntraces + 1, sizeof *x);
    size_t n = 0;
    for (size_t t = 0; x && t < s->ntraces; t++) {
        const struct zoo_measure *m = zoo_find(s, z, t, k);
        if (m != NULL && !isnan(m->ns_per_op) && m->ns_per_op > 0)
            x[n++] = m->ns_per_op;
    }
    double g = n ? geometric_mean(x, n) : NAN;
    free(x);
    return g;
}

int study_zoo_write_plot_data(const struct study *s, const struct study_zoo *z, const char *dir)
{
    FILE *f = csv_open(dir, "zoo.dat",
                       "# member, #4 policy's part, #4 everything, #3 policy's part, #3 everything (percent, "
                       "geometric means over the programs), ns per op (geometric mean)");
    if (f == NULL)
        return -1;
    for (size_t k = 0; k < z->nmembers; k++)
        fprintf(f, "%s %.6g %.6g %.6g %.6g %.6g\n", z->name[k], program_geomean(s, z, k, true, ZOO_POLICY),
                program_geomean(s, z, k, true, ZOO_ALL), program_geomean(s, z, k, false, ZOO_POLICY),
                program_geomean(s, z, k, false, ZOO_ALL), time_geomean(s, z, k));
    return fclose(f);
}
