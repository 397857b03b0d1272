/*
 * The suite's figures (the data files gnuplot reads, and one gnuplot run per
 * figure and format) and its whole-process timing with hyperfine.
 */
#include "suite_figures.h"

#include "gnuplot_draw.h"
#include "result_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- figures ---- */

/* frag_jwK.dat and throughput.dat: one row per trace, columns per allocator. */
static int write_plot_data(const struct suite *s, const char *dir)
{
    char name[32];
    static const char *const frag[] = {"frag_jw1", "frag_jw2", "frag_jw3", "frag_jw4"};
    for (size_t k = 0; k < 4; k++) {
        size_t m = 0;
        while (strcmp(suite_metrics[m].name, frag[k]) != 0)
            m++;
        snprintf(name, sizeof name, "%s.dat", frag[k]);
        FILE *f = csv_open(dir, name, NULL);
        if (f == NULL)
            return -1;
        fprintf(f, "# trace, then 1 + %s for each of:", frag[k]);
        for (size_t a = 0; a < s->nbackends; a++)
            fprintf(f, " %s", s->backends[a].name);
        fprintf(f, "\n");
        for (size_t t = 0; t < s->ntraces; t++) {
            fprintf(f, "%s", s->traces[t].name);
            for (size_t a = 0; a < s->nbackends; a++) {
                const struct median_ci *c = suite_stat(s, t, a, m);
                /* plotted as footprint / live = 1 + fragmentation, on a log scale */
                fprintf(f, c->n ? " %.6g" : " NaN", 1 + c->median);
            }
            fprintf(f, "\n");
        }
        fclose(f);
    }
    FILE *f = csv_open(dir, "throughput.dat",
                       "# trace, then per allocator: time per op relative to glibc, its low and high bound");
    if (f == NULL)
        return -1;
    for (size_t t = 0; t < s->ntraces; t++) {
        fprintf(f, "%s", s->traces[t].name);
        for (size_t a = 0; a < s->nbackends; a++) {
            const struct median_ci *c = suite_stat(s, t, a, 0);
            const struct median_ci *g = s->glibc < s->nbackends ? suite_stat(s, t, s->glibc, 0) : NULL;
            if (g != NULL && c->n && g->n && g->median > 0 && g->low > 0)
                fprintf(f, " %.6g %.6g %.6g", c->median / g->median, c->low / g->high, c->high / g->low);
            else
                fprintf(f, " NaN NaN NaN");
        }
        fprintf(f, "\n");
    }
    return fclose(f);
}

/* Draws figures/FIGURE.png and .svg with plots/SCRIPT.gp; `variables` are gnuplot assignments. */
static int run_gnuplot(const struct suite *s, const char *script, const char *figure, const char *variables)
{
    char out[PATH_MAX + 128], log[PATH_MAX + 32];
    snprintf(out, sizeof out, "%s/figures/%s", s->run_dir, figure);
    snprintf(log, sizeof log, "%s/figures/gnuplot.log", s->run_dir);
    return gnuplot_draw("suite", script, out, log, variables);
}

