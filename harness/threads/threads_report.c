/* The thread sweep's outputs: threads.csv (one row per workload, allocator
 * and thread count), threads.md (a table per workload: throughput and
 * speed-up at each count, peak RSS and footprint from the fewest threads to
 * the most, oversubscribed counts marked) and the figure (plots/threads.gp). */
#include "threads_internal.h"

#include "gnuplot_draw.h"
#include "result_csv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void write_number(FILE *f, const char *format, double value)
{
    if (!isnan(value))
        fprintf(f, format, value);
}

static const char csv_header[] =
    "workload,source,allocator,threads,oversubscribed,ops,replay_threads,cross_thread_ops,seconds,ops_per_s,speedup,"
    "peak_rss_bytes,peak_footprint_bytes,sync_waits,sync_wait_ns,integrity_errors,status,ns_per_op,of_glibc";

static int write_csv(const struct threads_sweep *s, FILE *csv)
{
    for (size_t i = 0; i < s->nrows; i++) {
        const struct threads_row *r = &s->rows[i];
        fprintf(csv, "%s,%s,%s,%u,%d,%zu,%.0f,%.0f,", r->workload, r->generated ? "generated" : "corpus",
                r->allocator, r->threads, r->threads > s->cores, r->ops, r->replay_threads, r->cross_thread_ops);
        write_number(csv, "%.6f", r->seconds);
        fputc(',', csv);
        write_number(csv, "%.0f", r->ops_per_s);
        fputc(',', csv);
        write_number(csv, "%.3f", r->speedup);
        fprintf(csv, ",%.0f,", r->peak_rss);
        write_number(csv, "%.0f", r->peak_footprint);
        fprintf(csv, ",%.0f,%.0f,%.0f,%s,", r->sync_waits, r->sync_wait_ns, r->integrity_errors, r->status);
        write_number(csv, "%.1f", r->ns_per_op);
        fputc(',', csv);
        write_number(csv, "%.3f", r->of_glibc);
        fputc('\n', csv);
    }
    return 0;
}

static const struct threads_row *find_row(const struct threads_sweep *s, const char *workload, const char *allocator,
                                          unsigned threads)
{
    for (size_t i = 0; i < s->nrows; i++)
        if (s->rows[i].threads == threads && strcmp(s->rows[i].workload, workload) == 0 &&
            strcmp(s->rows[i].allocator, allocator) == 0)
            return &s->rows[i];
    return NULL;
}

static const char *describe(const char *workload)
{
    if (strcmp(workload, "private") == 0)
        return "each thread allocates and frees blocks of its own, none shared";
    if (strcmp(workload, "prodcons") == 0)
        return "producer-consumer, as xmalloc-test: half the threads allocate, the others free every block";
    if (strcmp(workload, "larson") == 0)
        return "larson: each thread churns an array of blocks and hands it on to the next thread every epoch";
    return "a recorded program: replayed serially (1) and on its recorded threads";
}

static void write_bytes(FILE *md, double bytes)
{
    if (isnan(bytes) || bytes <= 0)
        fprintf(md, "–");
    else
        fprintf(md, "%.1f", bytes / 1048576.0);
}

/* The thread counts a workload has rows at, in increasing order. */
static size_t workload_counts(const struct threads_sweep *s, const char *workload, unsigned *counts)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const struct threads_row *r = &s->rows[i];
        bool seen = false;
        for (size_t j = 0; j < n; j++)
            seen |= counts[j] == r->threads;
        if (strcmp(r->workload, workload) == 0 && !seen && n < THREADS_MAX_COUNTS)
            counts[n++] = r->threads;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && counts[j - 1] > counts[j]; j--) {
            unsigned t = counts[j];
            counts[j] = counts[j - 1];
            counts[j - 1] = t;
        }
    return n;
}

