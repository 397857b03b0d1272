/* See stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* P(Binomial(n, 1/2) <= k) */
static double binomial_half_cdf(size_t n, size_t k)
{
    double term = pow(0.5, (double)n), sum = 0;
    for (size_t i = 0; i <= k && i <= n; i++) {
        sum += term;
        term = term * (double)(n - i) / (double)(i + 1);
    }
    return sum;
}

void median_ci(double *values, size_t n, struct median_ci *out)
{
    out->n = n;
    if (n == 0) {
        out->median = out->low = out->high = NAN;
        out->coverage = 0;
        return;
    }
    qsort(values, n, sizeof *values, compare_doubles);
    out->median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    /* X(j) <= median <= X(n+1-j) holds with probability 1 - 2 P(B <= j-1) */
    size_t j = 1;
    while (j + 1 <= (n + 1) / 2 && 1 - 2 * binomial_half_cdf(n, j) >= 0.95)
        j++;
    out->coverage = n >= 2 ? 1 - 2 * binomial_half_cdf(n, j - 1) : 0;
    out->low = values[j - 1];
    out->high = values[n - j];
}

int ci_overlap(const struct median_ci *a, const struct median_ci *b)
{
    return a->low <= b->high && b->low <= a->high;
}

double geometric_mean(const double *values, size_t n)
{
    double sum = 0;
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        if (values[i] > 0 && isfinite(values[i])) {
            sum += log(values[i]);
            used++;
        }
    return used ? exp(sum / (double)used) : 0;
}
