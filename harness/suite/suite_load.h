/* A suite run's results read back from a folder its replays wrote. */
#ifndef MEMS_BENCH_SUITE_LOAD_H
#define MEMS_BENCH_SUITE_LOAD_H

#include "suite_results.h"

/* Reads traces.csv, summary.csv, latency.csv, host.txt and done.txt of `dir`,
 * adding to s->traces and s->rows (and to s->backends the allocators it does
 * not know yet). Returns -1 when one of them is missing: no results there. */
int suite_load_results(struct suite *s, const char *dir);

#endif
