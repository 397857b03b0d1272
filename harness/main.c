/*
 * mems-bench: replays allocation traces against MeMS and malloc-ABI
 * allocators, checks every replay, and writes the measurements as CSV.
 *
 * Phases, as in CS:APP's mdriver: read every trace (rejecting a bad one before
 * anything runs) → convert each once to the binary form → for each trace,
 * allocator and repeat run the check, timed and latency passes in fresh child
 * processes → write summary.csv, latency.csv and the time series.
 */
#include "mems.h"
#include "report.h"
#include "replay.h"
#include "runner.h"
#include "scaling.h"
#include "programs.h"
#include "study.h"
#include "suite.h"
#include "trace.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_ALLOCATORS "mems-first,mems-next,mems-best,mems-worst,glibc,jemalloc"
#define ALL_ALLOCATORS DEFAULT_ALLOCATORS ",mimalloc,tcmalloc"

static void usage(FILE *to)
{
    fprintf(to,
            "usage: mems-bench suite [--traces LIST] [--alloc LIST] [--repeat N] [--quick] [--name NAME] ...\n"
            "       mems-bench replay [--alloc LIST] [--repeat N] [--out DIR] [--mems-align N]\n"
            "                         [--mem-limit SIZE] [--timeout SECONDS] [--cpu N] TRACE...\n"
            "       mems-bench convert TRACE OUTPUT      (by name: .bin, .rep, .mtrace, else native; .gz compresses)\n"
            "       mems-bench validate TRACE...\n"
            "       mems-bench scaling [--quick] [--sizes N,N,...] [--repeat N] [--out DIR] [--cpu N] [--no-plots]\n"
            "                          [--alloc LIST]\n"
            "       mems-bench study [--quick] [--out DIR] [--seeds N] [--ops N] [--corpus LIST] [--no-plots]\n"
            "       mems-bench programs [--quick] [--out DIR] [--runs N] [--programs LIST] [--alloc LIST] [--no-plots]\n"
            "                           [--no-replay]   (the corpus's real programs on each allocator)\n"
            "       mems-bench policies            (every MeMS placement policy of this build, as --alloc names)\n"
            "\n"
            "  --alloc LIST     comma-separated: mems-first, mems-next, mems-best, mems-worst, glibc,\n"
            "                   jemalloc, mimalloc, tcmalloc, bump, NAME=/path/to/lib.so, or 'all' for\n"
            "                   every installed one but bump (default: " DEFAULT_ALLOCATORS ");\n"
            "                   bump does no work, so its time is the replay's own: the floor\n"
            "  --repeat N       replays of each trace with each allocator (default 1)\n"
            "  --out DIR        where the CSVs go (default: a new folder under results/)\n"
            "  --mems-align N   MeMS segment alignment in the replays (default 16, as malloc's)\n"
            "  --mem-limit SIZE memory budget of each replay process: bytes, with K, M, G or T, a share\n"
            "                   of MemAvailable (50%%), or none (default 75%%); past it allocations fail\n"
            "  --timeout S      time limit of each pass in seconds (default 120 + 100 us per op)\n"
            "  --cpu N          every pass on CPU N alone, or none (default: where the kernel puts it);\n"
            "                   the CPU is in summary.csv's cpu column\n"
            "  --quiet          no table on stdout\n"
            "Traces: native text (traces/FORMAT.md), CS:APP .rep, glibc mtrace, heaptrack (raw or interpreted);\n"
            "plain, gzip or zstd, told apart by content.\n");
}

static int self_path(char *out, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", out, size - 1);
    if (n <= 0)
        return -1;
    out[n] = '\0';
    return 0;
}

