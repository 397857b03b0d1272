/*
 * The fit-heuristics study: MeMS's four policies replayed in process on
 * generated traces (sweeps over the size distribution's coefficient of
 * variation and over phase shapes) and on recorded programs, under several
 * node structures (min_pages, release_empty_nodes), measured at the peak of
 * live bytes with holes, rounding and metadata kept apart; then CSVs, figures
 * and a reading that gives each literature claim a verdict from the numbers.
 */
#ifndef MEMS_BENCH_STUDY_H
#define MEMS_BENCH_STUDY_H

#include "generate.h"
#include "mems.h"
#include "replay.h"
#include "result_csv.h"
#include "stats.h"
#include "trace.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STUDY_POLICIES BACKEND_DEFAULT_MEMS_POLICIES /* the address-ordered fits: first, next, best, worst */
#define STUDY_ALIGNMENT 16 /* as malloc's */
#define STUDY_MAX_CONFIGS 6

/* A node structure MeMS is run with (alignment is always 16, as malloc's). */
struct study_config {
    char name[32];
    size_t min_pages;
    int release_empty_nodes;
};

/* One trace of the plan: generated (shape, sizes, CV, seed) or a recorded program. */
struct study_trace {
    char name[96];
    char shape[32];  /* ramp, peak, plateau, or "program" */
    char sizes[96];  /* the size family, or the program's name */
    double cv;       /* nominal CV of the size distribution (NaN for programs) */
    unsigned seed;
    bool in_sizes, in_phases, in_programs; /* the experiments that read it */
    bool all_configs;                       /* replayed under every structure, not the default alone */
    struct gen_params params;               /* when generated */
    char path[PATH_MAX];                    /* when recorded */
};

/* What one replay (trace x policy x structure) measured; bytes at the op
 * after which live bytes peak, unless said otherwise. */
struct study_measure {
    uint64_t ops, peak_live;       /* the program's bytes */
    double cv_measured, mean_size; /* of the trace's requests */
    uint64_t rounding;             /* segment bytes - peak_live (alignment, and the adapters: malloc(0), aligned) */
    /* every hole = those between live blocks + the ends of nodes + nodes without a live block */
    uint64_t holes, interior, tail, empty;
    uint64_t metadata, nodes, pages;
    uint64_t peak_mapped;          /* max over the run of the user nodes' bytes */
    double holes_over_time;        /* sum of hole bytes / sum of live bytes over ~200 samples */
    int failed;                    /* an allocation returned NULL or an op was refused */
};

struct study_run {
    size_t trace, policy, config;
    struct study_measure m;
};

struct study_zoo;

struct study {
    char out_dir[PATH_MAX];
    char link_prefix[64]; /* before figures/ in study.md's links ("study/" inside a suite run) */
    bool quick, plots, plots_ran;
    struct study_config configs[STUDY_MAX_CONFIGS];
    size_t nconfigs;
    struct study_trace *traces;
    size_t ntraces;
    struct study_run *runs;
    size_t nruns;
    struct study_zoo *zoo; /* every member of the library on the same traces (study_zoo.h) */
    double seconds;
};

struct study_options {
    const char *out_dir;
    const char *link_prefix;
    bool quick, plots;
    int seeds;          /* 0: the plan's default */
    long ops;           /* ops of each generated trace; 0: the plan's default */
    const char *corpus; /* comma-separated recorded traces, or NULL for the plan's */
};

/* The heuristics study's policies are the library's first four: first, next, best, worst fit. */
#define study_policy_name(p) mems_policy_name((enum mems_policy)(p))

/* study_plan.c: the sweep plan and its traces */
int study_make_plan(struct study *s, const struct study_options *o);
/* Each item of a --corpus list (given as `flag`) names a readable trace, once; else says which does not. */
int study_check_corpus(const char *flag, const char *list);
/* Generates or loads trace `t` of the plan (trace_free it after). */
int study_load_trace(const struct study *s, size_t t, struct trace *out, struct trace_error *error);
int study_write_plan_csv(const struct study *s);

/* study_replay.c: one trace under one policy and structure, in process */
int study_replay(const struct trace *trace, int policy, const struct study_config *config, struct study_measure *out);
/* MeMS started under the policy at alignment 16 with the structure (NULL: the default one), placing blocks
 * without touching them; its ops, or NULL when MeMS refused the configuration. ops->stop() finishes it. */
const struct allocator_ops *study_start_mems(int policy, const struct study_config *config);
/* One op on the running MeMS through the replay's op code (replay_apply): blocks[id] is the block, held[id]
 * the program's bytes in it; 0, or -1 when MeMS refused the op. */
int study_replay_op(const struct allocator_ops *ops, const struct trace_op *op, struct block *blocks, uint64_t *held);

/* study_measures.c: the ratios every table, CSV and verdict uses */
enum study_ratio { RATIO_EXTERNAL, RATIO_INTERIOR, RATIO_STRUCTURE, RATIO_ROUNDING, RATIO_METADATA, RATIO_FOOTPRINT,
                   RATIO_OVER_TIME, RATIO_COUNT };
extern const char *const study_ratio_names[RATIO_COUNT];
double study_ratio(const struct study_measure *m, enum study_ratio r);
/* The run of (trace, policy, config), or NULL. */
const struct study_run *study_find(const struct study *s, size_t trace, size_t policy, size_t config);

/* A set of traces a number is taken over: one generated cell (its seeds),
 * one program, every program, every phase trace, or phases and programs. */
enum study_group_kind { GROUP_CELL, GROUP_PROGRAM, GROUP_PROGRAMS, GROUP_PHASES, GROUP_STRUCTURE };
struct study_group {
    enum study_group_kind kind;
    char shape[32], sizes[96]; /* GROUP_CELL: shape and family; GROUP_PROGRAM: sizes is the name */
    double cv;
};
struct study_cell {
    struct median_ci ci; /* median over the group's traces, with its interval */
    double geomean;      /* geometric mean of (1 + value), minus 1 */
    double cv_measured;  /* median of the traces' measured CV */
};
bool study_in_group(const struct study *s, size_t trace, const struct study_group *g);
/* Fills *out over the group's traces for one policy, structure and ratio; returns the count. */
size_t study_cell(const struct study *s, const struct study_group *g, size_t policy, size_t config,
                  enum study_ratio r, struct study_cell *out);
/* Every group of the plan (cells in plan order, programs, then the pooled ones); returns the count. */
size_t study_groups(const struct study *s, struct study_group *out, size_t max);

/* study_csv.c */
int study_write_runs_csv(const struct study *s);
int study_write_cells_csv(const struct study *s);

/* study_reading.c: verdicts.csv and study.md */
/* Three significant digits, whole numbers from 100 on, "–" for NaN (a ring of 16 buffers). */
const char *study_num(double v);
int study_write_reading(struct study *s);

/* study_figures.c: plot data and gnuplot; 0 when every figure was drawn */
int study_draw_figures(struct study *s);

/* study_main.c */
int study_run(const struct study_options *o);
/* mems-bench study [--quick] [--out DIR] [--seeds N] [--ops N] [--corpus LIST] [--no-plots] */
int study_main(int argc, char **argv);
/* The quick study inside a suite run: RUN/study, figures linked from REPORT.md. */
int study_for_suite(const char *run_dir, bool quick, bool plots);

#endif
