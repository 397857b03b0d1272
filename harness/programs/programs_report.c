/*
 * What `mems-bench programs` writes: programs.csv (one row per program and
 * allocator), programs.md (the tables and a reading computed from them), and
 * two figures (time and peak RSS relative to glibc's).
 */
#include "programs.h"

#include "gnuplot_draw.h"
#include "result_csv.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* snprintf without gcc's guesses about truncation: paths and commands here are
 * bounded by PATH_MAX-sized parts, and the callers that build commands check
 * the length they get back. */
int programs_text(char *out, size_t size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    int n = vsnprintf(out, size, format, args);
    va_end(args);
    return n;
}

static const struct program_result *result(const struct programs_run *r, size_t p, size_t a)
{
    return &r->results[p][a];
}

static bool ran(const struct programs_run *r, size_t p, size_t a)
{
    return strcmp(result(r, p, a)->status, "ok") == 0 && result(r, p, a)->mean_s > 0;
}

/* x / glibc's x for the same program, or NaN. */
static double time_ratio(const struct programs_run *r, size_t p, size_t a)
{
    return ran(r, p, a) && ran(r, p, 0) ? result(r, p, a)->mean_s / result(r, p, 0)->mean_s : NAN;
}

/* hyperfine's σ carried to the ratio: the two means' relative spreads added
 * in quadrature (their runs are independent); glibc's own bar is its spread. */
static double time_ratio_spread(const struct programs_run *r, size_t p, size_t a)
{
    double ratio = time_ratio(r, p, a);
    if (!isfinite(ratio))
        return NAN;
    double own = result(r, p, a)->stddev_s / result(r, p, a)->mean_s;
    double base = result(r, p, 0)->stddev_s / result(r, p, 0)->mean_s;
    return a == 0 ? ratio * own : ratio * sqrt(own * own + base * base);
}

static double rss_ratio(const struct programs_run *r, size_t p, size_t a)
{
    const struct program_result *x = result(r, p, a), *g = result(r, p, 0);
    return ran(r, p, a) && g->peak_rss_bytes > 0 ? (double)x->peak_rss_bytes / (double)g->peak_rss_bytes : NAN;
}

/* The replay's footprint over the program's real peak RSS. */
static double replay_ratio(const struct programs_run *r, size_t p, size_t a)
{
    const struct program_result *x = result(r, p, a);
    return ran(r, p, a) && x->replay_footprint_bytes > 0 && x->peak_rss_bytes > 0
               ? (double)x->replay_footprint_bytes / (double)x->peak_rss_bytes
               : NAN;
}

static double geomean(const struct programs_run *r, size_t a, double (*ratio)(const struct programs_run *, size_t, size_t),
                      size_t *count)
{
    double sum = 0;
    *count = 0;
    for (size_t p = 0; p < r->nprograms; p++) {
        double x = ratio(r, p, a);
        if (isfinite(x) && x > 0)
            sum += log(x), (*count)++;
    }
    return *count > 0 ? exp(sum / (double)*count) : NAN;
}

int programs_write_csv(const struct programs_run *r)
{
    FILE *f = csv_open(r->out_dir, "programs.csv",
                       "program,allocator,status,runs,mean_s,stddev_s,time_vs_glibc,peak_rss_bytes,rss_vs_glibc,"
                       "output_identical,replay_footprint_bytes,replay_rss_growth_bytes,replay_footprint_vs_peak_rss");
    if (f == NULL)
        return -1;
    for (size_t p = 0; p < r->nprograms; p++)
        for (size_t a = 0; a < r->nallocators; a++) {
            const struct program_result *x = result(r, p, a);
            fprintf(f, "%s,%s,%s,%d,%.6f,%.6f,%.4f,%llu,%.4f,%s,%llu,%llu,%.4f\n", r->programs[p], r->allocators[a],
                    x->status, ran(r, p, a) ? r->runs : 0, x->mean_s, x->stddev_s, time_ratio(r, p, a),
                    (unsigned long long)x->peak_rss_bytes, rss_ratio(r, p, a),
                    x->output_identical < 0 ? "unknown" : x->output_identical ? "true" : "false",
                    (unsigned long long)x->replay_footprint_bytes, (unsigned long long)x->replay_rss_growth_bytes,
                    replay_ratio(r, p, a));
        }
    return fclose(f) == 0 ? 0 : -1;
}

