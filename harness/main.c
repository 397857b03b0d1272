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
#include "threads.h"
#include "programs.h"
#include "study.h"
#include "suite.h"
#include "trace.h"

#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* after MeMS's address-ordered fits (backend_default_list) */
#define DEFAULT_REAL_ALLOCATORS "glibc,jemalloc"

static void usage(FILE *to)
{
    fprintf(to, "usage: mems-bench COMMAND [OPTIONS] [ARGUMENTS]\n"
                "Replays allocation traces against MeMS and malloc-ABI allocators, checks every replay, and writes\n"
                "the measurements as CSV. Commands:\n"
                "  replay     replay traces on allocators: summary.csv, latency.csv, a table\n"
                "  suite      the whole benchmark: replays, statistics, figures, scaling, study, REPORT.md\n"
                "  scaling    MeMS's cost per operation against the number of live blocks\n"
                "  threads    multi-threaded workloads at each thread count on each allocator: throughput, footprint\n"
                "  study      the fit-heuristics study: MeMS's four policies on generated and recorded traces\n"
                "  programs   the corpus's real programs on each allocator (time, peak RSS, outputs)\n"
                "  validate   read traces and print their facts\n"
                "  convert    write a trace in another format\n"
                "  policies   every MeMS placement policy of this build, as --alloc names\n"
                "'mems-bench COMMAND --help' describes a command and every option it takes.\n"
                TRACE_FORMATS_HELP "\n");
}

static int self_path(char *out, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", out, size - 1);
    if (n <= 0)
        return -1;
    out[n] = '\0';
    return 0;
}

static const struct cli_option validate_options[] = {{0}};
static const struct cli_command validate_command = {
    "mems-bench validate", "TRACE...",
    "Reads each trace as a replay would (every op checked) and prints its format, its op counts and its peak\n"
    "live bytes. Exits 1 when one is not valid, naming file:line and what is wrong.",
    validate_options, TRACE_FORMATS_HELP, false};

static int command_validate(int argc, char **argv)
{
    struct cli_parser p;
    int status = cli_operands_only(&p, &validate_command, argc, argv, 1, -1, "no trace given");
    if (status != CLI_DONE)
        return status;
    int failed = 0;
    for (int i = 0; i < p.noperands; i++) {
        const char *path = p.operand[i];
        struct trace t;
        if (trace_load_or_say(path, &t) != 0) {
            failed = 1;
            continue;
        }
        printf("%s: %s format, %zu ops (malloc %ju, calloc %ju, realloc %ju, free %ju, aligned %ju), %zu ids, "
               "peak live %ju bytes\n",
               path, trace_format_name(t.format), t.num_ops, (uintmax_t)t.facts.count[OP_MALLOC],
               (uintmax_t)t.facts.count[OP_CALLOC], (uintmax_t)t.facts.count[OP_REALLOC],
               (uintmax_t)t.facts.count[OP_FREE], (uintmax_t)t.facts.count[OP_ALIGNED], t.num_ids,
               (uintmax_t)t.facts.peak_live_bytes);
        trace_free(&t);
    }
    return failed;
}

static const struct cli_option replay_options[] = {
    {'a', 'a', "alloc", "LIST", "comma-separated: mems-NAME for a MeMS policy ('mems-bench policies' lists\n"
                                "them), glibc, jemalloc, mimalloc, tcmalloc, bump, NAME=/path/to/lib.so, or 'all'\n"
                                "for every installed one but bump (default: MeMS's address-ordered fits, the\n"
                                "first four 'mems-bench policies' lists, then " DEFAULT_REAL_ALLOCATORS ");\n"
                                "each once; bump does no work, so its time is the replay's own: the floor;\n"
                                "mems-POLICY@N: MeMS with N arenas (2 to 64), each with its own lock"},
    {'r', 'r', "repeat", "N", "replays of each trace with each allocator, 1 to 1000 (default 1)"},
    {'o', 'o', "out", "DIR", "where the CSVs go (default: a new folder results/replay-DATE-TIME)"},
    {'m', 'm', "mems-align", "N", "MeMS segment alignment in the replays, a power of two from 1 to 4096\n"
                                  "(default 16, as malloc's)"},
    LIMITS_CLI_OPTIONS,
    {'H', 0, "threads", "MODE", "serial: every op on one thread in recorded order (default); recorded: one\n"
                                "thread per recorded thread, ordered only where the trace hands a block or\n"
                                "an id from one thread to another"},
    {'q', 'q', "quiet", NULL, "no table on stdout"},
    {0},
};
static const struct cli_command replay_command = {
    "mems-bench replay", "[OPTIONS] TRACE...",
    "Replays each trace on each allocator in fresh child processes: a check pass (every block written and\n"
    "verified), a timed pass and a latency pass. Writes summary.csv, latency.csv and timeseries/ into the run\n"
    "folder and prints a table; exits 1 when a replay failed. Every trace is read before anything runs.",
    replay_options, TRACE_FORMATS_HELP, false};

