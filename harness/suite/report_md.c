/*
 * REPORT.md of a suite run: what ran and where, a reading of the fit
 * heuristics written from this run's numbers, a table per metric (median and
 * confidence interval over the repeats, and ratios to glibc), the figures and
 * hyperfine's table. Each table is preceded by a comment naming its metric
 * and the factor its numbers were divided by, so tests can check every cell
 * against summary.csv.
 */
#include "report_md.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t metric_index(const char *name)
{
    for (size_t m = 0; m < suite_metric_count; m++)
        if (strcmp(suite_metrics[m].name, name) == 0)
            return m;
    abort();
}

static size_t backend_index(const struct suite *s, const char *name)
{
    for (size_t a = 0; a < s->nbackends; a++)
        if (strcmp(s->backends[a].name, name) == 0)
            return a;
    return s->nbackends;
}

/* Geometric mean over traces of metric(a) / metric(b); 0 if nothing to compare. */
static double ratio_geomean(const struct suite *s, size_t a, size_t b, size_t m)
{
    double *ratios = calloc(s->ntraces, sizeof *ratios);
    size_t n = 0;
    for (size_t t = 0; t < s->ntraces; t++) {
        const struct median_ci *x = suite_stat(s, t, a, m), *y = suite_stat(s, t, b, m);
        if (x->n && y->n && x->median > 0 && y->median > 0)
            ratios[n++] = x->median / y->median;
    }
    double g = geometric_mean(ratios, n);
    free(ratios);
    return g;
}

static double percent_change(double ratio)
{
    return (ratio - 1) * 100;
}

/* ---- the tables ---- */

static void table_header(FILE *f, const struct suite *s, const char *first)
{
    fprintf(f, "| %s |", first);
    for (size_t a = 0; a < s->nbackends; a++)
        fprintf(f, " %s |", s->backends[a].name);
    fprintf(f, "\n|---|");
    for (size_t a = 0; a < s->nbackends; a++)
        fprintf(f, "---:|");
    fprintf(f, "\n");
}

