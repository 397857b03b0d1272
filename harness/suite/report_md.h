/* REPORT.md of a suite run. */
#ifndef MEMS_BENCH_REPORT_MD_H
#define MEMS_BENCH_REPORT_MD_H

#include "suite_results.h"

int suite_write_report(const struct suite *s);

#endif
