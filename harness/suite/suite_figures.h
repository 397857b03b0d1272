/* The suite's figures (gnuplot) and whole-process timing (hyperfine). */
#ifndef MEMS_BENCH_SUITE_FIGURES_H
#define MEMS_BENCH_SUITE_FIGURES_H

#include "suite_results.h"

/* Each returns 0 when it ran; s->plots_ran and s->hyperfine_ran say so too. */
int suite_draw_figures(struct suite *s);
int suite_run_hyperfine(struct suite *s);

#endif