/* Medians with their intervals, divided by `scale`. */
static void metric_table(FILE *f, const struct suite *s, const char *metric, double scale, const char *unit)
{
    size_t m = metric_index(metric);
    fprintf(f, "<!-- table: %s scale %g -->\n", metric, scale);
    char first[128];
    snprintf(first, sizeof first, "trace \\ %s%s%s%s", suite_metrics[m].label, unit[0] ? " (" : "", unit,
             unit[0] ? ")" : "");
    table_header(f, s, first);
    for (size_t t = 0; t < s->ntraces; t++) {
        fprintf(f, "| %s |", s->traces[t].name);
        for (size_t a = 0; a < s->nbackends; a++) {
            const struct median_ci *c = suite_stat(s, t, a, m);
            if (c->n == 0)
                fprintf(f, " – |");
            else if (c->low == c->high)
                fprintf(f, " %.4g |", c->median / scale);
            else
                fprintf(f, " %.4g [%.4g, %.4g] |", c->median / scale, c->low / scale, c->high / scale);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "\n");
}

/* Ratios of medians to glibc's, ≈ where the intervals overlap; geometric mean last. */
static void ratio_table(FILE *f, const struct suite *s, const char *metric)
{
    size_t m = metric_index(metric);
    fprintf(f, "<!-- ratios: %s -->\n", metric);
    char first[128];
    snprintf(first, sizeof first, "trace \\ %s relative to glibc", suite_metrics[m].label);
    table_header(f, s, first);
    for (size_t t = 0; t < s->ntraces; t++) {
        fprintf(f, "| %s |", s->traces[t].name);
        const struct median_ci *g = suite_stat(s, t, s->glibc, m);
        for (size_t a = 0; a < s->nbackends; a++) {
            const struct median_ci *c = suite_stat(s, t, a, m);
            if (c->n == 0 || g->n == 0 || g->median <= 0)
                fprintf(f, " – |");
            else
                fprintf(f, " %s%.3g |", a != s->glibc && ci_overlap(c, g) ? "≈" : "", c->median / g->median);
        }
        fprintf(f, "\n");
    }
    fprintf(f, "| **geometric mean** |");
    for (size_t a = 0; a < s->nbackends; a++)
        fprintf(f, " **%.3g** |", ratio_geomean(s, a, s->glibc, m));
    fprintf(f, "\n\n");
}

/* ---- the reading ---- */

static void reading(FILE *f, const struct suite *s)
{
    static const char *const words[] = {"first fit", "next fit", "best fit", "worst fit"};
    size_t index[4], present = 0;
    for (size_t p = 0; p < 4; p++)
        if ((index[p] = backend_index(s, backend_mems_name((int)p))) < s->nbackends)
            present++;
    size_t foot = metric_index("peak_footprint_bytes"), frag4 = metric_index("frag_jw4");
    size_t time = metric_index("ns_per_op"), cost = metric_index("holes_examined_per_search");
    if (present < 2 || index[0] == s->nbackends) {
        fprintf(f, "Fewer than two MeMS policies (with first fit) ran, so there is no comparison of fit heuristics.\n\n");
        return;
    }
    /* footprint relative to first fit, and how often each is smallest */
    double relative[4];
    size_t wins[4] = {0};
    for (size_t p = 0; p < 4; p++)
        relative[p] = index[p] < s->nbackends ? ratio_geomean(s, index[p], index[0], foot) : 0;
    for (size_t t = 0; t < s->ntraces; t++) {
        double best = INFINITY;
        for (size_t p = 0; p < 4; p++)
            if (index[p] < s->nbackends && suite_stat(s, t, index[p], foot)->n)
                best = fmin(best, suite_stat(s, t, index[p], foot)->median);
        for (size_t p = 0; p < 4; p++)
            if (index[p] < s->nbackends && suite_stat(s, t, index[p], foot)->n &&
                suite_stat(s, t, index[p], foot)->median == best)
                wins[p]++;
    }
    size_t least = 0, most = 0;
    for (size_t p = 1; p < 4; p++) {
        if (index[p] == s->nbackends)
            continue;
        if (relative[p] < relative[least])
            least = p;
        if (relative[p] > relative[most])
            most = p;
    }
    size_t most_wins = 0;
    for (size_t p = 1; p < 4; p++)
        if (index[p] < s->nbackends && wins[p] > wins[most_wins])
            most_wins = p;
    fprintf(f, "Over the %zu traces of this run, taking the geometric mean of each policy's per-trace median peak "
               "footprint relative to first fit's, **%s fragments least** and **%s most** (%.1f%% more than %s)",
            s->ntraces, words[least], words[most], percent_change(relative[most] / relative[least]), words[least]);
    if (wins[most_wins] > wins[least])
        fprintf(f, "; yet %s has the smallest footprint on the most traces (%zu of %zu): it wins often by a little "
                   "and loses rarely by a lot",
                words[most_wins], wins[most_wins], s->ntraces);
    fprintf(f, ".");
    /* the trace on which the policies differ most */
    double spread = 1;
    size_t spread_trace = s->ntraces, spread_high = 0, spread_low = 0;
    for (size_t t = 0; t < s->ntraces; t++) {
        size_t high = 4, low = 4;
        for (size_t p = 0; p < 4; p++) {
            if (index[p] == s->nbackends || !suite_stat(s, t, index[p], foot)->n)
                continue;
            double v = suite_stat(s, t, index[p], foot)->median;
            if (high == 4 || v > suite_stat(s, t, index[high], foot)->median)
                high = p;
            if (low == 4 || v < suite_stat(s, t, index[low], foot)->median)
                low = p;
        }
        if (high == 4)
            continue;
        double r = suite_stat(s, t, index[high], foot)->median / suite_stat(s, t, index[low], foot)->median;
        if (r > spread) {
            spread = r, spread_trace = t, spread_high = high, spread_low = low;
        }
    }
    if (spread_trace < s->ntraces)
        fprintf(f, " The policies differ most on `%s`, where %s's peak footprint is %.2f times %s's.",
                s->traces[spread_trace].name, words[spread_high], spread, words[spread_low]);
    fprintf(f, " Per policy: peak footprint relative to first fit, the traces on which it had the smallest footprint of "
               "the four (ties count for each), the geometric mean of 1 + J&W #4, the search cost and the time per "
               "operation relative to glibc:\n\n");
    size_t jemalloc = backend_index(s, "jemalloc");
    fprintf(f, "| policy | footprint vs first fit | smallest on | 1 + J&W #4 (geo. mean) | holes examined per search "
               "(geo. mean) | time per op vs glibc | time per op vs jemalloc |\n|---|---:|---:|---:|---:|---:|---:|\n");
    for (size_t p = 0; p < 4; p++) {
        if (index[p] == s->nbackends)
            continue;
        double frag[256], searched[256];
        size_t nf = 0, ns = 0;
        for (size_t t = 0; t < s->ntraces && nf < 256; t++) {
            const struct median_ci *c = suite_stat(s, t, index[p], frag4), *h = suite_stat(s, t, index[p], cost);
            if (c->n)
                frag[nf++] = 1 + c->median;
            if (h->n)
                searched[ns++] = h->median;
        }
        fprintf(f, "| %s | %+.1f%% | %zu of %zu | %.3f | %.2f |", words[p], percent_change(relative[p]), wins[p],
                s->ntraces, geometric_mean(frag, nf), geometric_mean(searched, ns));
        if (s->glibc < s->nbackends)
            fprintf(f, " %.3g |", ratio_geomean(s, index[p], s->glibc, time));
        else
            fprintf(f, " – |");
        if (jemalloc < s->nbackends)
            fprintf(f, " %.3g |\n", ratio_geomean(s, index[p], jemalloc, time));
        else
            fprintf(f, " – |\n");
    }
    fprintf(f, "\n");
    /* where the bytes go: the MeMS split at peak footprint */
    fprintf(f, "Where each policy's footprint goes, at its peak, summed over traces (from repeat 1: MeMS is "
               "deterministic, every repeat places alike): bytes given out, added by rounding to 16 bytes, left in "
               "holes, and used by MeMS's own metadata:\n\n"
               "| policy | given | rounding | holes | metadata |\n|---|---:|---:|---:|---:|\n");
    for (size_t p = 0; p < 4; p++) {
        if (index[p] == s->nbackends)
            continue;
        double parts[4] = {0};
        static const char *const keys[] = {"mems_given_bytes", "mems_rounding_bytes", "mems_hole_bytes",
                                           "mems_metadata_bytes"};
        for (size_t r = 0; r < s->nrows; r++)
            if (s->rows[r].alloc == index[p] && s->rows[r].repeat == 1)
                for (int k = 0; k < 4; k++)
                    parts[k] += result_number(&s->rows[r].summary, keys[k]);
        double total = parts[0] + parts[1] + parts[2] + parts[3];
        fprintf(f, "| %s |", words[p]);
        for (int k = 0; k < 4; k++)
            fprintf(f, " %.1f%% |", total > 0 ? 100 * parts[k] / total : 0);
        fprintf(f, "\n");
    }
    fprintf(f, "\nHoles are what placement decides: MeMS never merges holes across main nodes (each is its own mmap) "
               "and keeps every node it mapped, so a policy that leaves free space where later requests do not fit "
               "pays for it in new nodes. The search cost column counts the holes each search compares with the "
               "request (first, next and worst fit: those of the one or few 64-granule words MeMS's fit tree leads "
               "to; best fit: the records of one size bin on the way down; harness/METRICS.md), a handful per "
               "search however many holes there are, not the whole list a scan of the chains would walk; time per "
               "op includes that search and the translation of each new block's address.\n\n");
    /* noise */
    size_t within = 0, compared = 0;
    for (size_t t = 0; t < s->ntraces && s->glibc < s->nbackends; t++)
        for (size_t a = 0; a < s->nbackends; a++) {
            if (a == s->glibc)
                continue;
            const struct median_ci *c = suite_stat(s, t, a, time), *g = suite_stat(s, t, s->glibc, time);
            if (c->n && g->n) {
                compared++;
                within += ci_overlap(c, g);
            }
        }
    if (compared > 0)
        fprintf(f, "Of the %zu per-trace time comparisons with glibc, %zu are within noise (the confidence intervals "
                   "of the two medians overlap; marked ≈ in the tables).\n\n",
                compared, within);
}

/* ---- the whole report ---- */

static void embed_file(FILE *f, const char *path)
{
    FILE *in = fopen(path, "r");
    if (in == NULL)
        return;
    char line[2048];
    while (fgets(line, sizeof line, in) != NULL)
        fputs(line, f);
    fclose(in);
}

static void figure(FILE *f, const struct suite *s, const char *file, const char *caption)
{
    (void)s;
    fprintf(f, "![%s](figures/%s.png)\n\n*%s* ([SVG](figures/%s.svg))\n\n", caption, file, caption, file);
}

/* The section of a report another command wrote into the run (RUN/FILE), when it ran: its title, `about`, the
 * figure (when `figure_name` is not NULL and the figures were drawn), then the report itself. */
static void embed_report(FILE *f, const struct suite *s, const char *file, const char *title, const char *about,
                         const char *figure_name, const char *caption)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", s->run_dir, file);
    if (access(path, R_OK) != 0)
        return;
    fprintf(f, "## %s\n\n%s", title, about);
    if (figure_name != NULL && s->plots_ran)
        figure(f, s, figure_name, caption);
    embed_file(f, path);
    fprintf(f, "\n");
}