static void write_workload_table(FILE *md, const struct threads_sweep *s, const char *workload)
{
    unsigned counts[THREADS_MAX_COUNTS];
    size_t n = workload_counts(s, workload, counts);
    if (n == 0)
        return;
    const struct threads_row *any = find_row(s, workload, s->backend[0].name, counts[0]);
    fprintf(md, "\n**%s**: %s; %zu ops.\n\n| allocator |", workload, describe(workload), any ? any->ops : 0);
    for (size_t c = 0; c < n; c++)
        fprintf(md, " %u thread%s%s |", counts[c], counts[c] == 1 ? "" : "s", counts[c] > s->cores ? " †" : "");
    fprintf(md, " peak RSS MiB, %u → %u | footprint MiB, %u → %u |\n|---|", counts[0], counts[n - 1], counts[0],
            counts[n - 1]);
    for (size_t c = 0; c < n + 2; c++)
        fprintf(md, "---:|");
    fprintf(md, "\n");
    for (size_t a = 0; a < s->nallocators; a++) {
        const char *name = s->backend[a].name;
        fprintf(md, "| %s |", name);
        for (size_t c = 0; c < n; c++) {
            const struct threads_row *r = find_row(s, workload, name, counts[c]);
            if (r == NULL || !(r->ops_per_s > 0))
                fprintf(md, " %s |", r != NULL ? r->status : "–");
            else {
                fprintf(md, " %.2f M/s", r->ops_per_s / 1e6);
                if (counts[c] != 1 && !isnan(r->speedup))
                    fprintf(md, " ×%.2f", r->speedup);
                if (!isnan(r->of_glibc) && strcmp(name, "glibc") != 0)
                    fprintf(md, " (%.2f)", r->of_glibc);
                fprintf(md, " |");
            }
        }
        const struct threads_row *first = find_row(s, workload, name, counts[0]);
        const struct threads_row *last = find_row(s, workload, name, counts[n - 1]);
        fprintf(md, " ");
        write_bytes(md, first ? first->peak_rss : NAN);
        fprintf(md, " → ");
        write_bytes(md, last ? last->peak_rss : NAN);
        fprintf(md, " | ");
        write_bytes(md, first ? first->peak_footprint : NAN);
        fprintf(md, " → ");
        write_bytes(md, last ? last->peak_footprint : NAN);
        fprintf(md, " |\n");
    }
}

static int write_md(const struct threads_sweep *s, FILE *md)
{
    fprintf(md, "Throughput is the trace's ops per second of wall time in the timed pass (one replay thread per "
                "recorded thread, each waiting on another only where the trace orders them), ×N its speed-up over "
                "the same allocator on one thread, (r) its throughput over glibc's: the timed passes go round the "
                "allocators, and r is the median of the rounds' ratios, so that drift in the machine's speed "
                "touches both sides of each; peak RSS and footprint come from the check pass. This machine has "
                "%u core%s: † marks counts above them, where the threads oversubscribe it and take turns on the "
                "cores, so no speed-up is to be had there, only the cost of contention and of more heaps.\n",
            s->cores, s->cores == 1 ? "" : "s");
    for (size_t w = 0; w < s->nworkloads; w++)
        write_workload_table(md, s, s->workloads[w]);
    return 0;
}

int threads_write_outputs(const struct threads_sweep *s)
{
    FILE *csv = csv_open(s->o->out_dir, "threads.csv", csv_header);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/threads.md", s->o->out_dir);
    FILE *md = fopen(path, "w");
    if (csv == NULL || md == NULL) {
        fprintf(stderr, "mems-bench threads: cannot write in %s: %s\n", s->o->out_dir, strerror(errno));
        if (csv != NULL)
            fclose(csv);
        if (md != NULL)
            fclose(md);
        return -1;
    }
    write_csv(s, csv);
    write_md(s, md);
    return (fclose(csv) | fclose(md)) == 0 ? 0 : -1;
}

/* The figure names its workloads and allocators by name: gnuplot's words()
 * splits on blanks, which no name holds (threads.c refuses them). */
int threads_draw_figure(const struct threads_sweep *s)
{
    char allocators[THREADS_MAX_ALLOCATORS * 65] = "", workloads[THREADS_MAX_WORKLOADS * 129] = "";
    for (size_t a = 0; a < s->nallocators; a++)
        strcat(strcat(allocators, a ? " " : ""), s->backend[a].name);
    for (size_t w = 0; w < s->nworkloads; w++)
        strcat(strcat(workloads, w ? " " : ""), s->workloads[w]);
    unsigned most = 1;
    for (size_t i = 0; i < s->nrows; i++)
        most = s->rows[i].threads > most ? s->rows[i].threads : most;
    char log[PATH_MAX + 16], variables[2 * PATH_MAX + sizeof allocators + sizeof workloads];
    snprintf(log, sizeof log, "%s/gnuplot.log", s->o->out_dir);
    snprintf(variables, sizeof variables, "data='%s/threads.csv'; allocators='%s'; workloads='%s'; cores=%u; maxthreads=%u",
             s->o->out_dir, allocators, workloads, s->cores, most);
    return gnuplot_draw("threads", "threads", s->o->figure_path, log, variables);
}
