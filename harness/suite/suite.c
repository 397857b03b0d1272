/*
 * mems-bench suite: every trace of the default corpus against every installed
 * allocator, with repeats, then statistics, figures (gnuplot), whole-process
 * timing (hyperfine) and REPORT.md, all in results/<run-name>/.
 *
 * Repeats are interleaved (repeat 1 of everything, then repeat 2...) so a
 * drift in the machine's speed touches every allocator alike.
 */
#include "suite.h"

#include "report.h"
#include "report_md.h"
#include "suite_figures.h"
#include "suite_results.h"

#include "mems.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef MEMS_SOURCE_DIR
#define MEMS_SOURCE_DIR "."
#endif

/* ---- traces ---- */

static int add_glob(const char *pattern, char ***paths, size_t *n)
{
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0)
        return 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        *paths = realloc(*paths, (*n + 1) * sizeof **paths);
        (*paths)[(*n)++] = strdup(g.gl_pathv[i]);
    }
    globfree(&g);
    return (int)g.gl_pathc;
}

/* Named sets or paths, comma-separated: generated, corpus, classic, small. */
static void resolve_traces(const char *list, char ***paths, size_t *n)
{
    char *copy = strdup(list), *save = NULL, pattern[PATH_MAX + 64];
    for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
        if (strcmp(item, "generated") == 0 || strcmp(item, "corpus") == 0 || strcmp(item, "small") == 0) {
            snprintf(pattern, sizeof pattern, "%s/traces/%s/*", MEMS_SOURCE_DIR, item);
            add_glob(pattern, paths, n);
        } else if (strcmp(item, "classic") == 0) {
            snprintf(pattern, sizeof pattern, "%s/../shared/traces/malloclab-classic/*.rep", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
        } else if (strcmp(item, "default") == 0) {
            snprintf(pattern, sizeof pattern, "%s/traces/generated/*.trace.gz", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
            snprintf(pattern, sizeof pattern, "%s/traces/corpus/gcc-cc1.trace.gz", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
            snprintf(pattern, sizeof pattern, "%s/traces/corpus/make-plan.trace.gz", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
            snprintf(pattern, sizeof pattern, "%s/../shared/traces/malloclab-classic/*.rep", MEMS_SOURCE_DIR);
            add_glob(pattern, paths, n);
        } else {
            *paths = realloc(*paths, (*n + 1) * sizeof **paths);
            (*paths)[(*n)++] = strdup(item);
        }
    }
    free(copy);
}

/* ---- host.txt ---- */

static void command_output(const char *command, char *out, size_t size)
{
    out[0] = '\0';
    FILE *p = popen(command, "r");
    if (p == NULL)
        return;
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    pclose(p);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
        out[--n] = '\0';
}

static int write_host(const struct suite *s)
{
    char path[PATH_MAX + 32], text[1024];
    snprintf(path, sizeof path, "%s/host.txt", s->run_dir);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    struct utsname u;
    uname(&u);
    command_output("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'", text, sizeof text);
    fprintf(f, "cpu: %s\ncores: %ld\n", text[0] ? text : "unknown", sysconf(_SC_NPROCESSORS_ONLN));
    fprintf(f, "memory: %.1f GiB\n",
            (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024 * 1024));
    fprintf(f, "kernel: %s %s %s\n", u.sysname, u.release, u.machine);
    command_output("sed -n 's/^PRETTY_NAME=//p' /etc/os-release | tr -d '\"'", text, sizeof text);
    fprintf(f, "os: %s\n", text);
    fprintf(f, "compiler: %s\n", __VERSION__);
    snprintf(path, sizeof path, "git -C '%s' rev-parse HEAD 2>/dev/null", MEMS_SOURCE_DIR);
    command_output(path, text, sizeof text);
    fprintf(f, "git revision: %s\n", text[0] ? text : "unknown");
    /* the run's own output is not a change to the tree */
    snprintf(path, sizeof path, "git -C '%s' status --porcelain -- . ':!results' 2>/dev/null | head -1",
             MEMS_SOURCE_DIR);
    command_output(path, text, sizeof text);
    fprintf(f, "git tree: %s\n", text[0] ? "with uncommitted changes" : "clean");
    fprintf(f, "mems page size: %zu\n", mems_page_size());
    for (size_t a = 0; a < s->nbackends; a++) {
        const struct backend *b = &s->backends[a];
        if (b->kind == BACKEND_MEMS) {
            fprintf(f, "allocator %s: MeMS from this tree, policy %s\n", b->name, b->name + 5);
            continue;
        }
        char command[PATH_MAX * 2];
        if (b->preload[0] == '\0')
            snprintf(command, sizeof command, "dpkg-query -W -f='${Package} ${Version}' libc6 2>/dev/null");
        else
            snprintf(command, sizeof command,
                     "p=$(dpkg-query -S '%s' 2>/dev/null | head -1 | cut -d: -f1); "
                     "[ -n \"$p\" ] && dpkg-query -W -f='${Package} ${Version}' \"$p\"",
                     b->preload);
        command_output(command, text, sizeof text);
        fprintf(f, "allocator %s: %s%s%s\n", b->name, text[0] ? text : "version unknown",
                b->preload[0] ? ", preloaded from " : " (the system malloc)", b->preload);
    }
    command_output("hyperfine --version 2>/dev/null", text, sizeof text);
    fprintf(f, "hyperfine: %s\n", text[0] ? text : "not installed");
    command_output("gnuplot --version 2>/dev/null", text, sizeof text);
    fprintf(f, "gnuplot: %s\n", text[0] ? text : "not installed");
    return fclose(f);
}

/* ---- the run ---- */

static void usage(FILE *to)
{
    fprintf(to,
            "usage: mems-bench suite [--traces LIST] [--alloc LIST] [--repeat N] [--quick] [--name NAME]\n"
            "                        [--featured TRACE] [--no-plots] [--no-hyperfine]\n"
            "  --traces LIST   comma-separated trace files or sets: default (generated + two recorded programs +\n"
            "                  the classic malloc-lab traces when ../shared has them), generated, corpus, classic, small\n"
            "  --alloc LIST    as for replay; default 'all' (every installed allocator)\n"
            "  --repeat N      repeats of every replay (default 5; 2 with --quick)\n"
            "  --quick         fewer repeats and hyperfine runs, for a first look or a test\n"
            "  --name NAME     the run folder, results/NAME (default suite-DATE-TIME)\n"
            "  --featured T    the trace of the over-time, latency, heap-map and hyperfine figures (default: fragment,\n"
            "                  else the first trace)\n");
}

static int make_directories(const char *run_dir)
{
    static const char *const subdirs[] = {"", "/bin", "/timeseries", "/latency_cdf", "/heapmap", "/figures"};
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof subdirs / sizeof *subdirs; i++) {
        snprintf(path, sizeof path, "%s%s", run_dir, subdirs[i]);
        for (char *p = path + 1; *p; p++)
            if (*p == '/') {
                *p = '\0';
                mkdir(path, 0777);
                *p = '/';
            }
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
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

int suite_main(int argc, char **argv)
{
    struct suite s;
    memset(&s, 0, sizeof s);
    const char *trace_list = "default", *alloc_list = "all", *name = NULL, *featured = NULL;
    bool plots = true, hyperfine = true;
    s.repeats = -1;
    s.limits.mem_limit = limits_default_memory();
    static const struct option options[] = {
        {"traces", required_argument, NULL, 't'}, {"alloc", required_argument, NULL, 'a'},
        {"repeat", required_argument, NULL, 'r'}, {"quick", no_argument, NULL, 'q'},
        {"name", required_argument, NULL, 'n'},   {"featured", required_argument, NULL, 'f'},
        {"no-plots", no_argument, NULL, 'P'},     {"no-hyperfine", no_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},         {"mem-limit", required_argument, NULL, 'M'},
        {"timeout", required_argument, NULL, 'T'}, {NULL, 0, NULL, 0},
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "t:a:r:qn:f:h", options, NULL)) != -1) {
        switch (c) {
        case 't': trace_list = optarg; break;
        case 'a': alloc_list = optarg; break;
        case 'q': s.quick = true; break;
        case 'n': name = optarg; break;
        case 'f': featured = optarg; break;
        case 'P': plots = false; break;
        case 'H': hyperfine = false; break;
        case 'h': usage(stdout); return 0;
        case 'M':
            if (limits_parse_memory(optarg, &s.limits.mem_limit) != 0) {
                fprintf(stderr, "mems-bench suite: --mem-limit takes bytes (512M, 4G), a share (50%%) or none, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'T':
            if (limits_parse_timeout(optarg, &s.limits.timeout) != 0) {
                fprintf(stderr, "mems-bench suite: --timeout takes a number of seconds above 0, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'r': {
            char *end;
            s.repeats = strtol(optarg, &end, 10);
            if (*end != '\0' || s.repeats < 1 || s.repeats > 100) {
                fprintf(stderr, "mems-bench suite: --repeat takes 1 to 100, not '%s'\n", optarg);
                return 2;
            }
            break;
        }
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "mems-bench suite: unexpected argument '%s' (traces go in --traces)\n", argv[optind]);
        return 2;
    }
    if (s.repeats < 0)
        s.repeats = s.quick ? 2 : 5;
    if (name != NULL && (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0')) {
        fprintf(stderr, "mems-bench suite: --name is a folder name under results/, not a path\n");
        return 2;
    }

    /* allocators: with 'all', mimalloc and tcmalloc are used when installed */
    bool everything = strcmp(alloc_list, "all") == 0;
    if (everything)
        alloc_list = "mems-first,mems-next,mems-best,mems-worst,glibc,jemalloc,mimalloc,tcmalloc";
    char *copy = strdup(alloc_list), *save = NULL;
    s.backends = calloc(32, sizeof *s.backends);
    for (char *item = strtok_r(copy, ",", &save); item != NULL && s.nbackends < 32; item = strtok_r(NULL, ",", &save)) {
        char why[512];
        if (backend_resolve(item, &s.backends[s.nbackends], why, sizeof why) == 0)
            s.nbackends++;
        else if (everything && (strcmp(item, "mimalloc") == 0 || strcmp(item, "tcmalloc") == 0))
            fprintf(stderr, "mems-bench suite: %s: left out\n", why);
        else {
            fprintf(stderr, "mems-bench suite: %s\n", why);
            return 2;
        }
    }
    free(copy);
    s.glibc = s.nbackends;
    for (size_t a = 0; a < s.nbackends; a++)
        if (strcmp(s.backends[a].name, "glibc") == 0)
            s.glibc = a;

    /* traces: every one read before anything runs */
    char **paths = NULL;
    size_t npaths = 0;
    resolve_traces(trace_list, &paths, &npaths);
    if (npaths == 0) {
        fprintf(stderr, "mems-bench suite: no traces in '%s'\n", trace_list);
        return 2;
    }
    s.traces = calloc(npaths, sizeof *s.traces);
    int bad = 0;
    for (size_t i = 0; i < npaths; i++) {
        struct trace_error error;
        if (trace_load(paths[i], &s.traces[i], &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            bad = 1;
        }
        free(paths[i]);
    }
    free(paths);
    s.ntraces = npaths;
    if (bad) {
        fprintf(stderr, "mems-bench suite: nothing was run\n");
        return 1;
    }
    for (size_t t = 0; t < s.ntraces; t++)
        if ((featured != NULL && strcmp(s.traces[t].name, featured) == 0) ||
            (featured == NULL && strcmp(s.traces[t].name, "fragment") == 0))
            s.featured = t;
    if (featured != NULL && strcmp(s.traces[s.featured].name, featured) != 0) {
        fprintf(stderr, "mems-bench suite: --featured %s is not one of the traces\n", featured);
        return 2;
    }

    /* the run folder */
    if (name != NULL) {
        snprintf(s.run_name, sizeof s.run_name, "%s", name);
    } else {
        time_t now = time(NULL);
        strftime(s.run_name, sizeof s.run_name, "suite-%Y%m%d-%H%M%S", localtime(&now));
    }
    snprintf(s.run_dir, sizeof s.run_dir, "results/%s", s.run_name);
    if (make_directories(s.run_dir) != 0) {
        fprintf(stderr, "mems-bench suite: cannot create %s: %s\n", s.run_dir, strerror(errno));
        return 1;
    }
    s.bin_paths = calloc(s.ntraces, sizeof *s.bin_paths);
    for (size_t t = 0; t < s.ntraces; t++) {
        struct trace_error error;
        int n = snprintf(s.bin_paths[t], sizeof s.bin_paths[t], "%s/bin/%03zu-%s.bin", s.run_dir, t,
                         s.traces[t].name);
        if (n < 0 || (size_t)n >= sizeof s.bin_paths[t]) {
            fprintf(stderr, "mems-bench suite: the path of %s's binary form is too long\n", s.traces[t].name);
            return 1;
        }
        if (trace_write_binary(&s.traces[t], s.bin_paths[t], &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            return 1;
        }
    }
    write_host(&s);
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len <= 0)
        return 1;
    self[len] = '\0';

    /* the replays, repeats interleaved */
    struct report report;
    if (report_start(&report, s.run_dir) != 0) {
        fprintf(stderr, "mems-bench suite: cannot write into %s\n", s.run_dir);
        return 1;
    }
    size_t total = s.ntraces * s.nbackends * (size_t)s.repeats, done = 0;
    s.rows = calloc(total, sizeof *s.rows);
    bool progress = isatty(STDERR_FILENO);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int failures = 0;
    fprintf(stderr, "mems-bench suite: %zu traces x %zu allocators x %ld repeats into %s\n", s.ntraces, s.nbackends,
            s.repeats, s.run_dir);
    for (long rep = 1; rep <= s.repeats; rep++)
        for (size_t t = 0; t < s.ntraces; t++)
            for (size_t a = 0; a < s.nbackends; a++) {
                const struct backend *b = &s.backends[a];
                if (progress)
                    show_progress(done, total, s.traces[t].name, b->name, rep, seconds_since(&start));
                char series[PATH_MAX * 2], cdf[PATH_MAX * 2], heap[PATH_MAX * 2];
                snprintf(series, sizeof series, "%s/timeseries/%s__%s.csv", s.run_dir, s.traces[t].name, b->name);
                snprintf(cdf, sizeof cdf, "%s/latency_cdf/%s__%s.csv", s.run_dir, s.traces[t].name, b->name);
                snprintf(heap, sizeof heap, "%s/heapmap/%s__%s.dat", s.run_dir, s.traces[t].name, b->name);
                bool first = rep == 1, heapmap = first && t == s.featured && b->kind == BACKEND_MEMS;
                struct suite_row *row = &s.rows[s.nrows++];
                row->trace = t, row->alloc = a, row->repeat = rep;
                struct replay_request request = {s.bin_paths[t],         s.traces[t].num_ops,     b, 16,
                                                 first ? series : NULL, heapmap ? heap : NULL, first ? cdf : NULL};
                if (runner_replay(self, &request, &s.limits, &row->result) != 0) {
                    fprintf(stderr, "\nmems-bench suite: cannot start a replay: %s\n", strerror(errno));
                    return 1;
                }
                failures += report_add(&report, &s.traces[t], b->name, rep, &row->result);
                done++;
            }
    if (progress)
        fprintf(stderr, "\r\033[K");
    report_finish(&report, NULL);
    s.elapsed_seconds = seconds_since(&start);

    suite_compute_stats(&s);
    if (suite_write_stats_csv(&s) != 0)
        failures++;
    if (plots)
        failures += suite_draw_figures(&s) != 0;
    if (hyperfine)
        suite_run_hyperfine(&s);
    if (suite_write_report(&s) != 0) {
        fprintf(stderr, "mems-bench suite: cannot write REPORT.md\n");
        failures++;
    }
    fprintf(stderr, "mems-bench suite: %zu replays in %.0f s%s\n", s.nrows, s.elapsed_seconds,
            failures ? ", with failures (see above)" : "");
    printf("%s/REPORT.md\n", s.run_dir);
    return failures ? 1 : 0;
}