/* ---- what ran where, and what went wrong ---- */

/* host.txt of each distinct host, with a warning when there are several. */
static void where(FILE *f, const struct suite *s)
{
    size_t hosts = 0;
    for (size_t t = 0; t < s->ntraces; t++) {
        bool seen = false;
        for (size_t u = 0; u < t && !seen; u++)
            seen = strcmp(s->traces[u].host, s->traces[t].host) == 0;
        if (seen)
            continue;
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/host.txt", s->traces[t].dir);
        fprintf(f, "```\n");
        embed_file(f, path);
        fprintf(f, "```\n\n");
        hosts++;
    }
    if (hosts > 1)
        fprintf(f, "**Warning: the traces ran on %zu different hosts** (the table below names each trace's). Every "
                   "trace's replays, all allocators and repeats, ran on one host, so the ratios within a trace hold; "
                   "absolute times, and comparisons across traces, mix machines.\n\n",
                hosts);
}

/* Replays that failed, and allocations the allocators refused. */
static void failures(FILE *f, const struct suite *s)
{
    if (s->missing_jobs > 0)
        fprintf(f, "**%zu jobs have no results** (not run, not finished, or failed to start): %s.\n\n",
                s->missing_jobs, s->missing);
    size_t failed = 0, refusing = 0;
    for (size_t r = 0; r < s->nrows; r++) {
        failed += suite_row_failed(&s->rows[r]);
        refusing += result_number(&s->rows[r].summary, "failed_allocations") > 0;
    }
    if (failed > 0) {
        fprintf(f, "### Failed replays\n\nThese replays are left out of every statistic below.\n\n"
                   "| trace | allocator | repeat | failed pass | exit status | integrity errors |\n"
                   "|---|---|---:|---|---|---:|\n");
        for (size_t r = 0; r < s->nrows; r++) {
            const struct suite_row *row = &s->rows[r];
            if (!suite_row_failed(row))
                continue;
            const char *pass = result_get(&row->summary, "failed_pass");
            const char *status = result_get(&row->summary, "exit_status");
            const char *errors = result_get(&row->summary, "integrity_errors");
            fprintf(f, "| %s | %s | %ld | %s | %s | %s |\n", s->traces[row->trace].name, s->backends[row->alloc].name,
                    row->repeat, pass ? pass : "–", status ? status : "–", errors ? errors : "–");
        }
        fprintf(f, "\n");
    }
    if (refusing > 0) {
        fprintf(f, "### Refused allocations\n\nThe allocator returned NULL (past the memory budget of "
                   "`mem_limit_bytes`, or on its own); the replay went on, skipping later frees and reallocs of "
                   "those blocks. Not errors, but the footprints of these replays are of a smaller program.\n\n"
                   "| trace | allocator | repeat | refused | skipped ops | memory budget (bytes) | check writes |\n"
                   "|---|---|---:|---:|---:|---:|---|\n");
        for (size_t r = 0; r < s->nrows; r++) {
            const struct suite_row *row = &s->rows[r];
            if (result_number(&row->summary, "failed_allocations") <= 0)
                continue;
            const char *budget = result_get(&row->summary, "mem_limit_bytes");
            const char *writes = result_get(&row->summary, "check_writes");
            fprintf(f, "| %s | %s | %ld | %.0f | %.0f | %s | %s |\n", s->traces[row->trace].name,
                    s->backends[row->alloc].name, row->repeat, result_number(&row->summary, "failed_allocations"),
                    result_number(&row->summary, "skipped_ops"), budget ? budget : "–", writes ? writes : "–");
        }
        fprintf(f, "\n");
    }
}

