/* A suite run's results: its traces and allocators, one row per replay, and
 * per trace x allocator x metric the median with its interval over repeats. */
#ifndef MEMS_BENCH_SUITE_RESULTS_H
#define MEMS_BENCH_SUITE_RESULTS_H

#include "backend.h"
#include "runner.h"
#include "stats.h"
#include "trace.h"

#include <limits.h>

/* One trace of a run as the report sees it: read back from traces.csv of the
 * folder its replays wrote (the run's, or its job's). */
struct suite_trace {
    char name[128], format[16];
    size_t num_ops;
    uint64_t peak_live_bytes;
    char dir[PATH_MAX];  /* holds its timeseries/, latency_cdf/, heapmap/ */
    char host[128];      /* the machine its replays ran on */
};

/* One replay: its row of summary.csv, column by column (empty cells left
 * out), with its rows of latency.csv. */
struct suite_row {
    size_t trace, alloc;
    long repeat;
    struct pass_result summary;
};

/* The metrics the report summarises: name, unit, and where lower is better. */
struct suite_metric {
    const char *name, *unit, *label;
    int lower_is_better;
};
extern const struct suite_metric suite_metrics[];
extern const size_t suite_metric_count;

struct suite {
    char run_dir[PATH_MAX], run_name[256];
    struct backend *backends;
    size_t nbackends, glibc; /* index of glibc in backends, or nbackends */
    long repeats;
    bool quick;
    struct run_limits limits;
    enum replay_threads threads; /* --threads: how every replay uses threads */
    /* the results, read back from the CSVs (suite_load.c) */
    struct suite_trace *traces;
    size_t ntraces;
    size_t featured;         /* the trace of the timeline, latency, heap map and hyperfine figures */
    struct suite_row *rows;
    size_t nrows;
    size_t jobs, missing_jobs; /* of a merged run: folders read, and folders without results */
    char missing[1024];        /* the names of those folders, comma-separated */
    bool hosts_differ;
    /* per trace x alloc x metric, filled by suite_compute_stats */
    struct median_ci *stats;
    double elapsed_seconds;
    char hyperfine_md[PATH_MAX + 32];
    bool hyperfine_ran, plots_ran;
};

double suite_row_metric(const struct suite *s, const struct suite_row *row, size_t metric);
const struct median_ci *suite_stat(const struct suite *s, size_t trace, size_t alloc, size_t metric);
/* fills s->stats from s->rows */
void suite_compute_stats(struct suite *s);
/* RUN/stats.csv: medians, intervals, ratios to glibc */
int suite_write_stats_csv(const struct suite *s);
/* Did the replay fail (a pass timed out, crashed or could not run; integrity errors)? */
bool suite_row_failed(const struct suite_row *row);


#endif
