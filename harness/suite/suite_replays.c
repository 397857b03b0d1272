/*
 * The replays of a suite run, or of one job of a planned run, into one
 * folder: the binary traces, traces.csv, host.txt, every trace x allocator x
 * repeat (repeats interleaved, so a drift in the machine's speed touches every
 * allocator alike) into summary.csv and latency.csv with the time series,
 * latency CDFs and heap maps, hyperfine on the featured trace, and done.txt
 * last, the sign that the folder is complete.
 */
#include "suite_replays.h"

#include "report.h"
#include "result_csv.h"
#include "suite_figures.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int suite_make_directories(const char *dir)
{
    static const char *const subdirs[] = {"", "/bin", "/timeseries", "/latency_cdf", "/heapmap", "/figures"};
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof subdirs / sizeof *subdirs; i++) {
        snprintf(path, sizeof path, "%s%s", dir, subdirs[i]);
        if (report_make_folder(path) != 0)
            return -1;
    }
    return 0;
}

static void show_progress(size_t done, size_t total, const char *trace, const char *alloc, long repeat,
                          double elapsed)
{
    double left = done > 0 ? elapsed / (double)done * (double)(total - done) : 0;
    fprintf(stderr, "\r\033[K[%zu/%zu] %s with %s, repeat %ld; about %d:%02d left", done + 1, total, trace, alloc,
            repeat, (int)left / 60, (int)left % 60);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static int write_traces_csv(const char *dir, const struct trace *traces, size_t ntraces)
{
    FILE *f = csv_open(dir, "traces.csv", "trace,format,ops,peak_live_bytes,source");
    if (f == NULL)
        return -1;
    for (size_t t = 0; t < ntraces; t++)
        fprintf(f, "%s,%s,%zu,%ju,%s\n", traces[t].name, trace_format_name(traces[t].format), traces[t].num_ops,
                (uintmax_t)traces[t].facts.peak_live_bytes, traces[t].path);
    return fclose(f);
}

static int write_done(const char *dir, size_t replays, int failures, double seconds, const char *featured)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/done.txt", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "replays %zu\nfailures %d\nseconds %.3f\nfeatured %s\n", replays, failures, seconds, featured);
    return fclose(f);
}

/* bin/NNN-name.bin for each trace; `paths` gets them. */
static int write_binaries(const char *dir, const struct trace *traces, size_t ntraces, char (*paths)[PATH_MAX + 64])
{
    for (size_t t = 0; t < ntraces; t++) {
        struct trace_error error;
        int n = snprintf(paths[t], sizeof paths[t], "%s/bin/%03zu-%s.bin", dir, t, traces[t].name);
        if (n < 0 || (size_t)n >= sizeof paths[t]) {
            fprintf(stderr, "mems-bench suite: the path of %s's binary form is too long\n", traces[t].name);
            return -1;
        }
        if (trace_write_binary(&traces[t], paths[t], &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            return -1;
        }
    }
    return 0;
}

int suite_run_replays(const struct suite *s, const char *dir, const struct trace *traces, size_t ntraces,
                      const char *featured, bool hyperfine)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return -1;
    self[len] = '\0';
    if (suite_make_directories(dir) != 0) {
        fprintf(stderr, "mems-bench suite: cannot create %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char (*bin_paths)[PATH_MAX + 64] = calloc(ntraces, sizeof *bin_paths);
    struct report report;
    if (bin_paths == NULL || write_binaries(dir, traces, ntraces, bin_paths) != 0 ||
        write_traces_csv(dir, traces, ntraces) != 0 || host_write(dir, s->backends, s->nbackends) != 0 ||
        report_start(&report, dir) != 0) {
        fprintf(stderr, "mems-bench suite: cannot write into %s\n", dir);
        free(bin_paths);
        return -1;
    }
    size_t total = ntraces * s->nbackends * (size_t)s->repeats, done = 0;
    bool progress = isatty(STDERR_FILENO);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int failures = 0;
    fprintf(stderr, "mems-bench suite: %zu traces x %zu allocators x %ld repeats into %s\n", ntraces, s->nbackends,
            s->repeats, dir);
    for (long rep = 1; rep <= s->repeats; rep++)
        for (size_t t = 0; t < ntraces; t++)
            for (size_t a = 0; a < s->nbackends; a++) {
                const struct backend *b = &s->backends[a];
                if (progress)
                    show_progress(done, total, traces[t].name, b->name, rep, seconds_since(&start));
                char series[PATH_MAX * 2], cdf[PATH_MAX * 2], heap[PATH_MAX * 2];
                snprintf(series, sizeof series, "%s/timeseries/%s__%s.csv", dir, traces[t].name, b->name);
                snprintf(cdf, sizeof cdf, "%s/latency_cdf/%s__%s.csv", dir, traces[t].name, b->name);
                snprintf(heap, sizeof heap, "%s/heapmap/%s__%s.dat", dir, traces[t].name, b->name);
                bool first = rep == 1;
                bool heapmap = first && strcmp(traces[t].name, featured) == 0 && b->kind == BACKEND_MEMS;
                struct replay_request request = {bin_paths[t],          traces[t].num_ops,     b, 16,
                                                 first ? series : NULL, heapmap ? heap : NULL, first ? cdf : NULL,
                                                 s->threads};
                struct replay_result result;
                if (runner_replay(self, &request, &s->limits, &result) != 0) {
                    fprintf(stderr, "\nmems-bench suite: cannot start a replay: %s\n", strerror(errno));
                    free(bin_paths);
                    return -1;
                }
                failures += report_add(&report, &traces[t], b->name, rep, &result);
                done++;
            }
    if (progress)
        fprintf(stderr, "\r\033[K");
    if (report_finish(&report, NULL) != 0)
        failures++;
    for (size_t t = 0; t < ntraces; t++)
        if (hyperfine && strcmp(traces[t].name, featured) == 0)
            suite_run_hyperfine(s, bin_paths[t], dir);
    free(bin_paths);
    if (write_done(dir, done, failures, seconds_since(&start), featured) != 0) {
        fprintf(stderr, "mems-bench suite: cannot write %s/done.txt\n", dir);
        return -1;
    }
    return failures;
}
