/*
 * study.md: the reading (each claim, its verdict and the numbers that decide
 * it, all from verdicts.csv), then a table and a figure per experiment (from
 * cells.csv). Every claim paragraph opens with <!-- claim: ID --> so a test
 * can check each number in it against that claim's rows of verdicts.csv.
 */
#include "study.h"
#include "study_claims.h"
#include "study_zoo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLAIMS 24

static void interval(FILE *f, const struct claim *c, const char *m)
{
    fprintf(f, "median %s points, interval [%s, %s] (coverage %s%%, %s traces)",
            study_num(claim_get(c, m, "difference_median_points")), study_num(claim_get(c, m, "difference_low_points")),
            study_num(claim_get(c, m, "difference_high_points")), study_num(claim_get(c, m, "coverage_percent")),
            study_num(claim_get(c, m, "traces")));
}

static const char *measure_words(int k)
{
    return k == 0 ? "All holes (external fragmentation)" : "Holes between live blocks only (the policy's part)";
}

static void write_shore(FILE *f, const struct claim *c)
{
    for (int k = 0; k < 2; k++) {
        const char *m = k == 0 ? "external_frag" : "interior_frag";
        fprintf(f, "%s: **%s**. Best fit's median %s%% of peak live, first fit's %s%%; best minus first: ",
                measure_words(k), c->verdict[k], study_num(claim_get(c, m, "best_median_percent")),
                study_num(claim_get(c, m, "first_median_percent")));
        interval(f, c, m);
        if (!isnan(claim_get(c, m, "margin_points")))
            fprintf(f, "; \"about equal\" taken as within ±%s points (a tenth of first fit's median)",
                    study_num(claim_get(c, m, "margin_points")));
        fprintf(f, ".%s", k == 0 ? " " : "\n");
    }
}

static void write_phases(FILE *f, const struct claim *c)
{
    for (int k = 0; k < 2; k++) {
        const char *m = k == 0 ? "external_frag" : "interior_frag";
        fprintf(f, "%s: **%s**. Per policy and seed, the spread of the shapes' means has median %s points and "
                   "the spread of the size families' means %s points; shapes minus sizes: ",
                measure_words(k), c->verdict[k], study_num(claim_get(c, m, "shape_range_median_points")),
                study_num(claim_get(c, m, "size_range_median_points")));
        interval(f, c, m);
        fprintf(f, ".%s", k == 0 ? " " : "\n");
    }
}

static void write_near_ideal(FILE *f, const struct claim *c)
{
    for (int k = 0; k < 2; k++) {
        const char *m = k == 0 ? "external_frag" : "interior_frag";
        fprintf(f, "%s: **%s**. Over %s programs, best fit's median %s%% of peak live (interval [%s, %s]), first "
                   "fit's %s%% ([%s, %s]), coverage %s%%; \"near the ideal\" taken as under %s%%.%s",
                measure_words(k), c->verdict[k], study_num(claim_get(c, m, "programs")),
                study_num(claim_get(c, m, "best_median_percent")), study_num(claim_get(c, m, "best_low_percent")),
                study_num(claim_get(c, m, "best_high_percent")), study_num(claim_get(c, m, "first_median_percent")),
                study_num(claim_get(c, m, "first_low_percent")), study_num(claim_get(c, m, "first_high_percent")),
                study_num(claim_get(c, m, "coverage_percent")), study_num(claim_get(c, m, "threshold_percent")),
                k == 0 ? " " : "\n");
    }
}

static void write_next_worst(FILE *f, const struct claim *c)
{
    for (int k = 0; k < 2; k++) {
        const char *m = k == 0 ? "external_frag" : "interior_frag";
        fprintf(f, "%s: **%s**. Geometric means over the programs: first %s%%, next %s%%, best %s%%, worst %s%%; "
                   "the better of next and worst minus the worse of best and first, program by program: ",
                measure_words(k), c->verdict[k], study_num(claim_get(c, m, "first_geomean_percent")),
                study_num(claim_get(c, m, "next_geomean_percent")), study_num(claim_get(c, m, "best_geomean_percent")),
                study_num(claim_get(c, m, "worst_geomean_percent")));
        interval(f, c, m);
        fprintf(f, ".%s", k == 0 ? " " : "\n");
    }
}

