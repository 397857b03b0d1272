/* CSV out: a header row, one observation per row, units in column names. */
#include "report.h"

#include "result_csv.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* check-pass fields copied as they are, in column order */
static const char *const check_columns[] = {
    "peak_live_bytes", "peak_footprint_bytes", "peak_rss_bytes", "rss_growth_bytes", "utilization",
    "frag_jw1", "frag_jw2", "frag_jw3", "frag_jw4", "integrity_errors", "failed_allocations", "skipped_ops",
    "check_writes", "mem_limit_bytes", "cpu",
};
/* fields that only MeMS reports (and mmap counts, which glibc's malloc does
 * not let anyone see): empty where the replay gave none */
static const char *const mems_columns[] = {
    "mmap_calls", "munmap_calls", "mmap_counted_by", "searches", "holes_examined", "mems_given_bytes", "mems_rounding_bytes",
    "mems_hole_bytes", "mems_metadata_bytes",
};
/* how the replay used threads: the check pass's counts, the timed pass's times */
static const char *const thread_check_columns[] = {"replay_threads", "cross_thread_ops"};
static const char *const thread_timed_columns[] = {"sync_waits", "sync_wait_ns", "wall_seconds", "cpu_seconds"};
static bool mems_only(const char *column)
{
    return strcmp(column, "mmap_calls") != 0 && strcmp(column, "munmap_calls") != 0 &&
           strcmp(column, "mmap_counted_by") != 0;
}

#define COUNT(a) (sizeof(a) / sizeof *(a))