static int command_replay(int argc, char **argv)
{
    char defaults[256];
    const char *alloc_list = backend_default_list(defaults, sizeof defaults, "", DEFAULT_REAL_ALLOCATORS);
    const char *alloc_flag = "--alloc", *out_dir = NULL;
    long long repeats = 1, alignment = 16;
    bool quiet = false;
    enum replay_threads threads = REPLAY_THREADS_SERIAL;
    struct run_limits limits = {limits_default_memory(), 0, false, 0};
    struct cli_parser p;
    cli_start(&p, &replay_command, argc, argv);
    for (int id; (id = cli_next(&p)) != CLI_DONE;)
        switch (id) {
        case 'a': alloc_list = p.value, alloc_flag = p.flag; break;
        case 'o': out_dir = p.value; break;
        case 'q': quiet = true; break;
        case 'H':
            if (replay_threads_parse(p.value, &threads) != 0)
                return cli_refuse(&p, "%s takes serial or recorded, not '%s'", p.flag, p.value), 2;
            break;
        case 'r':
            if (cli_count(&p, 1, 1000, &repeats) != 0)
                return 2;
            break;
        case 'm':
            if (cli_count(&p, 1, 4096, &alignment) != 0)
                return 2;
            if ((alignment & (alignment - 1)) != 0)
                return cli_refuse(&p, "%s takes a power of two from 1 to 4096, not '%s'", p.flag, p.value), 2;
            break;
        default:
            if (limits_take_option(&p, id, &limits) != 0)
                return cli_status(id);
        }
    if (cli_operands(&p, 1, -1, "no trace given") != 0)
        return 2;
    struct backend backends[64];
    size_t nbackends;
    if (backend_resolve_list("mems-bench replay", alloc_flag, alloc_list, backends, 64, &nbackends) != 0)
        return 2;

    /* phase 1: read every trace; one bad trace stops everything before it runs */
    size_t ntraces = (size_t)p.noperands;
    struct trace *traces = calloc(ntraces, sizeof *traces);
    int bad = 0;
    for (size_t i = 0; i < ntraces; i++) {
        if (trace_load_or_say(p.operand[i], &traces[i]) != 0)
            bad = 1;
    }
    if (bad) {
        fprintf(stderr, "mems-bench: nothing was run\n");
        for (size_t i = 0; i < ntraces; i++)
            trace_free(&traces[i]);
        free(traces);
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

    /* phase 3: every trace x allocator x repeat, three passes each; the
     * repeats outermost, as in the suite: a spell of the machine running
     * slow then touches every allocator alike, where an allocator's repeats
     * run one after another could all fall in one and its median with them */
    struct report report;
    report_start(&report, run_dir);
    size_t total = ntraces * nbackends * (size_t)repeats, done = 0;
    bool progress = isatty(STDERR_FILENO);
    int failures = 0;
    for (long rep = 1; rep <= repeats; rep++)
        for (size_t i = 0; i < ntraces; i++)
            for (size_t a = 0; a < nbackends; a++) {
                if (progress)
                    fprintf(stderr, "\r[%zu/%zu] %s with %s, repeat %ld   ", done + 1, total, traces[i].name,
                            backends[a].name, rep);
                char series[PATH_MAX * 2];
                snprintf(series, sizeof series, "%s/%s__%s.csv", series_dir, traces[i].name, backends[a].name);
                struct replay_request request = {bin_paths[i], traces[i].num_ops, &backends[a], (size_t)alignment,
                                                 rep == 1 ? series : NULL, NULL, NULL, threads};
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
    fprintf(stderr, "mems-bench: results in %s%s\n", run_dir, failures ? " (with failures: see above)" : "");
    return failures ? 1 : 0;
}

/* mems-bench policies: the allocator name of every placement policy this build of MeMS implements, one a line
 * (scripts take the policy zoo from here rather than from a list of their own). */
static const struct cli_option policies_options[] = {{0}};
static const struct cli_command policies_command = {
    "mems-bench policies", "",
    "Prints the allocator name (mems-NAME) of every placement policy this build of MeMS implements,\n"
    "one a line, for --alloc and for scripts.",
    policies_options, NULL, false};

static int command_policies(int argc, char **argv)
{
    struct cli_parser parser;
    int status = cli_operands_only(&parser, &policies_command, argc, argv, 0, 0, "");
    if (status != CLI_DONE)
        return status;
    for (int p = 0; p < MEMS_POLICY_COUNT; p++)
        if (mems_policy_implemented((enum mems_policy)p))
            printf("%s\n", backend_mems_name(p));
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
    if (strcmp(argv[1], "threads") == 0)
        return threads_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "study") == 0)
        return study_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "programs") == 0)
        return programs_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "validate") == 0)
        return command_validate(argc - 1, argv + 1);
    if (strcmp(argv[1], "convert") == 0)
        return trace_convert_main("mems-bench convert", argc - 1, argv + 1);
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
