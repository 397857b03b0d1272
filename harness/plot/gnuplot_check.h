#ifndef MEMS_BENCH_GNUPLOT_CHECK_H
#define MEMS_BENCH_GNUPLOT_CHECK_H

#include <stdbool.h>

/* Is gnuplot on PATH? When it is not, says so on stderr as "mems-bench WHO:
 * ..." with what to do, and returns false. Every command that draws asks
 * before it replays anything, so a missing gnuplot costs no run. */
bool gnuplot_ready(const char *who);

#endif
