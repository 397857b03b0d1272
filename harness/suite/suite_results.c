/* A suite run's results: the metrics the report summarises, each replay's
 * value of them, and the statistics over the repeats (stats.csv). */
#include "suite_results.h"

#include "result_csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct suite_metric suite_metrics[] = {
    {"ns_per_op", "ns", "time per operation", 1},
    {"page_faults_per_kop", "", "page faults per 1,000 operations (timed pass)", 1},
    {"peak_footprint_bytes", "B", "peak footprint", 1},
    {"utilization", "", "utilization (peak live / peak footprint)", 0},
    {"frag_jw1", "", "fragmentation J&W #1 (over time)", 1},
    {"frag_jw2", "", "fragmentation J&W #2 (at peak live)", 1},
    {"frag_jw3", "", "fragmentation J&W #3 (at peak footprint)", 1},
    {"frag_jw4", "", "fragmentation J&W #4 (peak footprint / peak live - 1)", 1},
    {"rss_growth_bytes", "B", "RSS growth", 1},
    {"holes_examined_per_search", "", "holes examined per search (MeMS)", 1},
    {"latency_malloc_p50_ns", "ns", "malloc latency p50", 1},
    {"latency_malloc_p99_ns", "ns", "malloc latency p99", 1},
    {"latency_free_p50_ns", "ns", "free latency p50", 1},
    {"latency_free_p99_ns", "ns", "free latency p99", 1},
    /* the threaded replay's (--threads recorded); serial replays have them too */
    {"wall_seconds", "s", "wall time of the timed pass", 1},
    {"cpu_seconds", "s", "CPU time of the timed pass (user + system)", 1},
    {"sync_waits", "", "waits on another thread (timed pass)", 1},
    {"sync_wait_ns", "ns", "time waiting on other threads (timed pass)", 1},
};
const size_t suite_metric_count = sizeof suite_metrics / sizeof *suite_metrics;

double suite_row_metric(const struct suite *s, const struct suite_row *row, size_t metric)
{
    (void)s;
    const char *name = suite_metrics[metric].name;
    if (strcmp(name, "holes_examined_per_search") == 0) {
        double searches = result_number(&row->summary, "searches");
        return searches > 0 ? result_number(&row->summary, "holes_examined") / searches : NAN;
    }
    if (strncmp(name, "latency_", 8) == 0) {
        char kind[16];
        const char *p = name + 8, *u = strchr(p, '_');
        snprintf(kind, sizeof kind, "%.*s", (int)(u - p), p);
        for (size_t i = 0; i < row->summary.nlatency; i++)
            if (strcmp(row->summary.latency[i].kind, kind) == 0)
                return (double)(strstr(name, "p50") ? row->summary.latency[i].p50 : row->summary.latency[i].p99);
        return NAN;
    }
    return result_get(&row->summary, name) ? result_number(&row->summary, name) : NAN;
}

const struct median_ci *suite_stat(const struct suite *s, size_t trace, size_t alloc, size_t metric)
{
    return &s->stats[(trace * s->nbackends + alloc) * suite_metric_count + metric];
}

void suite_compute_stats(struct suite *s)
{
    size_t cells = s->ntraces * s->nbackends * suite_metric_count;
    s->stats = calloc(cells, sizeof *s->stats);
    double *values = calloc((size_t)s->repeats, sizeof *values);
    for (size_t t = 0; t < s->ntraces; t++)
        for (size_t a = 0; a < s->nbackends; a++)
            for (size_t m = 0; m < suite_metric_count; m++) {
                size_t n = 0;
                for (size_t r = 0; r < s->nrows; r++)
                    if (s->rows[r].trace == t && s->rows[r].alloc == a) {
                        double v = suite_row_metric(s, &s->rows[r], m);
                        if (!isnan(v))
                            values[n++] = v;
                    }
                median_ci(values, n, &s->stats[(t * s->nbackends + a) * suite_metric_count + m]);
            }
    free(values);
}

int suite_write_stats_csv(const struct suite *s)
{
    FILE *f = csv_open(s->run_dir, "stats.csv",
                       "trace,allocator,metric,repeats,median,ci_low,ci_high,ci_coverage,ratio_to_glibc,ratio_low,"
                       "ratio_high,within_noise_of_glibc");
    if (f == NULL)
        return -1;
    for (size_t t = 0; t < s->ntraces; t++)
        for (size_t a = 0; a < s->nbackends; a++)
            for (size_t m = 0; m < suite_metric_count; m++) {
                const struct median_ci *c = suite_stat(s, t, a, m);
                if (c->n == 0)
                    continue;
                fprintf(f, "%s,%s,%s,%zu,%.6g,%.6g,%.6g,%.4f", s->traces[t].name, s->backends[a].name,
                        suite_metrics[m].name, c->n, c->median, c->low, c->high, c->coverage);
                const struct median_ci *g = s->glibc < s->nbackends ? suite_stat(s, t, s->glibc, m) : NULL;
                if (g != NULL && g->n > 0 && g->median > 0 && g->low > 0)
                    fprintf(f, ",%.6g,%.6g,%.6g,%d\n", c->median / g->median, c->low / g->high, c->high / g->low,
                            ci_overlap(c, g));
                else
                    fprintf(f, ",,,,\n");
            }
    return fclose(f);
}


bool suite_row_failed(const struct suite_row *row)
{
    const char *status = result_get(&row->summary, "exit_status");
    return status == NULL || strcmp(status, "0") != 0 || result_number(&row->summary, "integrity_errors") > 0;
}
