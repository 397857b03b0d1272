/* A run spread over processes or machines: --plan writes one shell command
 * per trace (a job, writing RUN/jobs/NNN-TRACE/), --merge gathers the jobs'
 * folders into the run's results. */
#ifndef MEMS_BENCH_SUITE_PLAN_H
#define MEMS_BENCH_SUITE_PLAN_H

#include "suite_results.h"

struct plan_options {
    const char *file;                /* where the commands go */
    const char *featured;            /* the featured trace's name */
    const char *mem_limit, *timeout, *cpu; /* as the user gave them, or NULL: each job takes its own default */
    bool hyperfine;
};

/* Creates s->run_dir/jobs/ and a folder per trace; writes the commands. */
int suite_write_plan(const struct suite *s, const struct trace *traces, size_t ntraces, const struct plan_options *o);
/* Reads every job folder of s->run_dir; writes the run's summary.csv and
 * latency.csv as the jobs' together. Returns -1 when there is nothing to
 * read; jobs without results are counted in s->missing_jobs. */
int suite_merge_jobs(struct suite *s);

#endif
