/*
 * The thread-scaling sweep. Three generated workloads (recorder/
 * generate_threads.c: private churn, producer-consumer as xmalloc-test,
 * larson's hand-on of live blocks), each generated anew at every thread count
 * with the same ops and the same live blocks in all, and the corpus's
 * multi-threaded traces (replayed serially, then on their recorded threads),
 * each replayed thread for thread on every allocator: MeMS's policies with
 * one lock and, where the build has them, with arenas; glibc; jemalloc,
 * mimalloc and tcmalloc where installed. The check pass, threaded too, gives
 * the integrity, the peak RSS and the footprint; the timed pass (the median of
 * `repeats`) the wall time, so the throughput and the speed-up over one thread.
 * Thread counts above the machine's cores oversubscribe it: the threads then
 * take turns on the cores and the rows say so; the default counts follow the
 * cores, so a bigger machine sweeps further unchanged.
 */
#include "threads_internal.h"

#include "alloc_list.h"
#include "report.h"
#include "cli.h"
#include "generate.h"
#include "gnuplot_check.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const generated_kinds[] = {"private", "prodcons", "larson"};
static const char *const real_allocators[] = {"glibc", "jemalloc", "mimalloc", "tcmalloc"};

unsigned threads_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

void threads_default_counts(struct threads_options *o, bool quick)
{
    unsigned cores = threads_cores();
    o->ncounts = 0;
    if (quick) {
        o->counts[o->ncounts++] = 1;
        o->counts[o->ncounts++] = 2;
        o->counts[o->ncounts++] = cores > 4 ? cores : 4;
        return;
    }
    unsigned top = 2 * cores > 8 ? 2 * cores : 8;
    for (unsigned n = 1; n <= top && o->ncounts < THREADS_MAX_COUNTS; n *= 2)
        o->counts[o->ncounts++] = n;
}

void threads_default_options(struct threads_options *o, const char *out_dir, bool quick)
{
    memset(o, 0, sizeof *o);
    o->out_dir = out_dir;
    /* a timed pass of some milliseconds at least, so the clock and the threads' start are not what is measured */
    o->ops = quick ? 50000 : 500000;
    o->repeats = quick ? 3 : 5;
    o->corpus_dir = MEMS_SOURCE_DIR "/traces/corpus";
    threads_default_counts(o, quick);
}

/* `list`, or the default: MeMS's policies with one lock, then with as many
 * arenas as the most threads of the sweep (each thread an arena of its own)
 * when the build resolves that spelling, then the real allocators installed. */