static void write_share(FILE *f, const struct claim *c)
{
    fprintf(f, "At the default structure, over the phase traces and the programs (means, percent of peak live; they "
               "add up as in the waste figure):");
    for (size_t p = 0; p < STUDY_POLICIES; p++) {
        const char *m = study_policy_name(p);
        fprintf(f, " %s fit: **%s**: holes between live blocks %s%%, node ends and empty nodes %s%% (rounding %s%%, "
                   "metadata %s%%); the policy's part is the larger on %s of %s traces, the structure's on %s%s",
                m, c->verdict[p], study_num(claim_get(c, m, "interior_mean_percent")),
                study_num(claim_get(c, m, "structure_mean_percent")), study_num(claim_get(c, m, "rounding_mean_percent")),
                study_num(claim_get(c, m, "metadata_mean_percent")), study_num(claim_get(c, m, "traces_policy_more")),
                study_num(claim_get(c, m, "traces")), study_num(claim_get(c, m, "traces_structure_more")),
                p + 1 < STUDY_POLICIES ? "." : ".\n");
    }
}

static void write_ranking(FILE *f, const struct study *s, const struct claim *c)
{
    fprintf(f, "External fragmentation over the phase traces and the programs (geometric mean of one plus the "
               "share, minus one; percent), and the order it gives:");
    for (size_t k = 0; k < s->nconfigs && k < CLAIM_MAX_VERDICTS; k++) {
        const char *m = s->configs[k].name;
        fprintf(f, " `%s`: **%s** (first %s, next %s, best %s, worst %s)%s", m, c->verdict[k],
                study_num(claim_get(c, m, "first_geomean_percent")), study_num(claim_get(c, m, "next_geomean_percent")),
                study_num(claim_get(c, m, "best_geomean_percent")), study_num(claim_get(c, m, "worst_geomean_percent")),
                k + 1 < s->nconfigs ? ";" : ".\n");
    }
}

static void write_claims(FILE *f, const struct study *s, const struct claim *claims, size_t n)
{
    fprintf(f, "| claim | all holes | holes between live blocks |\n|---|---|---|\n");
    for (size_t i = 0; i < n && strncmp(claims[i].id, "structure", 9) != 0; i++)
        fprintf(f, "| %s | %s | %s |\n", claims[i].statement, claims[i].verdict[0], claims[i].verdict[1]);
    fprintf(f, "\n");
    for (size_t i = 0; i < n; i++) {
        const struct claim *c = &claims[i];
        fprintf(f, "<!-- claim: %s -->\n**%s**\n", c->id, c->statement);
        if (strncmp(c->id, "shore", 5) == 0)
            write_shore(f, c);
        else if (strcmp(c->id, "jw-phases") == 0)
            write_phases(f, c);
        else if (strcmp(c->id, "jw-near-ideal") == 0)
            write_near_ideal(f, c);
        else if (strcmp(c->id, "jw-next-worst") == 0)
            write_next_worst(f, c);
        else if (strcmp(c->id, "structure-share") == 0)
            write_share(f, c);
        else
            write_ranking(f, s, c);
        fprintf(f, "\n");
    }
}

/* ---- the tables, from the same cells as cells.csv ---- */

static void cell_text(FILE *f, const struct study *s, const struct study_group *g, size_t p, size_t config,
                      enum study_ratio r)
{
    struct study_cell cell;
    if (study_cell(s, g, p, config, r, &cell) == 0)
        fprintf(f, " – |");
    else if (cell.ci.n == 1 || cell.ci.low == cell.ci.high)
        fprintf(f, " %s |", study_num(100 * cell.ci.median));
    else
        fprintf(f, " %s [%s, %s] |", study_num(100 * cell.ci.median), study_num(100 * cell.ci.low), study_num(100 * cell.ci.high));
}

static void policy_header(FILE *f, const char *first, const char *extra)
{
    fprintf(f, "| %s |%s first | next | best | worst |\n|---|", first, extra);
    for (const char *p = extra; *p; p++)
        if (*p == '|')
            fprintf(f, "---:|");
    fprintf(f, "---:|---:|---:|---:|\n");
}