int report_make_folder(const char *path)
{
    char buffer[PATH_MAX];
    if (snprintf(buffer, sizeof buffer, "%s", path) >= (int)sizeof buffer) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buffer + 1; *p != '\0'; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buffer, 0777) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(buffer, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

const char *report_default_folder(const char *name, char *dir, size_t size)
{
    mkdir("results", 0777);
    snprintf(dir, size, "results/%s", name);
    return dir;
}

int report_start(struct report *r, const char *run_dir)
{
    memset(r, 0, sizeof *r);
    /* the headers below: summary.csv's is built from the column lists */
    r->summary = csv_open(run_dir, "summary.csv", NULL);
    r->latency = csv_open(run_dir, "latency.csv", NULL);
    if (r->summary == NULL || r->latency == NULL)
        return -1;
    fprintf(r->summary, "trace,allocator,repeat,ops,ops_malloc,ops_calloc,ops_realloc,ops_free,ops_aligned,seconds,"
                        "ns_per_op,page_faults_per_kop");
    for (size_t i = 0; i < COUNT(check_columns); i++)
        fprintf(r->summary, ",%s", check_columns[i]);
    for (size_t i = 0; i < COUNT(mems_columns); i++)
        fprintf(r->summary, ",%s", mems_columns[i]);
    fprintf(r->summary, ",holes_examined_per_search,allocator_reported_peak_bytes,allocator_reported_kind,"
                        "timer_overhead_ns,exit_status,failed_pass");
    for (size_t i = 0; i < COUNT(thread_check_columns); i++)
        fprintf(r->summary, ",%s", thread_check_columns[i]);
    for (size_t i = 0; i < COUNT(thread_timed_columns); i++)
        fprintf(r->summary, ",%s", thread_timed_columns[i]);
    fprintf(r->summary, "\n");
    fprintf(r->latency, "trace,allocator,repeat,op_kind,count,p50_ns,p99_ns,p999_ns,max_ns,timer_overhead_ns\n");
    return 0;
}

static const char *field_or_empty(const struct pass_result *p, const char *key)
{
    const char *v = result_get(p, key);
    return v != NULL ? v : "";
}

int report_add(struct report *r, const struct trace *trace, const char *allocator, long repeat,
               const struct replay_result *result)
{
    const struct pass_result *check = &result->check, *timed = &result->timed, *latency = &result->latency;
    bool is_mems = strncmp(allocator, "mems-", 5) == 0;
    const char *failed_pass;
    const struct pass_result *failure = replay_failure(result, &failed_pass);
    char status[32] = "0";
    if (failure != NULL)
        pass_status(failure, status, sizeof status);
    const struct trace_facts *f = &trace->facts;
    fprintf(r->summary, "%s,%s,%ld,%zu,%ju,%ju,%ju,%ju,%ju,%s,%s", trace->name, allocator, repeat, trace->num_ops,
            (uintmax_t)f->count[OP_MALLOC], (uintmax_t)f->count[OP_CALLOC], (uintmax_t)f->count[OP_REALLOC],
            (uintmax_t)f->count[OP_FREE], (uintmax_t)f->count[OP_ALIGNED], field_or_empty(timed, "seconds"),
            field_or_empty(timed, "ns_per_op"));
    if (result_get(timed, "page_faults") != NULL && trace->num_ops > 0)
        fprintf(r->summary, ",%.3f", 1000.0 * result_number(timed, "page_faults") / (double)trace->num_ops);
    else
        fprintf(r->summary, ",");
    for (size_t i = 0; i < COUNT(check_columns); i++)
        fprintf(r->summary, ",%s", field_or_empty(check, check_columns[i]));
    for (size_t i = 0; i < COUNT(mems_columns); i++)
        fprintf(r->summary, ",%s", is_mems || !mems_only(mems_columns[i]) ? field_or_empty(check, mems_columns[i]) : "");
    double searches = result_number(check, "searches");
    if (is_mems && searches > 0)
        fprintf(r->summary, ",%.4f", result_number(check, "holes_examined") / searches);
    else
        fprintf(r->summary, ",");
    const char *kind = field_or_empty(check, "allocator_reported_kind");
    bool reported = kind[0] != '\0' && strcmp(kind, "-") != 0;
    fprintf(r->summary, ",%s,%s,%s,%s,%s", reported ? field_or_empty(check, "allocator_reported_peak_bytes") : "",
            reported ? kind : "", field_or_empty(latency, "timer_overhead_ns"), status, failed_pass);
    for (size_t i = 0; i < COUNT(thread_check_columns); i++)
        fprintf(r->summary, ",%s", field_or_empty(check, thread_check_columns[i]));
    for (size_t i = 0; i < COUNT(thread_timed_columns); i++)
        fprintf(r->summary, ",%s", field_or_empty(timed, thread_timed_columns[i]));
    fprintf(r->summary, "\n");
    for (size_t i = 0; i < latency->nlatency; i++) {
        const struct latency_row *l = &latency->latency[i];
        fprintf(r->latency, "%s,%s,%ld,%s,%llu,%llu,%llu,%llu,%llu,%s\n", trace->name, allocator, repeat, l->kind,
                l->count, l->p50, l->p99, l->p999, l->max, field_or_empty(latency, "timer_overhead_ns"));
    }
    fflush(r->summary);
    fflush(r->latency);

    if (r->nrows == r->capacity) {
        r->capacity = r->capacity ? r->capacity * 2 : 64;
        r->rows = realloc(r->rows, r->capacity * sizeof *r->rows);
    }
    struct table_row *row = &r->rows[r->nrows++];
    snprintf(row->trace, sizeof row->trace, "%s", trace->name);
    snprintf(row->allocator, sizeof row->allocator, "%s", allocator);
    row->repeat = repeat;
    row->ns_per_op = result_number(timed, "ns_per_op");
    row->utilization = result_number(check, "utilization");
    row->frag4 = result_number(check, "frag_jw4");
    row->peak_live = (unsigned long long)result_number(check, "peak_live_bytes");
    row->peak_footprint = (unsigned long long)result_number(check, "peak_footprint_bytes");
    row->errors = (unsigned long long)result_number(check, "integrity_errors");
    row->refused = (unsigned long long)result_number(check, "failed_allocations");
    snprintf(row->status, sizeof row->status, "%s%s%s", status, failure ? " in " : "", failed_pass);

    if (failure != NULL)
        fprintf(stderr, "mems-bench: %s with %s, repeat %ld: the %s pass ended: %s\n", trace->name, allocator, repeat,
                failed_pass, status);
    if (row->errors > 0)
        fprintf(stderr, "mems-bench: %s with %s: %llu integrity errors\n", trace->name, allocator, row->errors);
    return failure != NULL || row->errors > 0;
}

int report_finish(struct report *r, FILE *table)
{
    int rc = 0;
    if (r->summary == NULL || fclose(r->summary) != 0)
        rc = -1;
    if (r->latency == NULL || fclose(r->latency) != 0)
        rc = -1;
    if (table != NULL) {
        fprintf(table, "%-16s %-12s %3s %10s %14s %16s %8s %8s %6s %7s  %s\n", "trace", "allocator", "rep", "ns/op",
                "peak live B", "peak footprint B", "util", "frag4", "errors", "refused", "status");
        for (size_t i = 0; i < r->nrows; i++) {
            const struct table_row *row = &r->rows[i];
            fprintf(table, "%-16.16s %-12.12s %3ld %10.1f %14llu %16llu %8.3f %8.3f %6llu %7llu  %s\n", row->trace,
                    row->allocator, row->repeat, row->ns_per_op, row->peak_live, row->peak_footprint,
                    row->utilization, row->frag4, row->errors, row->refused, row->status);
        }
    }
    free(r->rows);
    return rc;
}
