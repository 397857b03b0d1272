/* Runs one replay pass in a fresh child process (the mems-bench binary itself,
 * with the allocator preloaded) and collects what it printed. */
#ifndef MEMS_BENCH_RUNNER_H
#define MEMS_BENCH_RUNNER_H

#include "backend.h"
#include "replay.h"

#define RESULT_MAX_FIELDS 64
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
    size_t nfields;
    struct result_field fields[RESULT_MAX_FIELDS];
    size_t nlatency;
    struct latency_row latency[RESULT_MAX_LATENCY];
};

/* Runs `mode` of the binary trace at `binary_path` with `backend`; the
 * optional files are those of replay_run(). */
int runner_run(const char *self, enum replay_mode mode, const char *binary_path, const struct backend *backend,
               size_t mems_alignment, const char *series_path, const char *heapmap_path, struct pass_result *out);
const char *result_get(const struct pass_result *r, const char *key);
double result_number(const struct pass_result *r, const char *key);

#endif
