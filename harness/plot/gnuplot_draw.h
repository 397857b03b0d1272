#ifndef MEMS_BENCH_GNUPLOT_DRAW_H
#define MEMS_BENCH_GNUPLOT_DRAW_H

/* Draws OUT.png and OUT.svg with the project's plots/SCRIPT.gp, gnuplot's
 * complaints appended to the file LOG. The script reads fmt, out and plots
 * (the folder of the scripts, for their shared style), then `variables`:
 * more gnuplot assignments ("data='...'; label='...'", or ""). Returns 0, or
 * -1 after saying on stderr "mems-bench WHO: gnuplot failed on SCRIPT (see
 * LOG)". */
int gnuplot_draw(const char *who, const char *script, const char *out, const char *log, const char *variables);

#endif
