/* What the sweep's files share: its rows and the allocators they were made with. */
#ifndef MEMS_BENCH_THREADS_INTERNAL_H
#define MEMS_BENCH_THREADS_INTERNAL_H

#include "threads.h"

/* One workload on one allocator at one thread count. */
struct threads_row {
    const char *workload;  /* private, prodcons, larson, or a corpus trace's name */
    bool generated;
    const char *allocator;
    unsigned threads;      /* the trace's threads; 1 for a corpus trace replayed serially */
    size_t ops;
    double seconds, ops_per_s, speedup;                 /* speed-up NAN without a one-thread row */
    double peak_rss, peak_footprint;                    /* footprint NAN when the pass gave none */
    double replay_threads, cross_thread_ops, sync_waits, sync_wait_ns, integrity_errors;
    double ns_per_op;      /* the threads' own time per op, their waits left out */
    double of_glibc;       /* throughput over glibc's: the median over rounds of each round's ratio; NAN without glibc */
    char status[32];       /* "0", or the failed pass's status */
};

struct threads_sweep {
    const struct threads_options *o;
    struct backend backend[THREADS_MAX_ALLOCATORS];
    size_t nallocators;
    const char *workloads[THREADS_MAX_WORKLOADS];
    size_t nworkloads;
    char corpus_names[THREADS_MAX_WORKLOADS][128];
    struct threads_row *rows;
    size_t nrows;
    unsigned cores;
};

/* threads_report.c: threads.csv and threads.md; the figure (plots/threads.gp). */
int threads_write_outputs(const struct threads_sweep *s);
int threads_draw_figure(const struct threads_sweep *s);

#endif
