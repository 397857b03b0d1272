/* mems-bench suite: the benchmark suite, from traces to REPORT.md. */
#ifndef MEMS_BENCH_SUITE_H
#define MEMS_BENCH_SUITE_H

#include "backend.h"
#include "runner.h"
#include "stats.h"
#include "trace.h"

#include <limits.h>

struct suite_row {
    size_t trace, alloc;
    long repeat;
    struct pass_result check, timed, latency;
};

/* The metrics the report summarises: name, unit, and where lower is better. */
struct suite_metric {
    const char *name, *unit, *label;
    int lower_is_better;
};
extern const struct suite_metric suite_metrics[];
extern const size_t suite_metric_count;

struct suite {
    char run_dir[PATH_MAX], run_name[256], source_dir[PATH_MAX];
    struct trace *traces;
    size_t ntraces;
    char (*bin_paths)[PATH_MAX + 64];
    struct backend *backends;
    size_t nbackends, glibc; /* index of glibc in backends, or nbackends */
    long repeats;
    bool quick;
    size_t featured;         /* the trace of the timeline, latency, heap map and hyperfine figures */
    struct suite_row *rows;
    size_t nrows;
    /* per trace x alloc x metric, filled by suite_compute_stats */
    struct median_ci *stats;
    double elapsed_seconds;
    char hyperfine_md[PATH_MAX + 32];
    bool hyperfine_ran, plots_ran;
    char figures[6][64];
};

int suite_main(int argc, char **argv);
double suite_row_metric(const struct suite *s, const struct suite_row *row, size_t metric);
const struct median_ci *suite_stat(const struct suite *s, size_t trace, size_t alloc, size_t metric);
/* figures and hyperfine (suite_figures.c); 0 when they ran */
int suite_draw_figures(struct suite *s);
int suite_run_hyperfine(struct suite *s);
/* REPORT.md (report_md.c) */
int suite_write_report(const struct suite *s);

#endif
