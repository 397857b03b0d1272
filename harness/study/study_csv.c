/*
 * The study's CSVs: runs.csv (one row per trace x structure x policy, every
 * byte count and ratio) and cells.csv (each group's median over its traces,
 * the interval, the geometric mean). Columns in harness/METRICS.md. Also the
 * number format the study's Markdown shares.
 */
#include "study.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A number as the study's Markdown prints it: "–" for none, whole from 100
 * on, three significant digits below; from a ring, so one printf may hold
 * several. */
const char *study_num(double v)
{
    static char ring[16][32];
    static int next;
    char *out = ring[next++ % 16];
    if (isnan(v))
        snprintf(out, 32, "–");
    else if (fabs(v) >= 100)
        snprintf(out, 32, "%.0f", v);
    else
        snprintf(out, 32, "%.3g", v);
    return out;
}

int study_write_runs_csv(const struct study *s)
{
    FILE *f = csv_open(s->out_dir, "runs.csv", NULL);
    if (f == NULL)
        return -1;
    fprintf(f, "trace,shape,sizes,cv_nominal,seed,structure,min_pages,release_empty_nodes,policy,ops,mean_size,"
               "cv_measured,peak_live_bytes,rounding_bytes,hole_bytes,interior_hole_bytes,tail_hole_bytes,"
               "empty_node_bytes,metadata_bytes,nodes,pages,peak_mapped_bytes");
    for (int r = 0; r < RATIO_COUNT; r++)
        fprintf(f, ",%s", study_ratio_names[r]);
    fprintf(f, "\n");
    for (size_t t = 0; t < s->ntraces; t++)
        for (size_t c = 0; c < s->nconfigs; c++)
            for (size_t p = 0; p < STUDY_POLICIES; p++) {
                const struct study_run *run = study_find(s, t, p, c);
                if (run == NULL)
                    continue;
                const struct study_trace *tr = &s->traces[t];
                const struct study_measure *m = &run->m;
                fprintf(f, "%s,%s,%s,", tr->name, tr->shape, tr->sizes);
                if (tr->path[0])
                    fprintf(f, ",,");
                else
                    fprintf(f, "%g,%u,", tr->cv, tr->seed);
                fprintf(f, "%s,%zu,%d,%s,%ju,%.6f,%.6f,%ju,%ju,%ju,%ju,%ju,%ju,%ju,%ju,%ju,%ju", s->configs[c].name,
                        s->configs[c].min_pages, s->configs[c].release_empty_nodes, study_policy_name(p),
                        (uintmax_t)m->ops, m->mean_size, m->cv_measured, (uintmax_t)m->peak_live,
                        (uintmax_t)m->rounding, (uintmax_t)m->holes, (uintmax_t)m->interior, (uintmax_t)m->tail,
                        (uintmax_t)m->empty, (uintmax_t)m->metadata, (uintmax_t)m->nodes, (uintmax_t)m->pages,
                        (uintmax_t)m->peak_mapped);
                for (int r = 0; r < RATIO_COUNT; r++)
                    fprintf(f, ",%.9g", study_ratio(m, (enum study_ratio)r));
                fprintf(f, "\n");
            }
    return fclose(f);
}

int study_write_cells_csv(const struct study *s)
{
    FILE *f = csv_open(s->out_dir, "cells.csv",
                       "shape,sizes,cv_nominal,structure,policy,measure,traces,median,ci_low,ci_high,ci_coverage,"
                       "geomean,cv_measured");
    if (f == NULL)
        return -1;
    size_t max = s->ntraces + 8;
    struct study_group *groups = calloc(max, sizeof *groups);
    if (groups == NULL) {
        fclose(f);
        return -1;
    }
    size_t ngroups = study_groups(s, groups, max);
    for (size_t g = 0; g < ngroups; g++)
        for (size_t c = 0; c < s->nconfigs; c++)
            for (size_t p = 0; p < STUDY_POLICIES; p++)
                for (int r = 0; r < RATIO_COUNT; r++) {
                    struct study_cell cell;
                    if (study_cell(s, &groups[g], p, c, (enum study_ratio)r, &cell) == 0)
                        continue;
                    fprintf(f, "%s,%s,", groups[g].shape, groups[g].sizes);
                    if (groups[g].kind == GROUP_CELL)
                        fprintf(f, "%g", groups[g].cv);
                    fprintf(f, ",%s,%s,%s,%zu,%.9g,%.9g,%.9g,%.4f,%.9g,%.6f\n", s->configs[c].name,
                            study_policy_name(p), study_ratio_names[r], cell.ci.n, cell.ci.median, cell.ci.low,
                            cell.ci.high, cell.ci.coverage, cell.geomean, cell.cv_measured);
                }
    free(groups);
    return fclose(f);
}