static void table_sizes(FILE *f, const struct study *s, const struct study_group *groups, size_t n)
{
    fprintf(f, "<!-- table: external_frag min1 -->\n");
    policy_header(f, "plateau: sizes", " CV | measured CV |");
    for (size_t g = 0; g < n; g++) {
        if (groups[g].kind != GROUP_CELL || strcmp(groups[g].shape, "plateau") != 0)
            continue;
        bool in_sweep = false;
        for (size_t t = 0; t < s->ntraces && !in_sweep; t++)
            in_sweep = s->traces[t].in_sizes && study_in_group(s, t, &groups[g]);
        if (!in_sweep)
            continue;
        struct study_cell cell;
        study_cell(s, &groups[g], 0, 0, RATIO_EXTERNAL, &cell);
        fprintf(f, "| %s | %g | %s |", groups[g].sizes, groups[g].cv, study_num(cell.cv_measured));
        for (size_t p = 0; p < STUDY_POLICIES; p++)
            cell_text(f, s, &groups[g], p, 0, RATIO_EXTERNAL);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void table_phases(FILE *f, const struct study *s, const struct study_group *groups, size_t n)
{
    fprintf(f, "<!-- table: external_frag min1 -->\n");
    policy_header(f, "shape", " sizes | CV |");
    for (size_t g = 0; g < n; g++) {
        if (groups[g].kind != GROUP_CELL)
            continue;
        bool in_grid = false;
        for (size_t t = 0; t < s->ntraces && !in_grid; t++)
            in_grid = s->traces[t].in_phases && study_in_group(s, t, &groups[g]);
        if (!in_grid)
            continue;
        fprintf(f, "| %s | %s | %g |", groups[g].shape, groups[g].sizes, groups[g].cv);
        for (size_t p = 0; p < STUDY_POLICIES; p++)
            cell_text(f, s, &groups[g], p, 0, RATIO_EXTERNAL);
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

static void table_structure(FILE *f, const struct study *s)
{
    static const enum study_ratio ratios[] = {RATIO_EXTERNAL, RATIO_INTERIOR, RATIO_STRUCTURE};
    static const char *const words[] = {"all holes", "between live blocks", "node ends + empty nodes"};
    fprintf(f, "| structure | measure | first | next | best | worst |\n|---|---|---:|---:|---:|---:|\n");
    struct study_group g = {.kind = GROUP_STRUCTURE};
    for (size_t k = 0; k < s->nconfigs; k++)
        for (size_t r = 0; r < 3; r++) {
            fprintf(f, "| `%s` | %s |", s->configs[k].name, words[r]);
            for (size_t p = 0; p < STUDY_POLICIES; p++) {
                struct study_cell cell;
                study_cell(s, &g, p, k, ratios[r], &cell);
                fprintf(f, " %s |", study_num(100 * cell.geomean));
            }
            fprintf(f, "\n");
        }
    fprintf(f, "\n");
}

static void table_programs(FILE *f, const struct study *s, const struct study_group *groups, size_t n)
{
    policy_header(f, "program", " peak live KiB |");
    for (size_t g = 0; g < n; g++) {
        if (groups[g].kind != GROUP_PROGRAM)
            continue;
        double live = NAN;
        for (size_t t = 0; t < s->ntraces; t++) {
            const struct study_run *run = study_find(s, t, 0, 0);
            if (run && study_in_group(s, t, &groups[g]))
                live = (double)run->m.peak_live / 1024;
        }
        double v[STUDY_POLICIES];
        for (size_t p = 0; p < STUDY_POLICIES; p++) {
            struct study_cell cell;
            study_cell(s, &groups[g], p, 0, RATIO_EXTERNAL, &cell);
            v[p] = 100 * cell.ci.median;
        }
        fprintf(f, "| %s | %s |", groups[g].sizes, study_num(live));
        for (size_t p = 0; p < STUDY_POLICIES; p++) {
            int rank = 1;
            for (size_t q = 0; q < STUDY_POLICIES; q++)
                rank += v[q] < v[p];
            fprintf(f, " %s (%d) |", study_num(v[p]), rank);
        }
        fprintf(f, "\n");
    }
    struct study_group all = {.kind = GROUP_PROGRAMS};
    fprintf(f, "| **geometric mean** | |");
    for (size_t p = 0; p < STUDY_POLICIES; p++) {
        struct study_cell cell;
        study_cell(s, &all, p, 0, RATIO_EXTERNAL, &cell);
        fprintf(f, " **%s** |", study_num(100 * cell.geomean));
    }
    fprintf(f, "\n\n");
}

static void figure(FILE *f, const struct study *s, const char *file, const char *caption)
{
    if (s->plots_ran)
        fprintf(f, "![%s](%sfigures/%s.png)\n\n*%s* ([SVG](%sfigures/%s.svg))\n\n", caption, s->link_prefix, file,
                caption, s->link_prefix, file);
}

int study_write_reading(struct study *s)
{
    struct claim *claims = calloc(MAX_CLAIMS, sizeof *claims);
    size_t max = s->ntraces + 8;
    struct study_group *groups = calloc(max, sizeof *groups);
    if (claims == NULL || groups == NULL) {
        free(claims);
        free(groups);
        return -1;
    }
    size_t nclaims = study_claims(s, claims, MAX_CLAIMS), ngroups = study_groups(s, groups, max);
    size_t nzoo = s->zoo ? study_zoo_claims(s, s->zoo, claims + nclaims, MAX_CLAIMS - nclaims) : 0;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/study.md", s->out_dir);
    FILE *f = fopen(path, "w");
    if (f == NULL || study_write_verdicts_csv(s, claims, nclaims + nzoo) != 0) {
        if (f)
            fclose(f);
        free(claims);
        free(groups);
        return -1;
    }
    if (s->link_prefix[0] == '\0')
        fprintf(f, "# The fit-heuristics study\n\n");
    size_t generated = 0, programs = 0, ops = 0;
    unsigned seeds = 0;
    for (size_t t = 0; t < s->ntraces; t++) {
        s->traces[t].in_programs ? programs++ : generated++;
        if (!s->traces[t].in_programs) {
            seeds = s->traces[t].seed > seeds ? s->traces[t].seed : seeds;
            ops = s->traces[t].params.ops;
        }
    }
    fprintf(f, "MeMS's four policies replayed in process (%s plan) on %zu generated traces (%u seeds per cell, %zu "
               "operations each) and %zu recorded programs, measured at the op where live bytes peak. Every share is "
               "of the peak live bytes: "
               "**external fragmentation** is every hole then; it splits into holes *between live blocks* (what "
               "placement left) and the *structure's* holes (the unused end of each node's whole pages, and nodes "
               "holding no live block); rounding to 16 bytes and MeMS's metadata are counted apart and decide no "
               "verdict. Medians over seeds with the distribution-free interval of the median in brackets. "
               "Definitions in `harness/METRICS.md`; every number in `%sruns.csv` (per replay), `%scells.csv` "
               "(medians, intervals, geometric means) and `%sverdicts.csv` (what each verdict rests on).\n\n",
            s->quick ? "quick" : "full", generated, seeds, ops, programs, s->link_prefix, s->link_prefix,
            s->link_prefix);
    fprintf(f, "### The claims\n\n");
    write_claims(f, s, claims, nclaims);
    fprintf(f, "### Size variance (Shore)\n\nSteady churn at a plateau of live blocks (random frees, as Shore's "
               "exponential lifetimes), mean request 256 bytes, sizes clipped to 64 KiB; external fragmentation in "
               "percent of peak live, default structure (`min1`):\n\n");
    figure(f, s, "study-1-size-variance", "External fragmentation against the coefficient of variation of request "
                                          "sizes, per policy (median over seeds, interval)");
    table_sizes(f, s, groups, ngroups);
    fprintf(f, "### Phase behaviour (Wilson, Johnstone)\n\nRamp, peak and plateau crossed with five size families; "
               "external fragmentation in percent of peak live, default structure:\n\n");
    figure(f, s, "study-2-phases", "External fragmentation by phase shape and size family, per policy");
    table_phases(f, s, groups, ngroups);
    fprintf(f, "### Structure versus policy\n\nThe phase traces and the programs under `min_pages` 1, 16 and 256, "
               "each with `release_empty_nodes` off and on: geometric mean of 1 + share of peak live, minus 1, in "
               "percent:\n\n");
    figure(f, s, "study-3-structure", "External fragmentation (geometric mean) against min_pages, per policy, "
                                      "with empty nodes kept and released");
    figure(f, s, "study-5-waste", "Where the bytes beyond peak live go, per policy and structure (means over "
                                  "the phase traces and programs)");
    table_structure(f, s);
    fprintf(f, "### Real programs\n\nExternal fragmentation in percent of peak live at the default structure, "
               "with each policy's rank on that program (1 = least):\n\n");
    figure(f, s, "study-4-programs", "External fragmentation of the recorded programs, per policy");
    table_programs(f, s, groups, ngroups);
    if (s->zoo)
        study_zoo_write_section(f, s, s->zoo, claims + nclaims, nzoo);
    free(claims);
    free(groups);
    return fclose(f);
}