static int allocators_choose(struct threads_sweep *s, const char *names)
{
    struct alloc_list list = {"threads", s->backend, 0, THREADS_MAX_ALLOCATORS};
    int rc = 0;
    if (names != NULL) {
        char *copy = strdup(names), *save = NULL;
        if (copy == NULL)
            return -1;
        for (char *item = strtok_r(copy, ",", &save); item != NULL && rc == 0; item = strtok_r(NULL, ",", &save))
            rc = alloc_list_add(&list, item, ALLOC_MISSING_REFUSED);
        free(copy);
        s->nallocators = list.count;
        return rc;
    }
    unsigned arenas = 1;
    for (size_t i = 0; i < s->o->ncounts; i++)
        arenas = s->o->counts[i] > arenas ? s->o->counts[i] : arenas;
    for (int p = 0; p < BACKEND_DEFAULT_MEMS_POLICIES && rc == 0; p++)
        rc = alloc_list_add(&list, backend_mems_name(p), ALLOC_MISSING_REFUSED);
    size_t before = list.count;
    for (int p = 0; p < BACKEND_DEFAULT_MEMS_POLICIES && rc == 0; p++) {
        char spec[64];
        snprintf(spec, sizeof spec, "%s@%u", backend_mems_name(p), arenas < 2 ? 2 : arenas);
        rc = alloc_list_add(&list, spec, ALLOC_MISSING_SILENT);
    }
    if (rc == 0 && list.count == before)
        fprintf(stderr, "mems-bench threads: MeMS with arenas (mems-POLICY@N) is not in this build; left out\n");
    for (size_t i = 0; i < 4 && rc == 0; i++)
        rc = alloc_list_add(&list, real_allocators[i], ALLOC_MISSING_SAID);
    s->nallocators = list.count;
    return rc;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, unsigned n)
{
    qsort(values, n, sizeof *values, compare_double);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/* The wall time of a timed pass: a threaded pass's own figure when it gives one. */
static double wall_seconds(const struct pass_result *r)
{
    const char *wall = result_get(r, "wall_seconds");
    if (wall != NULL)
        return strtod(wall, NULL);
    double ns = result_number(r, "wall_ns");
    return ns > 0 ? ns / 1e9 : result_number(r, "seconds");
}

/* The check pass of one cell: its footprint, RSS and counts; -1 (the row
 * says why) when it failed. */
static int run_check(const char *self, const char *bin, size_t num_ops, const struct backend *backend,
                     enum replay_threads mode, const struct threads_options *o, struct threads_row *row)
{
    struct pass_request request = {.mode = MODE_CHECK, .binary_path = bin, .num_ops = num_ops, .backend = backend,
                                   .mems_alignment = 16, .threads = mode};
    struct pass_result result;
    row->ops = num_ops;
    row->seconds = row->ops_per_s = row->peak_footprint = row->ns_per_op = row->of_glibc = NAN;
    snprintf(row->status, sizeof row->status, "no child");
    if (runner_run(self, &request, &o->limits, &result) != 0)
        return -1;
    pass_status(&result, row->status, sizeof row->status);
    row->integrity_errors = result_number(&result, "integrity_errors");
    if (pass_failed(&result) || result.exit_status != 0) {
        if (!pass_failed(&result))
            snprintf(row->status, sizeof row->status, "integrity");
        fprintf(stderr, "mems-bench threads: the check pass of %s on %s failed (%s)\n", backend->name, bin,
                row->status);
        return -1;
    }
    row->peak_rss = result_number(&result, "peak_rss_bytes");
    if (result_get(&result, "peak_footprint_bytes") != NULL)
        row->peak_footprint = result_number(&result, "peak_footprint_bytes");
    row->replay_threads = result_number(&result, "replay_threads");
    row->cross_thread_ops = result_number(&result, "cross_thread_ops");
    return 0;
}

/* One timed pass of one cell: its wall time and own time per op; -1 (the row
 * says why) when it failed. */
static int run_timed(const char *self, const char *bin, size_t num_ops, const struct backend *backend,
                     enum replay_threads mode, const struct threads_options *o, struct threads_row *row,
                     double *seconds, double *ns_per_op)
{
    struct pass_request request = {.mode = MODE_TIMED, .binary_path = bin, .num_ops = num_ops, .backend = backend,
                                   .mems_alignment = 16, .threads = mode};
    struct pass_result result;
    if (runner_run(self, &request, &o->limits, &result) != 0 || pass_failed(&result)) {
        pass_status(&result, row->status, sizeof row->status);
        fprintf(stderr, "mems-bench threads: the timed pass of %s on %s failed (%s)\n", backend->name, bin,
                row->status);
        return -1;
    }
    *seconds = wall_seconds(&result);
    *ns_per_op = result_number(&result, "ns_per_op");
    row->sync_waits = result_number(&result, "sync_waits");
    row->sync_wait_ns = result_number(&result, "sync_wait_ns");
    return 0;
}

/* Every allocator on one binary trace; returns the failed cells. The timed
 * passes go round the allocators, one pass each per round, so that the
 * machine's drift (this 2-core host's throughput moves by a factor of two
 * between identical runs) falls on every allocator of a round alike, and
 * each allocator's ratio to glibc is the median of its rounds' ratios. */
static int run_workload(struct threads_sweep *s, const char *self, const char *bin, const char *workload,
                        bool generated, unsigned threads, size_t num_ops, enum replay_threads mode)
{
    enum { MAX_REPEATS = 16 };
    unsigned repeats = s->o->repeats < 1 ? 1 : s->o->repeats > MAX_REPEATS ? MAX_REPEATS : s->o->repeats;
    struct threads_row *rows = &s->rows[s->nrows];
    double seconds[THREADS_MAX_ALLOCATORS][MAX_REPEATS], op_ns[THREADS_MAX_ALLOCATORS][MAX_REPEATS];
    bool ok[THREADS_MAX_ALLOCATORS];
    int failures = 0;
    for (size_t a = 0; a < s->nallocators; a++) {
        rows[a] = (struct threads_row){.workload = workload, .generated = generated, .allocator = s->backend[a].name,
                                       .threads = threads};
        ok[a] = run_check(self, bin, num_ops, &s->backend[a], mode, s->o, &rows[a]) == 0;
    }
    s->nrows += s->nallocators;
    for (unsigned r = 0; r < repeats; r++)
        for (size_t a = 0; a < s->nallocators; a++)
            if (ok[a])
                ok[a] = run_timed(self, bin, num_ops, &s->backend[a], mode, s->o, &rows[a], &seconds[a][r],
                                  &op_ns[a][r]) == 0;
    size_t glibc = SIZE_MAX;
    for (size_t a = 0; a < s->nallocators; a++)
        if (ok[a] && strcmp(s->backend[a].name, "glibc") == 0)
            glibc = a;
    /* the ratios first: median() sorts its values */
    for (size_t a = 0; a < s->nallocators && glibc != SIZE_MAX; a++) {
        double ratios[MAX_REPEATS];
        for (unsigned r = 0; r < repeats && ok[a]; r++)
            ratios[r] = seconds[glibc][r] / seconds[a][r];
        if (ok[a])
            rows[a].of_glibc = median(ratios, repeats);
    }
    for (size_t a = 0; a < s->nallocators; a++) {
        if (!ok[a]) {
            failures++;
            continue;
        }
        rows[a].seconds = median(seconds[a], repeats);
        rows[a].ns_per_op = median(op_ns[a], repeats);
        rows[a].ops_per_s = rows[a].seconds > 0 ? (double)num_ops / rows[a].seconds : NAN;
    }
    return failures;
}

static int write_binary(const struct trace *t, const char *bin)
{
    struct trace_error error;
    if (trace_write_binary(t, bin, &error) == 0)
        return 0;
    fprintf(stderr, "mems-bench threads: %s\n", error.message);
    return -1;
}

/* One generated kind at every thread count; -1 when a trace could not be made. */
static int run_generated(struct threads_sweep *s, const char *self, const char *kind, int *failures)
{
    s->workloads[s->nworkloads++] = kind;
    for (size_t c = 0; c < s->o->ncounts; c++) {
        struct gen_params p;
        gen_default_params(&p);
        snprintf(p.kind, sizeof p.kind, "%s", kind);
        p.seed = 1;
        p.ops = s->o->ops;
        p.min = 16, p.max = 1024; /* small blocks, as the thread benchmarks' */
        p.threads = s->o->counts[c];
        struct trace t;
        struct trace_error error;
        if (generate_trace(&p, &t, &error) != 0) {
            fprintf(stderr, "mems-bench threads: %s\n", error.message);
            return -1;
        }
        char bin[PATH_MAX + 64];
        snprintf(bin, sizeof bin, "%s/bin/%s-t%u.bin", s->o->out_dir, kind, p.threads);
        size_t num_ops = t.num_ops;
        int written = write_binary(&t, bin);
        trace_free(&t);
        if (written != 0)
            return -1;
        fprintf(stderr, "mems-bench threads: %s on %u thread%s, %zu ops\n", kind, p.threads,
                p.threads == 1 ? "" : "s", num_ops);
        *failures += run_workload(s, self, bin, kind, true, p.threads, num_ops, REPLAY_THREADS_RECORDED);
        unlink(bin); /* 24 bytes an op: not worth keeping */
    }
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_trace_file(const char *name)
{
    size_t n = strlen(name);
    return (n > 6 && strcmp(name + n - 6, ".trace") == 0) || (n > 9 && strcmp(name + n - 9, ".trace.gz") == 0);
}

/* The corpus's traces of more than one thread, in name order: each replayed
 * serially (the one-thread row) and on its recorded threads. */
static int run_corpus(struct threads_sweep *s, const char *self, int *failures)
{
    DIR *dir = s->o->corpus_dir != NULL ? opendir(s->o->corpus_dir) : NULL;
    if (dir == NULL)
        return 0; /* a sweep of generated workloads alone */
    char *names[256];
    size_t n = 0;
    for (struct dirent *e = readdir(dir); e != NULL && n < 256; e = readdir(dir))
        if (is_trace_file(e->d_name) && (names[n] = strdup(e->d_name)) != NULL)
            n++;
    closedir(dir);
    qsort(names, n, sizeof *names, compare_names);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char path[PATH_MAX], bin[PATH_MAX + 64];
        snprintf(path, sizeof path, "%s/%s", s->o->corpus_dir, names[i]);
        struct trace t;
        struct trace_error error;
        if (trace_load(path, &t, &error) != 0) {
            fprintf(stderr, "mems-bench threads: %s\n", error.message);
            rc = -1;
            break;
        }
        /* its name goes into the figure's command line as the allocators' do */
        bool plain = t.name[strspn(t.name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")] == 0;
        if (t.facts.threads > 1 && plain && s->nworkloads < THREADS_MAX_WORKLOADS) {
            char *name = s->corpus_names[s->nworkloads];
            snprintf(name, sizeof s->corpus_names[0], "%s", t.name);
            s->workloads[s->nworkloads++] = name;
            snprintf(bin, sizeof bin, "%s/bin/%s.bin", s->o->out_dir, name);
            unsigned threads = (unsigned)t.facts.threads;
            size_t num_ops = t.num_ops;
            rc = write_binary(&t, bin);
            if (rc == 0) {
                fprintf(stderr, "mems-bench threads: %s, %zu ops, serially and on its %u threads\n", name, num_ops,
                        threads);
                *failures += run_workload(s, self, bin, name, false, 1, num_ops, REPLAY_THREADS_SERIAL);
                *failures += run_workload(s, self, bin, name, false, threads, num_ops, REPLAY_THREADS_RECORDED);
                unlink(bin);
            }
        }
        trace_free(&t);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    return rc;
}

/* Each row's throughput over its workload's one-thread row on the same allocator. */
static void compute_speedups(struct threads_sweep *s)
{
    for (size_t i = 0; i < s->nrows; i++) {
        struct threads_row *row = &s->rows[i];
        row->speedup = NAN;
        for (size_t j = 0; j < s->nrows; j++) {
            const struct threads_row *one = &s->rows[j];
            if (one->threads == 1 && strcmp(one->workload, row->workload) == 0 &&
                strcmp(one->allocator, row->allocator) == 0 && one->ops_per_s > 0)
                row->speedup = row->ops_per_s / one->ops_per_s;
        }
    }
}

int threads_run(const struct threads_options *o)
{
    struct threads_sweep *s = calloc(1, sizeof *s);
    if (s == NULL)
        return 1;
    s->o = o;
    s->cores = threads_cores();
    if (allocators_choose(s, o->allocators) != 0 || s->nallocators == 0) {
        free(s);
        return 2;
    }
    char self[PATH_MAX], bin[PATH_MAX + 8];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    snprintf(bin, sizeof bin, "%s/bin", o->out_dir);
    if (len <= 0 || (mkdir(o->out_dir, 0777) != 0 && errno != EEXIST) || (mkdir(bin, 0777) != 0 && errno != EEXIST)) {
        fprintf(stderr, "mems-bench threads: cannot make %s: %s\n", bin, len <= 0 ? "no executable" : strerror(errno));
        free(s);
        return 1;
    }
    self[len] = '\0';
    /* generated: a row per kind, count and allocator; corpus: two per trace and allocator */
    s->rows = calloc((3 * o->ncounts + 2 * THREADS_MAX_WORKLOADS) * s->nallocators, sizeof *s->rows);
    int failures = 0, rc = s->rows != NULL ? 0 : -1;
    for (size_t k = 0; k < 3 && rc == 0; k++)
        rc = run_generated(s, self, generated_kinds[k], &failures);
    if (rc == 0)
        rc = run_corpus(s, self, &failures);
    compute_speedups(s);
    if (rc == 0 && threads_write_outputs(s) != 0)
        rc = -1;
    if (rc == 0 && o->figure_path != NULL)
        failures += threads_draw_figure(s) != 0;
    free(s->rows);
    free(s);
    return rc != 0 || failures != 0;
}

/* Increasing counts from 1 to GEN_MAX_THREADS. */
static int parse_counts(const struct cli_parser *p, struct threads_options *o)
{
    struct cli_list items;
    if (cli_list(p, &items) != 0)
        return -1;
    if (items.count > THREADS_MAX_COUNTS)
        return cli_refuse(p, "%s takes at most %d counts", p->flag, THREADS_MAX_COUNTS);
    o->ncounts = 0;
    for (size_t i = 0; i < items.count; i++) {
        char *end;
        errno = 0;
        unsigned long n = strtoul(items.item[i], &end, 10);
        if (errno != 0 || *end != '\0' || items.item[i][0] == '-' || n == 0 || n > GEN_MAX_THREADS ||
            (o->ncounts > 0 && n <= o->counts[o->ncounts - 1]))
            return cli_refuse(p, "%s takes increasing counts from 1 to %d, comma-separated, not '%s'", p->flag,
                              GEN_MAX_THREADS, items.item[i]);
        o->counts[o->ncounts++] = (unsigned)n;
    }
    return 0;
}

static const struct cli_option threads_cli_options[] = {
    {'q', 0, "quick", NULL, "1, 2 and the cores (at least 4) threads, 50000 ops, 3 timed passes"},
    {'t', 0, "threads", "N,N,...", "increasing thread counts, 1 to 256 (default: powers of two up to twice the\n"
                                   "cores, at least 8); counts above the cores oversubscribe the machine and\n"
                                   "are marked so"},
    {'n', 0, "ops", "N", "ops of each generated trace, 1000 to 10^8 (default 500000; --quick 50000)"},
    {'r', 0, "repeat", "N", "timed passes of each cell, 1 to 16; the median is kept (default 5; --quick 3)"},
    {'o', 0, "out", "DIR", "where threads.csv, threads.md and the figure go (default results/threads)"},
    {'a', 0, "alloc", "LIST", "the allocators, as replay's --alloc, each once; default: the four MeMS\n"
                              "policies with one lock and with arenas (POLICY@N, when built), glibc, and\n"
                              "each of jemalloc, mimalloc and tcmalloc that is installed"},
    {'c', 0, "corpus", "DIR", "its traces of more than one thread join the sweep, or none (default\n"
                              "traces/corpus)"},
    {'P', 0, "no-plots", NULL, "no figure (gnuplot is not needed then)"},
    {0},
};
static const struct cli_command threads_command = {
    "mems-bench threads", "[OPTIONS]",
    "Generated multi-threaded workloads (private churn, producer-consumer, larson) at each thread count\n"
    "and the corpus's multi-threaded traces, replayed one thread per recorded thread on every allocator:\n"
    "throughput, speed-up over one thread, peak RSS, footprint. Writes threads.csv, threads.md and the\n"
    "figure threads.png.",
    threads_cli_options, NULL, false};

int threads_main(int argc, char **argv)
{
    bool quick = false, plots = true, counts_given = false;
    const char *alloc = NULL, *out = NULL, *corpus = NULL;
    long long ops = 0, repeats = 0;
    struct threads_options o;
    threads_default_options(&o, NULL, false);
    struct cli_parser p;
    cli_start(&p, &threads_command, argc, argv);
    for (int id; (id = cli_next(&p)) != CLI_DONE;) {
        int bad = 0;
        switch (id) {
        case 'q': quick = true; break;
        case 't':
            bad = parse_counts(&p, &o);
            counts_given = true;
            break;
        case 'n': bad = cli_count(&p, 1000, 100000000, &ops); break;
        case 'r': bad = cli_count(&p, 1, 16, &repeats); break;
        case 'o': out = p.value; break;
        case 'a': alloc = p.value; break;
        case 'c': corpus = p.value; break;
        case 'P': plots = false; break;
        default: return cli_status(id);
        }
        if (bad != 0)
            return 2;
    }
    if (cli_operands(&p, 0, 0, "") != 0)
        return 2;
    struct threads_options given = o;
    threads_default_options(&o, out, quick);
    if (counts_given) {
        o.ncounts = given.ncounts;
        memcpy(o.counts, given.counts, sizeof o.counts);
    }
    if (ops != 0)
        o.ops = (size_t)ops;
    if (repeats != 0)
        o.repeats = (unsigned)repeats;
    if (corpus != NULL)
        o.corpus_dir = strcmp(corpus, "none") == 0 ? NULL : corpus;
    o.allocators = alloc;
    if (plots && !gnuplot_ready("threads"))
        return 2;
    char dir[PATH_MAX], figure[PATH_MAX + 16];
    if (o.out_dir == NULL)
        o.out_dir = report_default_folder("threads", dir, sizeof dir);
    snprintf(figure, sizeof figure, "%s/threads", o.out_dir);
    o.figure_path = plots ? figure : NULL;
    o.limits.mem_limit = limits_default_memory();
    int rc = threads_run(&o);
    if (rc != 2)
        printf("%s/threads.csv\n", o.out_dir);
    return rc;
}
