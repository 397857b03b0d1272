/* Runs one replay pass in a fresh child process (the mems-bench binary itself,
 * with the allocator preloaded) and collects what it printed. */
#ifndef MEMS_BENCH_RUNNER_H
#define MEMS_BENCH_RUNNER_H

#include "backend.h"
#include "replay.h"

#include "cli.h"

#include <stdbool.h>
#include <stdint.h>

#define RESULT_MAX_FIELDS 96
#define RESULT_MAX_LATENCY 8

struct result_field {
    char key[48];
    char value[96];
};

struct latency_row {
    char kind[16];
    unsigned long long count, p50, p99, p999, max;
};

struct pass_result {
    int exit_status; /* the child's, or -signal */
    bool timed_out;  /* killed at the time limit */
    size_t nfields;
    struct result_field fields[RESULT_MAX_FIELDS];
    size_t nlatency;
    struct latency_row latency[RESULT_MAX_LATENCY];
};

/* How every pass of a run is bounded. */
struct run_limits {
    uint64_t mem_limit; /* bytes the child may map (replay/budget.c), 0 for none */
    double timeout;     /* seconds per pass; 0: run_default_timeout() of the trace's ops */
    bool pinned;        /* every pass runs on CPU `cpu` alone (--cpu) */
    int cpu;
};
#define RUN_TIMEOUT_BASE_SECONDS 120.0
#define RUN_TIMEOUT_PER_OP_SECONDS 100e-6
double run_default_timeout(size_t num_ops);

/* limits.c: --mem-limit takes bytes above 0 with an optional K, M, G or T
 * (binary), a share of MemAvailable ("50%"), or "none"; --timeout takes
 * seconds; --cpu a CPU this process may run on, or "none". The lines of a
 * command's option table (cli.h), and their parsing: 0, -1 after saying what
 * is wrong, or -1 silently when `id` is none of them. */
#define LIMITS_DEFAULT_MEMORY_PERCENT 75
#define LIMITS_CLI_OPTIONS                                                                                            \
    {'M', 0, "mem-limit", "SIZE",                                                                                  \
     "memory budget of each replay process: bytes with K, M, G or T, a share of\n"                               \
     "MemAvailable (50%), or none (default 75%); past it allocations fail"},                                       \
    {'T', 0, "timeout", "SECONDS", "time limit of each pass (default 120 + 100 us per op)"},                         \
    LIMITS_CPU_OPTION
/* --cpu alone, for a command whose passes need no other limit (scaling) */
#define LIMITS_CPU_OPTION                                                                                             \
    {'C', 0, "cpu", "N", "every replay pass on CPU N alone, or none (default: where the kernel puts\n"              \
                         "it)"}
int limits_take_option(const struct cli_parser *p, int id, struct run_limits *limits);
uint64_t limits_default_memory(void); /* that share of MemAvailable now, 0 when unknown */

/* One pass of the binary trace at `binary_path` with `backend`; the optional
 * files are those of struct replay_options. */
struct pass_request {
    enum replay_mode mode;
    const char *binary_path;
    size_t num_ops;
    const struct backend *backend;
    size_t mems_alignment;
    const char *series_path, *heapmap_path;
    size_t steady_from; /* timed pass: also time the ops from this index on (0: no) */
    enum replay_threads threads; /* serial (0) or one thread per recorded thread */
};
/* Returns 0 with *out filled (whatever became of the child), or -1 with errno
 * when no child could be started. */
int runner_run(const char *self, const struct pass_request *request, const struct run_limits *limits,
               struct pass_result *out);
const char *result_get(const struct pass_result *r, const char *key);
double result_number(const struct pass_result *r, const char *key);

/* system(command), on the passes' CPU when they are pinned (hyperfine's runs). */
int run_system(const struct run_limits *limits, const char *command);

/* Did the pass fail: time limit, signal, or an exit status above 1 (1 is
 * integrity errors, which the check pass counts)? */
bool pass_failed(const struct pass_result *p);
/* "0", "timeout", "signal 11", "exit 2" */
void pass_status(const struct pass_result *p, char *out, size_t size);

/* One replay: the check pass, then, unless it failed, the timed and the
 * latency pass. The optional files: the check pass's time series and heap
 * map, the latency pass's CDF. */
struct replay_request {
    const char *binary_path;
    size_t num_ops;
    const struct backend *backend;
    size_t mems_alignment;
    const char *series_path, *heapmap_path, *cdf_path;
    enum replay_threads threads; /* serial (0) or one thread per recorded thread */
};
struct replay_result {
    struct pass_result check, timed, latency;
};
int runner_replay(const char *self, const struct replay_request *request, const struct run_limits *limits,
                  struct replay_result *out);
/* The first pass that failed and its name, or NULL (and ""). */
const struct pass_result *replay_failure(const struct replay_result *r, const char **pass);

#endif
