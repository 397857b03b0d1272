/*
 * The study's figures: plot data (the .dat files of plotdata/, whitespace-separated, one
 * comment line naming the columns) and one gnuplot run per figure and
 * format (plots/study_*.gp).
 */
#include "study.h"

#include "gnuplot_draw.h"
#include "study_zoo.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* plotdata/NAME, its first line "# " and `header`: what gnuplot skips as a comment */
static FILE *open_data(const struct study *s, const char *name, const char *header)
{
    char dir[PATH_MAX + 16], comment[512];
    snprintf(dir, sizeof dir, "%s/plotdata", s->out_dir);
    snprintf(comment, sizeof comment, "# %s", header);
    return csv_open(dir, name, comment);
}

/* Median, low and high in percent; NaN NaN NaN where nothing was measured. */
static void put_cell(FILE *f, const struct study *s, const struct study_group *g, size_t p, size_t config,
                     enum study_ratio r)
{
    struct study_cell c;
    if (study_cell(s, g, p, config, r, &c) == 0)
        fprintf(f, " NaN NaN NaN");
    else
        fprintf(f, " %.6g %.6g %.6g", 100 * c.ci.median, 100 * c.ci.low, 100 * c.ci.high);
}

static bool group_has(const struct study *s, const struct study_group *g, bool sizes_sweep)
{
    for (size_t t = 0; t < s->ntraces; t++)
        if ((sizes_sweep ? s->traces[t].in_sizes : s->traces[t].in_phases) && study_in_group(s, t, g))
            return true;
    return false;
}

/* The x2 label of point i: its family's initial and nominal CV, with those of
 * the points that follow within 0.08 of its measured CV ("" for those). */
static void sweep_label(const struct study_group *groups, const size_t *order, const double *cv, size_t count,
                        size_t i, char *out, size_t size)
{
    out[0] = '\0';
    if (i > 0 && cv[i] - cv[i - 1] < 0.08) {
        size_t first = i;
        while (first > 0 && cv[first] - cv[first - 1] < 0.08)
            first--;
        if (cv[i] - cv[first] < 0.08)
            return;
    }
    for (size_t j = i; j < count && cv[j] - cv[i] < 0.08; j++) {
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%c%g", j > i ? "/" : "", toupper((unsigned char)groups[order[j]].sizes[0]),
                 groups[order[j]].cv);
    }
}

/* sizes.dat: one row per cell of the sweep, in order of measured CV. */
static int write_sizes(const struct study *s, const struct study_group *groups, size_t n)
{
    FILE *f = open_data(s, "sizes.dat", "family cv_nominal cv_measured label, then median low high (percent) of "
                                        "external_frag per policy (first next best worst), then of interior_frag");
    if (f == NULL)
        return -1;
    size_t *order = calloc(n + 1, sizeof *order), count = 0;
    double *cv = calloc(n + 1, sizeof *cv);
    for (size_t g = 0; order && cv && g < n; g++) {
        if (groups[g].kind != GROUP_CELL || !group_has(s, &groups[g], true))
            continue;
        struct study_cell c;
        study_cell(s, &groups[g], 0, 0, RATIO_EXTERNAL, &c);
        size_t i = count++;
        for (; i > 0 && cv[i - 1] > c.cv_measured; i--)
            order[i] = order[i - 1], cv[i] = cv[i - 1];
        order[i] = g, cv[i] = c.cv_measured;
    }
    for (size_t i = 0; i < count; i++) {
        const struct study_group *g = &groups[order[i]];
        char label[256];
        sweep_label(groups, order, cv, count, i, label, sizeof label);
        fprintf(f, "%s %g %.6g \"%s\"", g->sizes, g->cv, cv[i], label);
        for (int r = 0; r < 2; r++)
            for (size_t p = 0; p < STUDY_POLICIES; p++)
                put_cell(f, s, g, p, 0, r == 0 ? RATIO_EXTERNAL : RATIO_INTERIOR);
        fprintf(f, "\n");
    }
    free(order);
    free(cv);
    return fclose(f);
}

/* phases.dat: one block per shape (gnuplot's index), one row per size family. */
static int write_phases(const struct study *s, const struct study_group *groups, size_t n)
{
    FILE *f = open_data(s, "phases.dat", "blocks: ramp, peak, plateau; rows: family, cv, then median low high "
                                         "(percent) of external_frag per policy");
    if (f == NULL)
        return -1;
    static const char *const shapes[] = {"ramp", "peak", "plateau"};
    for (size_t h = 0; h < 3; h++) {
        fprintf(f, "%s# %s\n", h ? "\n\n" : "", shapes[h]);
        for (size_t g = 0; g < n; g++) {
            if (groups[g].kind != GROUP_CELL || strcmp(groups[g].shape, shapes[h]) != 0 ||
                !group_has(s, &groups[g], false))
                continue;
            fprintf(f, "%s %g", groups[g].sizes, groups[g].cv);
            for (size_t p = 0; p < STUDY_POLICIES; p++)
                put_cell(f, s, &groups[g], p, 0, RATIO_EXTERNAL);
            fprintf(f, "\n");
        }
    }
    return fclose(f);
}

/* structure.dat: min_pages, then per policy the geometric mean (percent) with
 * empty nodes kept, then released; waste.dat: mean shares per policy and structure. */
