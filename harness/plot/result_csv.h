#ifndef MEMS_BENCH_RESULT_CSV_H
#define MEMS_BENCH_RESULT_CSV_H

#include <stdio.h>

/* Creates (or empties) DIR/NAME and writes `header` and a newline into it
 * when `header` is not NULL: a CSV's column names, or a "# ..." line for the
 * whitespace-separated data gnuplot reads. Returns the stream, or NULL with
 * errno set (the caller says what it could not write). */
FILE *csv_open(const char *dir, const char *name, const char *header);

#endif