int suite_write_report(const struct suite *s)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/REPORT.md", s->run_dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    const char *featured = s->traces[s->featured].name;
    fprintf(f, "# MeMS benchmark report: %s\n\n## What ran, and where\n\n", s->run_name);
    fprintf(f, "%zu traces × %zu allocators × %ld repeats = %zu replays (each a check, a timed and a latency pass in "
               "fresh processes), in %.0f s",
            s->ntraces, s->nbackends, s->repeats, s->nrows, s->elapsed_seconds);
    if (s->jobs > 0)
        fprintf(f, " of replays over %zu jobs, merged from `jobs/`", s->jobs);
    fprintf(f, ".\n\n");
    where(f, s);
    fprintf(f, "| trace | format | ops | peak live bytes | host |\n|---|---|---:|---:|---|\n");
    for (size_t t = 0; t < s->ntraces; t++)
        fprintf(f, "| %s | %s | %zu | %ju | %s |\n", s->traces[t].name, s->traces[t].format, s->traces[t].num_ops,
                (uintmax_t)s->traces[t].peak_live_bytes, s->traces[t].host);
    fprintf(f, "\n");
    failures(f, s);
    const struct median_ci *any = s->nrows ? suite_stat(s, 0, 0, 0) : NULL;
    fprintf(f, "\nEvery number below is the median over the repeats; brackets give its confidence interval, the "
               "order statistics that hold the true median with probability %.2f%% for %ld repeats (the closest to "
               "95%% that %ld repeats allow). Every metric is defined in `harness/METRICS.md`; all numbers are in "
               "`summary.csv` (per repeat) and `stats.csv` (medians, intervals, ratios).\n\n",
            any != NULL ? 100 * any->coverage : 0.0, s->repeats, s->repeats);

    fprintf(f, "## Reading: the fit heuristics\n\n");
    reading(f, s);

    fprintf(f, "## Fragmentation\n\n");
    if (s->plots_ran)
        figure(f, s, "2-fragmentation-by-trace", "Johnstone & Wilson's four fragmentation measures, as footprint / "
                                                 "live memory (1 + fragmentation), by trace and allocator");
    metric_table(f, s, "frag_jw4", 1, "");
    metric_table(f, s, "utilization", 1, "");
    metric_table(f, s, "frag_jw1", 1, "");
    fprintf(f, "## Footprint\n\n");
    metric_table(f, s, "peak_footprint_bytes", 1024, "KiB");
    if (s->glibc < s->nbackends)
        ratio_table(f, s, "peak_footprint_bytes");
    fprintf(f, "For MeMS the footprint is what it mapped (nodes and metadata); for the others the RSS growth of the "
               "replay. `rss_growth_bytes` in `summary.csv` gives RSS growth for MeMS too.\n\n");
    fprintf(f, "## Throughput\n\n");
    if (s->plots_ran && s->glibc < s->nbackends)
        figure(f, s, "3-throughput-vs-glibc", "Time per operation relative to glibc (lower is faster), with the "
                                              "confidence interval of the ratio");
    metric_table(f, s, "ns_per_op", 1, "ns");
    if (s->glibc < s->nbackends)
        ratio_table(f, s, "ns_per_op");
    fprintf(f, "Part of that time is page faults: the pages an allocator touches for the first time during the timed "
               "pass (its metadata, headers it writes beside blocks, calloc's zeroing), the replay itself touching no "
               "block. A policy that spreads blocks over more pages takes more of them.\n\n");
    metric_table(f, s, "page_faults_per_kop", 1, "");
    fprintf(f, "## Latency\n\n");
    if (s->plots_ran)
        figure(f, s, "4-latency-cdf", "Latency distribution per operation kind on the featured trace");
    metric_table(f, s, "latency_malloc_p50_ns", 1, "ns");
    metric_table(f, s, "latency_malloc_p99_ns", 1, "ns");
    metric_table(f, s, "latency_free_p99_ns", 1, "ns");
    fprintf(f, "## Over time: `%s`\n\n", featured);
    if (s->plots_ran) {
        figure(f, s, "1-fragmentation-over-time", "Live bytes and each allocator's footprint over the featured trace");
        figure(f, s, "5-heap-map", "Heap map of MeMS's virtual address space under each policy: share of each "
                                   "address range in holes over time");
        figure(f, s, "6-search-cost", "Holes examined per allocation over the featured trace, per policy");
    }
    metric_table(f, s, "holes_examined_per_search", 1, "");
    embed_report(f, s, "scaling/scaling.md", "Scaling",
                 "Each MeMS policy on generated traces of growing numbers of live blocks (a ramp, then "
                 "100,000 rounds of freeing a random block and allocating a new one); glibc, and those of jemalloc, "
                 "mimalloc and tcmalloc that are installed, replay the same traces as the reference for what a "
                 "bigger heap costs an allocator built for speed (caches, page faults). bump, an "
                 "allocator that does no work (no reuse, no metadata), is the floor (the figure's gray dashed "
                 "line): its time is the replay's own cost (a slot per id, reading the trace, the call into the "
                 "allocator), which grows with the number of live blocks too, so what an allocator costs is its "
                 "distance above that line. Time per operation from the timed pass (median): of the steady phase "
                 "alone (the 200,000 operations made with N blocks live) and of the whole trace (the ramp adds "
                 "mapping and first touching the heap); holes examined per search from the check pass (MeMS "
                 "only); `scaling/scaling.csv`.\n\n",
                 "7-scaling", "ns/op (steady phase, whole trace; the replay's own cost as bump's gray floor) "
                 "and holes examined per search against live blocks");
    embed_report(f, s, "threads/threads.md", "Threads",
                 "Generated multi-threaded workloads (private churn; producer-consumer, as xmalloc-test; "
                 "larson's threads handing their blocks on), each made anew at every thread count with the same ops "
                 "and live blocks, and the corpus's multi-threaded programs, replayed one thread per recorded "
                 "thread on every allocator: MeMS with one lock, MeMS with arenas (`POLICY@N`, when built), glibc "
                 "and the real allocators installed. The sweep's quick form; `threads/threads.csv`, and "
                 "`mems-bench threads` for more counts.\n\n",
                 "8-threads", "Throughput (ops per second of wall time) and footprint against threads; "
                 "shaded: more threads than cores");
    /* written by harness/study and harness/programs, links already relative to the run folder */
    embed_report(f, s, "study/study.md", "The fit-heuristics study", "", NULL, NULL);
    embed_report(f, s, "programs/programs.md", "Real programs on each allocator", "", NULL, NULL);
    fprintf(f, "## Whole-process timing (hyperfine)\n\n");
    if (s->hyperfine_ran) {
        fprintf(f, "Each allocator's timed replay of `%s` as a whole process (start-up, reading the binary trace, "
                   "the replay, exit), timed by hyperfine; JSON in `hyperfine.json`.\n\n",
                featured);
        embed_file(f, s->hyperfine_md);
        fprintf(f, "\n");
    } else {
        fprintf(f, "No table: hyperfine was turned off, is not installed, or failed (its output is in "
                   "`hyperfine.log`).\n\n");
    }
    fprintf(f, "## Files\n\n`summary.csv`, `latency.csv`, `stats.csv`, `timeseries/`, `latency_cdf/`, `heapmap/`, "
               "`figures/` (PNG and SVG), `plotdata/`, `host.txt`, `hyperfine.json`, `hyperfine.md`, `threads/` (the thread sweep: `threads.csv`), `study/` (the "
               "fit-heuristics study: `runs.csv`, `cells.csv`, `verdicts.csv`, `plan.csv`, figures), `programs/` (the real "
               "programs: `programs.csv`, `hyperfine-*.json`, `outputs/`, `replay/`, figures).\n");
    return fclose(f);
}
