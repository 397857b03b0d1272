/* The thread-scaling sweep: generated multi-threaded workloads and the
 * corpus's multi-threaded traces replayed thread for thread (one replay
 * thread per recorded thread) on every allocator at several thread counts:
 * throughput, speed-up over one thread, peak RSS and footprint. */
#ifndef MEMS_BENCH_THREADS_H
#define MEMS_BENCH_THREADS_H

#include "runner.h"

#include <stdbool.h>
#include <stddef.h>

#define THREADS_MAX_COUNTS 10
#define THREADS_MAX_ALLOCATORS 16
#define THREADS_MAX_WORKLOADS 12 /* the three generated kinds and the corpus's threaded traces */

struct threads_options {
    const char *out_dir;     /* threads.csv, threads.md, bin/ go here */
    const char *figure_path; /* without extension: .png and .svg are drawn; NULL for none */
    unsigned counts[THREADS_MAX_COUNTS];
    size_t ncounts;
    size_t ops;              /* ops of each generated trace, whatever its threads */
    unsigned repeats;        /* timed passes per cell; the median is kept */
    const char *allocators;  /* comma-separated, as replay's --alloc; NULL: the default list */
    const char *corpus_dir;  /* its multi-threaded traces join the sweep; NULL for none */
    struct run_limits limits;
};

/* The machine's cores, as the sweep counts them (online CPUs this process may use). */
unsigned threads_cores(void);
/* The default: quick 1, 2 and the cores (at least 4); else the powers of two
 * up to twice the cores (at least 8): counts above the cores oversubscribe. */
void threads_default_counts(struct threads_options *o, bool quick);
/* The default options of a quick or full sweep into `out_dir` (ops, repeats, corpus). */
void threads_default_options(struct threads_options *o, const char *out_dir, bool quick);
/* Generates the traces, replays them, writes the CSV, the table and the
 * figure. Returns 0, 1 when a pass failed or a file could not be written, or
 * 2 (before anything ran) for an allocator list it cannot use. */
int threads_run(const struct threads_options *o);
/* mems-bench threads [--quick] [--out DIR] [--threads 1,2,4,8] [--alloc LIST] [--no-plots] ... */
int threads_main(int argc, char **argv);

#endif
