/* The replay child: what the parent's runner spawns, one pass of one trace
 * with one allocator, its results as "key value" lines on stdout. */
#include "replay_internal.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const char *const mode_names[] = {"check", "timed", "latency"};

const char *replay_mode_name(enum replay_mode mode)
{
    return mode_names[mode];
}

int replay_mode_parse(const char *name, enum replay_mode *mode)
{
    for (int m = MODE_CHECK; m <= MODE_LATENCY; m++)
        if (strcmp(name, mode_names[m]) == 0) {
            *mode = (enum replay_mode)m;
            return 0;
        }
    return -1;
}

static const char *const threads_names[] = {"serial", "recorded"};

const char *replay_threads_name(enum replay_threads threads)
{
    return threads_names[threads];
}

int replay_threads_parse(const char *name, enum replay_threads *out)
{
    for (int t = REPLAY_THREADS_SERIAL; t <= REPLAY_THREADS_RECORDED; t++)
        if (strcmp(name, threads_names[t]) == 0) {
            *out = (enum replay_threads)t;
            return 0;
        }
    return -1;
}

/* The CPU the pass ran on, when it could run on that one alone (--cpu), so
 * that a CSV says how its times were taken. */
static void print_pinned_cpu(FILE *out)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) != 1)
        return;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &set)) {
            fprintf(out, "cpu %d\n", cpu);
            return;
        }
}

int replay_run(enum replay_mode mode, const struct trace *trace, const struct allocator_ops *ops,
               const struct replay_options *options, FILE *out)
{
    struct replay r = {.trace = trace, .ops = ops, .root = NO_SLOT, .rng = 12345};
    r.threaded = options->threads == REPLAY_THREADS_RECORDED;
    if (r.threaded && trace->sync == NULL) {
        fprintf(stderr, "%s: no thread table in the binary form (too many ops): replay it serially\n", trace->name);
        return 2;
    }
    r.bounded = options->mem_limit != 0 && trace->facts.peak_live_bytes > options->mem_limit / 2;
    r.slots = map_zeroed(trace->num_ids * sizeof *r.slots);
    if (r.slots == NULL) {
        fprintf(stderr, "%s: cannot map the id table\n", trace->name);
        return 2;
    }
    prefault(trace, r.slots);
    if (ops->start() != 0) {
        fprintf(stderr, "%s: the allocator did not start\n", trace->name);
        return 2;
    }
    /* the run prints only after its loop, so stdio's buffer is not the
     * allocator's first block */
    int rc = mode == MODE_CHECK ? run_check(&r, options->series_path, options->heapmap_path, out)
           : mode == MODE_TIMED ? run_timed(&r, options->steady_from, out)
                                : run_latency(&r, options->series_path, out);
    fprintf(out, "ops %zu\nmem_limit_bytes %ju\n", trace->num_ops, (uintmax_t)options->mem_limit);
    print_pinned_cpu(out);
    ops->stop();
    munmap(r.slots, trace->num_ids * sizeof *r.slots);
    return rc;
}

int replay_child_main(int argc, char **argv)
{
    if (argc < 8 || argc > 10) {
        fprintf(stderr, "mems-bench --child: expected MODE BINARY BACKEND ALIGNMENT SERIES HEAPMAP MEM_LIMIT "
                        "[STEADY_FROM [THREADS]]\n");
        return 2;
    }
    enum replay_mode mode;
    if (replay_mode_parse(argv[1], &mode) != 0) {
        fprintf(stderr, "mems-bench --child: unknown mode '%s'\n", argv[1]);
        return 2;
    }
    enum replay_threads threads = REPLAY_THREADS_SERIAL;
    if (argc == 10 && replay_threads_parse(argv[9], &threads) != 0) {
        fprintf(stderr, "mems-bench --child: unknown threads '%s'\n", argv[9]);
        return 2;
    }
    struct trace trace;
    struct trace_error error;
    if (trace_map_binary(argv[2], &trace, &error) != 0) {
        fprintf(stderr, "%s\n", error.message);
        return 2;
    }
    struct backend backend;
    char why[256];
    if (backend_resolve(argv[3], &backend, why, sizeof why) != 0) {
        fprintf(stderr, "%s\n", why);
        return 2;
    }
    struct replay_options options = {
        .series_path = strcmp(argv[5], "-") == 0 ? NULL : argv[5],
        .heapmap_path = strcmp(argv[6], "-") == 0 || backend.kind != BACKEND_MEMS ? NULL : argv[6],
        .mem_limit = strtoull(argv[7], NULL, 10),
        .steady_from = argc >= 9 ? strtoull(argv[8], NULL, 10) : 0,
        .threads = threads,
    };
    if (options.mem_limit != 0 && budget_enforce(options.mem_limit) != 0) {
        perror("mems-bench --child: setrlimit(RLIMIT_DATA)");
        return 2;
    }
    const struct allocator_ops *ops = backend_ops(&backend, strtoul(argv[4], NULL, 10), options.mem_limit);
    /* MeMS in process is one heap for one thread at a time; with arenas (mems-POLICY@N) it locks each itself */
    if (threads == REPLAY_THREADS_RECORDED && backend.kind == BACKEND_MEMS && backend.mems_arenas < 2)
        ops = backend_locked(ops);
    int rc = replay_run(mode, &trace, ops, &options, stdout);
    fflush(stdout);
    trace_free(&trace);
    return rc;
}
