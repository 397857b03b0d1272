/* The suite's figures (gnuplot) and whole-process timing (hyperfine). */
#ifndef MEMS_BENCH_SUITE_FIGURES_H
#define MEMS_BENCH_SUITE_FIGURES_H

#include "suite_results.h"

/* The figures from s's results into RUN/figures; 0 when every one was drawn
 * (s->plots_ran says so too). */
int suite_draw_figures(struct suite *s);
/* hyperfine on each allocator's timed replay of the binary trace `bin_path`:
 * DIR/hyperfine.md, .json, .log; 0 when it ran. */
int suite_run_hyperfine(const struct suite *s, const char *bin_path, const char *dir);

#endif
