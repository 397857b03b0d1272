/* The scaling sweep: each MeMS policy's time per operation and holes examined
 * per search against the number of live blocks, beside real allocators. */
#ifndef MEMS_BENCH_SCALING_H
#define MEMS_BENCH_SCALING_H

#include "runner.h"

#include <stdbool.h>
#include <stddef.h>

#define SCALING_MAX_SIZES 8
#define SCALING_MAX_ALLOCATORS 12 /* bump, the floor, included */

struct scaling_options {
    const char *out_dir;      /* scaling.csv, scaling.md, bin/ go here */
    const char *figure_path;  /* without extension: .png and .svg are drawn; NULL for none */
    size_t sizes[SCALING_MAX_SIZES];
    size_t nsizes;
    unsigned repeats;         /* timed passes per size and policy; the median is kept */
    const char *allocators;   /* comma-separated, as replay's --alloc; NULL: MeMS's four policies,
                               * glibc and each installed one of jemalloc, mimalloc, tcmalloc */
    struct run_limits limits;
};

/* The default sizes: 10^3 to 10^6 live blocks (quick: to 10^5). */
void scaling_default_sizes(struct scaling_options *o, bool quick);
/* Generates the traces, replays them, writes the CSV, the table and the
 * figure. Returns 0, 1 when a pass failed or a file could not be written, or
 * 2 (before anything ran) for an allocator list it cannot use. */
int scaling_run(const struct scaling_options *o);
/* mems-bench scaling [--quick] [--sizes LIST] [--repeat N] [--out DIR] [--alloc LIST] ... */
int scaling_main(int argc, char **argv);

#endif
