/*
 * mems-bench programs: the corpus's real programs (traces/programs.sh, the
 * same commands and inputs the traces were recorded from) run on every
 * allocator, the MeMS policies through libmems_malloc.so: wall time by
 * hyperfine, the peak RSS of the process tree, a byte comparison of every
 * output with glibc's, and beside it what the replay of the program's trace
 * predicted.
 */
#ifndef MEMS_BENCH_PROGRAMS_H
#define MEMS_BENCH_PROGRAMS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROGRAMS_MAX 16
#define PROGRAMS_MAX_ALLOCATORS 12

struct program_result {
    char status[48];      /* "ok", "not installed: gawk", "failed: exit 1", ... */
    double mean_s, stddev_s; /* hyperfine, over `runs` */
    uint64_t peak_rss_bytes; /* of the process tree (the largest process), check run */
    int output_identical;    /* -1 unknown, 0 differs from glibc's, 1 same */
    uint64_t replay_footprint_bytes, replay_rss_growth_bytes; /* the replay of its trace; 0 unknown */
};

struct programs_run {
    char out_dir[PATH_MAX], source_dir[PATH_MAX], self[PATH_MAX], malloc_library[PATH_MAX];
    char link_prefix[64]; /* before figures/ in programs.md's links */
    bool quick, plots, replay;
    int runs, warmup;
    char programs[PROGRAMS_MAX][32];
    size_t nprograms;
    char allocators[PROGRAMS_MAX_ALLOCATORS][64];
    char preloads[PROGRAMS_MAX_ALLOCATORS][512];
    int policies[PROGRAMS_MAX_ALLOCATORS]; /* MeMS policy, or -1 */
    int arenas[PROGRAMS_MAX_ALLOCATORS];   /* MeMS arenas (mems-POLICY@N), or 0 for one heap */
    size_t nallocators;                    /* allocators[0] is glibc, the reference */
    struct program_result results[PROGRAMS_MAX][PROGRAMS_MAX_ALLOCATORS];
};

/* snprintf without gcc's guesses about truncation (programs.c) */
int programs_text(char *out, size_t size, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* programs_report.c: programs.csv, programs.md and the two figures */
int programs_write_csv(const struct programs_run *r);
int programs_write_markdown(const struct programs_run *r);
int programs_draw_figures(const struct programs_run *r);

/* mems-bench programs [--quick] [--out DIR] [--runs N] [--programs LIST] [--alloc LIST] [--no-plots] [--no-replay] */
int programs_main(int argc, char **argv);
/* mems-bench --measure-rss FILE COMMAND... (what programs runs each program through) */
int programs_measure_rss(int argc, char **argv);
/* The section of a suite run: RUN/programs, quick or not. */
int programs_for_suite(const char *run_dir, bool quick, bool plots);

#endif
