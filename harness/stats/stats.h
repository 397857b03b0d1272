/* Statistics over repeats: medians with distribution-free confidence
 * intervals, and geometric means of ratios. */
#ifndef MEMS_BENCH_STATS_H
#define MEMS_BENCH_STATS_H

#include <stddef.h>

struct median_ci {
    double median, low, high;
    double coverage; /* probability the interval holds the true median */
    size_t n;
};

/* Sorts `values` (n of them) in place and fills *out: the interval is the
 * order statistics X(j)..X(n+1-j) with the largest j whose coverage is at
 * least 95%; with too few repeats for 95% (n < 6) it is min..max, and
 * `coverage` says what it really is (93.75% for 5). */
void median_ci(double *values, size_t n, struct median_ci *out);
/* Do the two intervals overlap? (then the difference is within noise) */
int ci_overlap(const struct median_ci *a, const struct median_ci *b);
/* exp(mean(log x)) over the positive values; 0 when there are none. */
double geometric_mean(const double *values, size_t n);

#endif
