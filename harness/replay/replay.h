/*
 * The replay passes, each run in a fresh child process so its allocator state
 * and peak RSS belong to it alone:
 *   check    every block filled with a pattern of its id and verified before it
 *            is freed or reallocated; overlaps and alignment caught, NULLs counted as refusals;
 *            footprint sampled into a time series; fragmentation computed
 *   timed    the bare calls, one clock around the whole run
 *   latency  a clock around every call, for percentiles per op kind
 * The replay's own memory (id table, overlap index, samples) comes from mmap,
 * so the allocator under test sees only the trace's calls.
 */
#ifndef MEMS_BENCH_REPLAY_H
#define MEMS_BENCH_REPLAY_H

#include "backend.h"
#include "trace.h"

#include <stdio.h>

enum replay_mode { MODE_CHECK, MODE_TIMED, MODE_LATENCY };

/* How a replay uses threads: serial runs every op on one thread in recorded
 * order; recorded runs one thread per recorded thread, each op waiting only
 * for the op of another thread the trace says it follows (trace.h). */
enum replay_threads { REPLAY_THREADS_SERIAL = 0, REPLAY_THREADS_RECORDED };

struct replay_sample {
    uint64_t op_index, live_bytes, footprint_bytes, rss_bytes, reported_bytes;
    uint64_t hole_count, largest_hole, holes_examined, searches;
};

struct replay_metrics {
    uint64_t ops;
    double seconds;
    uint64_t integrity_errors, failed_allocations;
    uint64_t peak_live, peak_footprint, peak_rss, rss_baseline, rss_growth;
    double utilization, frag[4];
    struct footprint at_peak; /* the MeMS split at the sampled footprint peak */
    uint64_t reported_peak;
    uint64_t mmaps, munmaps, searches, holes_examined;
    uint64_t samples;
    double timer_overhead_ns;
};

struct latency_summary {
    uint64_t count;
    uint64_t p50, p99, p999, max;
};

/* What a pass is given besides the trace and the allocator. */
struct replay_options {
    const char *series_path;  /* check: the time series; latency: the CDF; or NULL */
    const char *heapmap_path; /* check pass of MeMS: the heap map, or NULL */
    uint64_t mem_limit;       /* the memory budget in bytes, 0 for none: past half of it in peak live
                               * bytes, the check pass writes only parts of big blocks */
    size_t steady_from;       /* timed pass: ops from this index on are also timed apart
                               * ("steady_ns_per_op"); 0 for none */
    enum replay_threads threads;
};

/* Runs one pass; prints its results as "key value" lines on `out`. Returns
 * the process exit status: 0, or 1 when the check pass found integrity
 * errors (refused allocations are not errors), 2 when it could not run. */
int replay_run(enum replay_mode mode, const struct trace *trace, const struct allocator_ops *ops,
               const struct replay_options *options, FILE *out);

/* One op of a trace on `ops`, as every pass applies it, with the adapters of harness/METRICS.md: *b is the
 * block of the op's id, `extent` the bytes the program asked for in it before the op. Returns 0, or -1 when
 * the allocator refused (a refused realloc leaves *b as it was). */
int replay_apply(const struct allocator_ops *ops, const struct trace_op *op, struct block *b, uint64_t extent);
/* The bytes the program holds in the op's id after the op succeeded, `before` those it held before. */
uint64_t replay_extent_after(const struct trace_op *op, uint64_t before);

/* "check", "timed", "latency": the mode's name on the child's command line */
const char *replay_mode_name(enum replay_mode mode);
int replay_mode_parse(const char *name, enum replay_mode *mode);
/* "serial", "recorded": --threads on the command lines and the child's */
const char *replay_threads_name(enum replay_threads threads);
int replay_threads_parse(const char *name, enum replay_threads *out);

/* The child's side of mems-bench: --child MODE BINARY BACKEND ALIGNMENT SERIES|- HEAPMAP|- MEM_LIMIT
 * [STEADY_FROM [THREADS]] (argv[0] is "--child"; MEM_LIMIT in bytes, 0 for none); the results go to stdout. */
int replay_child_main(int argc, char **argv);

#endif
