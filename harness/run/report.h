/* summary.csv, latency.csv and the human table; columns in harness/METRICS.md. */
#ifndef MEMS_BENCH_REPORT_H
#define MEMS_BENCH_REPORT_H

#include "runner.h"
#include "trace.h"

#include <stdio.h>

struct table_row {
    char trace[128], allocator[64];
    long repeat;
    double ns_per_op, utilization, frag4;
    unsigned long long peak_live, peak_footprint, errors, refused;
    char status[48]; /* "0", or what ended the failed pass and which: "timeout in check" */
};

struct report {
    FILE *summary, *latency;
    struct table_row *rows;
    size_t nrows, capacity;
};

/* Creates a folder and its parents (as mkdir -p); 0 or -1 with errno. */
int report_make_folder(const char *path);
/* A sweep's folder (scaling, threads) when no --out is given: results/NAME, results/ made first; into dir. */
const char *report_default_folder(const char *name, char *dir, size_t size);
int report_start(struct report *r, const char *run_dir);
/* Adds one replay; returns 1 when it failed (integrity errors, a pass that
 * timed out, crashed or could not run), else 0: refused allocations are no
 * failure. */
int report_add(struct report *r, const struct trace *trace, const char *allocator, long repeat,
               const struct replay_result *result);
/* Closes the CSVs and prints the table to `table` (unless NULL). */
int report_finish(struct report *r, FILE *table);

#endif