/* Splits the --alloc list and resolves each; 'all' takes the installed ones. */
static int resolve_allocators(const char *list, struct backend **out, size_t *count)
{
    bool all = strcmp(list, "all") == 0;
    char *copy = strdup(all ? ALL_ALLOCATORS : list);
    size_t capacity = 16;
    *out = calloc(capacity, sizeof **out);
    *count = 0;
    char *save = NULL;
    int rc = 0;
    for (char *name = strtok_r(copy, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
        char why[512];
        if (*count == capacity) {
            capacity *= 2;
            *out = realloc(*out, capacity * sizeof **out);
        }
        if (backend_resolve(name, &(*out)[*count], why, sizeof why) != 0) {
            if (all)
                continue; /* 'all' means every one that is installed */
            fprintf(stderr, "mems-bench: %s\n", why);
            rc = -1;
            continue;
        }
        (*count)++;
    }
    free(copy);
    return rc;
}

static int command_validate(int argc, char **argv)
{
    int failed = 0;
    for (int i = 0; i < argc; i++) {
        struct trace t;
        struct trace_error error;
        if (trace_load(argv[i], &t, &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            failed = 1;
            continue;
        }
        printf("%s: %s format, %zu ops (malloc %ju, calloc %ju, realloc %ju, free %ju, aligned %ju), %zu ids, "
               "peak live %ju bytes\n",
               argv[i], trace_format_name(t.format), t.num_ops, (uintmax_t)t.facts.count[OP_MALLOC],
               (uintmax_t)t.facts.count[OP_CALLOC], (uintmax_t)t.facts.count[OP_REALLOC],
               (uintmax_t)t.facts.count[OP_FREE], (uintmax_t)t.facts.count[OP_ALIGNED], t.num_ids,
               (uintmax_t)t.facts.peak_live_bytes);
        trace_free(&t);
    }
    return failed;
}

static int command_convert(int argc, char **argv)
{
    if (argc != 2) {
        usage(stderr);
        return 2;
    }
    struct trace t;
    struct trace_error error;
    if (trace_load(argv[0], &t, &error) != 0) {
        fprintf(stderr, "%s\n", error.message);
        return 1;
    }
    int rc = trace_write_by_name(&t, argv[1], &error);
    if (rc != 0)
        fprintf(stderr, "%s\n", error.message);
    trace_free(&t);
    return rc != 0;
}

static int command_replay(int argc, char **argv)
{
    const char *alloc_list = DEFAULT_ALLOCATORS, *out_dir = NULL;
    long repeats = 1, alignment = 16;
    bool quiet = false;
    struct run_limits limits = {limits_default_memory(), 0, false, 0};
    static const struct option options[] = {
        {"alloc", required_argument, NULL, 'a'},     {"repeat", required_argument, NULL, 'r'},
        {"out", required_argument, NULL, 'o'},       {"mems-align", required_argument, NULL, 'm'},
        {"quiet", no_argument, NULL, 'q'},           {"help", no_argument, NULL, 'h'},
        {"mem-limit", required_argument, NULL, 'M'}, {"timeout", required_argument, NULL, 'T'},
        {"cpu", required_argument, NULL, 'C'},       {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "a:r:o:m:qh", options, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'a': alloc_list = optarg; break;
        case 'o': out_dir = optarg; break;
        case 'q': quiet = true; break;
        case 'r':
            repeats = strtol(optarg, &end, 10);
            if (*end != '\0' || repeats < 1 || repeats > 1000) {
                fprintf(stderr, "mems-bench: --repeat takes a number from 1 to 1000, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'm':
            alignment = strtol(optarg, &end, 10);
            if (*end != '\0' || alignment < 1 || alignment > 4096 || (alignment & (alignment - 1)) != 0) {
                fprintf(stderr, "mems-bench: --mems-align takes a power of two from 1 to 4096, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'M':
            if (limits_parse_memory(optarg, &limits.mem_limit) != 0) {
                fprintf(stderr, "mems-bench: --mem-limit takes bytes (512M, 4G), a share (50%%) or none, not '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case 'T':
            if (limits_parse_timeout(optarg, &limits.timeout) != 0) {
                fprintf(stderr, "mems-bench: --timeout takes a number of seconds above 0, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'C':
            if (limits_parse_cpu(optarg, &limits.pinned, &limits.cpu) != 0) {
                fprintf(stderr, "mems-bench: --cpu takes a CPU this process may run on, or none, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "mems-bench replay: no trace given\n");
        usage(stderr);
        return 2;
    }
    struct backend *backends;
    size_t nbackends;
    if (resolve_allocators(alloc_list, &backends, &nbackends) != 0 || nbackends == 0) {
        if (nbackends == 0)
            fprintf(stderr, "mems-bench: no allocator to run\n");
        free(backends);
        return 2;
    }

    /* phase 1: read every trace; one bad trace stops everything before it runs */
    size_t ntraces = (size_t)(argc - optind);
    struct trace *traces = calloc(ntraces, sizeof *traces);
    int bad = 0;
    for (size_t i = 0; i < ntraces; i++) {
        struct trace_error error;
        if (trace_load(argv[optind + (int)i], &traces[i], &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            bad = 1;
        }
    }
    if (bad) {
        fprintf(stderr, "mems-bench: nothing was run\n");
        for (size_t i = 0; i < ntraces; i++)
            trace_free(&traces[i]);
        free(traces);
        free(backends);
        return 1;
    }

    /* phase 2: the run folder and the binary forms */
    char run_dir[PATH_MAX];
    if (out_dir != NULL) {
        snprintf(run_dir, sizeof run_dir, "%s", out_dir);
    } else {
        char stamp[64];
        time_t now = time(NULL);
        strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
        snprintf(run_dir, sizeof run_dir, "results/replay-%s", stamp);
    }
    char bin_dir[PATH_MAX + 16], series_dir[PATH_MAX + 16];
    snprintf(bin_dir, sizeof bin_dir, "%s/bin", run_dir);
    snprintf(series_dir, sizeof series_dir, "%s/timeseries", run_dir);
    if (report_make_folder(bin_dir) != 0 || report_make_folder(series_dir) != 0) {
        fprintf(stderr, "mems-bench: cannot create %s: %s\n", run_dir, strerror(errno));
        return 1;
    }
    char self[PATH_MAX];
    if (self_path(self, sizeof self) != 0) {
        fprintf(stderr, "mems-bench: cannot find its own executable\n");
        return 1;
    }
    char (*bin_paths)[PATH_MAX + 160] = calloc(ntraces, sizeof *bin_paths);
    for (size_t i = 0; i < ntraces; i++) {
        struct trace_error error;
        int n = snprintf(bin_paths[i], sizeof bin_paths[i], "%s/%03zu-%s.bin", bin_dir, i, traces[i].name);
        if (n < 0 || (size_t)n >= sizeof bin_paths[i]) {
            fprintf(stderr, "mems-bench: the path of %s's binary form in %s is too long\n", traces[i].name, bin_dir);
            return 1;
        }
        if (trace_write_binary(&traces[i], bin_paths[i], &error) != 0) {
            fprintf(stderr, "%s\n", error.message);
            return 1;
        }
    }

    /* phase 3: every trace x allocator x repeat, three passes each */
    struct report report;
    report_start(&report, run_dir);
    size_t total = ntraces * nbackends * (size_t)repeats, done = 0;
    bool progress = isatty(STDERR_FILENO);
    int failures = 0;
    for (size_t i = 0; i < ntraces; i++)
        for (size_t a = 0; a < nbackends; a++)
            for (long rep = 1; rep <= repeats; rep++) {
                if (progress)
                    fprintf(stderr, "\r[%zu/%zu] %s with %s, repeat %ld   ", done + 1, total, traces[i].name,
                            backends[a].name, rep);
                char series[PATH_MAX * 2];
                snprintf(series, sizeof series, "%s/%s__%s.csv", series_dir, traces[i].name, backends[a].name);
                struct replay_request request = {bin_paths[i], traces[i].num_ops, &backends[a], (size_t)alignment,
                                                 rep == 1 ? series : NULL, NULL, NULL};
                struct replay_result result;
                if (runner_replay(self, &request, &limits, &result) != 0) {
                    fprintf(stderr, "mems-bench: cannot start a replay: %s\n", strerror(errno));
                    return 1;
                }
                failures += report_add(&report, &traces[i], backends[a].name, rep, &result);
                done++;
            }
    if (progress)
        fprintf(stderr, "\r%*s\r", 70, "");

    /* phase 4: the CSVs and the table */
    if (report_finish(&report, quiet ? NULL : stdout) != 0)
        failures++;
    for (size_t i = 0; i < ntraces; i++)
        trace_free(&traces[i]);
    free(traces);
    free(bin_paths);
    free(backends);
    fprintf(stderr, "mems-bench: results in %s%s\n", run_dir, failures ? " (with failures: see above)" : "");
    return failures ? 1 : 0;
}

/* mems-bench policies: the allocator name of every placement policy this build of MeMS implements, one a line
 * (scripts take the policy zoo from here rather than from a list of their own). */
static int command_policies(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: mems-bench policies\n");
        return 2;
    }
    struct mems_config c;
    mems_default_config(&c);
    for (int p = 0; p < MEMS_POLICY_COUNT; p++) {
        c.policy = (enum mems_policy)p;
        if (mems_init_with(&c) != 0)
            continue;
        mems_finish();
        printf("%s\n", backend_mems_name(p));
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--child") == 0)
        return replay_child_main(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--measure-rss") == 0)
        return programs_measure_rss(argc - 1, argv + 1);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "replay") == 0)
        return command_replay(argc - 1, argv + 1);
    if (strcmp(argv[1], "suite") == 0)
        return suite_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "scaling") == 0)
        return scaling_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "study") == 0)
        return study_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "programs") == 0)
        return programs_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "validate") == 0)
        return argc > 2 ? command_validate(argc - 2, argv + 2) : (usage(stderr), 2);
    if (strcmp(argv[1], "convert") == 0)
        return command_convert(argc - 2, argv + 2);
    if (strcmp(argv[1], "policies") == 0)
        return command_policies(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "mems-bench: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
