/* mems-bench suite: the benchmark suite, from traces to REPORT.md. */
#ifndef MEMS_BENCH_SUITE_H
#define MEMS_BENCH_SUITE_H

int suite_main(int argc, char **argv);

#endif