int suite_draw_figures(struct suite *s)
{
    char dir[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s/figures", s->run_dir);
    mkdir(dir, 0777);
    snprintf(dir, sizeof dir, "%s/plotdata", s->run_dir);
    mkdir(dir, 0777);
    if (write_plot_data(s, dir) != 0)
        return -1;
    const char *trace = s->traces[s->featured].name, *from = s->traces[s->featured].dir;
    static char files[8192], names[4096], vars[16384];
    int rc = 0;

    /* 1: footprint over time for the featured trace */
    files[0] = names[0] = '\0';
    for (size_t a = 0; a < s->nbackends; a++) {
        size_t n = strlen(files);
        snprintf(files + n, sizeof files - n, "%s%s/timeseries/%s__%s.csv", a ? " " : "", from, trace,
                 s->backends[a].name);
        n = strlen(names);
        snprintf(names + n, sizeof names - n, "%s%s", a ? " " : "", s->backends[a].name);
    }
    snprintf(vars, sizeof vars, "trace='%s'; files='%s'; names='%s'", trace, files, names);
    rc |= run_gnuplot(s, "timeline", "1-fragmentation-over-time", vars);

    /* 2: the four fragmentation measures by trace and allocator */
    snprintf(vars, sizeof vars, "data='%s'; names='%s'", dir, names);
    rc |= run_gnuplot(s, "fragmentation", "2-fragmentation-by-trace", vars);

    /* 3: throughput relative to glibc */
    if (s->glibc < s->nbackends) {
        snprintf(vars, sizeof vars, "data='%s/throughput.dat'; names='%s'", dir, names);
        rc |= run_gnuplot(s, "throughput", "3-throughput-vs-glibc", vars);
    }

    /* 4: latency CDFs for the featured trace */
    files[0] = '\0';
    for (size_t a = 0; a < s->nbackends; a++) {
        size_t n = strlen(files);
        snprintf(files + n, sizeof files - n, "%s%s/latency_cdf/%s__%s.csv", a ? " " : "", from, trace,
                 s->backends[a].name);
    }
    snprintf(vars, sizeof vars, "trace='%s'; files='%s'; names='%s'", trace, files, names);
    rc |= run_gnuplot(s, "latency", "4-latency-cdf", vars);

    /* 5 and 6: MeMS only: heap maps and search cost per policy */
    files[0] = names[0] = '\0';
    static char series[8192];
    series[0] = '\0';
    for (size_t a = 0; a < s->nbackends; a++) {
        if (s->backends[a].kind != BACKEND_MEMS)
            continue;
        size_t n = strlen(files);
        snprintf(files + n, sizeof files - n, "%s%s/heapmap/%s__%s.dat", n ? " " : "", from, trace,
                 s->backends[a].name);
        n = strlen(series);
        snprintf(series + n, sizeof series - n, "%s%s/timeseries/%s__%s.csv", n ? " " : "", from, trace,
                 s->backends[a].name);
        n = strlen(names);
        snprintf(names + n, sizeof names - n, "%s%s", n ? " " : "", s->backends[a].name);
    }
    if (files[0] != '\0') {
        snprintf(vars, sizeof vars, "trace='%s'; files='%s'; names='%s'", trace, files, names);
        rc |= run_gnuplot(s, "heapmap", "5-heap-map", vars);
        snprintf(vars, sizeof vars, "trace='%s'; files='%s'; names='%s'", trace, series, names);
        rc |= run_gnuplot(s, "searchcost", "6-search-cost", vars);
    }
    s->plots_ran = rc == 0;
    return rc;
}

/* ---- whole-process timing ---- */

int suite_run_hyperfine(const struct suite *s, const char *bin_path, const char *dir)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0 || system("command -v hyperfine >/dev/null 2>&1") != 0) {
        fprintf(stderr, "mems-bench suite: hyperfine is not installed; whole-process timing skipped\n");
        return -1;
    }
    self[len] = '\0';
    static char command[65536];
    int n = snprintf(command, sizeof command,
                     /* -N: no shell between hyperfine and the replay, so even a replay of a few
                      * milliseconds is timed (through a shell hyperfine cannot, and fails) */
                     "hyperfine -N --style none --warmup %d --runs %d --export-json '%s/hyperfine.json' "
                     "--export-markdown '%s/hyperfine.md'",
                     s->quick ? 1 : 3, s->quick ? 3 : 10, dir, dir);
    for (size_t a = 0; a < s->nbackends && n < (int)sizeof command - 2048; a++) {
        const struct backend *b = &s->backends[a];
        n += snprintf(command + n, sizeof command - (size_t)n,
                      " -n %s \"env %s%s %s --child timed %s %s 16 - - %ju\"", b->name, b->preload[0] ? "LD_PRELOAD=" : "",
                      b->preload[0] ? b->preload : "LD_PRELOAD=", self, bin_path, b->name,
                      (uintmax_t)s->limits.mem_limit);
    }
    snprintf(command + n, sizeof command - (size_t)n, " >'%s/hyperfine.log' 2>&1", dir);
    if (run_system(&s->limits, command) != 0) {
        fprintf(stderr, "mems-bench suite: hyperfine failed (see %s/hyperfine.log)\n", dir);
        return -1;
    }
    return 0;
}