static void write_ratio_table(FILE *f, const struct programs_run *r, const char *what,
                              double (*ratio)(const struct programs_run *, size_t, size_t))
{
    fprintf(f, "| program (%s) |", what);
    for (size_t a = 0; a < r->nallocators; a++)
        fprintf(f, " %s |", r->allocators[a]);
    fprintf(f, "\n|---|");
    for (size_t a = 0; a < r->nallocators; a++)
        fprintf(f, "---:|");
    fprintf(f, "\n");
    for (size_t p = 0; p < r->nprograms; p++) {
        fprintf(f, "| %s |", r->programs[p]);
        for (size_t a = 0; a < r->nallocators; a++) {
            double x = ratio(r, p, a);
            if (isfinite(x))
                fprintf(f, " %.2f |", x);
            else
                fprintf(f, " %s |", strncmp(result(r, p, a)->status, "ok", 2) == 0 ? "–" : result(r, p, a)->status);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "| **geometric mean** |");
    for (size_t a = 0; a < r->nallocators; a++) {
        size_t n;
        double g = geomean(r, a, ratio, &n);
        fprintf(f, isfinite(g) ? " **%.2f** |" : " – |", g);
    }
    fprintf(f, "\n\n");
}

/* Where the replay and the program differ, and the likely reason, from the numbers. */
static void write_fidelity(FILE *f, const struct programs_run *r)
{
    fprintf(f, "| program | allocator | real peak RSS | replay footprint | replay RSS growth | footprint / real RSS |\n"
               "|---|---|---:|---:|---:|---:|\n");
    double worst = 0, best = INFINITY;
    const char *worst_p = "", *worst_a = "";
    for (size_t p = 0; p < r->nprograms; p++)
        for (size_t a = 0; a < r->nallocators; a++) {
            double x = replay_ratio(r, p, a);
            if (!isfinite(x))
                continue;
            const struct program_result *res = result(r, p, a);
            fprintf(f, "| %s | %s | %.1f MiB | %.1f MiB | %.1f MiB | %.2f |\n", r->programs[p], r->allocators[a],
                    (double)res->peak_rss_bytes / 1048576.0, (double)res->replay_footprint_bytes / 1048576.0,
                    (double)res->replay_rss_growth_bytes / 1048576.0, x);
            if (x > worst)
                worst = x, worst_p = r->programs[p], worst_a = r->allocators[a];
            best = x < best ? x : best;
        }
    if (worst == 0) {
        fprintf(f, "\nNo replay to compare with (the traces are in traces/corpus/).\n\n");
        return;
    }
    fprintf(f, "\nThe replay's footprint is %.2f to %.2f of the real peak RSS (highest: %s on %s). A replay sees only "
               "the heap: the real RSS adds the executable's and libraries' pages, the stacks, the interpreter's own "
               "start-up heap, memory the program maps itself, and (for gcc) the largest of the processes it runs, "
               "so a ratio well below 1 is the program's non-malloc memory, not an error of the replay. What the "
               "replay does predict is the change between allocators:\n\n",
            best, worst, worst_p, worst_a);
    for (size_t a = 1; a < r->nallocators; a++) {
        size_t n_real, n_replay;
        double real = geomean(r, a, rss_ratio, &n_real);
        double predicted = 0;
        size_t n = 0;
        for (size_t p = 0; p < r->nprograms; p++) {
            const struct program_result *x = result(r, p, a), *g = result(r, p, 0);
            if (ran(r, p, a) && x->replay_footprint_bytes > 0 && g->replay_footprint_bytes > 0 &&
                g->peak_rss_bytes > 0) {
                /* the real RSS glibc's run would have with this allocator's heap in place of glibc's */
                double moved = (double)g->peak_rss_bytes + (double)x->replay_footprint_bytes -
                               (double)g->replay_footprint_bytes;
                predicted += log(fmax(moved, 1) / (double)g->peak_rss_bytes), n++;
            }
        }
        n_replay = n;
        if (n_real > 0 && n_replay > 0)
            fprintf(f, "- %s: real peak RSS %.2f of glibc's (geometric mean, %zu programs); the replay's footprints "
                       "predict %.2f.\n",
                    r->allocators[a], real, n_real, exp(predicted / (double)n_replay));
    }
    fprintf(f, "\n");
}

int programs_write_markdown(const struct programs_run *r)
{
    char path[PATH_MAX + 32];
    programs_text(path, sizeof path, "%s/programs.md", r->out_dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    size_t identical = 0, compared = 0;
    for (size_t p = 0; p < r->nprograms; p++)
        for (size_t a = 1; a < r->nallocators; a++)
            if (result(r, p, a)->output_identical >= 0)
                compared++, identical += result(r, p, a)->output_identical == 1;
    fprintf(f, "The corpus's programs (the commands and inputs `traces/programs.sh` gives, from which the traces were "
               "recorded) run on each allocator; the MeMS policies through `libmems_malloc.so`. Wall time: hyperfine, "
               "mean of %d runs after %d warm-up (JSON in `%shyperfine-*.json`); peak RSS: the largest process of "
               "the program's tree in a separate run (`getrusage(RUSAGE_CHILDREN)` of a process in between); "
               "outputs: every file compared byte for byte with glibc's run: **%zu of %zu identical**. Every number "
               "is in `%sprograms.csv`.\n\n",
            r->runs, r->warmup, r->link_prefix, identical, compared, r->link_prefix);
    write_ratio_table(f, r, "time / glibc's", time_ratio);
    write_ratio_table(f, r, "peak RSS relative to glibc", rss_ratio);
    if (r->plots)
        fprintf(f, "![Wall time per program and allocator, relative to glibc](%sfigures/programs-time.png)\n\n"
                   "![Peak RSS per program and allocator, relative to glibc](%sfigures/programs-rss.png)\n\n",
                r->link_prefix, r->link_prefix);
    fprintf(f, "### Replay against the real run\n\n");
    write_fidelity(f, r);
    return fclose(f) == 0 ? 0 : -1;
}

typedef double (*program_measure)(const struct programs_run *, size_t, size_t);

/* One row per program, one column per allocator (two, the value and its
 * spread, when there is a spread): what a clustered histogram reads. */
static int write_plot_data(const struct programs_run *r, const char *path, program_measure ratio,
                           program_measure spread)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    for (size_t p = 0; p < r->nprograms; p++) {
        fprintf(f, "%s", r->programs[p]);
        for (size_t a = 0; a < r->nallocators; a++) {
            double x = ratio(r, p, a);
            fprintf(f, isfinite(x) ? " %.4f" : " NaN", x);
            if (spread != NULL) {
                double s = spread(r, p, a);
                fprintf(f, isfinite(s) ? " %.4f" : " NaN", s);
            }
        }
        fprintf(f, "\n");
    }
    return fclose(f) == 0 ? 0 : -1;
}

int programs_draw_figures(const struct programs_run *r)
{
    char dir[PATH_MAX + 16], log[PATH_MAX + 32], command[4 * PATH_MAX], allocators[512] = "";
    programs_text(dir, sizeof dir, "%s/figures", r->out_dir);
    programs_text(log, sizeof log, "%s/gnuplot.log", dir);
    programs_text(command, sizeof command, "mkdir -p '%s'", dir);
    if (system(command) != 0)
        return -1;
    for (size_t a = 0; a < r->nallocators; a++)
        programs_text(allocators + strlen(allocators), sizeof allocators - strlen(allocators), "%s%s", a ? " " : "",
                 r->allocators[a]);
    static const struct {
        const char *name, *label;
        program_measure ratio, spread;
    } figures[] = {{"programs-time", "wall time relative to glibc (hyperfine mean ± σ)", time_ratio, time_ratio_spread},
                   {"programs-rss", "peak RSS relative to glibc", rss_ratio, NULL}};
    int rc = 0;
    for (size_t i = 0; i < 2; i++) {
        char data[PATH_MAX + 64];
        programs_text(data, sizeof data, "%s/%s.dat", dir, figures[i].name);
        if (write_plot_data(r, data, figures[i].ratio, figures[i].spread) != 0)
            return -1;
        char out[PATH_MAX + 64], variables[2 * PATH_MAX];
        programs_text(out, sizeof out, "%s/%s", dir, figures[i].name);
        programs_text(variables, sizeof variables, "data='%s'; label='%s'; allocators='%s'; nalloc=%zu; errorbars=%d",
                      data, figures[i].label, allocators, r->nallocators, figures[i].spread != NULL);
        rc |= gnuplot_draw("programs", "programs", out, log, variables);
    }
    return rc;
}