static int write_structure(const struct study *s)
{
    FILE *f = open_data(s, "structure.dat", "min_pages, then geometric mean of 1 + external_frag minus 1 (percent) "
                                            "per policy, empty nodes kept, then the same released");
    FILE *w = open_data(s, "waste.dat", "label, then the mean over phase traces and programs of interior, "
                                        "node ends + empty nodes, rounding, metadata (percent of peak live)");
    if (f == NULL || w == NULL) {
        if (f)
            fclose(f);
        if (w)
            fclose(w);
        return -1;
    }
    struct study_group all = {.kind = GROUP_STRUCTURE};
    for (size_t k = 0; k < s->nconfigs; k += 2) {
        fprintf(f, "%zu", s->configs[k].min_pages);
        for (size_t release = 0; release < 2 && k + release < s->nconfigs; release++)
            for (size_t p = 0; p < STUDY_POLICIES; p++) {
                struct study_cell c;
                study_cell(s, &all, p, k + release, RATIO_EXTERNAL, &c);
                fprintf(f, " %.6g", 100 * c.geomean);
            }
        fprintf(f, "\n");
    }
    static const enum study_ratio parts[] = {RATIO_INTERIOR, RATIO_STRUCTURE, RATIO_ROUNDING, RATIO_METADATA};
    for (size_t k = 0; k < s->nconfigs; k++) {
        for (size_t p = 0; p < STUDY_POLICIES; p++) {
            fprintf(w, "%s/%s", study_policy_name(p), s->configs[k].name);
            for (size_t i = 0; i < 4; i++) {
                double sum = 0;
                size_t n = 0;
                for (size_t t = 0; t < s->ntraces; t++) {
                    const struct study_run *run = study_find(s, t, p, k);
                    if (run && study_in_group(s, t, &all))
                        sum += study_ratio(&run->m, parts[i]), n++;
                }
                fprintf(w, " %.6g", n ? 100 * sum / (double)n : NAN);
            }
            fprintf(w, "\n");
        }
        fprintf(w, "\"\" NaN NaN NaN NaN\n"); /* a gap between structures */
    }
    return fclose(f) | fclose(w);
}

/* programs.dat: per program the external fragmentation (percent) per policy, geometric mean last. */
static int write_programs(const struct study *s, const struct study_group *groups, size_t n)
{
    FILE *f = open_data(s, "programs.dat", "program, then external_frag (percent) per policy");
    if (f == NULL)
        return -1;
    for (size_t g = 0; g <= n; g++) {
        struct study_group all = {.kind = GROUP_PROGRAMS};
        const struct study_group *group = g < n ? &groups[g] : &all;
        if (g < n && groups[g].kind != GROUP_PROGRAM)
            continue;
        fprintf(f, "%s", g < n ? groups[g].sizes : "geometric-mean");
        for (size_t p = 0; p < STUDY_POLICIES; p++) {
            struct study_cell c;
            study_cell(s, group, p, 0, RATIO_EXTERNAL, &c);
            fprintf(f, " %.6g", 100 * (g < n ? c.ci.median : c.geomean));
        }
        fprintf(f, "\n");
    }
    return fclose(f);
}

static int run_gnuplot(const struct study *s, const char *script, const char *figure, const char *data)
{
    char out[PATH_MAX + 128], log[PATH_MAX + 32], variables[PATH_MAX + 128];
    snprintf(out, sizeof out, "%s/figures/%s", s->out_dir, figure);
    snprintf(log, sizeof log, "%s/figures/gnuplot.log", s->out_dir);
    snprintf(variables, sizeof variables, "data='%s/plotdata/%s'", s->out_dir, data);
    return gnuplot_draw("study", script, out, log, variables);
}

int study_draw_figures(struct study *s)
{
    char dir[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/plotdata", s->out_dir);
    mkdir(dir, 0777);
    size_t max = s->ntraces + 8;
    struct study_group *groups = calloc(max, sizeof *groups);
    if (groups == NULL)
        return -1;
    size_t n = study_groups(s, groups, max);
    int rc = write_sizes(s, groups, n) | write_phases(s, groups, n) | write_structure(s) |
             write_programs(s, groups, n);
    free(groups);
    if (rc != 0) {
        fprintf(stderr, "mems-bench study: cannot write the plot data into %s\n", dir);
        return -1;
    }
    rc |= run_gnuplot(s, "study_sizes", "study-1-size-variance", "sizes.dat");
    rc |= run_gnuplot(s, "study_phases", "study-2-phases", "phases.dat");
    rc |= run_gnuplot(s, "study_structure", "study-3-structure", "structure.dat");
    rc |= run_gnuplot(s, "study_programs", "study-4-programs", "programs.dat");
    rc |= run_gnuplot(s, "study_waste", "study-5-waste", "waste.dat");
    if (s->zoo != NULL) {
        if (study_zoo_write_plot_data(s, s->zoo, dir) != 0) {
            fprintf(stderr, "mems-bench study: cannot write %s/zoo.dat\n", dir);
            rc = -1;
        }
        rc |= run_gnuplot(s, "study_zoo", "study-6-zoo", "zoo.dat");
        rc |= run_gnuplot(s, "study_tradeoff", "study-7-tradeoff", "zoo.dat");
    }
    s->plots_ran = rc == 0;
    return rc;
}
