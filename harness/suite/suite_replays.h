/* The replays of a suite run, or of one job of a planned run, into a folder. */
#ifndef MEMS_BENCH_SUITE_REPLAYS_H
#define MEMS_BENCH_SUITE_REPLAYS_H

#include "host.h"
#include "suite_results.h"

/* The run folder and its subfolders (timeseries/, figures/, ...). */
int suite_make_directories(const char *dir);
/* Replays every trace with s->backends, s->repeats times, under s->limits;
 * the heap map and hyperfine (unless !hyperfine) are for the trace named
 * `featured`, if it is one of them. Returns the number of replays that
 * failed, or -1 when the folder could not be written. */
int suite_run_replays(const struct suite *s, const char *dir, const struct trace *traces, size_t ntraces,
                      const char *featured, bool hyperfine);

#endif
